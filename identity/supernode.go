package identity

import (
	"cmp"
	"slices"
)

// Supernode quarantine.
//
// An identifier with MaxPeople > 0 is quarantined when it has been seen with
// more people than that. People are counted from the limited person
// identifiers seen with it in any fact (consented or not — counting links
// nothing): for each person type T with Limit L, the distinct values of T
// give at least ceil(values / L) people, and the largest such bound is the
// count.
//
// A fact that carries an anchor — a value of a person type with Limit 1
// (user_id, loyalty_id), the identifier itself included — says whose the
// other values in it are: that person's. In such a fact only the anchors
// count; its values of types with a larger limit do not. A long-standing
// customer's sixth email or fourth phone, seen with their user id, is
// therefore refused by the limit (limit_conflict) and never counted as a
// second person, while a front-desk email typed in with strangers' phones
// (no anchor) still counts them. Both kinds of values only accumulate, so
// the count still only grows. When the identifier's rule has an OwnershipGap, only values whose
// use (first to last occurrence with it, widened by the gap) overlaps count
// together: successive owners of a recycled number are not a crowd.
//
// The count only grows as facts are added, so quarantine is decided the
// moment it is reached and never undone by more data; only Erase can lower
// it (and then re-evaluates it). That keeps the decision a function of the
// set of facts, independent of arrival order. A quarantined identifier links
// nothing from the beginning of time: the derivation of its component runs
// again without it, which splits what it had merged.

// valueUse is one fact's use of a limited person value with the node
// being judged.
type valueUse struct {
	typ         uint8  // rule index of the value
	value       uint32 // the value's node
	first, last int64  // the fact's occurrences
}

// people returns how many people node x has been seen with.
func (s *state) people(x uint32, scratch *[]valueUse) int {
	uses := (*scratch)[:0]
	s.eachFact(x, func(f uint32) {
		ft := &s.facts[f]
		ids := s.factIDs(f)
		anchored := false
		for _, y := range ids {
			// an erased anchor still says whose the fact was: erasure
			// never turns an anchored fact into an unanchored one
			if s.nodes[y].flags&nfBlocked == 0 && s.anchor(y) {
				anchored = true
				break
			}
		}
		for _, y := range ids {
			if y == x || s.nodes[y].flags&(nfBlocked|nfDeleted) != 0 {
				continue
			}
			if r := s.rule(y); r.Scope == ScopePerson && r.Limit > 0 && (!anchored || r.Limit == 1) {
				uses = append(uses, valueUse{typ: r.idx, value: y, first: ft.first, last: ft.last})
			}
		}
	})
	*scratch = uses
	if len(uses) == 0 {
		return 0
	}
	gap := s.rule(x).gapMs
	slices.SortFunc(uses, func(a, b valueUse) int { return cmp.Or(cmp.Compare(a.typ, b.typ), cmp.Compare(a.value, b.value)) })
	best := 0
	for i := 0; i < len(uses); {
		j := i
		for j < len(uses) && uses[j].typ == uses[i].typ {
			j++
		}
		count := 0
		for k := i; k < j; k++ {
			if k == i || uses[k].value != uses[k-1].value {
				count++
			}
		}
		limit := s.rules.rules[uses[i].typ].Limit
		if gap > 0 && count > limit*max(best, 1) {
			// only then can concurrency matter: fewer distinct values
			// cannot make more people than the count so far
			count = maxConcurrent(uses[i:j], gap)
		}
		best = max(best, (count+limit-1)/limit)
		i = j
	}
	return best
}

// anchor reports whether node y is a value of a person type with Limit 1:
// one per person, so a fact carrying it is that person's.
func (s *state) anchor(y uint32) bool {
	r := s.rule(y)
	return r.Scope == ScopePerson && r.Limit == 1
}

// maxConcurrent returns the largest number of distinct values whose uses
// ([first, last+gap] of each fact) share an instant.
func maxConcurrent(uses []valueUse, gap int64) int {
	type edge struct {
		t     int64
		delta int
		value uint32
	}
	edges := make([]edge, 0, 2*len(uses))
	for _, u := range uses {
		edges = append(edges, edge{u.first, +1, u.value}, edge{u.last + gap, -1, u.value})
	}
	// at equal times, starts before ends: touching uses overlap
	slices.SortFunc(edges, func(a, b edge) int { return cmp.Or(cmp.Compare(a.t, b.t), cmp.Compare(b.delta, a.delta)) })
	active := make(map[uint32]int)
	best := 0
	for _, e := range edges {
		active[e.value] += e.delta
		if active[e.value] == 0 {
			delete(active, e.value)
		}
		best = max(best, len(active))
	}
	return best
}

// fanoutOf counts the distinct person and personal-device identifiers seen
// with x (placeholders and places excluded).
func (s *state) fanoutOf(x uint32) int {
	seen := make(map[uint32]struct{})
	s.eachFact(x, func(f uint32) {
		for _, y := range s.factIDs(f) {
			if y != x && s.nodes[y].flags&(nfBlocked|nfDeleted) == 0 && s.rule(y).linking() {
				seen[y] = struct{}{}
			}
		}
	})
	return len(seen)
}

// overThreshold reports whether node x must be quarantined: seen with more
// people than its MaxPeople, or with more identifiers than the graph's
// fan-out limit (an anonymous supernode: a kiosk browser collecting session
// ids links no person, but must not grow one component without bound). Both
// counts only grow as facts are added.
func (s *state) overThreshold(x uint32, scratch *[]valueUse) bool {
	nd := &s.nodes[x]
	r := s.rule(x)
	if nd.flags&(nfBlocked|nfDeleted) != 0 || !r.linking() {
		return false
	}
	if s.fanout > 0 && int(nd.nlinks) > s.fanout && s.fanoutOf(x) > s.fanout {
		return true
	}
	return r.MaxPeople > 0 && s.people(x, scratch) > r.MaxPeople
}

// checkQuarantine re-evaluates the nodes of fact f after it changed and
// returns the nodes it newly quarantined.
func (s *state) checkQuarantine(f uint32, scratch *[]valueUse, out []uint32) []uint32 {
	ids := s.factIDs(f)
	limited := false
	for _, y := range ids {
		r := s.rule(y)
		if r.Scope == ScopePerson && r.Limit > 0 && s.nodes[y].flags&nfBlocked == 0 {
			limited = true
		}
	}
	for _, x := range ids {
		nd := &s.nodes[x]
		if nd.flags&nfQuarantined != 0 {
			continue
		}
		// without a limited person value in the fact, only the fan-out can
		// have grown
		if !limited && (s.fanout == 0 || int(nd.nlinks) <= s.fanout) {
			continue
		}
		if s.overThreshold(x, scratch) {
			nd.flags |= nfQuarantined
			out = append(out, x)
		}
	}
	return out
}
