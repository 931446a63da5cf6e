package activation

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"strconv"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
)

// Event names the engine emits.
const (
	EventAudienceEntered = "Audience Entered"
	EventAudienceExited  = "Audience Exited"
)

// ActionID is the deterministic id of an output: a hash of its parts
// (journey or audience, profile, triggering events), "act_" and 32 hex
// characters. A replay or a restart gives the same id.
func ActionID(parts ...string) string {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
		b = append(b, 0)
	}
	sum := sha256.Sum256(b)
	return "act_" + hex.EncodeToString(sum[:16])
}

// idBuilder computes ActionID without allocating: parts are appended to
// a reused buffer and the id string is cut from the engine's slab.
type idBuilder struct{ b []byte }

func (w *idBuilder) reset() *idBuilder { w.b = w.b[:0]; return w }

func (w *idBuilder) s(p string) *idBuilder {
	w.b = append(w.b, p...)
	w.b = append(w.b, 0)
	return w
}

func (w *idBuilder) i(v int64) *idBuilder {
	w.b = strconv.AppendInt(w.b, v, 10)
	w.b = append(w.b, 0)
	return w
}

// done returns the id (as ActionID would) and its first 64 bits.
func (w *idBuilder) done(sl *slab) (string, uint64) {
	sum := sha256.Sum256(w.b)
	var hx [36]byte
	copy(hx[:], "act_")
	hex.Encode(hx[4:], sum[:16])
	return sl.str(hx[:]), binary.LittleEndian.Uint64(sum[0:8])
}

// idOf parses an id made by ActionID back into its first 64 bits.
func idOf(s string) (uint64, bool) {
	if len(s) != 36 || s[:4] != "act_" {
		return 0, false
	}
	var raw [16]byte
	if _, err := hex.Decode(raw[:], []byte(s[4:])); err != nil {
		return 0, false
	}
	return binary.LittleEndian.Uint64(raw[0:8]), true
}

// outStr copies an engine string (a view into an arena) into the output
// slab, so that outputs never pin an arena.
func (e *Engine) outStr(s string) string {
	if s == "" {
		return ""
	}
	return e.strs.str(viewBytes(s))
}

// announce records a membership change as outputs (unless replaying).
func (e *Engine) announce(p int32, key string, purpose consent.Purpose, kind OutputKind, t int64, why string, out []Output) []Output {
	if kind == AudienceEntered {
		e.stats.Entered++
	} else {
		e.stats.Exited++
	}
	if e.replay {
		return out
	}
	pid := e.profileID(p)
	// the id is unique per change: profile, audience, time and direction
	id, _ := e.idb.reset().s("audience").s(key).s(pid).s(kind.String()).i(t).done(&e.strs)
	return append(out, Output{Kind: kind, ID: id, Profile: e.outPID(p), Audience: key, Purpose: purpose,
		Time: time.UnixMilli(t).UTC(), Reason: why})
}

// Emitted returns the event to emit for o: for a membership change the
// Audience Entered/Exited track event (properties audience_key and
// <audience_key>: true|false, addressed by the profile id as anonymousId,
// message id o.ID), built on each call; for a fired action its Event; nil
// for refusals and handler-only actions.
func (o *Output) Emitted() *connected.Event {
	switch o.Kind {
	case AudienceEntered, AudienceExited:
		name := EventAudienceEntered
		if o.Kind == AudienceExited {
			name = EventAudienceExited
		}
		return &connected.Event{Type: connected.TypeTrack, MessageID: o.ID, AnonymousID: o.Profile, Event: name,
			OriginalTimestamp: o.Time, Properties: connected.Properties{"audience_key": o.Audience, o.Audience: o.Kind == AudienceEntered}}
	}
	return o.Event
}

// refuse announces a refused action (trigger id trig at time t).
func (e *Engine) refuse(p int32, j *journey, trig string, t int64, relID, reason string, out []Output) []Output {
	e.stats.Refused++
	if e.replay {
		return out
	}
	pid := e.profileID(p)
	id, _ := e.idb.reset().s("refusal").s(j.key).s(pid).s(trig).s(relID).done(&e.strs)
	return append(out, Output{Kind: ActionRefused, ID: id, Profile: e.outPID(p), Journey: j.key, Purpose: j.purpStr,
		Time: time.UnixMilli(t).UTC(), Trigger: trig, Related: relID, Reason: reason})
}
