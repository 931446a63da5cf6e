package activation

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/touchpoint-sdk/touchpoint/activation/defs"
	"github.com/touchpoint-sdk/touchpoint/connected"
)

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

// hkey hashes an instance key (FNV-1a, 64 bits).
func hkey(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// hasEntry reports whether profile p entered journey j with instance h;
// lastEntry returns the latest time it did (ok false: never).
func (e *Engine) lastEntry(p, j int32, h uint64) (t int64, ok bool) {
	for _, r := range e.jrecs.items(e.profs[p].js) {
		if r.kind() == jEntry && r.j() == j && r.h == h && (!ok || r.t() > t) {
			t, ok = r.t(), true
		}
	}
	return t, ok
}

// addEntry records an entry of p into journey j (one record per instance,
// with its latest time).
func (e *Engine) addEntry(p, j int32, h uint64, t int64) {
	pr := &e.profs[p]
	rs := e.jrecs.items(pr.js)
	for i := range rs {
		if rs[i].kind() == jEntry && rs[i].j() == j && rs[i].h == h {
			rs[i].setT(max(rs[i].t(), t))
			return
		}
	}
	e.addJrec(p, mkJrec(t, h, j, jEntry))
}

// hasFired reports whether profile p fired the action whose id starts
// with bits h.
func (e *Engine) hasFired(p int32, h uint64) bool {
	for _, r := range e.jrecs.items(e.profs[p].js) {
		if r.h == h && r.kind() == jFired {
			return true
		}
	}
	return false
}

// addJrec appends a record; a full run drops its oldest record first.
func (e *Engine) addJrec(p int32, r jrec) {
	pr := &e.profs[p]
	if pr.js.n == maxRun {
		rs := e.jrecs.items(pr.js)
		old := 0
		for i := range rs {
			if rs[i].t() < rs[old].t() {
				old = i
			}
		}
		e.jrecs.remove(&pr.js, old, old+1)
		e.stats.Evicted++
	}
	e.jrecs.insert(&pr.js, int(pr.js.n), r)
}

// related finds the latest related fact for trigger r; consentless says a
// match existed only among facts collected without the purpose. With
// unused, facts already used as an instance of the journey are skipped.
func (e *Engine) related(p, ji int32, j *journey, r *rec, unused bool) (f *fact, consentless bool) {
	lo := r.t - j.relWithin
	for ii := e.profs[p].head; ii >= 0; ii = e.ident(ii).next {
		fs := e.facts.items(e.ident(ii).facts)
		elo, ehi := e.evRangeOf(ii, fs, j.related.ev)
		for fi := after(fs, elo, ehi, lo); fi < ehi && fs[fi].t <= r.t; fi++ {
			c := &fs[fi]
			if !e.matches(c, j.related.preds) {
				continue
			}
			ok := true
			for _, m := range j.match {
				if !equal(e.get(c, m.path), r.get(m.trigger)) {
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
			if unused {
				if _, used := e.lastEntry(p, ji, hkey(e.msgs.get(c.id))); used {
					continue
				}
			}
			if f == nil || c.t > f.t || c.t == f.t && e.msgs.get(c.id) > e.msgs.get(f.id) {
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
	if !r.matches(j.trigger.preds) {
		return out
	}
	if r.purp&j.purpose == 0 {
		if r.barred&j.purpose != 0 {
			return e.refuse(pi, j, r.msgID, r.t, "", ReasonSensitive, out)
		}
		return e.refuse(pi, j, r.msgID, r.t, "", ReasonNoConsent, out)
	}
	if j.when >= 0 {
		c := evalCtx{e: e, p: pi, t: r.t, purp: j.purpose}
		if !c.cond(j.when) {
			return e.refuse(pi, j, r.msgID, r.t, "", j.whenReason, out)
		}
	}
	var rel *fact
	relID := ""
	if j.related != nil {
		unused := j.instKey == "related" && j.reentry == defs.ReentryOnce
		var consentless bool
		rel, consentless = e.related(pi, ji, j, r, unused)
		if rel == nil && unused && !consentless {
			if any, _ := e.related(pi, ji, j, r, false); any != nil {
				return e.refuse(pi, j, r.msgID, r.t, e.outStr(e.msgs.get(any.id)), ReasonReentry, out)
			}
		}
		if rel == nil {
			if e.quiet {
				e.missed = true
				return out
			}
			e.keepRetry(pi, ji, r)
			if consentless {
				return e.refuse(pi, j, r.msgID, r.t, "", ReasonRelatedConsent, out)
			}
			return e.refuse(pi, j, r.msgID, r.t, "", ReasonNoRelated, out)
		}
		relID = e.outStr(e.msgs.get(rel.id))
	}
	pid := e.profileID(pi)
	var h uint64
	switch j.instKey {
	case "trigger":
		h = hkey(r.msgID)
	case "related":
		h = hkey(relID)
	default:
		h = hkey(pid)
	}
	switch j.reentry {
	case defs.ReentryOnce:
		if _, ok := e.lastEntry(pi, ji, h); ok {
			return e.refuse(pi, j, r.msgID, r.t, relID, ReasonReentry, out)
		}
	case defs.ReentryAfter:
		if t, ok := e.lastEntry(pi, ji, h); ok && r.t-t < j.reAfter {
			return e.refuse(pi, j, r.msgID, r.t, relID, ReasonReentry, out)
		}
	}
	id, bits := e.idb.reset().s("journey").s(j.key).s(pid).s(r.msgID).s(relID).done(&e.strs)
	if e.hasFired(pi, bits) {
		return e.refuse(pi, j, r.msgID, r.t, relID, ReasonDuplicate, out)
	}
	if j.reentry != defs.ReentryAlways {
		e.addEntry(pi, ji, h, r.t)
	}
	if j.holdout > 0 && bucket(j.key, pid) < j.holdout {
		return e.refuse(pi, j, r.msgID, r.t, relID, ReasonHoldout, out)
	}
	due := r.t + j.wait
	if j.quiet != nil {
		if end, in := j.quiet.inside(due); in {
			if !j.quiet.deferred {
				return e.refuse(pi, j, r.msgID, r.t, relID, ReasonQuietHours, out)
			}
			due = end
		}
	}
	pd := pending{due: due, prof: pi, journey: j.key, actionID: id, bits: bits, trigT: r.t, trigID: r.msgID, relID: relID,
		userID: r.userID, anonID: r.anonID}
	if len(j.props) > 0 {
		pd.props = make([]propVal, 0, len(j.props))
	}
	for _, ap := range j.props {
		v := Value{S: ap.lit, K: kString}
		switch ap.from {
		case 1:
			v = r.get(ap.path)
		case 2:
			v = e.get(rel, ap.path)
		}
		if v.K == kString {
			v.S = e.outStr(v.S)
		}
		pd.props = append(pd.props, propVal{key: ap.key, v: v})
	}
	b := append(e.scratch[:0], "trigger "...)
	b = append(b, e.sym.nameList[j.trigger.ev]...)
	b = append(b, ' ')
	b = append(b, r.msgID...)
	if rel != nil {
		b = append(b, " + related "...)
		b = append(b, e.sym.nameList[j.related.ev]...)
		b = append(b, ' ')
		b = append(b, relID...)
	}
	e.scratch = b
	pd.reason = e.strs.str(b)
	if j.wait > 0 || due > r.t {
		e.pend = append(e.pend, pd)
		e.pendMin = min(e.pendMin, due)
		return out
	}
	return e.fire(j, ji, &pd, out)
}

// fire runs the cap check and emits the action.
func (e *Engine) fire(j *journey, ji int32, pd *pending, out []Output) []Output {
	pr := &e.profs[pd.prof]
	if j.capMax > 0 {
		n := 0
		for _, r := range e.jrecs.items(pr.js) {
			if r.kind() == jFire && r.j() == ji && r.t() > pd.due-j.capPer && r.t() <= pd.due {
				n++
			}
		}
		if n >= j.capMax {
			return e.refuse(pd.prof, j, pd.trigID, pd.due, pd.relID, ReasonCap, out)
		}
		// keep only what the cap can still count
		rs := e.jrecs.items(pr.js)
		k := 0
		for _, r := range rs {
			if r.kind() == jFire && r.j() == ji && r.t() <= pd.due-j.capPer {
				continue
			}
			rs[k] = r
			k++
		}
		if k < len(rs) {
			e.jrecs.remove(&pr.js, k, len(rs))
		}
		e.addJrec(pd.prof, mkJrec(pd.due, 0, ji, jFire))
	}
	e.addJrec(pd.prof, mkJrec(pd.due, pd.bits, 0, jFired))
	e.stats.Fired++
	if e.replay {
		return out
	}
	pid := e.outPID(pd.prof)
	o := Output{Kind: ActionFired, ID: pd.actionID, Profile: pid, Journey: j.key, Purpose: j.purpStr,
		Destination: j.dest, Handler: j.handler, Time: time.UnixMilli(pd.due).UTC(), Trigger: pd.trigID, Related: pd.relID,
		Reason: pd.reason}
	if j.emit != "" {
		props := make(connected.Properties, len(pd.props)+2)
		props["journey"] = j.keyAny
		for _, pv := range pd.props {
			if pv.v.K != kAbsent {
				props[pv.key] = pv.v.Any()
			}
		}
		if j.dest != "" {
			props["destination"] = j.destAny
		}
		if len(e.evSlab) == 0 {
			e.evSlab = make([]connected.Event, 64)
		}
		// The slab's events are zero and handed out once: set only the
		// fields that are not (a 488-byte struct literal writes them all).
		ev := &e.evSlab[0]
		o.Event, e.evSlab = ev, e.evSlab[1:]
		ev.Type, ev.MessageID, ev.UserID, ev.AnonymousID = connected.TypeTrack, pd.actionID, pd.userID, pd.anonID
		ev.Event, ev.OriginalTimestamp, ev.Properties = j.emit, o.Time, props
		if pd.userID == "" && pd.anonID == "" {
			ev.AnonymousID = pid
		}
	}
	return append(out, o)
}

// duePending fires or cancels waits due by w.
func (e *Engine) duePending(w int64, out []Output) []Output {
	if len(e.pend) == 0 || w < e.pendMin {
		return out
	}
	var due []pending
	k := 0
	e.pendMin = math.MaxInt64
	for _, pd := range e.pend {
		if pd.due <= w {
			due = append(due, pd)
		} else {
			e.pend[k] = pd
			k++
			e.pendMin = min(e.pendMin, pd.due)
		}
	}
	clear(e.pend[k:])
	e.pend = e.pend[:k]
	slices.SortFunc(due, func(a, b pending) int {
		if a.due != b.due {
			return cmp.Compare(a.due, b.due)
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
		if j.unless != nil && e.happened(pd.prof, j.unless, pd.trigT, pd.due) {
			out = e.refuse(pd.prof, j, pd.trigID, pd.due, pd.relID, ReasonUnless, out)
			continue
		}
		out = e.fire(j, int32(ji), pd, out)
	}
	return out
}

func (e *Engine) journeyIndex(key string) int {
	if i, ok := e.prog.jKeys[key]; ok {
		return int(i)
	}
	return -1
}

// happened reports whether p has an f event in (from, to].
func (e *Engine) happened(p int32, f *filter, from, to int64) bool {
	for ii := e.profs[p].head; ii >= 0; ii = e.ident(ii).next {
		fs := e.facts.items(e.ident(ii).facts)
		lo, hi := e.evRangeOf(ii, fs, f.ev)
		for fi := after(fs, lo, hi, from); fi < hi && fs[fi].t <= to; fi++ {
			if e.matches(&fs[fi], f.preds) {
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
				out = e.refuse(pi, &e.prog.journeys[ji], pd.trigID, t, pd.relID, reason, out)
			}
			continue
		}
		e.pend[k] = pd
		k++
	}
	clear(e.pend[k:])
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
