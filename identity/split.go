package identity

import (
	"cmp"
	"slices"
)

// Components and re-derivation.
//
// Profiles are derived per component: the identifiers reachable from each
// other through facts, not passing through firewall identifiers
// (placeholders, quarantined supernodes, households, shared devices,
// places). Firewalls keep components small — a kiosk seen with ten
// thousand shoppers does not make them one component — and each is its own
// singleton. Whenever a component's facts change in a way that can change
// the result (a new fact, an earlier first occurrence, a later last
// occurrence where ownership or consent decided something, a consent
// change, a quarantine, an erasure), the component is derived again from
// scratch; when a quarantine or an erasure cuts it apart, every piece is.

// collect gathers the component of seed into d.nodes and d.facts.
func (d *deriver) collect(seed uint32) {
	s := d.s
	d.nodes, d.facts = d.nodes[:0], d.facts[:0]
	clear(d.loc)
	s.gen++
	if s.gen == 0 {
		for i := range s.facts {
			s.facts[i].mark = 0
		}
		s.gen = 1
	}
	d.loc[seed] = 0
	d.nodes = append(d.nodes, seed)
	for i := 0; i < len(d.nodes); i++ {
		for inc := s.nodes[d.nodes[i]].inc; inc != none; inc = s.inc[inc].next {
			f := s.inc[inc].fact
			ft := &s.facts[f]
			if ft.flags&ffRemoved != 0 || ft.mark == s.gen {
				continue
			}
			ft.mark = s.gen
			d.facts = append(d.facts, f)
			for _, m := range s.factIDs(f) {
				if s.firewall(m) {
					continue
				}
				if _, ok := d.loc[m]; !ok {
					d.loc[m] = int32(len(d.nodes))
					d.nodes = append(d.nodes, m)
				}
			}
		}
	}
}

// compareFacts is the fixed processing order: first occurrence time, event
// id, then the identifiers' keys.
func (s *state) compareFacts(a, b uint32) int {
	fa, fb := &s.facts[a], &s.facts[b]
	if c := cmp.Compare(fa.first, fb.first); c != 0 {
		return c
	}
	if c := s.events.compare(fa.firstEv, fb.firstEv); c != 0 {
		return c
	}
	ia, ib := s.factIDs(a), s.factIDs(b)
	ka := make([]Key, len(ia))
	kb := make([]Key, len(ib))
	for i, n := range ia {
		ka[i] = s.nodes[n].key
	}
	for i, n := range ib {
		kb[i] = s.nodes[n].key
	}
	slices.SortFunc(ka, compareKeys)
	slices.SortFunc(kb, compareKeys)
	return slices.CompareFunc(ka, kb, compareKeys)
}

// derive runs the derivation over the collected component.
func (d *deriver) derive() {
	s := d.s
	slices.SortFunc(d.facts, s.compareFacts)
	d.sNode, d.sStart, d.sPrev = d.sNode[:0], d.sStart[:0], d.sPrev[:0]
	d.par, d.claim, d.pb, d.canon, d.cnt = d.par[:0], d.claim[:0], d.pb[:0], d.canon[:0], d.cnt[:0]
	d.cur = d.cur[:0]
	for i := range d.nodes {
		d.cur = append(d.cur, -1)
		d.cur[i] = d.newSlot(int32(i), minTime)
	}
	d.delicate = false
	for _, f := range d.facts {
		d.step(f)
	}
}

// writeBack stores the derived roots and ownership epochs of the collected
// component in the state.
func (d *deriver) writeBack() {
	s := d.s
	// global ids of the ownership slots after the first, reusing old ones
	global := d.global[:0]
	for range d.sNode {
		global = append(global, 0)
	}
	d.global = global
	var newEpochs map[int32][]uint32
	if len(d.sNode) > len(d.nodes) {
		newEpochs = make(map[int32][]uint32)
	}
	for ln, n := range d.nodes {
		global[ln] = n
		if s.nodes[n].flags&nfEpochs != 0 {
			s.free = append(s.free, s.epochs[n]...)
			delete(s.epochs, n)
			s.nodes[n].flags &^= nfEpochs
		}
	}
	for sl := len(d.nodes); sl < len(d.sNode); sl++ {
		ln := d.sNode[sl]
		var x uint32
		if k := len(s.free); k > 0 {
			x, s.free = s.free[k-1], s.free[:k-1]
		} else {
			s.extra = append(s.extra, extraSlot{})
			x = uint32(len(s.extra)-1) | extraBit
		}
		s.extra[x&^extraBit] = extraSlot{node: d.nodes[ln], start: d.sStart[sl]}
		global[sl] = x
		newEpochs[ln] = append(newEpochs[ln], x)
	}
	for ln, xs := range newEpochs {
		n := d.nodes[ln]
		s.epochs[n] = xs
		s.nodes[n].flags |= nfEpochs
	}
	for sl := range d.sNode {
		r := d.find(int32(sl))
		s.setDerived(global[sl], global[r], global[d.canon[r]])
	}
	for _, n := range d.nodes {
		if d.delicate {
			s.nodes[n].flags |= nfDelicate
		} else {
			s.nodes[n].flags &^= nfDelicate
		}
	}
}

// rederive derives again the components of the seeds (non-firewall nodes
// are followed; firewall seeds are reset to singletons).
func (d *deriver) rederive(seeds []uint32) {
	s := d.s
	done := d.done
	clear(done)
	for _, n := range seeds {
		if done[n] || s.nodes[n].flags&nfDeleted != 0 {
			continue
		}
		if s.firewall(n) {
			s.makeSingleton(n)
			done[n] = true
			continue
		}
		d.collect(n)
		for _, m := range d.nodes {
			done[m] = true
		}
		d.derive()
		d.writeBack()
	}
}

// makeSingleton resets a firewall node to its own profile.
func (s *state) makeSingleton(n uint32) {
	if s.nodes[n].flags&nfEpochs != 0 {
		s.free = append(s.free, s.epochs[n]...)
		delete(s.epochs, n)
		s.nodes[n].flags &^= nfEpochs
	}
	s.nodes[n].root, s.nodes[n].canon = n, n
	s.nodes[n].flags &^= nfDelicate
}

// neighbours appends the nodes that share a live fact with n.
func (s *state) neighbours(n uint32, out []uint32) []uint32 {
	s.eachFact(n, func(f uint32) {
		for _, m := range s.factIDs(f) {
			if m != n {
				out = append(out, m)
			}
		}
	})
	return out
}

// rebuild re-evaluates every quarantine and derives every component from
// scratch: what loading a store does, and what tests compare the
// incremental state against.
func (d *deriver) rebuild() {
	s := d.s
	var scratch []valueUse
	for n := range s.nodes {
		nd := &s.nodes[n]
		if nd.flags&nfDeleted != 0 {
			continue
		}
		nd.flags &^= nfQuarantined
		if s.overThreshold(uint32(n), &scratch) {
			nd.flags |= nfQuarantined
		}
	}
	all := make([]uint32, 0, len(s.nodes))
	for n := range s.nodes {
		if s.nodes[n].flags&nfDeleted == 0 {
			all = append(all, uint32(n))
		}
	}
	d.rederive(all)
}
