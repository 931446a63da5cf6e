package activation

import (
	"context"
	"time"
	"unsafe"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// traitIn is one trait of an identify input.
type traitIn struct {
	key string
	v   Value
}

// rec is an Input reduced to what the engine keeps: what the write-ahead
// log holds and recovery re-applies.
type rec struct {
	profile string
	ids     []Identity
	msgID   string
	t       int64
	purp    Purposes
	barred  Purposes // purposes the input had that its data category may never serve
	ev      uint16
	named   bool // ev is set (track/page/screen with a name)
	vals    []slotVal
	traits  []traitIn
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
	if err := checkInput(&in); err != nil {
		return out, err
	}
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return out, ErrClosed
	}
	r := e.reduce(&in)
	start := len(out)
	out = e.apply(&r, out)
	e.rvals = r.vals[:0]
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
	r.purp, r.barred = adjust(r.purp, ev.Category)
	name := ev.Event
	if name == "" && ev.Type == connected.TypeIdentify {
		name = "identify"
	}
	if i, ok := e.sym.names[name]; ok {
		r.ev, r.named = i, true
		if x := e.prog.event(i); x != nil {
			r.vals = e.rvals[:0]
			for _, p := range x.paths {
				if v := extractSpec(ev, &e.sym.specs[p]); v.K != kAbsent {
					r.vals = append(r.vals, slotVal{path: p, v: v})
				}
			}
		}
	}
	if ev.Type == connected.TypeIdentify {
		for k, x := range ev.Traits {
			if v := valueOf(x); v.K != kAbsent {
				r.traits = append(r.traits, traitIn{key: k, v: v})
			}
		}
	}
	return r
}

// adjust applies the data-category rules: location data counts only with
// location consent; health data only with health consent; biometric data
// (attention) only with attention consent; presence data (whether people
// are at home: connected.CategoryPresence) only with location consent; and
// health, biometric and presence data never for marketing or advertising,
// whatever was granted. barred is what the input was granted that its
// category may never serve (marketing, advertising).
func adjust(p Purposes, cat connected.Category) (kept, barred Purposes) {
	const location, health, marketing, advertising, attention = 1 << 5, 1 << 4, 1 << 2, 1 << 3, 1 << 7
	var need Purposes
	switch cat {
	case connected.CategoryLocation:
		if p&location == 0 {
			return 0, 0
		}
		return p, 0
	case connected.CategoryHealth:
		need = health
	case connected.CategoryBiometric:
		need = attention
	case connected.CategoryPresence:
		need = location
	default:
		return p, 0
	}
	if p&need == 0 {
		return 0, 0
	}
	return p &^ (marketing | advertising), p & (marketing | advertising)
}

// barred counts and reports an input of a sensitive category (health,
// biometric, presence) that a marketing or advertising definition reads:
// it does not count for them (ReasonSensitive).
func (e *Engine) barred(r *rec, x *evIndex) {
	if r.barred&x.feeds == 0 {
		return
	}
	e.stats.Sensitive++
	if e.cfg.onDrop != nil {
		e.cfg.onDrop(Drop{MessageID: r.msgID, Time: time.UnixMilli(r.t).UTC(), Reason: ReasonSensitive})
	}
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
	e.cur = curProf{p: p, id: r.profile}
	defer func() { e.cur = curProf{p: -1} }()
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
		owner = e.selfIdent(p)
		out = e.attach(owner, p, out)
	}
	var x *evIndex
	if r.named {
		x = e.prog.event(r.ev)
	}
	if x != nil && !e.ahead {
		e.touch(p, owner)
	}
	if x != nil && r.barred != 0 && !e.replay {
		e.barred(r, x)
	}
	if x != nil && x.store {
		if !e.insertFact(owner, r, x) {
			e.stats.Duplicates++
			return out
		}
		e.gcMsgs()
	}
	for _, tf := range r.traits {
		e.setTrait(owner, tf.key, tf.v, r.t, r.msgID, r.purp)
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
		if len(x.retry) > 0 && len(e.retries) > e.retryHead {
			out = e.retryTriggers(p, r, x, out)
		}
	}
	return e.advanceTo(e.watermark(), out)
}

// touch reads every cache line of the facts of identifier i and of the
// journey records of profile p before they are searched: the reads do not
// depend on each other, so their misses overlap, where a binary search's
// would follow one another. ProcessBatch's read-ahead has read them
// already (Engine.ahead).
func (e *Engine) touch(p, i int32) {
	var s uint64
	if fs := e.facts.items(e.ident(i).facts); len(fs) > 0 {
		s += touchLines(unsafe.Pointer(&fs[0]), len(fs)*int(unsafe.Sizeof(fact{})))
	}
	if js := e.jrecs.items(e.profs[p].js); len(js) > 0 {
		s += touchLines(unsafe.Pointer(&js[0]), len(js)*int(unsafe.Sizeof(jrec{})))
	}
	e.sink += s
}

// isMember reports whether profile p is an announced member of audience a.
func (e *Engine) isMember(p, a int32) bool {
	if a < 64 {
		return e.profs[p].mem0&(1<<a) != 0
	}
	return e.member[int(p)*e.memW+int(a>>6)-1]&(1<<(a&63)) != 0
}

func (e *Engine) setMember(p, a int32, in bool) {
	w := &e.profs[p].mem0
	if a >= 64 {
		w = &e.member[int(p)*e.memW+int(a>>6)-1]
	}
	if in {
		*w |= 1 << (a & 63)
	} else {
		*w &^= 1 << (a & 63)
	}
}

// evaluateAll re-evaluates every audience of profile p.
func (e *Engine) evaluateAll(p int32, t int64, reason string, out []Output) []Output {
	return e.evaluate(p, t, e.prog.order, reason, out)
}

// evaluate re-evaluates audiences (in dependency order) for p at t and
// announces the changes.
func (e *Engine) evaluate(p int32, t int64, auds []int32, reason string, out []Output) []Output {
	c := evalCtx{e: e, p: p, t: t}
	pr := &e.profs[p]
	for _, ai := range auds {
		a := &e.prog.audiences[ai]
		c.purp = a.purpose
		in := c.cond(a.root)
		was := e.isMember(p, ai)
		if in == was {
			continue
		}
		e.setMember(p, ai, in)
		kind, why := AudienceEntered, "conditions hold"
		if !in {
			kind, why = AudienceExited, reason
			if why == "" {
				why = ReasonWindow
				if t <= pr.clock && reason == "" {
					why = "conditions no longer hold"
				}
			}
		}
		out = e.announce(p, a.key, a.purpStr, kind, t, why, out)
	}
	// pr.due != 0 is a timer still in the heap (advanceTo clears it when
	// it fires): only an earlier expiry replaces it. A later one must not,
	// even when pr.due <= t: auds may be a subset (the audiences of one
	// event), and the others' windows still expire at pr.due.
	if c.next != 0 && (pr.due == 0 || c.next < pr.due) {
		pr.due = c.next
		e.timers.push(timer{due: c.next, prof: p})
	}
	return out
}

// advanceTo fires what is due at watermark w: window expiries and waits.
func (e *Engine) advanceTo(w int64, out []Output) []Output {
	for len(e.timers) > 0 && e.timers[0].due <= w {
		tm := e.timers.pop()
		pr := &e.profs[tm.prof]
		if pr.due != tm.due {
			continue // stale
		}
		pr.due = 0
		pr.clock = max(pr.clock, tm.due)
		out = e.evaluateAll(tm.prof, pr.clock, ReasonWindow, out)
	}
	if len(e.retries) > e.retryHead {
		e.expireRetries(w)
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
