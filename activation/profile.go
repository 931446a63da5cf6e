package activation

import (
	"context"
	"slices"
	"sort"
	"time"

	"github.com/touchpoint-sdk/touchpoint/activation/defs"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
)

func purposeOf(s string) consent.Purpose { return consent.Purpose(s) }

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
	pi, ok := e.profIx[id]
	if !ok {
		return ProfileView{}, false
	}
	p := &e.profs[pi]
	v = ProfileView{ID: p.id, Identifiers: len(p.idents), Audiences: slices.Clone(p.member)}
	seen := map[string]int{}
	for _, ii := range p.idents {
		d := &e.idents[ii]
		v.Facts += len(d.facts)
		for _, tf := range d.traits {
			tv := TraitValue{Key: tf.key, Value: tf.v.Any(), Source: tf.id, Time: time.UnixMilli(tf.t).UTC(), Purposes: e.purposeList(tf.purp)}
			if k, dup := seen[tf.key]; dup {
				if old := v.Traits[k]; tv.Time.After(old.Time) || tv.Time.Equal(old.Time) && tv.Source > old.Source {
					v.Traits[k] = tv
				}
				continue
			}
			seen[tf.key] = len(v.Traits)
			v.Traits = append(v.Traits, tv)
		}
	}
	for _, t := range e.prog.traits {
		c := evalCtx{e: e, p: p, t: p.clock, purp: t.purpose}
		val := c.aggResult(&e.prog.aggs[t.agg])
		if val.K == kAbsent {
			continue
		}
		v.Traits = append(v.Traits, TraitValue{Key: t.key, Value: val.Any(), Computed: true, Time: time.UnixMilli(p.clock).UTC(),
			Purposes: e.purposeList(t.purpose)})
	}
	sort.SliceStable(v.Traits, func(i, j int) bool { return v.Traits[i].Key < v.Traits[j].Key })
	return v, true
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
	pi, ok1 := e.profIx[profileID]
	ai, ok2 := e.prog.audKeys[audienceKey]
	if !ok1 || !ok2 {
		return Explanation{}, false
	}
	p := &e.profs[pi]
	a := &e.prog.audiences[ai]
	var trace []CondResult
	c := evalCtx{e: e, p: p, t: p.clock, purp: a.purpose, trace: &trace, collect: true}
	holds := c.cond(a.root)
	return Explanation{Profile: p.id, Audience: a.key, Purpose: a.purpStr, Member: p.isMember(a.key), Holds: holds,
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
	pi, ok := e.profIx[profileID]
	if !ok {
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
	for _, ii := range p.idents {
		d := &e.idents[ii]
		for k := range d.facts {
			d.facts[k].purp &^= bit
		}
		for k := range d.traits {
			d.traits[k].purp &^= bit
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
// and reported refused. It returns a *defs.Error for an invalid set, and
// leaves the engine unchanged then.
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
	old := e.prog
	e.prog = prog
	for pi := range e.profs {
		p := &e.profs[pi]
		for _, key := range slices.Clone(p.member) {
			if _, ok := prog.audKeys[key]; !ok {
				p.setMember(key, false)
				var purpose string
				if oi, ok := old.audKeys[key]; ok {
					purpose = string(old.audiences[oi].purpStr)
				}
				out = e.announce(p, key, purpose, AudienceExited, p.clock, ReasonRemoved, out)
			}
		}
		out = e.evaluateAll(int32(pi), p.clock, "", out)
	}
	k := 0
	for _, pd := range e.pend {
		if e.journeyIndex(pd.journey) < 0 {
			e.stats.Refused++
			out = append(out, Output{Kind: ActionRefused, ID: ActionID("refusal", pd.journey, e.profs[pd.prof].id, pd.trigID, pd.relID),
				Profile: e.profs[pd.prof].id, Journey: pd.journey, Trigger: pd.trigID, Related: pd.relID, Reason: ReasonRemoved,
				Time: time.UnixMilli(pd.due).UTC()})
			continue
		}
		e.pend[k] = pd
		k++
	}
	e.pend = e.pend[:k]
	return out, nil
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
		if h == nil {
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
