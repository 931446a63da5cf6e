package fleet

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/touchpoint-sdk/touchpoint/identity"
)

// Erasure is what Hub.Erase did.
type Erasure struct {
	// Report is the identity graph's erasure report (keys only).
	Report *identity.ErasureReport
	// Keys are the identifiers erased and tombstoned everywhere.
	Keys []identity.Ref
	// RecordsRemoved counts the records deleted from the store.
	RecordsRemoved int
	// ProofsKept counts consent records kept as proof under ProofKey.
	ProofsKept int
	// Publish is the tombstone to publish to every gateway.
	Publish []Message
}

// Erase erases the person identifier id belongs to, fleet-wide, for the
// data subject request requestID: the identity graph deletes every
// identifier only that person had (and tombstones them, so a replayed link
// fact is suppressed); the store tombstones the same keys and deletes
// every record filed under them (so a replayed touchpoint, consent or
// membership is refused: ErrErased); consent records are first copied
// under ProofKey tags, without the person's keys, as the proof of consent
// the controller keeps for its retention period (see the package doc).
// The returned Erasure.Publish holds the tombstone that gateways apply.
//
// Erase is idempotent: calling it again for the same request (after a
// crash before the tombstone was published) returns the same tombstone.
// Errors: ErrClosed, ErrNoGraph, a *FieldError for an empty request id,
// the graph's errors (an *identity.IdentifierError for an identifier that
// identifies nobody) and the store's.
func (h *Hub) Erase(ctx context.Context, id identity.Identifier, requestID string, at time.Time) (*Erasure, error) {
	if h.closed.Load() {
		return nil, ErrClosed
	}
	if h.graph == nil {
		return nil, ErrNoGraph
	}
	if requestID == "" || !text(requestID, maxID) {
		return nil, &FieldError{Kind: KindTombstone, Field: "requestID", Reason: "is empty or longer than 256 bytes"}
	}
	at = at.UTC().Truncate(time.Millisecond)
	rep, err := h.graph.Erase(ctx, id, at)
	if err != nil {
		return nil, err
	}
	refs := []identity.Ref{{Type: rep.Subject.Type, Key: rep.Subject.Key}}
	for _, r := range rep.Removed {
		if r.Key != rep.Subject.Key {
			refs = append(refs, identity.Ref{Type: r.Type, Key: r.Key})
		}
	}
	// an earlier run of this request (the graph forgot the keys then)
	tombID := DeriveID(KindTombstone, requestID)
	proofOfSubject := ProofKey(rep.Subject.Key)
	err = h.store.Read(ctx, []identity.Key{proofOfSubject}, func(r Record) error {
		if r.ID != tombID {
			return nil
		}
		m, err := Decode(r.Body)
		if err != nil {
			return err
		}
		for _, k := range m.Tombstone.Keys {
			if !slices.ContainsFunc(refs, func(x identity.Ref) bool { return x.Key == k.Key }) {
				refs = append(refs, k)
			}
		}
		at = m.Time
		return nil
	})
	if err != nil {
		return nil, err
	}
	keys := keysOf(refs)
	// proofs of consent, without the person's keys
	var proofs []Record
	err = h.store.Read(ctx, keys, func(r Record) error {
		if r.Kind != KindConsent {
			return nil
		}
		m, err := Decode(r.Body)
		if err != nil {
			return err
		}
		c := *m.Consent
		c.Subject = slices.Clone(c.Subject)
		var pk []identity.Key
		for i := range c.Subject {
			c.Subject[i].Key = ProofKey(c.Subject[i].Key)
			pk = append(pk, c.Subject[i].Key)
		}
		m.Consent = &c
		body, err := Encode(m)
		if err != nil {
			return err
		}
		proofs = append(proofs, Record{Keys: pk, ID: "proof:" + r.ID, Kind: KindConsent, Time: r.Time, Body: body})
		return nil
	})
	if err != nil {
		return nil, err
	}
	tomb := Message{Kind: KindTombstone, ID: tombID, Time: at, Source: h.source, Tombstone: &Tombstone{RequestID: requestID, Keys: refs}}
	body, err := Encode(tomb)
	if err != nil {
		return nil, err
	}
	for _, p := range append(proofs, Record{Keys: []identity.Key{proofOfSubject}, ID: tombID, Kind: KindTombstone, Time: at, Body: body}) {
		if err := h.store.Put(ctx, p); err != nil && !errors.Is(err, ErrErased) {
			return nil, err
		}
	}
	n, err := h.store.Erase(ctx, keys, at)
	if err != nil {
		return nil, err
	}
	h.erasures.Add(1)
	return &Erasure{Report: rep, Keys: refs, RecordsRemoved: n, ProofsKept: len(proofs), Publish: []Message{tomb}}, nil
}
