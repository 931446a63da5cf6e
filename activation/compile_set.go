package activation

import (
	"slices"
	"strings"
	"time"

	"github.com/touchpoint-sdk/touchpoint/activation/defs"
	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
)

// Purposes is a set of consent purposes as bits; the engine assigns the
// bits (Engine.PurposesOf).
type Purposes uint32

func ms(d defs.Duration) int64 { return int64(d.D() / time.Millisecond) }

type compiler struct {
	sym *symbols
	p   *program
	err *defs.Error
}

func (c *compiler) fail(kind, key, field, reason string) {
	if c.err == nil {
		c.err = &defs.Error{Kind: kind, Key: key, Field: field, Reason: reason, Err: defs.ErrInvalid}
	}
}

func (c *compiler) purpose(kind, key, p, def string) (Purposes, consent.Purpose) {
	if p == "" {
		p = def
	}
	bit, err := c.sym.purpose(consent.Purpose(p))
	if err != nil {
		c.fail(kind, key, "purpose", err.Error())
	}
	return bit, consent.Purpose(p)
}

func (c *compiler) preds(ps []defs.Predicate) []pred {
	var out []pred
	for _, p := range ps {
		pr := pred{path: c.sym.path(p.Path), op: opNames[p.Op], val: valueOf(p.Value)}
		if list, ok := p.Value.([]any); ok {
			for _, x := range list {
				pr.list = append(pr.list, valueOf(x))
			}
		}
		out = append(out, pr)
	}
	return out
}

func predPaths(ps []pred) []uint16 {
	var out []uint16
	for _, p := range ps {
		out = append(out, p.path)
	}
	return out
}

func (c *compiler) addAgg(a agg) int32 {
	c.p.aggs = append(c.p.aggs, a)
	paths := predPaths(a.preds)
	if a.hasP {
		paths = append(paths, a.prop)
	}
	for _, ev := range a.events {
		c.p.use(ev, a.within, paths...)
	}
	return int32(len(c.p.aggs) - 1)
}

// compile turns a validated Set into a program.
func compile(s *defs.Set, sym *symbols) (*program, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	c := &compiler{sym: sym, p: &program{traitKeys: map[string]int32{}, audKeys: map[string]int32{}, jKeys: map[string]int32{}}}
	p := c.p
	for _, t := range s.Traits {
		a := agg{events: []uint16{sym.name(t.Event)}, preds: c.preds(t.Where), kind: aggNames[t.Kind], within: ms(t.Within),
			limit: t.Limit, desc: t.Key}
		if a.limit == 0 {
			a.limit = 10
		}
		if t.Property != "" {
			a.prop, a.hasP = sym.path(t.Property), true
		}
		bit, _ := c.purpose("trait", t.Key, t.Purpose, string(consent.PurposePersonalization))
		for _, ev := range a.events {
			p.index(ev).feeds |= bit
		}
		p.traitKeys[t.Key] = int32(len(p.traits))
		p.traits = append(p.traits, trait{key: t.Key, agg: c.addAgg(a), purpose: bit})
	}
	for i, a := range s.Audiences {
		p.audKeys[a.Key] = int32(i)
	}
	for i, a := range s.Audiences {
		bit, ps := c.purpose("audience", a.Key, a.Purpose, string(consent.PurposeMarketing))
		p.audiences = append(p.audiences, audience{key: a.Key, purpose: bit, purpStr: ps, idx: i})
	}
	for i, a := range s.Audiences {
		p.audiences[i].root = c.cond(&a.Where)
	}
	// dependency order: an audience after the audiences it refers to
	done := make([]bool, len(s.Audiences))
	var visit func(i int32)
	visit = func(i int32) {
		if done[i] {
			return
		}
		done[i] = true
		defs.WalkAudienceRefs(&s.Audiences[i].Where, func(ref string) { visit(p.audKeys[ref]) })
		p.order = append(p.order, i)
	}
	for i := range s.Audiences {
		visit(int32(i))
	}
	// which events re-evaluate which audiences (including through references)
	for _, i := range p.order {
		evs, ident := c.eventsOf(p.audiences[i].root, map[int32]bool{})
		for _, ev := range evs {
			x := p.index(ev)
			x.feeds |= p.audiences[i].purpose
			if !slices.Contains(x.audiences, i) {
				x.audiences = append(x.audiences, i)
			}
		}
		if ident {
			p.identify = append(p.identify, i)
		}
	}
	for i := range s.Journeys {
		c.journey(&s.Journeys[i], i)
	}
	if c.err != nil {
		return nil, c.err
	}
	return p, nil
}

// eventsOf lists the events a condition reads, and whether it reads
// identify traits.
func (c *compiler) eventsOf(n int32, seen map[int32]bool) ([]uint16, bool) {
	p := c.p
	cd := &p.conds[n]
	var evs []uint16
	ident := false
	switch cd.op {
	case cAll, cAny, cNot:
		for _, k := range cd.kids {
			e, id := c.eventsOf(k, seen)
			evs, ident = append(evs, e...), ident || id
		}
	case cAgg:
		evs = append(evs, p.aggs[cd.agg].events...)
	case cTrait:
		if cd.trait >= 0 {
			evs = append(evs, p.aggs[p.traits[cd.trait].agg].events...)
		} else {
			ident = true
		}
	case cAud:
		if !seen[cd.aud] {
			seen[cd.aud] = true
			return c.eventsOf(p.audiences[cd.aud].root, seen)
		}
	}
	return evs, ident
}

func (c *compiler) cond(n *defs.Cond) int32 {
	p, sym := c.p, c.sym
	cd := cond{trait: -1}
	switch {
	case n.All != nil || n.Any != nil:
		cd.op, cd.desc = cAll, "all of"
		list := n.All
		if n.Any != nil {
			cd.op, cd.desc, list = cAny, "any of", n.Any
		}
		for i := range list {
			cd.kids = append(cd.kids, c.cond(&list[i]))
		}
	case n.Not != nil:
		cd.op, cd.desc, cd.kids = cNot, "not", []int32{c.cond(n.Not)}
	case n.Event != nil:
		e := n.Event
		a := agg{events: []uint16{sym.name(e.Event)}, preds: c.preds(e.Where), kind: aCount, within: ms(e.Within)}
		cd.op, cd.cmp, cd.val = cAgg, opGte, Value{F: 1, K: kNumber}
		cd.desc = e.Event
		if e.Count != nil {
			cd.cmp, cd.val = opNames[e.Count.Op], Value{F: e.Count.Value, K: kNumber}
			cd.desc += " count " + e.Count.Op + " " + Value{F: e.Count.Value, K: kNumber}.String()
		}
		if g := e.Aggregate; g != nil {
			a.kind, a.prop, a.hasP = aggNames[g.Kind], sym.path(g.Property), true
			cd.cmp, cd.val = opNames[g.Op], Value{F: g.Value, K: kNumber}
			cd.desc += " " + g.Kind + "(" + g.Property + ") " + g.Op + " " + cd.val.String()
		}
		if e.Within > 0 {
			cd.desc += " within " + e.Within.D().String()
		}
		a.desc = cd.desc
		cd.agg = c.addAgg(a)
	case n.Presence != nil:
		pr := n.Presence
		a := agg{events: []uint16{sym.name(connected.EventZoneDwelled), sym.name(connected.EventZoneExited)},
			preds: []pred{{path: sym.path("properties.zone"), op: opEq, val: Value{S: pr.Zone, K: kString}}},
			kind:  aMax, prop: sym.path("properties.dwell_seconds"), hasP: true, within: ms(pr.Within)}
		cd.op, cd.cmp, cd.val = cAgg, opGte, Value{F: pr.MinDwell.D().Seconds(), K: kNumber}
		cd.desc = "dwelled in " + pr.Zone + " at least " + pr.MinDwell.D().String()
		if pr.Within > 0 {
			cd.desc += " within " + pr.Within.D().String()
		}
		a.desc = cd.desc
		cd.agg = c.addAgg(a)
	case n.Trait != nil:
		t := n.Trait
		cd.op, cd.key, cd.cmp, cd.val = cTrait, t.Key, opNames[t.Op], valueOf(t.Value)
		if i, ok := p.traitKeys[t.Key]; ok {
			cd.trait = i
		}
		cd.desc = "trait " + t.Key + " " + t.Op
		if t.Value != nil {
			cd.desc += " " + cd.val.String()
		}
	case n.Audience != "":
		cd.op, cd.aud, cd.desc = cAud, p.audKeys[n.Audience], "in audience "+n.Audience
	}
	p.conds = append(p.conds, cd)
	return int32(len(p.conds) - 1)
}

// filter compiles f; keep says whether its facts are kept (for within).
func (c *compiler) filter(f defs.Filter, keep bool, within int64) filter {
	fl := filter{ev: c.sym.name(f.Event), preds: c.preds(f.Where)}
	if keep {
		c.p.use(fl.ev, within, predPaths(fl.preds)...)
	} else {
		c.p.usePaths(fl.ev, predPaths(fl.preds)...)
	}
	return fl
}

func (c *compiler) journey(j *defs.Journey, idx int) {
	p, sym := c.p, c.sym
	bit, ps := c.purpose("journey", j.Key, j.Purpose, string(consent.PurposeMarketing))
	jn := journey{key: j.Key, idx: idx, purpose: bit, purpStr: ps, when: -1, emit: j.Action.Emit, dest: j.Action.Destination,
		handler: j.Action.Handler, reentry: defs.ReentryAlways, instKey: "trigger"}
	jn.keyAny, jn.destAny = jn.key, jn.dest
	jn.trigger = c.filter(j.Trigger, false, 0)
	if j.When != nil {
		jn.when = c.cond(j.When)
		jn.whenReason = ReasonConditions + ": " + p.conds[jn.when].desc
	}
	if r := j.Related; r != nil {
		rf := filter{ev: sym.name(r.Event), preds: c.preds(r.Where)}
		jn.related, jn.relWithin = &rf, ms(r.Within)
		paths := predPaths(rf.preds)
		for _, m := range r.Match {
			cr := correlate{path: sym.path(m.Path), trigger: sym.path(m.Trigger)}
			jn.match = append(jn.match, cr)
			paths = append(paths, cr.path)
			p.usePaths(jn.trigger.ev, cr.trigger)
		}
		p.use(rf.ev, jn.relWithin, paths...)
	}
	if w := j.Wait; w != nil {
		jn.wait = ms(w.For)
		if w.Unless != nil {
			f := c.filter(*w.Unless, true, jn.wait)
			jn.unless = &f
		}
	}
	keys := make([]string, 0, len(j.Action.Properties))
	for k := range j.Action.Properties {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v := j.Action.Properties[k]
		ap := actionProp{key: k, lit: v}
		if rest, ok := strings.CutPrefix(v, "$trigger."); ok {
			ap.from, ap.path = 1, sym.path(rest)
			p.usePaths(jn.trigger.ev, ap.path)
		} else if rest, ok := strings.CutPrefix(v, "$related."); ok {
			ap.from, ap.path = 2, sym.path(rest)
			p.use(jn.related.ev, jn.relWithin, ap.path)
		}
		jn.props = append(jn.props, ap)
	}
	if cp := j.Cap; cp != nil {
		jn.capMax, jn.capPer = cp.Max, ms(cp.Per)
	}
	if q := j.QuietHours; q != nil {
		s, _ := defs.Clock(q.Start)
		e, _ := defs.Clock(q.End)
		loc := time.UTC
		if q.Timezone != "" {
			loc, _ = time.LoadLocation(q.Timezone)
		}
		jn.quiet = &quiet{start: s, end: e, loc: loc, deferred: q.Mode == "defer"}
	}
	if r := j.Reentry; r != nil {
		jn.reentry, jn.reAfter = r.Mode, ms(r.After)
		if r.Key != "" {
			jn.instKey = r.Key
		} else if r.Mode != defs.ReentryAlways {
			jn.instKey = "profile"
		}
	}
	for _, f := range j.Exit {
		jn.exits = append(jn.exits, c.filter(f, false, 0))
	}
	jn.holdout = uint32(j.Holdout * 100)
	i := int32(len(p.journeys))
	p.journeys = append(p.journeys, jn)
	p.jKeys[jn.key] = i
	if jn.related != nil {
		rx := p.index(jn.related.ev)
		rx.retry = append(rx.retry, i)
		rx.feeds |= bit
	}
	x := p.index(jn.trigger.ev)
	x.triggers = append(x.triggers, i)
	x.feeds |= bit
	if jn.when >= 0 {
		evs, _ := c.eventsOf(jn.when, map[int32]bool{})
		for _, ev := range evs {
			p.index(ev).feeds |= bit
		}
	}
	for _, f := range jn.exits {
		ex := p.index(f.ev)
		ex.exits = append(ex.exits, i)
	}
	if jn.unless != nil {
		ux := p.index(jn.unless.ev)
		ux.unless = append(ux.unless, i)
		ux.feeds |= bit
	}
}

// bucket is a profile's holdout bucket for a journey: 0-9,999.
func bucket(journeyKey, profile string) uint32 {
	h := uint32(2166136261) // FNV-1a
	for i := 0; i < len(journeyKey); i++ {
		h = (h ^ uint32(journeyKey[i])) * 16777619
	}
	h *= 16777619 // the 0 separator
	for i := 0; i < len(profile); i++ {
		h = (h ^ uint32(profile[i])) * 16777619
	}
	return h % 10000
}
