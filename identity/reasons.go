package identity

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// trace records what a derivation did, for explanations and erasure.
type trace struct {
	links     []tlink
	refusals  []trefusal
	transfers []ttransfer
	noConsent []tconsent
}

type tlink struct {
	f    uint32
	a, b int32 // local slots
}

type trefusal struct {
	f             uint32
	slot, against int32
	code          ReasonCode
	detail        string
}

type ttransfer struct {
	f        uint32
	from, to int32
}

type tconsent struct {
	f  uint32
	by uint32 // node that withheld consent, or none
}

// path finds the shortest chain of traced links from slot a to slot b.
func (g *Graph) path(d *deriver, tr *trace, a, b int32) []Step {
	transferred := make(map[[2]uint32]bool)
	for _, t := range tr.transfers {
		transferred[[2]uint32{t.f, uint32(t.to)}] = true
	}
	adj := make(map[int32][]int)
	for i, l := range tr.links {
		adj[l.a] = append(adj[l.a], i)
		adj[l.b] = append(adj[l.b], i)
	}
	prev := map[int32]int{a: -1}
	queue := []int32{a}
	for len(queue) > 0 && !has(prev, b) {
		x := queue[0]
		queue = queue[1:]
		for _, li := range adj[x] {
			l := tr.links[li]
			y := l.a
			if y == x {
				y = l.b
			}
			if !has(prev, y) {
				prev[y] = li
				queue = append(queue, y)
			}
		}
	}
	var steps []Step
	for x := b; x != a; {
		li, ok := prev[x]
		if !ok || li < 0 {
			return nil
		}
		l := tr.links[li]
		from := l.a
		if from == x {
			from = l.b
		}
		ev, t := g.occurrence(l.f)
		st := Step{From: g.slotRef(d, from), To: g.slotRef(d, x), EventID: ev, Time: t, Rule: g.ruleOf(d, from, x),
			ConsentEventID: g.st.consentCite(l.f)}
		if transferred[[2]uint32{l.f, uint32(x)}] || transferred[[2]uint32{l.f, uint32(from)}] {
			st.Rule = RuleOwnershipTransfer
		}
		steps = append(steps, st)
		x = from
	}
	slices.Reverse(steps)
	return steps
}

func has(m map[int32]int, k int32) bool { _, ok := m[k]; return ok }

func (g *Graph) ruleOf(d *deriver, a, b int32) LinkRule {
	pa := d.rule(d.sNode[a]).Scope == ScopePerson
	pb := d.rule(d.sNode[b]).Scope == ScopePerson
	switch {
	case pa && pb:
		return RulePersonLink
	case pa || pb:
		return RuleDeviceAttach
	}
	return RuleDeviceLink
}

// componentReasons collects refusals, transfers and consent gates between
// two roots of one traced component.
func (g *Graph) componentReasons(d *deriver, tr *trace, ra, rb int32, ex *Explanation) {
	s := g.st
	between := func(x, y int32) bool {
		x, y = d.find(x), d.find(y)
		return x == ra && y == rb || x == rb && y == ra
	}
	for _, r := range tr.refusals {
		if between(r.slot, r.against) {
			ev, _ := g.occurrence(r.f)
			ex.Reasons = append(ex.Reasons, Reason{Code: r.code, Subject: g.slotRef(d, r.slot), EventIDs: []string{ev}, Detail: r.detail})
		}
	}
	for _, t := range tr.transfers {
		if between(t.from, t.to) {
			ev, _ := g.occurrence(t.f)
			ex.Reasons = append(ex.Reasons, Reason{Code: ReasonOwnershipEnded, Subject: g.slotRef(d, t.from), EventIDs: []string{ev},
				Detail: "moved to a new owner at " + time.UnixMilli(d.sStart[t.to]).UTC().Format(time.RFC3339)})
		}
	}
	for _, c := range tr.noConsent {
		sideA, sideB := false, false
		for _, n := range s.factIDs(c.f) {
			if ln, ok := d.loc[n]; ok {
				for sl := d.cur[ln]; sl >= 0; sl = d.sPrev[sl] {
					switch d.find(sl) {
					case ra:
						sideA = true
					case rb:
						sideB = true
					}
				}
			}
		}
		if sideA && sideB {
			r := Reason{Code: ReasonNoConsent, EventIDs: []string{s.events.string(s.facts[c.f].lastEv)}}
			if c.by != none {
				r.Subject = s.ref(c.by)
				st, _, ev := s.consentView(c.by)
				r.ConsentEventID = s.consentEvent(ev)
				switch {
				case r.ConsentEventID == "":
					r.Detail = "consent withdrawn or granted after the event"
				case st == consentDenied:
					r.Detail = "consent withdrawn by " + r.ConsentEventID
				default:
					r.Detail = "consent granted after the event, by " + r.ConsentEventID
				}
			} else {
				r.Detail = "no identifier held a linking consent"
			}
			ex.Reasons = append(ex.Reasons, r)
		}
	}
}

// firewallReasons finds firewall identifiers (supernodes, households,
// shared devices, places, placeholders) seen with both profiles.
func (g *Graph) firewallReasons(na, nb uint32, ex *Explanation) {
	s := g.st
	sideA := g.firewallsNear(na)
	sideB := g.firewallsNear(nb)
	for fw, evA := range sideA {
		evB, ok := sideB[fw]
		if !ok {
			continue
		}
		r := Reason{Subject: s.ref(fw), EventIDs: mergeEvents(evA, evB)}
		switch nd := &s.nodes[fw]; {
		case nd.flags&nfBlocked != 0:
			r.Code = ReasonBlockedValue
		case nd.flags&nfQuarantined != 0:
			r.Code, r.Detail = ReasonQuarantined, g.peopleDetail(fw)
		default:
			switch s.rule(fw).Scope {
			case ScopeHousehold:
				r.Code = ReasonHousehold
				r.Detail = "household " + makeProfileID("h_", s.rule(fw).Type, nd.key, minTime)
			case ScopeSharedDevice:
				r.Code = ReasonSharedDevice
			case ScopePlace:
				r.Code = ReasonPlace
			default:
				continue
			}
		}
		ex.Reasons = append(ex.Reasons, r)
	}
}

// firewallsNear maps each firewall node seen with n's profile to the
// earliest event of that.
func (g *Graph) firewallsNear(n uint32) map[uint32]string {
	s := g.st
	root := s.rootOf(s.latestSlot(n))
	members := []uint32{n}
	if !s.firewall(n) {
		g.d.collect(n)
		members = members[:0]
		for _, m := range g.d.nodes {
			if s.inProfile(m, root) {
				members = append(members, m)
			}
		}
	}
	out := make(map[uint32]uint32)
	for _, m := range members {
		s.eachFact(m, func(f uint32) {
			for _, x := range s.factIDs(f) {
				if x != m && s.firewall(x) {
					if cur, ok := out[x]; !ok || s.compareFacts(f, cur) < 0 {
						out[x] = f
					}
				}
			}
		})
	}
	evs := make(map[uint32]string, len(out))
	for x, f := range out {
		evs[x] = s.events.string(s.facts[f].firstEv)
	}
	return evs
}

func mergeEvents(a, b string) []string {
	if a == b {
		return []string{a}
	}
	if b < a {
		a, b = b, a
	}
	return []string{a, b}
}

func sortReasons(rs []Reason) []Reason {
	slices.SortFunc(rs, func(a, b Reason) int {
		return cmp.Or(strings.Compare(string(a.Code), string(b.Code)), strings.Compare(a.Subject.String(), b.Subject.String()),
			slices.Compare(a.EventIDs, b.EventIDs), strings.Compare(a.Detail, b.Detail))
	})
	// drop duplicates (the same refusal reached twice)
	out := rs[:0]
	for i, r := range rs {
		if i > 0 && r.Code == rs[i-1].Code && r.Subject == rs[i-1].Subject && slices.Equal(r.EventIDs, rs[i-1].EventIDs) {
			continue
		}
		out = append(out, r)
	}
	clear(rs[len(out):])
	return out
}
