package identity

import (
	"cmp"
	"context"
	"slices"
	"time"
)

// RetainReason says why Erase kept an identifier.
type RetainReason string

// The retain reasons.
const (
	// RetainShared: the identifier was also seen with other people's
	// identifiers (a shared tablet, a household car, a supernode); only the
	// erased person's observations of it were removed.
	RetainShared RetainReason = "shared_with_others"
	// RetainOtherOwner: another person owned the identifier in another
	// period (a recycled number); the erased person's period is tombstoned.
	RetainOtherOwner RetainReason = "owned_by_another_in_another_period"
	// RetainPlace: a place identifier (beacon, gateway) is nobody's data.
	RetainPlace RetainReason = "place"
	// RetainPlaceholder: a blocked placeholder value is nobody's data.
	RetainPlaceholder RetainReason = "placeholder"
)

// ErasureReport says what Erase removed and what it kept, and why. It
// holds keys, not values (unless the graph keeps plaintext).
type ErasureReport struct {
	// Subject is the identifier the erasure was asked for.
	Subject Ref
	// ProfileID is the erased person's profile ("" when the graph did not
	// know the identifier: it is then only tombstoned).
	ProfileID string
	// Removed are the identifiers deleted and tombstoned: they belonged
	// only to this person.
	Removed []Ref
	// Retained are identifiers of the person's profile, or seen with it,
	// that were kept.
	Retained []Retained
	// FactsRemoved counts the identifier sets deleted.
	FactsRemoved int
	// Tombstones counts the tombstones added (identifiers, replayable
	// events and ownership periods).
	Tombstones int
	// MatchKeys are the subject's match keys per destination, to forward
	// the erasure to them.
	MatchKeys []MatchKey
	// At is when the erasure took effect.
	At time.Time
}

// Retained is an identifier Erase kept, with why.
type Retained struct {
	Ref
	// Reason says why it was kept.
	Reason RetainReason
	// Others counts the other profiles it was seen with (RetainShared).
	Others int
}

// Erase erases the person that identifier id belongs to now: every
// identifier that belongs only to that person is deleted with all its
// observations; identifiers shared with others are kept, with the
// person's own observations of them removed; consent records of deleted
// identifiers go too. Keyed-hash tombstones then suppress events that
// carry a deleted identifier, replays of deleted observations, and events
// carrying a recycled identifier within the erased owner's period, so that
// late or replayed events cannot bring the person back (Link returns
// ErrSuppressed). at is the erasure time, for the report and tombstones.
//
// The same erasure again (the same identifier and the same at: a rerun
// after a crash) erases nobody else: when the erasure keeps id itself (a
// tablet shared with someone else), id is remembered as kept at at, in
// the store too, and the rerun returns a report with Subject and At only
// instead of erasing id's other owner. An erasure with another at that
// names a kept identifier erases the person it belongs to then. PlanErase
// says beforehand what Erase would remove.
//
// With a store, the erasure is logged first and the store is then compacted
// so that the erased data leaves the disk; a compaction error is returned
// after the erasure took effect in memory (the log still holds the erasure,
// so a restart erases again). It returns an *IdentifierError for an invalid
// identifier, a placeholder or a place (which identify nobody), or
// ErrClosed. EraseKeys erases by keys, for a graph that holds no value
// to give (a gateway applying a fleet hub's tombstone).
func (g *Graph) Erase(ctx context.Context, id Identifier, at time.Time) (*ErasureReport, error) {
	p, err := g.erasable(id)
	if err != nil {
		return nil, err
	}
	keys, _ := g.norm.MatchKeys(id)
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return nil, ErrClosed
	}
	t := at.UnixMilli()
	if g.store != nil {
		if err := g.store.Append(ctx, encodeErase(t, p.r.Type, p.key)); err != nil {
			return nil, err
		}
	}
	rep := g.eraseOnceLocked(p, t)
	rep.MatchKeys = keys
	return rep, g.compactLocked(ctx)
}

// erasePlan is who an erasure takes: the person's identifiers (members),
// those it deletes (erased) and those it keeps (retained). It is computed
// without changing the graph.
type erasePlan struct {
	root     uint32
	members  []uint32
	isMember map[uint32]bool
	erased   map[uint32]bool
	retained map[uint32]Retained
}

// planLocked computes the erasure of the person n belongs to now.
func (g *Graph) planLocked(n uint32) erasePlan {
	s := g.st
	pl := erasePlan{root: s.rootOf(s.latestSlot(n))}
	root := pl.root

	// the person's identifiers
	if s.firewall(n) {
		pl.members = []uint32{n}
	} else {
		g.d.collect(n)
		for _, m := range g.d.nodes {
			if s.inProfile(m, root) {
				pl.members = append(pl.members, m)
			}
		}
	}
	members := pl.members
	isMember := make(map[uint32]bool, len(members))
	for _, m := range members {
		isMember[m] = true
	}

	erased := make(map[uint32]bool)
	retained := make(map[uint32]Retained)
	others := func(m uint32) int {
		seen := make(map[uint32]bool)
		s.eachFact(m, func(f uint32) {
			for _, y := range s.factIDs(f) {
				if y == m || isMember[y] || s.firewall(y) {
					continue
				}
				seen[s.rootOf(s.slotAt(y, s.facts[f].first))] = true
			}
		})
		return len(seen)
	}
	for _, m := range members {
		if k := others(m); k > 0 {
			retained[m] = Retained{Ref: s.ref(m), Reason: RetainShared, Others: k}
			continue
		}
		if s.nodes[m].root != root || slices.ContainsFunc(s.epochs[m], func(x uint32) bool { return s.rootOf(x) != root }) {
			retained[m] = Retained{Ref: s.ref(m), Reason: RetainOtherOwner}
			continue
		}
		erased[m] = true
	}
	// firewall identifiers seen with the person: kept unless only theirs
	for _, m := range members {
		s.eachFact(m, func(f uint32) {
			for _, y := range s.factIDs(f) {
				if y == m || isMember[y] || !s.firewall(y) {
					continue
				}
				if _, done := retained[y]; done || erased[y] {
					continue
				}
				switch {
				case s.nodes[y].flags&nfBlocked != 0:
					retained[y] = Retained{Ref: s.ref(y), Reason: RetainPlaceholder}
				case s.rule(y).Scope == ScopePlace:
					retained[y] = Retained{Ref: s.ref(y), Reason: RetainPlace}
				default:
					if k := others(y); k > 0 {
						retained[y] = Retained{Ref: s.ref(y), Reason: RetainShared, Others: k}
					} else {
						erased[y] = true
					}
				}
			}
		})
	}
	pl.isMember, pl.erased, pl.retained = isMember, erased, retained
	return pl
}

// eraseLocked performs an erasure (also when replaying a store).
func (g *Graph) eraseLocked(p prepared, at int64) *ErasureReport {
	s := g.st
	rep := &ErasureReport{Subject: Ref{Type: p.r.Type, Key: p.key}, At: time.UnixMilli(at).UTC()}
	n, ok := s.index[p.key]
	if !ok {
		if _, done := s.tombs.keys[p.key]; !done {
			s.tombs.keys[p.key] = at
			rep.Tombstones = 1
		}
		return rep
	}
	rep.Subject = s.ref(n)
	pl := g.planLocked(n)
	root, members, isMember, erased, retained := pl.root, pl.members, pl.isMember, pl.erased, pl.retained
	rep.ProfileID = s.profileID(root)

	// the person's observations
	var drop []uint32
	touched := make(map[uint32]bool)
	consider := func(m uint32) {
		s.eachFact(m, func(f uint32) {
			if slices.Contains(drop, f) {
				return
			}
			ft := &s.facts[f]
			hasErased, own, foreign := false, false, false
			for _, y := range s.factIDs(f) {
				switch {
				case erased[y]:
					hasErased = true
				case s.firewall(y):
				case isMember[y] && s.rootOf(s.slotAt(y, ft.first)) == root:
					own = true
				default:
					foreign = true
				}
			}
			mine := hasErased || own && !foreign
			if mine {
				drop = append(drop, f)
			}
		})
	}
	for _, m := range members {
		consider(m)
	}
	for y := range erased {
		consider(y)
	}
	slices.Sort(drop)
	epochSpans := make(map[uint32]span)
	for _, f := range drop {
		ft := &s.facts[f]
		hasErased := false
		keys := make([]Key, 0, ft.n)
		for _, y := range s.factIDs(f) {
			keys = append(keys, s.nodes[y].key)
			if erased[y] {
				hasErased = true
			} else {
				touched[y] = true
			}
			if r, ok := retained[y]; ok && r.Reason == RetainOtherOwner {
				sp, seen := epochSpans[y]
				if !seen {
					sp = span{ft.first, ft.last}
				}
				epochSpans[y] = span{min(sp.from, ft.first), max(sp.to, ft.last)}
			}
		}
		if !hasErased {
			addSpan(s.tombs.facts, factHash(keys), span{ft.first, ft.last})
			rep.Tombstones++
		}
		s.removeFact(f)
	}
	rep.FactsRemoved = len(drop)
	for y, sp := range epochSpans {
		// the erased owner's period ends where the next owner's starts
		for _, x := range append([]uint32{y}, s.epochs[y]...) {
			if st := s.slotStart(x); s.rootOf(x) != root && st > sp.to {
				sp.to = max(sp.to, st-1)
				break
			}
		}
		addSpan(s.tombs.epochs, s.nodes[y].key, sp)
		rep.Tombstones++
	}
	for y := range erased {
		nd := &s.nodes[y]
		rep.Removed = append(rep.Removed, s.ref(y))
		if _, done := s.tombs.keys[nd.key]; !done {
			s.tombs.keys[nd.key] = at
			rep.Tombstones++
		}
		s.deleteNode(y)
	}
	for y := range retained {
		rep.Retained = append(rep.Retained, retained[y])
	}

	// quarantines the removed observations supported may no longer hold
	seeds := make([]uint32, 0, len(touched))
	for y := range touched {
		if s.orphan(y) {
			s.deleteNode(y) // kept, but nothing left to keep it for
		}
		if s.nodes[y].flags&nfDeleted != 0 {
			continue
		}
		seeds = append(seeds, y)
		if s.nodes[y].flags&nfQuarantined != 0 && !s.overThreshold(y, &g.scratch) {
			s.nodes[y].flags &^= nfQuarantined
			seeds = s.neighbours(y, seeds)
		}
	}
	slices.Sort(seeds)
	g.d.rederive(seeds)
	s.rebuildEvents()

	s.sortReport(rep)
	return rep
}

// sortReport puts a report's Removed and Retained in rule priority
// order, then by key.
func (s *state) sortReport(rep *ErasureReport) {
	order := func(a, b Ref) int {
		ra, _ := s.rules.lookup(a.Type)
		rb, _ := s.rules.lookup(b.Type)
		return cmp.Or(ra.order-rb.order, compareKeys(a.Key, b.Key))
	}
	slices.SortFunc(rep.Removed, order)
	slices.SortFunc(rep.Retained, func(a, b Retained) int { return order(a.Ref, b.Ref) })
}

// eraseOnceLocked is eraseLocked for Erase: the subject, when the erasure
// keeps it (shared with others), is remembered with at, and the same
// erasure again (the same subject and at: a rerun after a crash) erases
// nobody, so a shared identifier the erased person left behind does not
// take its other owner with it: EraseKeys' rule for the one key
// (eraseKeysLocked). The report of a rerun holds Subject and At only.
func (g *Graph) eraseOnceLocked(p prepared, at int64) *ErasureReport {
	if reps := g.eraseKeysLocked([]prepared{p}, at); len(reps) > 0 {
		return reps[0]
	}
	return &ErasureReport{Subject: Ref{Type: p.r.Type, Key: p.key}, At: time.UnixMilli(at).UTC()}
}

// PlanErase returns what Erase would erase now for id, without erasing
// anything: the report's Subject, ProfileID ("" when the graph does not
// know id, which Erase would then only tombstone), Removed and Retained,
// in Erase's order; its counts, At and MatchKeys are zero. A caller that
// must publish the erased keys even if it crashes during Erase (a fleet
// hub) stores the plan first. Another call between PlanErase and Erase
// (a link joining an identifier to the person) can make Erase differ
// from the plan. Errors are Erase's. It is safe for concurrent use.
func (g *Graph) PlanErase(id Identifier) (*ErasureReport, error) {
	p, err := g.erasable(id)
	if err != nil {
		return nil, err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return nil, ErrClosed
	}
	s := g.st
	rep := &ErasureReport{Subject: Ref{Type: p.r.Type, Key: p.key}}
	n, ok := s.index[p.key]
	if !ok {
		return rep, nil
	}
	rep.Subject = s.ref(n)
	pl := g.planLocked(n)
	rep.ProfileID = s.profileID(pl.root)
	for y := range pl.erased {
		rep.Removed = append(rep.Removed, s.ref(y))
	}
	for _, r := range pl.retained {
		rep.Retained = append(rep.Retained, r)
	}
	s.sortReport(rep)
	return rep, nil
}

// erasable prepares id for an erasure, refusing what identifies nobody:
// an invalid identifier, a blocked placeholder, a place.
func (g *Graph) erasable(id Identifier) (prepared, error) {
	ps, refused := g.prepare([]Identifier{id}, nil)
	if len(refused) > 0 && refused[0].Reason == ReasonInvalid {
		return prepared{}, refused[0].Err
	}
	p := ps[0]
	if p.blocked {
		return p, &IdentifierError{Type: id.Type, Index: -1, Reason: "a blocked placeholder identifies nobody"}
	}
	if p.r.Scope == ScopePlace {
		return p, &IdentifierError{Type: id.Type, Index: -1, Reason: "a place identifies nobody"}
	}
	return p, nil
}
