package activation

import (
	"container/heap"
	"context"
	"slices"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// rec is an Input reduced to what the engine keeps: what the write-ahead
// log holds and recovery re-applies.
type rec struct {
	profile string
	ids     []Identity
	msgID   string
	t       int64
	purp    Purposes
	ev      uint16
	named   bool // ev is set (track/page/screen with a name)
	vals    []slotVal
	traits  []traitFact
	replay  bool
	userID  string
	anonID  string
}

// Process applies one event and returns the outputs it caused, appended to
// out: membership changes and journey actions, in order. Actions with a Go
// handler have been handed to it when Process returns. With a store, the
// event is written ahead before anything is returned. It returns an
// *InputError for an input without profile, message id or time, the
// store's error, and ErrClosed.
func (e *Engine) Process(ctx context.Context, in Input, out []Output) ([]Output, error) {
	if in.Profile == "" {
		return out, &InputError{Field: "Profile", Reason: "empty"}
	}
	if in.MessageID == "" {
		return out, &InputError{Field: "MessageID", Reason: "empty"}
	}
	if in.Time.IsZero() {
		return out, &InputError{Field: "Time", Reason: "zero"}
	}
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return out, ErrClosed
	}
	r := e.reduce(&in)
	start := len(out)
	out = e.apply(&r, out)
	e.vals = r.vals[:0]
	err := e.flushWAL(ctx)
	e.mu.Unlock()
	if err != nil {
		return out[:start], err
	}
	return e.runHandlers(ctx, out, start), nil
}

// reduce extracts from the input what the definitions read.
func (e *Engine) reduce(in *Input) rec {
	r := rec{profile: in.Profile, ids: in.Identities, msgID: in.MessageID, t: in.Time.UnixMilli(), purp: in.Purposes,
		replay: in.Replay, userID: in.UserID, anonID: in.AnonymousID}
	ev := in.Event
	if ev == nil {
		return r
	}
	r.purp = adjust(e.sym, r.purp, ev.Category)
	name := ev.Event
	if name == "" && ev.Type == connected.TypeIdentify {
		name = "identify"
	}
	if i, ok := e.sym.names[name]; ok {
		r.ev, r.named = i, true
		if x := e.prog.event(i); x != nil {
			r.vals = e.vals[:0]
			for _, p := range x.paths {
				if v := extract(ev, e.sym.pathList[p]); v.K != kAbsent {
					r.vals = append(r.vals, slotVal{path: p, v: v})
				}
			}
		}
	}
	if ev.Type == connected.TypeIdentify {
		for k, x := range ev.Traits {
			if v := valueOf(x); v.K != kAbsent {
				r.traits = append(r.traits, traitFact{key: k, v: v, t: r.t, id: in.MessageID, purp: r.purp})
			}
		}
	}
	return r
}

// adjust applies the data-category rules: location data counts only with
// location consent, health data only with health consent and never for
// marketing or advertising.
func adjust(s *symbols, p Purposes, cat connected.Category) Purposes {
	const location, health, marketing, advertising = 1 << 5, 1 << 4, 1 << 2, 1 << 3
	switch cat {
	case connected.CategoryLocation:
		if p&location == 0 {
			return 0
		}
	case connected.CategoryHealth:
		if p&health == 0 {
			return 0
		}
		return p &^ (marketing | advertising)
	}
	return p
}

func (e *Engine) profileOf(id string) int32 {
	if i, ok := e.profIx[id]; ok {
		return i
	}
	i := int32(len(e.profs))
	e.profs = append(e.profs, profile{id: id, self: -1})
	e.profIx[id] = i
	return i
}

func (e *Engine) identOf(key string) int32 {
	if i, ok := e.identIx[key]; ok {
		return i
	}
	i := int32(len(e.idents))
	e.idents = append(e.idents, ident{key: key, prof: -1})
	e.identIx[key] = i
	return i
}

// attach moves identifier i to profile p; the profiles it leaves and joins
// are re-derived from the facts (a merge or a split).
func (e *Engine) attach(i, p int32, out []Output) []Output {
	d := &e.idents[i]
	old := d.prof
	if old == p {
		return out
	}
	d.prof = p
	if old >= 0 {
		op := &e.profs[old]
		for k, x := range op.idents {
			if x == i {
				op.idents = append(op.idents[:k], op.idents[k+1:]...)
				break
			}
		}
	}
	e.profs[p].idents = append(e.profs[p].idents, i)
	if len(d.facts) > 0 || len(d.traits) > 0 {
		if old >= 0 {
			out = e.evaluateAll(old, e.profs[old].clock, "", out)
		}
		if len(e.profs[p].idents) > 1 || old >= 0 {
			pp := &e.profs[p]
			for _, f := range d.facts {
				pp.clock = max(pp.clock, f.t)
			}
			out = e.evaluateAll(p, pp.clock, "", out)
		}
	}
	return out
}

// apply is Process under the lock.
func (e *Engine) apply(r *rec, out []Output) []Output {
	e.stats.Inputs++
	if e.started && r.t < e.watermark() {
		e.stats.Late++
		if e.cfg.onDrop != nil {
			e.cfg.onDrop(Drop{MessageID: r.msgID, Time: time.UnixMilli(r.t).UTC(), Reason: ReasonLate})
		}
		return out
	}
	e.logRec(r)
	prevReplay := e.replay
	if r.replay {
		e.replay = true
		defer func() { e.replay = prevReplay }()
	}
	p := e.profileOf(r.profile)
	owner := int32(-1)
	for _, id := range r.ids {
		i := e.identOf(id.Key)
		target := p
		if id.Profile != r.profile && id.Profile != "" {
			target = e.profileOf(id.Profile)
		}
		out = e.attach(i, target, out)
		if target == p && owner < 0 {
			owner = i
		}
	}
	if owner < 0 {
		if owner = e.profs[p].self; owner < 0 {
			owner = e.identOf("profile:" + r.profile)
			e.profs[p].self = owner
		}
		out = e.attach(owner, p, out)
	}
	var x *evIndex
	if r.named {
		x = e.prog.event(r.ev)
	}
	d := &e.idents[owner]
	if x != nil && x.store {
		var vals []slotVal
		if len(r.vals) > 0 {
			vals = slices.Clone(r.vals)
		}
		if !d.insert(fact{t: r.t, id: r.msgID, ev: r.ev, purp: r.purp, vals: vals}) {
			e.stats.Duplicates++
			return out
		}
		e.prune(d, x)
	}
	for _, tf := range r.traits {
		d.setTrait(tf)
	}
	pr := &e.profs[p]
	pr.clock = max(pr.clock, r.t)
	if !e.started || r.t > e.maxT {
		e.maxT, e.started = r.t, true
	}
	if x != nil && len(x.audiences) > 0 {
		out = e.evaluate(p, pr.clock, x.audiences, "", out)
	}
	if len(r.traits) > 0 && len(e.prog.identify) > 0 {
		out = e.evaluate(p, e.profs[p].clock, e.prog.identify, "", out)
	}
	if x != nil {
		for _, j := range x.exits {
			out = e.exitJourney(p, j, r, out)
		}
		for _, j := range x.triggers {
			out = e.trigger(p, j, r, out)
		}
	}
	return e.advanceTo(e.watermark(), out)
}

// prune drops facts of d that no definition can read any more.
func (e *Engine) prune(d *ident, x *evIndex) {
	if len(d.facts) > e.cfg.maxFacts {
		n := len(d.facts) - e.cfg.maxFacts
		d.facts = append(d.facts[:0], d.facts[n:]...)
		e.stats.Evicted += uint64(n)
	}
	if x.retain == 0 || !e.started {
		return
	}
	horizon := e.watermark() - x.retain
	k := 0
	for _, f := range d.facts {
		if f.t <= horizon {
			if fx := e.prog.event(f.ev); fx != nil && fx.retain != 0 && f.t <= e.watermark()-fx.retain {
				continue
			}
		}
		d.facts[k] = f
		k++
	}
	clear(d.facts[k:])
	d.facts = d.facts[:k]
}

// evaluateAll re-evaluates every audience of profile p.
func (e *Engine) evaluateAll(p int32, t int64, reason string, out []Output) []Output {
	return e.evaluate(p, t, e.prog.order, reason, out)
}

// evaluate re-evaluates audiences (in dependency order) for p at t and
// announces the changes.
func (e *Engine) evaluate(p int32, t int64, auds []int32, reason string, out []Output) []Output {
	c := evalCtx{e: e, p: &e.profs[p], t: t}
	for _, ai := range auds {
		a := &e.prog.audiences[ai]
		c.purp = a.purpose
		in := c.cond(a.root)
		was := c.p.isMember(a.key)
		if in == was {
			continue
		}
		c.p.setMember(a.key, in)
		kind, why := AudienceEntered, "conditions hold"
		if !in {
			kind, why = AudienceExited, reason
			if why == "" {
				why = ReasonWindow
				if t <= c.p.clock && reason == "" {
					why = "conditions no longer hold"
				}
			}
		}
		out = e.announce(c.p, a.key, string(a.purpStr), kind, t, why, out)
	}
	if c.next != 0 && (c.p.due == 0 || c.next < c.p.due || c.p.due <= t) {
		c.p.due = c.next
		heap.Push(&e.timers, timer{due: c.next, prof: p})
	}
	return out
}

// advanceTo fires what is due at watermark w: window expiries and waits.
func (e *Engine) advanceTo(w int64, out []Output) []Output {
	for len(e.timers) > 0 && e.timers[0].due <= w {
		tm := heap.Pop(&e.timers).(timer)
		pr := &e.profs[tm.prof]
		if pr.due != tm.due {
			continue // stale
		}
		pr.due = 0
		pr.clock = max(pr.clock, tm.due)
		out = e.evaluateAll(tm.prof, pr.clock, ReasonWindow, out)
	}
	return e.duePending(w, out)
}

// Advance moves the watermark to t minus the lateness bound when no event
// does (a quiet store at night): windows expire and waits come due. It
// returns the outputs, as Process does.
func (e *Engine) Advance(ctx context.Context, t time.Time, out []Output) ([]Output, error) {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return out, ErrClosed
	}
	start := len(out)
	out = e.advance(t.UnixMilli(), out)
	err := e.flushWAL(ctx)
	e.mu.Unlock()
	if err != nil {
		return out[:start], err
	}
	return e.runHandlers(ctx, out, start), nil
}

func (e *Engine) advance(t int64, out []Output) []Output {
	if e.started && t <= e.maxT {
		return out
	}
	e.maxT, e.started = t, true
	e.logAdvance(t)
	return e.advanceTo(e.watermark(), out)
}

// timerHeap orders timers by due time.
type timerHeap []timer

func (h timerHeap) Len() int           { return len(h) }
func (h timerHeap) Less(i, j int) bool { return h[i].due < h[j].due }
func (h timerHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *timerHeap) Push(x any)        { *h = append(*h, x.(timer)) }
func (h *timerHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
