package activation

import (
	"context"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/touchpoint-sdk/touchpoint/activation/defs"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
)

// TraitValue is one trait of a profile with its provenance.
type TraitValue struct {
	Key   string
	Value any
	// Computed is true for computed traits (Source is then empty: the
	// value folds many events; Explain lists them).
	Computed bool
	// Source is the identify event that set it, Time its event time.
	Source string
	Time   time.Time
	// Purposes are the consent purposes in force when it was collected
	// (identify traits) or the purpose it is computed for.
	Purposes []consent.Purpose
}

// ProfileView is what the engine knows of one profile.
type ProfileView struct {
	ID          string
	Identifiers int // identifier keys whose facts it holds
	Facts       int
	Traits      []TraitValue // sorted by key
	Audiences   []string     // announced memberships, sorted
}

func (e *Engine) purposeList(p Purposes) []consent.Purpose {
	var out []consent.Purpose
	for i, q := range e.sym.purposes {
		if p&(1<<i) != 0 {
			out = append(out, q)
		}
	}
	return out
}

// Profile returns the profile's traits (identify traits, newest per key
// across its identifiers, and computed traits at the profile's clock) and
// memberships. ok is false for an unknown profile.
func (e *Engine) Profile(id string) (v ProfileView, ok bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	pi := e.findProfile(id)
	if pi < 0 {
		return ProfileView{}, false
	}
	p := &e.profs[pi]
	v = ProfileView{ID: strings.Clone(id), Identifiers: e.identCount(pi), Audiences: e.memberships(pi)}
	seen := map[string]int{}
	for ii := p.head; ii >= 0; ii = e.ident(ii).next {
		d := e.ident(ii)
		v.Facts += int(d.facts.n)
		for _, tf := range e.tfacts.items(d.traits) {
			val := e.unpack(tf.kind, tf.bits)
			val.S = strings.Clone(val.S)
			key := strings.Clone(e.keys.str(tf.key))
			tv := TraitValue{Key: key, Value: val.Any(), Source: strings.Clone(e.msgs.get(tf.id)), Time: time.UnixMilli(tf.t).UTC(),
				Purposes: e.purposeList(tf.purp)}
			if k, dup := seen[key]; dup {
				if old := v.Traits[k]; tv.Time.After(old.Time) || tv.Time.Equal(old.Time) && tv.Source > old.Source {
					v.Traits[k] = tv
				}
				continue
			}
			seen[key] = len(v.Traits)
			v.Traits = append(v.Traits, tv)
		}
	}
	for _, t := range e.prog.traits {
		c := evalCtx{e: e, p: pi, t: p.clock, purp: t.purpose}
		val := c.aggResult(&e.prog.aggs[t.agg])
		if val.K == kAbsent {
			continue
		}
		val.S = strings.Clone(val.S)
		v.Traits = append(v.Traits, TraitValue{Key: t.key, Value: val.Any(), Computed: true, Time: time.UnixMilli(p.clock).UTC(),
			Purposes: e.purposeList(t.purpose)})
	}
	sort.SliceStable(v.Traits, func(i, j int) bool { return v.Traits[i].Key < v.Traits[j].Key })
	return v, true
}

// memberships returns the keys of p's announced audiences, sorted.
func (e *Engine) memberships(p int32) []string {
	var out []string
	for ai := range e.prog.audiences {
		if e.isMember(p, int32(ai)) {
			out = append(out, e.prog.audiences[ai].key)
		}
	}
	slices.Sort(out)
	return out
}

// CondResult is one condition of an explanation: whether it held, the
// value it compared, and the events that contributed (message ids).
type CondResult struct {
	Condition string
	Held      bool
	Value     any
	Events    []string
}

// Explanation says why a profile is or is not in an audience.
type Explanation struct {
	Profile, Audience string
	Purpose           consent.Purpose
	Member            bool // announced membership
	Holds             bool // the condition evaluated now, at the profile's clock
	At                time.Time
	// Conditions are in evaluation order, leaves before the nodes that
	// combine them.
	Conditions []CondResult
}

// Explain evaluates audience for profile with a trace of every condition
// and its contributing events (only events collected under the audience's
// purpose count). ok is false for an unknown profile or audience.
func (e *Engine) Explain(profileID, audienceKey string) (Explanation, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	pi := e.findProfile(profileID)
	ai, ok := e.prog.audKeys[audienceKey]
	if pi < 0 || !ok {
		return Explanation{}, false
	}
	p := &e.profs[pi]
	a := &e.prog.audiences[ai]
	var trace []CondResult
	c := evalCtx{e: e, p: pi, t: p.clock, purp: a.purpose, trace: &trace, collect: true}
	holds := c.cond(a.root)
	for i := range trace { // strings leave the engine's arenas
		if s, ok := trace[i].Value.(string); ok {
			trace[i].Value = strings.Clone(s)
		}
		for k, id := range trace[i].Events {
			trace[i].Events[k] = strings.Clone(id)
		}
	}
	return Explanation{Profile: strings.Clone(profileID), Audience: a.key, Purpose: a.purpStr, Member: e.isMember(pi, ai), Holds: holds,
		At: time.UnixMilli(p.clock).UTC(), Conditions: trace}, true
}

// Revoke applies a withdrawal of purpose by profile at time at: events
// already collected no longer count for it (Ledger.Permits semantics: a
// revocation stops even earlier events), so the profile leaves that
// purpose's audiences (exits announced with reason consent_revoked) and
// its pending actions of that purpose's journeys are cancelled. Unknown
// profiles are a no-op.
func (e *Engine) Revoke(ctx context.Context, profileID string, purpose consent.Purpose, at time.Time, out []Output) ([]Output, error) {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return out, ErrClosed
	}
	start := len(out)
	out = e.revoke(profileID, purpose, at.UnixMilli(), out)
	err := e.flushWAL(ctx)
	e.mu.Unlock()
	if err != nil {
		return out[:start], err
	}
	return out, nil
}

func (e *Engine) revoke(profileID string, purpose consent.Purpose, at int64, out []Output) []Output {
	pi := e.findProfile(profileID)
	if pi < 0 {
		return out
	}
	bit := Purposes(0)
	for i, q := range e.sym.purposes {
		if q == purpose {
			bit = 1 << i
		}
	}
	if bit == 0 {
		return out
	}
	e.logRevoke(profileID, purpose, at)
	p := &e.profs[pi]
	for ii := p.head; ii >= 0; ii = e.ident(ii).next {
		d := e.ident(ii)
		fs := e.facts.items(d.facts)
		for k := range fs {
			fs[k].purp &^= bit
		}
		ts := e.tfacts.items(d.traits)
		for k := range ts {
			ts[k].purp &^= bit
		}
	}
	var auds []int32
	for _, ai := range e.prog.order {
		if e.prog.audiences[ai].purpose == bit {
			auds = append(auds, ai)
		}
	}
	out = e.evaluate(pi, max(p.clock, at), auds, ReasonRevoked, out)
	return e.cancel(pi, func(pd *pending) bool {
		ji := e.journeyIndex(pd.journey)
		return ji >= 0 && e.prog.journeys[ji].purpose == bit
	}, ReasonRevoked, at, out)
}

// Relink tells the engine that identifier key now belongs to profile (a
// split or merge identity made without an event of that identifier, such
// as a linking consent withdrawn). Both profiles are re-derived from the
// identifiers' facts.
func (e *Engine) Relink(ctx context.Context, key, profileID string, out []Output) ([]Output, error) {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return out, ErrClosed
	}
	start := len(out)
	e.logMove(key, profileID)
	out = e.attach(e.identOf(key), e.profileOf(profileID), out)
	err := e.flushWAL(ctx)
	e.mu.Unlock()
	if err != nil {
		return out[:start], err
	}
	return out, nil
}

// Reload replaces the definitions (hot reload). Facts already kept stay;
// every profile is re-evaluated against the new audiences, and memberships
// of audiences that no longer exist are announced as exits
// (definition_removed). Pending actions of removed journeys are dropped
// and reported refused. It returns a *defs.Error for an invalid set or a
// journey naming a handler not registered (WithHandler), and leaves the
// engine unchanged then.
func (e *Engine) Reload(ctx context.Context, set *defs.Set, out []Output) ([]Output, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return out, ErrClosed
	}
	prog, err := compile(set, e.sym)
	if err != nil {
		return out, err
	}
	if err := e.cfg.checkHandlers(set); err != nil {
		return out, err
	}
	old, oldMember, oldW := e.prog, e.member, e.memW
	oldMem0 := make([]uint64, len(e.profs))
	for pi := range e.profs {
		oldMem0[pi], e.profs[pi].mem0 = e.profs[pi].mem0, 0
	}
	wasMember := func(pi, ai int) bool {
		if ai < 64 {
			return oldMem0[pi]&(1<<ai) != 0
		}
		return oldMember[pi*oldW+ai>>6-1]&(1<<(ai&63)) != 0
	}
	e.member = nil
	e.setProgram(prog)
	// memberships and journey records follow their keys
	amap := make([]int32, len(old.audiences))
	for i, a := range old.audiences {
		amap[i] = -1
		if ni, ok := prog.audKeys[a.key]; ok {
			amap[i] = ni
		}
	}
	jmap := make([]int32, len(old.journeys))
	for i, j := range old.journeys {
		jmap[i] = -1
		if ni, ok := prog.jKeys[j.key]; ok {
			jmap[i] = ni
		}
	}
	for pi := range e.profs {
		p := int32(pi)
		var removed []int32
		for ai := range old.audiences {
			if !wasMember(pi, ai) {
				continue
			}
			if ni := amap[ai]; ni >= 0 {
				e.setMember(p, ni, true)
			} else {
				removed = append(removed, int32(ai))
			}
		}
		slices.SortFunc(removed, func(a, b int32) int { return strings.Compare(old.audiences[a].key, old.audiences[b].key) })
		for _, ai := range removed {
			a := &old.audiences[ai]
			out = e.announce(p, a.key, a.purpStr, AudienceExited, e.profs[pi].clock, ReasonRemoved, out)
		}
		pr := &e.profs[pi]
		rs := e.jrecs.items(pr.js)
		k := 0
		for _, r := range rs {
			if r.kind() == jFired {
				rs[k] = r
				k++
			} else if nj := jmap[r.j()]; nj >= 0 {
				r.setJ(nj)
				rs[k] = r
				k++
			}
		}
		if k < len(rs) {
			e.jrecs.remove(&pr.js, k, len(rs))
		}
		out = e.evaluateAll(p, pr.clock, "", out)
	}
	k := 0
	for _, pd := range e.pend {
		if e.journeyIndex(pd.journey) < 0 {
			e.stats.Refused++
			pid := e.profileID(pd.prof)
			out = append(out, Output{Kind: ActionRefused, ID: ActionID("refusal", pd.journey, pid, pd.trigID, pd.relID),
				Profile: strings.Clone(pid), Journey: pd.journey, Trigger: pd.trigID, Related: pd.relID, Reason: ReasonRemoved,
				Time: time.UnixMilli(pd.due).UTC()})
			continue
		}
		e.pend[k] = pd
		k++
	}
	clear(e.pend[k:])
	e.pend = e.pend[:k]
	live := e.liveRetries()
	clear(e.retries)
	e.retries, e.retryHead = e.retries[:0], 0
	for _, rt := range live {
		if nj := jmap[rt.j]; nj >= 0 && prog.journeys[nj].related != nil {
			rt.j = nj
			e.retries = append(e.retries, rt)
		}
	}
	return out, nil
}

// setProgram installs prog; memberships are sized for its audiences
// (cleared when the size changes: Reload carries them over by key).
func (e *Engine) setProgram(prog *program) {
	e.prog = prog
	w := max((len(prog.audiences)+63)/64-1, 0)
	if w != e.memW || len(e.member) != w*len(e.profs) {
		e.memW = w
		e.member = make([]uint64, w*len(e.profs))
	}
}

// ReloadFile decodes the definition file at path and reloads it (see
// Reload and defs.Load). Call it when the file changes (a SIGHUP, a
// watcher of your own): the engine starts no goroutine to watch it.
func (e *Engine) ReloadFile(ctx context.Context, path string, out []Output) ([]Output, error) {
	set, err := defs.Load(path)
	if err != nil {
		return out, err
	}
	return e.Reload(ctx, set, out)
}

// runHandlers calls the Go handlers of fired actions in out[start:].
func (e *Engine) runHandlers(ctx context.Context, out []Output, start int) []Output {
	for i := start; i < len(out); i++ {
		o := &out[i]
		if o.Kind != ActionFired || o.Handler == "" {
			continue
		}
		h := e.cfg.handlers[o.Handler]
		if h == nil { // New and Reload refuse such definitions: a defence only
			o.Err = &InputError{Field: "handler", Reason: "no handler named " + o.Handler + " (WithHandler)"}
		} else {
			o.Err = h(ctx, *o)
		}
		if o.Err != nil {
			e.mu.Lock()
			e.stats.HandlerErrors++
			e.mu.Unlock()
		}
	}
	return out
}
