package fleet

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"time"

	"github.com/touchpoint-sdk/touchpoint/identity"
)

// Erasure is what Hub.Erase did.
type Erasure struct {
	// Report is the identity graph's erasure report (keys only).
	Report *identity.ErasureReport
	// Keys are the identifiers erased and tombstoned everywhere: those the
	// graph removed, and the subject when the graph never knew it. A key
	// the graph kept because it is shared with someone else is not among
	// them.
	Keys []identity.Ref
	// RecordsRemoved counts the records deleted from the store.
	RecordsRemoved int
	// ProofsKept counts consent records kept as proof under ProofKey.
	ProofsKept int
	// Publish are the tombstone parts to publish to every gateway: Keys in
	// order, at most MaxSubjectKeys per part, ids TombstonePartID(request,
	// 0), (request, 1), ...; none when Keys is empty.
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
// The returned Erasure.Publish holds the tombstone that gateways apply,
// split into parts of at most MaxSubjectKeys keys (the wire limit), each
// a message of its own that a follower applies by itself. Only the keys
// the graph removed are tombstoned, and the subject when the graph never
// knew it; a key the graph kept because another person shares it stays
// with that person at the hub and at every gateway.
//
// Erase is idempotent: calling it again for the same request (after a
// crash anywhere in it, or before the tombstone was published) returns
// the same tombstone parts, and erases nobody else. Before the graph
// erases, the hub stores the graph's plan (PlanErase: the keys it will
// remove) with the erasure time, under the subject's proof key; a rerun
// takes the plan and that time, at which the graph's Erase of the same
// identifier erases nobody a second time, so an identifier the graph
// kept as shared is not taken to its other owner, and the keys of a run
// that stopped after the graph's erasure are still published. Once the
// request has stored its tombstone parts (or, when it had none, run to
// the end), a rerun does not ask the graph at all; Report then holds only
// Subject and At. A request is its id and the identifier it names.
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
	subject, err := h.graph.Key(id)
	if err != nil {
		return nil, err
	}
	// an earlier run of this request (the graph forgot the keys then):
	// its tombstone parts, in part order, so a rerun publishes the same
	var refs []identity.Ref
	has := func(k identity.Key) bool {
		return slices.ContainsFunc(refs, func(x identity.Ref) bool { return x.Key == k })
	}
	proofOfSubject := ProofKey(subject.Key)
	earlier := map[string]Message{}
	err = h.store.Read(ctx, []identity.Key{proofOfSubject}, func(r Record) error {
		if r.Kind != KindTombstone {
			return nil
		}
		m, err := Decode(r.Body)
		if err != nil {
			return err
		}
		if m.Tombstone.RequestID == requestID {
			earlier[r.ID] = m
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	parts := 0
	for ; ; parts++ {
		m, ok := earlier[TombstonePartID(requestID, parts)]
		if !ok {
			break
		}
		for _, k := range m.Tombstone.Keys {
			if !has(k.Key) {
				refs = append(refs, k)
			}
		}
		at = m.Time
	}
	// The graph erases only until the request has run: by a rerun the
	// identifier may belong to someone else (a shared one the graph kept
	// goes on with its other owner), who must not be erased for this
	// request. The request ran if it left tombstone parts, or its mark
	// when it left none (every key the person had was shared).
	ran := parts > 0
	if !ran {
		if ran, err = h.store.Applied(ctx, erasureDoneID(requestID, subject.Key)); err != nil {
			return nil, err
		}
	}
	var rep *identity.ErasureReport
	if ran {
		rep = &identity.ErasureReport{Subject: subject, At: at}
	} else {
		// The plan is stored before the graph erases, with the erasure
		// time: a run that crashed after the graph's erasure and before
		// the parts were stored is rerun at that time, when the graph
		// erases nobody else, and publishes the keys the plan removed.
		planned, planAt, err := h.erasurePlan(ctx, id, requestID, subject, proofOfSubject, at, earlierPlan(earlier, requestID))
		if err != nil {
			return nil, err
		}
		at = planAt
		if rep, err = h.graph.Erase(ctx, id, at); err != nil {
			return nil, err
		}
		// only the keys the graph removed, and the subject when the graph
		// never knew it: a key the graph kept (shared with someone else,
		// such as a family tablet) is not tombstoned, or every gateway
		// would erase its other owner. A graph that no longer knows the
		// subject (it erased it in the crashed run) leaves the plan's keys.
		if refs = planned; rep.ProfileID != "" {
			refs = keyRefs(nil, rep.Removed)
		}
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
	// the parts after the proofs: a request whose part 0 is stored has run
	tombs := tombstoneParts(requestID, refs, at, h.source)
	if proofs, err = appendParts(proofs, tombs, proofOfSubject); err != nil {
		return nil, err
	}
	for _, p := range proofs {
		if err := h.store.Put(ctx, p); err != nil && !errors.Is(err, ErrErased) {
			return nil, err
		}
	}
	n, err := h.store.Erase(ctx, keys, at)
	if err != nil {
		return nil, err
	}
	if err := h.store.MarkApplied(ctx, erasureDoneID(requestID, subject.Key)); err != nil {
		return nil, err
	}
	h.erasures.Add(1)
	return &Erasure{Report: rep, Keys: refs, RecordsRemoved: n, ProofsKept: len(proofs) - len(tombs), Publish: tombs}, nil
}

// erasurePlan returns the keys the request's erasure is to tombstone and
// its time: those of the plan an earlier run stored (stored, the parts in
// order), else the graph's plan now (the keys it would remove, or the
// subject when it does not know it), stored first. The stored plan is
// tombstone-shaped records under the subject's proof key, ids
// erasurePlanID; their first key is a marker (the proof key), so that a
// plan that removes nothing still records its time.
func (h *Hub) erasurePlan(ctx context.Context, id identity.Identifier, requestID string, subject identity.Ref,
	proofOfSubject identity.Key, at time.Time, stored []Message) ([]identity.Ref, time.Time, error) {
	if len(stored) > 0 {
		var refs []identity.Ref
		for _, m := range stored {
			refs = append(refs, m.Tombstone.Keys...)
		}
		return refs[1:], stored[0].Time, nil
	}
	plan, err := h.graph.PlanErase(id)
	if err != nil {
		return nil, at, err
	}
	refs := []identity.Ref{{Type: subject.Type, Key: proofOfSubject}}
	if plan.ProfileID == "" {
		refs = keyRefs(refs, []identity.Ref{plan.Subject})
	}
	refs = keyRefs(refs, plan.Removed)
	parts := tombstoneParts(requestID, refs, at, h.source)
	for i := range parts {
		parts[i].ID = erasurePlanID(requestID, at, i)
	}
	recs, err := appendParts(nil, parts, proofOfSubject)
	if err != nil {
		return nil, at, err
	}
	for _, r := range recs {
		if err := h.store.Put(ctx, r); err != nil {
			return nil, at, err
		}
	}
	return refs[1:], at, nil
}

// appendParts appends the records that store parts (a tombstone's, or a
// plan's) under key, the last part first: a stored part 0 means every
// part is stored, which is how a rerun, reading from part 0 up, tells a
// whole set from one a crash cut short.
func appendParts(recs []Record, parts []Message, key identity.Key) ([]Record, error) {
	for i := len(parts) - 1; i >= 0; i-- {
		body, err := Encode(parts[i])
		if err != nil {
			return nil, err
		}
		recs = append(recs, Record{Keys: []identity.Key{key}, ID: parts[i].ID, Kind: KindTombstone, Time: parts[i].Time, Body: body})
	}
	return recs, nil
}

// keyRefs appends rs to dst without their plaintext values (keys only).
func keyRefs(dst, rs []identity.Ref) []identity.Ref {
	for _, r := range rs {
		dst = append(dst, identity.Ref{Type: r.Type, Key: r.Key})
	}
	return dst
}

// earlierPlan returns the stored plan of request requestID among the
// subject's tombstone records (by id), parts in order; nil if none.
func earlierPlan(earlier map[string]Message, requestID string) []Message {
	m, ok := earlier[erasurePlanID(requestID, time.Time{}, 0)]
	if !ok {
		return nil
	}
	out := []Message{m}
	for part := 1; ; part++ {
		m, ok := earlier[erasurePlanID(requestID, out[0].Time, part)]
		if !ok {
			return out
		}
		out = append(out, m)
	}
}

// erasurePlanID is the id of part part of the plan Erase stores, at at,
// for request requestID before the graph erases. Parts after the first
// also derive from at: the parts of a plan whose part 0 was never stored
// (the hub stopped while storing it) are not taken for the next plan's.
func erasurePlanID(requestID string, at time.Time, part int) string {
	if part == 0 {
		return DeriveID(KindTombstone, "erasure plan\x00"+requestID)
	}
	return DeriveID(KindTombstone, "erasure plan\x00"+requestID+"\x00"+strconv.FormatInt(at.UnixMilli(), 10)+"\x00part "+strconv.Itoa(part))
}

// erasureDoneID is the id Erase marks applied when request requestID for
// the subject key has run to the end.
func erasureDoneID(requestID string, subject identity.Key) string {
	return DeriveID(KindTombstone, "erasure done\x00"+requestID+"\x00"+subject.String())
}

// TombstonePartID returns the message id of part part (from 0) of the
// tombstone for erasure request requestID. Part 0 has the id a one-part
// tombstone always had, DeriveID(KindTombstone, requestID); the others
// derive from the request id and the part number, so a rerun of the same
// request, on any hub instance, publishes the same ids.
func TombstonePartID(requestID string, part int) string {
	if part == 0 {
		return DeriveID(KindTombstone, requestID)
	}
	return DeriveID(KindTombstone, requestID+"\x00part "+strconv.Itoa(part))
}

// tombstoneParts splits refs into tombstones of at most MaxSubjectKeys
// keys each (the wire limit); none when refs is empty (the graph kept
// every key of the person, as shared with others). Every part carries the same
// request id; a follower applies each part as it comes, in any order.
func tombstoneParts(requestID string, refs []identity.Ref, at time.Time, source string) []Message {
	var out []Message
	for part := 0; part*MaxSubjectKeys < len(refs); part++ {
		keys := refs[part*MaxSubjectKeys : min(len(refs), (part+1)*MaxSubjectKeys)]
		out = append(out, Message{Kind: KindTombstone, ID: TombstonePartID(requestID, part), Time: at, Source: source,
			Tombstone: &Tombstone{RequestID: requestID, Keys: slices.Clone(keys)}})
	}
	return out
}
