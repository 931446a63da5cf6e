package identity

import (
	"slices"
	"strings"
)

// How a component's profiles are derived.
//
// The facts of a component (identifier sets seen together, connected
// through identifiers that may link) are taken in a fixed order — first
// occurrence time, then event id, then the keys — and applied one by one.
// Each fact's linkable identifiers are taken in priority order; each one's
// current profile joins the profiles accepted so far unless that would:
//
//   - hold more values of a person type than its Limit (limit_conflict);
//   - let a personal device join two people who each hold an identifier of
//     the same person type (device_conflict: a family tablet with two
//     emails is two people, not one);
//
// in which case the weaker identifier loses: it is refused for this fact
// and keeps its profile. If its type has an OwnershipGap and its current
// owner last used it at least that long ago, it moves instead: a new
// ownership epoch starts with this fact and joins the new owner, while the
// old epoch and its history stay with the old owner. An identifier that
// already moved away from the accepting profile is refused as
// ownership_ended.
//
// Because the order is a function of the facts alone, the result is the
// same for any arrival order; recomputing a component after a late event
// gives what processing everything in time order would have given.

// noClaim marks a slot that never linked.
const noClaim = minTime

// deriver derives one component at a time; it keeps its buffers between
// components.
type deriver struct {
	s     *state
	nodes []uint32         // local node -> global node
	loc   map[uint32]int32 // global node -> local node
	facts []uint32
	cur   []int32 // local node -> current slot

	sNode  []int32 // local slot -> local node
	sStart []int64
	sPrev  []int32 // previous ownership slot of the same node, or -1
	par    []int32
	claim  []int64 // last occurrence of a fact that linked the slot
	pb     []bool  // root holds a person-scope identifier
	canon  []int32 // root's canonical slot
	cnt    []uint8 // root's person-type counts, P per slot
	P      int

	delicate bool
	tr       *trace

	use, acc, accRoots []int32
	ucnt               [maxPersonTypes]uint8
	upb                bool

	done   map[uint32]bool // rederive: nodes already derived in this call
	global []uint32        // writeBack: local slot -> global slot
}

func newDeriver(s *state) *deriver {
	return &deriver{s: s, loc: make(map[uint32]int32), done: make(map[uint32]bool), P: len(s.rules.persons)}
}

func (d *deriver) rule(ln int32) *rule { return d.s.rule(d.nodes[ln]) }

func (d *deriver) find(x int32) int32 {
	for d.par[x] != x {
		d.par[x] = d.par[d.par[x]]
		x = d.par[x]
	}
	return x
}

// newSlot adds an ownership slot for local node ln starting at start.
func (d *deriver) newSlot(ln int32, start int64) int32 {
	sl := int32(len(d.sNode))
	prev := int32(-1)
	if len(d.cur) > int(ln) && d.cur[ln] >= 0 {
		prev = d.cur[ln]
	}
	r := d.rule(ln)
	d.sNode = append(d.sNode, ln)
	d.sStart = append(d.sStart, start)
	d.sPrev = append(d.sPrev, prev)
	d.par = append(d.par, sl)
	d.claim = append(d.claim, noClaim)
	d.pb = append(d.pb, r.Scope == ScopePerson)
	d.canon = append(d.canon, sl)
	for range d.P {
		d.cnt = append(d.cnt, 0)
	}
	if r.person >= 0 {
		d.cnt[int(sl)*d.P+int(r.person)] = 1
	}
	return sl
}

// canonLess orders slots for picking a profile's canonical identifier:
// person scope first, then rule priority, then key, then epoch start.
func (d *deriver) canonLess(a, b int32) bool {
	ra, rb := d.rule(d.sNode[a]), d.rule(d.sNode[b])
	ca, cb := ra.Scope != ScopePerson, rb.Scope != ScopePerson
	if ca != cb {
		return !ca
	}
	if ra.order != rb.order {
		return ra.order < rb.order
	}
	if c := compareKeys(d.s.nodes[d.nodes[d.sNode[a]]].key, d.s.nodes[d.nodes[d.sNode[b]]].key); c != 0 {
		return c < 0
	}
	return d.sStart[a] < d.sStart[b]
}

func (d *deriver) union(a, b int32) {
	ra, rb := d.find(a), d.find(b)
	if ra == rb {
		return
	}
	d.par[rb] = ra
	for p := range d.P {
		c := int(d.cnt[int(ra)*d.P+p]) + int(d.cnt[int(rb)*d.P+p])
		d.cnt[int(ra)*d.P+p] = uint8(min(c, 255))
	}
	d.pb[ra] = d.pb[ra] || d.pb[rb]
	if d.canonLess(d.canon[rb], d.canon[ra]) {
		d.canon[ra] = d.canon[rb]
	}
}

// accept adds slot sl (of root r) to the fact's accepted set.
func (d *deriver) accept(sl, r int32) {
	d.acc = append(d.acc, sl)
	d.accRoots = append(d.accRoots, r)
	for p := range d.P {
		d.ucnt[p] = uint8(min(int(d.ucnt[p])+int(d.cnt[int(r)*d.P+p]), 255))
	}
	d.upb = d.upb || d.pb[r]
}

// conflict says why root r (reached through local node ln) cannot join the
// accepted set, or "".
func (d *deriver) conflict(ln, r int32) ReasonCode {
	persons := d.s.rules.persons
	base := int(r) * d.P
	for p := range d.P {
		lim := d.s.rules.rules[persons[p]].Limit
		if lim > 0 && int(d.cnt[base+p])+int(d.ucnt[p]) > lim {
			return ReasonLimitConflict
		}
	}
	if d.rule(ln).Scope == ScopePersonalDevice && d.pb[r] && d.upb {
		for p := range d.P {
			if d.cnt[base+p] > 0 && d.ucnt[p] > 0 {
				return ReasonDeviceConflict
			}
		}
	}
	return ""
}

// fitsAlone reports whether a fresh slot of ln could join the accepted set.
func (d *deriver) fitsAlone(ln int32) bool {
	r := d.rule(ln)
	if r.person < 0 || r.Limit == 0 {
		return true
	}
	return int(d.ucnt[r.person])+1 <= r.Limit
}

// ownedBefore reports whether an earlier ownership slot of ln belongs to
// the accepted set: the identifier moved away from this profile.
func (d *deriver) ownedBefore(ln int32) bool {
	for p := d.sPrev[d.cur[ln]]; p >= 0; p = d.sPrev[p] {
		if slices.Contains(d.accRoots, d.find(p)) {
			return true
		}
	}
	return false
}

// step applies one fact.
func (d *deriver) step(f uint32) {
	s := d.s
	ft := &s.facts[f]
	d.use = d.use[:0]
	for _, n := range s.factIDs(f) {
		if !s.firewall(n) {
			d.use = append(d.use, d.loc[n])
		}
	}
	if len(d.use) < 2 {
		return
	}
	if ok, by := s.linkable(f); !ok {
		d.delicate = true
		if d.tr != nil {
			d.tr.noConsent = append(d.tr.noConsent, tconsent{f: f, by: by})
		}
		return
	}
	slices.SortFunc(d.use, func(a, b int32) int {
		ra, rb := d.rule(a), d.rule(b)
		if ra.order != rb.order {
			return ra.order - rb.order
		}
		return compareKeys(s.nodes[d.nodes[a]].key, s.nodes[d.nodes[b]].key)
	})
	d.acc, d.accRoots, d.upb = d.acc[:0], d.accRoots[:0], false
	clear(d.ucnt[:])
	for _, ln := range d.use {
		sl := d.cur[ln]
		r := d.find(sl)
		if len(d.acc) == 0 {
			d.accept(sl, r)
			continue
		}
		if slices.Contains(d.accRoots, r) {
			d.acc = append(d.acc, sl)
			continue
		}
		code := d.conflict(ln, r)
		if code == "" {
			d.accept(sl, r)
			continue
		}
		d.delicate = true
		rl := d.rule(ln)
		if rl.gapMs > 0 && d.claim[sl] != noClaim && d.claim[sl] <= ft.first-rl.gapMs && d.fitsAlone(ln) {
			ns := d.newSlot(ln, ft.first)
			d.cur[ln] = ns
			if d.tr != nil {
				d.tr.transfers = append(d.tr.transfers, ttransfer{f: f, from: sl, to: ns})
			}
			d.accept(ns, ns)
			continue
		}
		if d.ownedBefore(ln) {
			code = ReasonOwnershipEnded
		}
		if d.tr != nil {
			d.tr.refusals = append(d.tr.refusals, trefusal{f: f, slot: sl, against: d.acc[0], code: code, detail: d.conflictDetail(ln, r, code)})
		}
	}
	for _, sl := range d.acc {
		d.claim[sl] = max(d.claim[sl], ft.last)
	}
	for i := 1; i < len(d.acc); i++ {
		if d.tr != nil {
			d.tr.links = append(d.tr.links, tlink{f: f, a: d.acc[0], b: d.acc[i]})
		}
		d.union(d.acc[0], d.acc[i])
	}
}

// conflictDetail explains a refusal (trace mode only).
func (d *deriver) conflictDetail(ln, r int32, code ReasonCode) string {
	rl := d.rule(ln)
	switch code {
	case ReasonLimitConflict:
		var parts []string
		for p, ri := range d.s.rules.persons {
			pr := &d.s.rules.rules[ri]
			if pr.Limit > 0 && int(d.cnt[int(r)*d.P+p])+int(d.ucnt[p]) > pr.Limit {
				parts = append(parts, string(pr.Type)+" limit "+itoa(pr.Limit))
			}
		}
		return strings.Join(parts, ", ")
	case ReasonDeviceConflict:
		var parts []string
		for p, ri := range d.s.rules.persons {
			if d.cnt[int(r)*d.P+p] > 0 && d.ucnt[p] > 0 {
				parts = append(parts, string(d.s.rules.rules[ri].Type))
			}
		}
		return string(rl.Type) + " already used by a person with another " + strings.Join(parts, ", ")
	case ReasonOwnershipEnded:
		return string(rl.Type) + " moved to another owner"
	}
	return ""
}
