package activation

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// Event names the engine emits.
const (
	EventAudienceEntered = "Audience Entered"
	EventAudienceExited  = "Audience Exited"
)

// ActionID is the deterministic id of an output: a hash of its parts
// (journey or audience, profile, triggering events), "act_" and 32 hex
// characters. A replay or a restart gives the same id.
func ActionID(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	var sum [32]byte
	return "act_" + hex.EncodeToString(h.Sum(sum[:0])[:16])
}

// announce records a membership change as outputs (unless replaying).
func (e *Engine) announce(p *profile, key, purpose string, kind OutputKind, t int64, why string, out []Output) []Output {
	if kind == AudienceEntered {
		e.stats.Entered++
	} else {
		e.stats.Exited++
	}
	if e.replay {
		return out
	}
	// the id is unique per change: profile, audience, time and direction
	id := ActionID("audience", key, p.id, kind.String(), strconv.FormatInt(t, 10))
	return append(out, Output{Kind: kind, ID: id, Profile: p.id, Audience: key, Purpose: purposeOf(purpose),
		Time: time.UnixMilli(t).UTC(), Reason: why})
}

// Emitted returns the event to emit for o: for a membership change the
// Audience Entered/Exited track event (properties audience_key and
// <audience_key>: true|false, addressed by the profile id as anonymousId,
// message id o.ID), built on each call; for a fired action its Event; nil
// for refusals and handler-only actions.
func (o *Output) Emitted() *connected.Event {
	switch o.Kind {
	case AudienceEntered, AudienceExited:
		name := EventAudienceEntered
		if o.Kind == AudienceExited {
			name = EventAudienceExited
		}
		return &connected.Event{Type: connected.TypeTrack, MessageID: o.ID, AnonymousID: o.Profile, Event: name,
			OriginalTimestamp: o.Time, Properties: connected.Properties{"audience_key": o.Audience, o.Audience: o.Kind == AudienceEntered}}
	}
	return o.Event
}

func (e *Engine) refuse(p *profile, j *journey, r *rec, relID, reason string, out []Output) []Output {
	e.stats.Refused++
	if e.replay {
		return out
	}
	return append(out, Output{Kind: ActionRefused, ID: ActionID("refusal", j.key, p.id, r.msgID, relID), Profile: p.id,
		Journey: j.key, Purpose: j.purpStr, Time: time.UnixMilli(r.t).UTC(), Trigger: r.msgID, Related: relID, Reason: reason})
}

func (r *rec) get(path uint16) Value {
	for _, sv := range r.vals {
		if sv.path == path {
			return sv.v
		}
	}
	return Value{}
}

func (r *rec) matches(ps []pred) bool {
	for i := range ps {
		if !compare(ps[i].op, r.get(ps[i].path), ps[i].val, ps[i].list) {
			return false
		}
	}
	return true
}

// related finds the latest related fact for trigger r; consentless says a
// match existed only among facts collected without the purpose.
func (e *Engine) related(p *profile, j *journey, r *rec, skip func(id string) bool) (f *fact, consentless bool) {
	lo := r.t - j.relWithin
	for _, ii := range p.idents {
		d := &e.idents[ii]
		for fi := range d.facts {
			c := &d.facts[fi]
			if c.ev != j.related.ev || c.t > r.t || c.t <= lo || !c.matches(j.related.preds) {
				continue
			}
			ok := true
			for _, m := range j.match {
				if !equal(c.get(m.path), r.get(m.trigger)) {
					ok = false
					break
				}
			}
			if !ok {
				continue
			}
			if c.purp&j.purpose == 0 {
				consentless = true
				continue
			}
			if skip != nil && skip(c.id) {
				continue
			}
			if f == nil || c.t > f.t || c.t == f.t && c.id > f.id {
				f = c
			}
		}
	}
	return f, consentless && f == nil
}

// trigger decides journey ji for trigger r. The checks, in order: trigger
// filter, consent, when, related, re-entry, holdout, quiet hours, cap; then
// wait or fire.
func (e *Engine) trigger(pi int32, ji int32, r *rec, out []Output) []Output {
	j := &e.prog.journeys[ji]
	p := &e.profs[pi]
	if !r.matches(j.trigger.preds) {
		return out
	}
	if r.purp&j.purpose == 0 {
		return e.refuse(p, j, r, "", ReasonNoConsent, out)
	}
	if j.when >= 0 {
		c := evalCtx{e: e, p: p, t: r.t, purp: j.purpose}
		if !c.cond(j.when) {
			return e.refuse(p, j, r, "", ReasonConditions+": "+e.prog.conds[j.when].desc, out)
		}
	}
	var rel *fact
	relID := ""
	if j.related != nil {
		var consentless bool
		var skip func(string) bool
		if j.instKey == "related" && j.reentry == "once" {
			// one action per related event: the newest not yet used
			js := p.journey(j.key)
			skip = func(id string) bool {
				return slices.ContainsFunc(js.entries, func(en entry) bool { return en.key == id })
			}
		}
		rel, consentless = e.related(p, j, r, skip)
		if rel == nil && skip != nil && !consentless {
			if any, _ := e.related(p, j, r, nil); any != nil {
				return e.refuse(p, j, r, any.id, ReasonReentry, out)
			}
		}
		if rel == nil {
			if consentless {
				return e.refuse(p, j, r, "", ReasonRelatedConsent, out)
			}
			return e.refuse(p, j, r, "", ReasonNoRelated, out)
		}
		relID = rel.id
	}
	js := p.journey(j.key)
	inst := p.id
	switch j.instKey {
	case "trigger":
		inst = r.msgID
	case "related":
		inst = relID
	}
	switch j.reentry {
	case "once":
		if slices.ContainsFunc(js.entries, func(en entry) bool { return en.key == inst }) {
			return e.refuse(p, j, r, relID, ReasonReentry, out)
		}
	case "after":
		for _, en := range js.entries {
			if en.key == inst && r.t-en.t < j.reAfter {
				return e.refuse(p, j, r, relID, ReasonReentry, out)
			}
		}
	}
	id := ActionID("journey", j.key, p.id, r.msgID, relID)
	if _, done := e.fired[id]; done {
		return e.refuse(p, j, r, relID, ReasonDuplicate, out)
	}
	if j.reentry != "always" {
		js.entries = append(js.entries, entry{key: inst, t: r.t})
	}
	if j.holdout > 0 && bucket(j.key, p.id) < j.holdout {
		return e.refuse(p, j, r, relID, ReasonHoldout, out)
	}
	due := r.t + j.wait
	if j.quiet != nil {
		if end, in := j.quiet.inside(due); in {
			if !j.quiet.deferred {
				return e.refuse(p, j, r, relID, ReasonQuietHours, out)
			}
			due = end
		}
	}
	pd := pending{due: due, prof: pi, journey: j.key, actionID: id, trigT: r.t, trigID: r.msgID, relID: relID,
		userID: r.userID, anonID: r.anonID}
	for _, ap := range j.props {
		v := Value{S: ap.lit, K: kString}
		switch ap.from {
		case 1:
			v = r.get(ap.path)
		case 2:
			v = rel.get(ap.path)
		}
		pd.props = append(pd.props, propVal{key: ap.key, v: v})
	}
	pd.reason = "trigger " + e.sym.nameList[j.trigger.ev] + " " + r.msgID
	if rel != nil {
		pd.reason += " + related " + e.sym.nameList[j.related.ev] + " " + rel.id
	}
	if j.wait > 0 || due > r.t {
		e.pend = append(e.pend, pd)
		return out
	}
	return e.fire(j, &pd, out)
}

// fire runs the cap check and emits the action.
func (e *Engine) fire(j *journey, pd *pending, out []Output) []Output {
	p := &e.profs[pd.prof]
	js := p.journey(j.key)
	if j.capMax > 0 {
		n := 0
		for _, t := range js.fires {
			if t > pd.due-j.capPer && t <= pd.due {
				n++
			}
		}
		if n >= j.capMax {
			return e.refuse(p, j, &rec{msgID: pd.trigID, t: pd.due}, pd.relID, ReasonCap, out)
		}
	}
	e.fired[pd.actionID] = struct{}{}
	js.fires = append(js.fires, pd.due)
	if j.capPer > 0 { // keep only what the cap can still count
		k := 0
		for _, t := range js.fires {
			if t > pd.due-j.capPer {
				js.fires[k] = t
				k++
			}
		}
		js.fires = js.fires[:k]
	}
	e.stats.Fired++
	if e.replay {
		return out
	}
	o := Output{Kind: ActionFired, ID: pd.actionID, Profile: p.id, Journey: j.key, Purpose: j.purpStr,
		Destination: j.dest, Handler: j.handler, Time: time.UnixMilli(pd.due).UTC(), Trigger: pd.trigID, Related: pd.relID,
		Reason: pd.reason}
	if j.emit != "" {
		props := connected.Properties{"journey": j.key}
		for _, pv := range pd.props {
			if pv.v.K != kAbsent {
				props[pv.key] = pv.v.Any()
			}
		}
		if j.dest != "" {
			props["destination"] = j.dest
		}
		o.Event = &connected.Event{Type: connected.TypeTrack, MessageID: pd.actionID, UserID: pd.userID, AnonymousID: pd.anonID,
			Event: j.emit, OriginalTimestamp: o.Time, Properties: props}
		if pd.userID == "" && pd.anonID == "" {
			o.Event.AnonymousID = p.id
		}
	}
	return append(out, o)
}

// duePending fires or cancels waits due by w.
func (e *Engine) duePending(w int64, out []Output) []Output {
	if len(e.pend) == 0 {
		return out
	}
	var due []pending
	k := 0
	for _, pd := range e.pend {
		if pd.due <= w {
			due = append(due, pd)
		} else {
			e.pend[k] = pd
			k++
		}
	}
	e.pend = e.pend[:k]
	slices.SortFunc(due, func(a, b pending) int {
		if a.due != b.due {
			return int(a.due - b.due)
		}
		return strings.Compare(a.actionID, b.actionID)
	})
	for i := range due {
		pd := &due[i]
		ji := e.journeyIndex(pd.journey)
		if ji < 0 {
			continue // removed by a reload: its refusal was announced then
		}
		j := &e.prog.journeys[ji]
		p := &e.profs[pd.prof]
		if j.unless != nil && e.happened(p, j.unless, pd.trigT, pd.due) {
			out = e.refuse(p, j, &rec{msgID: pd.trigID, t: pd.due}, pd.relID, ReasonUnless, out)
			continue
		}
		out = e.fire(j, pd, out)
	}
	return out
}

func (e *Engine) journeyIndex(key string) int {
	for i := range e.prog.journeys {
		if e.prog.journeys[i].key == key {
			return i
		}
	}
	return -1
}

// happened reports whether p has an f event in (from, to].
func (e *Engine) happened(p *profile, f *filter, from, to int64) bool {
	for _, ii := range p.idents {
		for fi := range e.idents[ii].facts {
			c := &e.idents[ii].facts[fi]
			if c.ev == f.ev && c.t > from && c.t <= to && c.matches(f.preds) {
				return true
			}
		}
	}
	return false
}

// exitJourney cancels p's pending actions of journey ji when r is one of
// its exit events.
func (e *Engine) exitJourney(pi int32, ji int32, r *rec, out []Output) []Output {
	j := &e.prog.journeys[ji]
	hit := false
	for _, f := range j.exits {
		if f.ev == r.ev && r.matches(f.preds) {
			hit = true
		}
	}
	if !hit {
		return out
	}
	return e.cancel(pi, func(pd *pending) bool { return pd.journey == j.key && pd.trigT <= r.t }, ReasonExit, r.t, out)
}

// cancel removes p's pending actions that match and reports them refused.
func (e *Engine) cancel(pi int32, match func(*pending) bool, reason string, t int64, out []Output) []Output {
	k := 0
	for i := range e.pend {
		pd := e.pend[i]
		if pd.prof == pi && match(&pd) {
			if ji := e.journeyIndex(pd.journey); ji >= 0 {
				out = e.refuse(&e.profs[pi], &e.prog.journeys[ji], &rec{msgID: pd.trigID, t: t}, pd.relID, reason, out)
			}
			continue
		}
		e.pend[k] = pd
		k++
	}
	e.pend = e.pend[:k]
	return out
}

// inside reports whether t (ms) falls in the quiet window, and when it ends.
func (q *quiet) inside(t int64) (int64, bool) {
	lt := time.UnixMilli(t).In(q.loc)
	m := lt.Hour()*60 + lt.Minute()
	var in bool
	if q.start <= q.end {
		in = m >= q.start && m < q.end
	} else {
		in = m >= q.start || m < q.end
	}
	if !in {
		return 0, false
	}
	day := time.Date(lt.Year(), lt.Month(), lt.Day(), 0, 0, 0, 0, q.loc)
	end := day.Add(time.Duration(q.end) * time.Minute)
	if !end.After(lt) {
		end = end.AddDate(0, 0, 1)
	}
	return end.UnixMilli(), true
}
