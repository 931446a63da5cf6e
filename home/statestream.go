package home

import (
	"strings"
	"time"

	"github.com/touchpoint-sdk/touchpoint/internal/jsonscan"
)

// DefaultSettle is how long a Statestream waits after an entity's last
// message before it treats the entity's change as complete: 2 seconds.
const DefaultSettle = 2 * time.Second

// Statestream assembles the messages Home Assistant's mqtt_statestream
// integration publishes into state changes. For each change of entity
// domain.object_id it publishes, in this order, <base>/<domain>/<object_id>/state
// (the state string, unquoted), with publish_timestamps .../last_updated
// and .../last_changed (ISO 8601, unquoted), and with publish_attributes
// one .../<attribute> topic per attribute (JSON-encoded). A change is
// complete when the entity's next state message arrives, or when Settle
// has passed since its last message (checked on every Decode and on
// Flush): the attributes of a change arrive after its state.
//
// Old is the entity's previous complete state as this Statestream saw it
// (HasOld false for the first). Time is the published last_updated, else
// the receive time of the state message.
//
// Time comes from the input (now, the receive time of each message), so a
// recorded stream replays exactly. A Statestream is not safe for
// concurrent use; it keeps one pending change and one last state per
// entity.
type Statestream struct {
	base    string
	settle  time.Duration
	pending map[string]*pendingChange
	last    map[string]State
	dropped uint64
}

type pendingChange struct {
	c    StateChange
	seen time.Time // receive time of the latest message
}

// NewStatestream returns a Statestream for base topic base (the
// integration's base_topic, "homeassistant" say; a trailing slash is
// ignored) that completes changes settle after their last message (0 means
// DefaultSettle). It returns a *ConfigError for an empty base or a
// negative settle.
func NewStatestream(base string, settle time.Duration) (*Statestream, error) {
	base = strings.TrimSuffix(base, "/")
	switch {
	case base == "":
		return nil, &ConfigError{Field: "base", Reason: "is empty"}
	case settle < 0:
		return nil, &ConfigError{Field: "settle", Reason: "is negative"}
	case settle == 0:
		settle = DefaultSettle
	}
	return &Statestream{base: base, settle: settle, pending: map[string]*pendingChange{}, last: map[string]State{}}, nil
}

// Decode takes one statestream message received at now and appends to dst
// the changes it completes: the same entity's pending change when this is
// a new state message, and other entities' changes whose settle time has
// passed. A message for an entity with no pending change other than its
// state (a retained attribute replayed on subscribe, say) is validated and
// dropped.
//
// Errors are *DecodeError values: ErrTopic for a topic not under the base
// or not <domain>/<object_id>/<key>, ErrFieldType for an entity id that is
// not domain.object_id, a state that is not UTF-8 or longer than
// MaxStringLen, or a timestamp that is not ISO 8601, ErrSyntax or
// ErrTruncated for an attribute that is not JSON, ErrTooLarge; a
// *TimeError for an invalid now. On error nothing is changed and dst is
// returned as given.
func (s *Statestream) Decode(dst []StateChange, topic string, payload []byte, now time.Time) ([]StateChange, error) {
	if !validTime(now) {
		return dst, &TimeError{Op: "Statestream.Decode"}
	}
	if len(payload) > MaxPayload {
		return dst, &DecodeError{Source: SourceStatestream, Offset: MaxPayload, Err: ErrTooLarge}
	}
	entity, domain, key, err := s.split(topic)
	if err != nil {
		return dst, err
	}
	now = now.UTC()
	var st State // only the field this message carries
	switch key {
	case "state":
		v, err := stateValue(payload)
		if err != nil {
			return dst, err
		}
		st.Value, st.Has = v, HasValue
	case "last_updated", "last_changed":
		t, ok := jsonscan.ParseTime(unquote(payload))
		if !ok || !validTime(t) {
			return dst, &DecodeError{Source: SourceStatestream, Field: key, Offset: 0, Err: ErrFieldType}
		}
		if key == "last_updated" {
			st.LastUpdated = t
		} else {
			st.LastChanged = t
		}
	default:
		d := decoder{s: jsonscan.New(payload), src: SourceStatestream, prefix: "attributes"}
		d.attribute(&st, []byte(key))
		if d.err == nil {
			d.s.End()
			d.scanErr(key)
		}
		if d.err != nil {
			return dst, d.err
		}
	}
	// Valid: apply.
	if key == "state" {
		if p := s.pending[entity]; p != nil {
			dst = s.complete(dst, entity, p)
		}
		p := &pendingChange{seen: now}
		p.c = StateChange{Source: SourceStatestream, Device: entity, Domain: domain, New: st, Time: now}
		if old, ok := s.last[entity]; ok {
			p.c.Old, p.c.HasOld = old, true
		}
		s.pending[entity] = p
	} else if p := s.pending[entity]; p != nil {
		p.seen = now
		merge(&p.c.New, &st)
	} else {
		s.dropped++
	}
	return s.Flush(dst, now, false), nil
}

// Flush appends the pending changes whose settle time has passed at now
// (all of them when all is set) to dst, oldest entity first by receive
// time, and returns it. Call it from a timer when messages may stop.
func (s *Statestream) Flush(dst []StateChange, now time.Time, all bool) []StateChange {
	for {
		var first string
		var at time.Time
		for e, p := range s.pending {
			if (all || now.Sub(p.seen) >= s.settle) && (first == "" || p.seen.Before(at) || p.seen.Equal(at) && e < first) {
				first, at = e, p.seen
			}
		}
		if first == "" {
			return dst
		}
		dst = s.complete(dst, first, s.pending[first])
	}
}

// Dropped returns the number of valid messages dropped because their
// entity had no pending change (retained attributes replayed on
// subscribe, or attributes arriving after the settle time).
func (s *Statestream) Dropped() uint64 { return s.dropped }

// Pending returns the number of entities with an incomplete change.
func (s *Statestream) Pending() int { return len(s.pending) }

func (s *Statestream) complete(dst []StateChange, entity string, p *pendingChange) []StateChange {
	delete(s.pending, entity)
	if !p.c.New.LastUpdated.IsZero() {
		p.c.Time = p.c.New.LastUpdated
	}
	s.last[entity] = p.c.New
	return append(dst, p.c)
}

// split checks the topic and returns the entity id, domain and key.
func (s *Statestream) split(topic string) (entity, domain, key string, err error) {
	bad := func(reason error) (string, string, string, error) {
		return "", "", "", &DecodeError{Source: SourceStatestream, Field: "topic", Offset: -1, Err: reason}
	}
	rest, ok := strings.CutPrefix(topic, s.base+"/")
	if !ok {
		return bad(ErrTopic)
	}
	dom, rest, ok1 := strings.Cut(rest, "/")
	obj, key, ok2 := strings.Cut(rest, "/")
	if !ok1 || !ok2 || key == "" || strings.Contains(key, "/") {
		return bad(ErrTopic)
	}
	entity = dom + "." + obj
	if _, ok := validEntityID(entity); !ok || len(entity) > MaxStringLen {
		return bad(ErrFieldType)
	}
	return entity, dom, key, nil
}

// stateValue reads a statestream state payload: the raw state string as
// Home Assistant publishes it, or a JSON string.
func stateValue(p []byte) (string, error) {
	if len(p) > 0 && p[0] == '"' {
		d := decoder{s: jsonscan.New(p), src: SourceStatestream}
		v, ok := d.str("state")
		if ok {
			d.s.End()
			d.scanErr("state")
		}
		return v, d.err
	}
	if len(p) == 0 || len(p) > MaxStringLen || !jsonscan.ValidUTF8(p) {
		return "", &DecodeError{Source: SourceStatestream, Field: "state", Offset: 0, Err: ErrFieldType}
	}
	for i, c := range p {
		if c < 0x20 {
			return "", &DecodeError{Source: SourceStatestream, Field: "state", Offset: i, Err: ErrFieldType}
		}
	}
	return intern(p), nil
}

// unquote strips one pair of JSON quotes, if present.
func unquote(p []byte) []byte {
	if len(p) >= 2 && p[0] == '"' && p[len(p)-1] == '"' {
		return p[1 : len(p)-1]
	}
	return p
}

// merge copies the fields set in src into dst.
func merge(dst, src *State) {
	dst.Has |= src.Has
	if src.Has&HasValue != 0 {
		dst.Value = src.Value
	}
	set := func(d *string, s string) {
		if s != "" {
			*d = s
		}
	}
	set(&dst.DeviceClass, src.DeviceClass)
	set(&dst.Unit, src.Unit)
	set(&dst.ContentType, src.ContentType)
	set(&dst.App, src.App)
	set(&dst.HVACAction, src.HVACAction)
	set(&dst.Preset, src.Preset)
	if src.Has&HasSetpoint != 0 {
		dst.Setpoint = src.Setpoint
	}
	if src.Has&HasSetpointLow != 0 {
		dst.SetpointLow = src.SetpointLow
	}
	if src.Has&HasSetpointHigh != 0 {
		dst.SetpointHigh = src.SetpointHigh
	}
	if src.Has&HasCurrent != 0 {
		dst.Current = src.Current
	}
	if !src.LastChanged.IsZero() {
		dst.LastChanged = src.LastChanged
	}
	if !src.LastUpdated.IsZero() {
		dst.LastUpdated = src.LastUpdated
	}
}
