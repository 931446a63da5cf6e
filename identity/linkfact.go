package identity

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/touchpoint-sdk/touchpoint/connected"
)

// Identity-link facts downstream.
//
// The middleware emits every observation that changed its graph as a
// connected.Record: a track event named EventIdentityLinked, data category
// connected.CategoryIdentity, whose properties hold only keys (keyed
// hashes), never values — even when the graph keeps plaintext:
//
//	{"type":"track","messageId":"<UUIDv5 of the source event id>",
//	 "anonymousId":"<profile id>","event":"Identity Linked",
//	 "properties":{"eventId":"...","identifiers":[{"key":"<32 hex>","type":"email"},...],
//	   "blocked":[...],"keyVersion":1,"profileId":"p_...","source":"<gateway>",
//	   "time":"2025-03-01T10:00:00.000Z"},
//	 "originalTimestamp":"...","context":{...,"dataCategory":"identity"}}
//
// The message id is derived from the source event id, so a replayed event
// yields the same fact id and downstream dedupe drops it. A central service
// (on Kafka or NATS) decodes the facts with DecodeLinkFact and applies them
// to its own graph with Graph.LinkKeys; with the same secret on every
// gateway, keys agree fleet-wide and the central graph derives the same
// profiles, whatever order the facts arrive in.

// EventIdentityLinked is the track event name of identity-link facts.
const EventIdentityLinked = connected.EventIdentityLinked

// linkFactNamespace is the UUIDv5 namespace of link fact message ids
// (6b2f3c1e-8d4a-5e7f-9a0b-1c2d3e4f5a6b).
func linkFactNamespace() uuid.UUID {
	return uuid.UUID{0x6b, 0x2f, 0x3c, 0x1e, 0x8d, 0x4a, 0x5e, 0x7f, 0x9a, 0x0b, 0x1c, 0x2d, 0x3e, 0x4f, 0x5a, 0x6b}
}

type factJSON struct {
	EventID     string    `json:"eventId"`
	Identifiers []refJSON `json:"identifiers"`
	Blocked     []refJSON `json:"blocked,omitempty"`
	KeyVersion  int       `json:"keyVersion"`
	ProfileID   string    `json:"profileId,omitempty"`
	Source      string    `json:"source,omitempty"`
	Time        string    `json:"time"`
}

type refJSON struct {
	Key  string `json:"key"`
	Type string `json:"type"`
}

const factTimeLayout = "2006-01-02T15:04:05.000Z07:00"

// EncodeLinkFact encodes lf as a connected.Record (see above). source names
// the emitting gateway (may be empty); secret is the partition-key secret
// (as connected.WithPartitionKeySecret; may be empty). The record's
// PartitionKey and ProfileID follow lf.ProfileID. It returns a
// *connected.ValidationError if the event does not validate (an event id
// that is not valid UTF-8, say). The record's Event carries the
// properties as the payload has them, in a connected.Properties map
// ("identifiers" and "blocked" as []any of map[string]any{"key","type"}).
//
// It writes the payload straight from lf (appendLinkFact) when it can,
// and through connected.AppendSegment otherwise (encodeLinkFactMaps):
// both give the same bytes, or the same error.
func EncodeLinkFact(lf LinkFact, source string, secret []byte) (*connected.Record, error) {
	return encodeLinkFact(lf, source, keyWith(secret))
}

// keyWith keys a link fact's record with PartitionKey(secret, anon).
func keyWith(secret []byte) func(anon string) string {
	return func(anon string) string { return connected.PartitionKey(secret, anon) }
}

// encodeLinkFact is EncodeLinkFact with the record's partition key given
// by keyOf (called once, with the record's anonymousId): the middleware
// keys it as it keys the event, without building an HMAC.
func encodeLinkFact(lf LinkFact, source string, keyOf func(anon string) string) (*connected.Record, error) {
	anon, id := linkFactHead(&lf)
	payload, ok := appendLinkFact(nil, &lf, source, anon, &id)
	if !ok {
		return encodeLinkFactMaps(lf, source, keyOf)
	}
	// One allocation for the record and its event.
	x := new(struct {
		rec connected.Record
		ev  connected.Event
	})
	x.ev = connected.Event{
		Type:              connected.TypeTrack,
		MessageID:         string(id[:]),
		AnonymousID:       anon,
		Event:             EventIdentityLinked,
		Properties:        linkFactProps(&lf, source),
		OriginalTimestamp: lf.Time.UTC(),
		Category:          connected.CategoryIdentity,
		Context:           connected.Context{Library: connected.Library{Name: connected.LibraryName, Version: connected.Version}},
	}
	x.rec = connected.Record{
		ID:           x.ev.MessageID,
		Type:         x.ev.Type,
		Time:         x.ev.OriginalTimestamp,
		Category:     x.ev.Category,
		PartitionKey: keyOf(anon),
		ProfileID:    lf.ProfileID,
		AnonymousID:  anon,
		Payload:      payload,
		Event:        &x.ev,
	}
	return &x.rec, nil
}

// AppendLinkFact appends to dst the payload EncodeLinkFact(lf, source, _)
// gives its record (the same bytes, or the same error) and returns it with
// the record's id, without building the record, its Event or a partition
// key: for code that stores or forwards only the bytes (the fleet wire
// format). dst may be nil; the result aliases it when it has room.
func AppendLinkFact(dst []byte, lf LinkFact, source string) (payload []byte, id string, err error) {
	anon, idb := linkFactHead(&lf)
	if out, ok := appendLinkFact(dst, &lf, source, anon, &idb); ok {
		return out, string(idb[:]), nil
	}
	rec, err := encodeLinkFactMaps(lf, source, keyWith(nil))
	if err != nil {
		return dst, "", err
	}
	return append(dst, rec.Payload...), rec.ID, nil
}

// linkFactHead returns the anonymousId a link fact's record carries (its
// profile id, else "identity-graph") and the record's id.
func linkFactHead(lf *LinkFact) (anon string, id [36]byte) {
	anon = lf.ProfileID
	if anon == "" {
		anon = "identity-graph"
	}
	linkFactID(&id, lf.EventID)
	return anon, id
}

// encodeLinkFactMaps is EncodeLinkFact through connected.AppendSegment
// and a Properties map: the path for facts appendLinkFact declines, which
// gives AppendSegment's errors.
func encodeLinkFactMaps(lf LinkFact, source string, keyOf func(anon string) string) (*connected.Record, error) {
	fj := factJSON{EventID: lf.EventID, KeyVersion: 1, ProfileID: lf.ProfileID, Source: source, Time: lf.Time.UTC().Format(factTimeLayout)}
	for _, r := range lf.IDs {
		fj.Identifiers = append(fj.Identifiers, refJSON{Key: r.Key.String(), Type: string(r.Type)})
	}
	for _, r := range lf.Blocked {
		fj.Blocked = append(fj.Blocked, refJSON{Key: r.Key.String(), Type: string(r.Type)})
	}
	props := connected.Properties{"eventId": fj.EventID, "keyVersion": 1, "time": fj.Time}
	ids := make([]any, len(fj.Identifiers))
	for i, r := range fj.Identifiers {
		ids[i] = map[string]any{"key": r.Key, "type": r.Type}
	}
	props["identifiers"] = ids
	if len(fj.Blocked) > 0 {
		bl := make([]any, len(fj.Blocked))
		for i, r := range fj.Blocked {
			bl[i] = map[string]any{"key": r.Key, "type": r.Type}
		}
		props["blocked"] = bl
	}
	anon := lf.ProfileID
	if anon == "" {
		anon = "identity-graph"
	} else {
		props["profileId"] = lf.ProfileID
	}
	if source != "" {
		props["source"] = source
	}
	e := connected.Event{
		Type:              connected.TypeTrack,
		MessageID:         uuid.NewSHA1(linkFactNamespace(), []byte("identity-linked\x00"+lf.EventID)).String(),
		AnonymousID:       anon,
		Event:             EventIdentityLinked,
		Properties:        props,
		OriginalTimestamp: lf.Time.UTC(),
		Category:          connected.CategoryIdentity,
		Context:           connected.Context{Library: connected.Library{Name: connected.LibraryName, Version: connected.Version}},
	}
	payload, err := connected.AppendSegment(nil, &e)
	if err != nil {
		return nil, err
	}
	return &connected.Record{
		ID:           e.MessageID,
		Type:         e.Type,
		Time:         e.OriginalTimestamp,
		Category:     e.Category,
		PartitionKey: keyOf(anon),
		ProfileID:    lf.ProfileID,
		AnonymousID:  anon,
		Payload:      payload,
		Event:        &e,
	}, nil
}

// LinkFactID returns the message id EncodeLinkFact and AppendLinkFact give
// the fact of event eventID: a UUIDv5 of it, so that a fact sent again
// keeps its id (and its receivers' dedupe), and so that a receiver can
// check that a link fact's messageId is the one its event id gives
// (fleet.Decode does).
func LinkFactID(eventID string) string {
	var id [36]byte
	linkFactID(&id, eventID)
	return string(id[:])
}

// DecodeLinkFact decodes the Segment JSON payload of an identity-link fact
// record. It returns a *FormatError (ErrCorrupt, source "link fact") for a
// payload that is not JSON, not an "Identity Linked" track event, of
// another key version, or with missing or malformed fields; the offset is
// that of a JSON syntax error, else 0.
//
// It reads the payload with a scanner over the exact shapes
// EncodeLinkFact writes (scanLinkFact), and falls back to encoding/json
// for anything else; both give the same fact or the same error
// (FuzzDecodeLinkFactFast). It does not keep payload.
func DecodeLinkFact(payload []byte) (LinkFact, error) {
	if lf, ok := scanLinkFact(payload); ok {
		return lf, nil
	}
	return decodeLinkFactJSON(payload)
}

// decodeLinkFactJSON is DecodeLinkFact with encoding/json only: the
// reference the scanner is checked against, and the one that reports
// errors.
func decodeLinkFactJSON(payload []byte) (LinkFact, error) {
	var msg struct {
		Type       string    `json:"type"`
		Event      string    `json:"event"`
		Properties *factJSON `json:"properties"`
	}
	fail := func(off int64, err error) (LinkFact, error) {
		return LinkFact{}, &FormatError{Source: "link fact", Offset: off, Err: err}
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	if err := dec.Decode(&msg); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return fail(se.Offset, err)
		}
		return fail(0, err)
	}
	if dec.More() {
		return fail(dec.InputOffset(), errors.New("trailing data after the message"))
	}
	if msg.Type != string(connected.TypeTrack) || msg.Event != EventIdentityLinked {
		return fail(0, errors.New("not an \"Identity Linked\" track event"))
	}
	p := msg.Properties
	if p == nil {
		return fail(0, errors.New("no properties"))
	}
	if p.KeyVersion != 1 {
		return fail(0, ErrUnsupportedVersion)
	}
	t, err := time.Parse(time.RFC3339Nano, p.Time)
	if err != nil {
		return fail(0, errors.New("time is not RFC 3339"))
	}
	if err := checkEvent("eventId", p.EventID, t); err != nil {
		return fail(0, err)
	}
	lf := LinkFact{EventID: p.EventID, Time: t.UTC(), ProfileID: p.ProfileID}
	if len(p.Identifiers)+len(p.Blocked) == 0 {
		return fail(0, errors.New("no identifiers"))
	}
	conv := func(in []refJSON) ([]Ref, error) {
		var out []Ref
		for _, r := range in {
			if !validTypeName(r.Type) {
				return nil, errors.New("invalid identifier type")
			}
			k, err := ParseKey(r.Key)
			if err != nil {
				return nil, errors.New("invalid identifier key")
			}
			out = append(out, Ref{Type: Type(r.Type), Key: k})
		}
		return out, nil
	}
	if lf.IDs, err = conv(p.Identifiers); err != nil {
		return fail(0, err)
	}
	if lf.Blocked, err = conv(p.Blocked); err != nil {
		return fail(0, err)
	}
	return lf, nil
}

// LinkKeys applies a link fact from another graph (a gateway's), by keys:
// what a central service does to build the fleet-wide graph. It behaves
// like Link for an observation with these identifiers; types must have
// rules here. Values in lf are ignored: nothing is normalized again. It
// returns an *IdentifierError (ErrUnknownType) for a type without a rule,
// and Link's errors otherwise.
func (g *Graph) LinkKeys(ctx context.Context, lf LinkFact) (Resolution, error) {
	if err := checkEvent("EventID", lf.EventID, lf.Time); err != nil {
		return Resolution{}, err
	}
	if err := checkIDs(len(lf.IDs) + len(lf.Blocked)); err != nil {
		return Resolution{}, err
	}
	var ps []prepared
	for i, list := range [][]Ref{lf.IDs, lf.Blocked} {
		for _, ref := range list {
			r, ok := g.norm.rules.lookup(ref.Type)
			if !ok {
				return Resolution{}, &IdentifierError{Type: ref.Type, Index: -1, Reason: "no rule for this type", Err: ErrUnknownType}
			}
			if !slices.ContainsFunc(ps, func(q prepared) bool { return q.key == ref.Key }) {
				ps = append(ps, prepared{r: r, key: ref.Key, blocked: i == 1})
			}
		}
	}
	slices.SortFunc(ps, func(a, b prepared) int {
		if a.r.order != b.r.order {
			return a.r.order - b.r.order
		}
		return compareKeys(a.key, b.key)
	})
	t := lf.Time.UnixMilli()
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return Resolution{}, ErrClosed
	}
	if why := g.suppressed(ps, t); why != "" {
		return Resolution{}, &SuppressedError{EventID: lf.EventID, Why: why}
	}
	changed, err := g.linkLocked(ctx, ps, t, lf.EventID)
	if err != nil {
		return Resolution{}, err
	}
	res := g.resolveLocked(ps, g.nodeBuf, t)
	if changed {
		res.Fact = g.factOf(ps, lf.EventID, lf.Time, res.ProfileID)
	}
	return res, nil
}
