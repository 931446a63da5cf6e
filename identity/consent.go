package identity

import (
	"cmp"
	"context"
	"slices"
	"time"
)

// Linking consent.
//
// Consent is held by identifiers: Graph.SetLinkConsent records that the
// person behind an identifier granted or withdrew consent to link their
// identifiers, at a time. A fact (identifiers seen together) links only if:
//
//   - no identifier in it has withdrawn consent (its latest record is a
//     withdrawal), and
//   - every identifier in it with records holds a grant still in force that
//     started at or before the fact's last occurrence (an event before the
//     grant cannot be linked by it), and
//   - in ConsentOptIn mode, at least one identifier in it holds such a grant.
//
// Withdrawing consent therefore ends every link made under it: the facts
// stop linking and the profiles are derived again without them. A later
// grant links only what is observed after it. Records are kept as a set, so
// their arrival order does not matter.

type consentState uint8

const (
	consentNone consentState = iota
	consentGranted
	consentDenied
)

// consentView returns node n's consent state now; for a grant in force the
// time it started (minTime for "always", in opt-out mode) and the event of
// the record that granted it (none for "always"); for a withdrawal in force
// the event of the record that withdrew it.
func (s *state) consentView(n uint32) (consentState, int64, uint32) {
	if s.nodes[n].flags&nfConsent == 0 {
		return consentNone, 0, none
	}
	recs := s.cons[n]
	st, start, ev := consentDenied, int64(0), none
	if !s.optIn {
		st, start = consentGranted, minTime
	}
	for _, r := range recs {
		switch {
		case !r.granted:
			st, ev = consentDenied, r.ev
		case st != consentGranted:
			st, start, ev = consentGranted, r.at, r.ev
		}
	}
	return st, start, ev
}

// consentCite returns the consent record event (Consent.EventID) that
// decides whether fact f links: when it links, the grant of an identifier
// in it that allowed it (the latest grant, ties by key; "" when no
// identifier holds a record — opt-out mode); when it does not, the
// withdrawal or the too-late grant of the identifier that blocked it ("" when
// no identifier held a linking consent).
func (s *state) consentCite(f uint32) string {
	ok, by := s.linkable(f)
	if !ok {
		if by == none {
			return ""
		}
		_, _, ev := s.consentView(by)
		return s.consentEvent(ev)
	}
	best, bestAt := none, int64(0)
	for _, n := range s.factIDs(f) {
		if s.nodes[n].flags&nfBlocked != 0 {
			continue
		}
		st, start, ev := s.consentView(n)
		if st != consentGranted || ev == none {
			continue
		}
		if best == none || start > bestAt || start == bestAt && compareKeys(s.nodes[n].key, s.nodes[best].key) < 0 {
			best, bestAt = n, start
		}
	}
	if best == none {
		return ""
	}
	_, _, ev := s.consentView(best)
	return s.consentEvent(ev)
}

func (s *state) consentEvent(ev uint32) string {
	if ev == none {
		return ""
	}
	return s.events.string(ev)
}

// addConsent records a consent change, keeping records sorted by time
// (a withdrawal sorts after a grant at the same time, so it wins) and
// dropping exact duplicates. It reports whether anything changed.
func (s *state) addConsent(n uint32, at int64, granted bool, ev string) bool {
	recs := s.cons[n]
	for _, r := range recs {
		if r.at == at && r.granted == granted && s.events.compareString(r.ev, ev) == 0 {
			return false
		}
	}
	recs = append(recs, consentRec{at: at, granted: granted, ev: s.events.add(ev)})
	slices.SortFunc(recs, func(a, b consentRec) int {
		return cmp.Or(cmp.Compare(a.at, b.at), boolOrder(a.granted, b.granted), s.events.compare(a.ev, b.ev))
	})
	s.cons[n] = recs
	s.nodes[n].flags |= nfConsent
	return true
}

// boolOrder sorts true (grant) before false (withdrawal).
func boolOrder(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return -1
	}
	return 1
}

// linkable reports whether fact f may link under the consent rules, and if
// not, which node blocked it (none when no identifier held a grant in
// opt-in mode).
func (s *state) linkable(f uint32) (bool, uint32) {
	ft := &s.facts[f]
	granted, blocker := false, none
	for _, n := range s.factIDs(f) {
		if s.nodes[n].flags&nfBlocked != 0 {
			continue
		}
		st, start, _ := s.consentView(n)
		switch {
		case st == consentNone:
			continue
		case st == consentDenied || ft.last < start:
			// report the blocker with the smallest key: node indexes
			// depend on arrival order, keys do not
			if blocker == none || compareKeys(s.nodes[n].key, s.nodes[blocker].key) < 0 {
				blocker = n
			}
		default:
			granted = true
		}
	}
	if blocker != none {
		return false, blocker
	}
	if s.optIn && !granted {
		return false, none
	}
	return true, none
}

// Consent is one change of a person's linking consent, as recorded by
// Graph.SetLinkConsent.
type Consent struct {
	// ID is an identifier of the person (record the change for each
	// identifier you know of them: consent is held per identifier).
	ID Identifier
	// Granted is true for a grant, false for a withdrawal.
	Granted bool
	// At is when the change took effect (millisecond precision).
	At time.Time
	// EventID names the event or ledger record that carried the change
	// (non-empty, at most 256 bytes): explanations cite it.
	EventID string
}

// SetLinkConsent records a change of linking consent and re-derives the
// profiles it affects: a withdrawal undoes every link made under the
// withdrawn grant (the facts stop linking and the profiles split), a grant
// links what is observed from its time on. Recording the same change twice
// changes nothing; records form a set, so their order does not matter.
//
// This is how a consent ledger plugs in: whenever the purpose that covers
// identity linking changes for a subject, call SetLinkConsent for the
// subject's identifiers. The graph does not call out to the ledger.
//
// It returns an *ObservationError for a missing event id or time, an
// *IdentifierError for an invalid identifier or a placeholder, a
// *SuppressedError for an erased identifier, ErrClosed, or the store's
// error (the graph is then unchanged).
func (g *Graph) SetLinkConsent(ctx context.Context, c Consent) error {
	if err := checkEvent("EventID", c.EventID, c.At); err != nil {
		return err
	}
	ps, refused := g.prepare([]Identifier{c.ID}, nil)
	if len(refused) > 0 && refused[0].Reason == ReasonInvalid {
		return refused[0].Err
	}
	p := ps[0]
	if p.blocked {
		return &IdentifierError{Type: c.ID.Type, Index: -1, Reason: "a blocked placeholder cannot hold consent"}
	}
	t := c.At.UnixMilli()
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return ErrClosed
	}
	s := g.st
	if _, ok := s.tombs.keys[p.key]; ok {
		return &SuppressedError{EventID: c.EventID, Why: "erased identifier"}
	}
	if n, ok := s.index[p.key]; ok {
		for _, r := range s.cons[n] {
			if r.at == t && r.granted == c.Granted && s.events.compareString(r.ev, c.EventID) == 0 {
				return nil
			}
		}
	}
	if g.store != nil {
		if err := g.store.Append(ctx, encodeConsent(t, c.EventID, c.Granted, entryID{typ: p.r.Type, key: p.key, value: p.value})); err != nil {
			return err
		}
	}
	n := g.nodeFor(p)
	if s.addConsent(n, t, c.Granted, c.EventID) {
		g.d.rederive(s.neighbours(n, []uint32{n}))
	}
	return nil
}
