package activation

import "slices"

// A trigger refused for want of a related event (no_related_event,
// related_without_consent) is kept while the watermark has not passed its
// time: a related event delivered after it, with an event time within
// the journey's related window before the trigger, can still arrive. When
// one does, the trigger is decided again, so out-of-order delivery within
// the lateness bound fires the same action (same id) as in-order delivery.

// retry is a trigger waiting for a late related event.
type retry struct {
	prof   int32
	j      int32
	t      int64
	msgID  string
	purp   Purposes
	ev     uint16
	nv     int
	inline [4]slotVal // the trigger's values (more: extra)
	extra  []slotVal
	userID string
	anonID string
}

func (e *Engine) keepRetry(p, j int32, r *rec) {
	if e.started && r.t < e.watermark() {
		return
	}
	for i := range e.retries {
		rt := &e.retries[i]
		if rt.prof == p && rt.j == j && rt.t == r.t && rt.msgID == r.msgID {
			return
		}
	}
	rt := retry{prof: p, j: j, t: r.t, msgID: r.msgID, purp: r.purp, ev: r.ev, nv: len(r.vals), userID: r.userID, anonID: r.anonID}
	if copy(rt.inline[:], r.vals) < len(r.vals) {
		rt.extra = slices.Clone(r.vals)
	}
	e.retries = append(e.retries, rt)
}

func (rt *retry) vals() []slotVal {
	if rt.extra != nil {
		return rt.extra
	}
	return rt.inline[:rt.nv]
}

// retryTriggers decides again the kept triggers of profile p that related
// fact r (of event x) may complete.
func (e *Engine) retryTriggers(p int32, r *rec, x *evIndex, out []Output) []Output {
	for i := 0; i < len(e.retries); {
		rt := &e.retries[i]
		if rt.prof != p || !slices.Contains(x.retry, rt.j) {
			i++
			continue
		}
		j := &e.prog.journeys[rt.j]
		if r.t > rt.t || r.t <= rt.t-j.relWithin {
			i++
			continue
		}
		trig := rec{profile: r.profile, msgID: rt.msgID, t: rt.t, purp: rt.purp, ev: rt.ev, named: true, vals: rt.vals(),
			userID: rt.userID, anonID: rt.anonID}
		e.quiet, e.missed = true, false
		out = e.trigger(p, rt.j, &trig, out)
		e.quiet = false
		if e.missed {
			i++
			continue
		}
		e.retries = slices.Delete(e.retries, i, i+1)
	}
	return out
}

// expireRetries drops kept triggers older than the watermark.
// (Retries are kept roughly in time order: the scan runs when the first
// has expired; one kept a little longer is never completed, as every new
// fact is at or after the watermark.)
func (e *Engine) expireRetries(w int64) {
	if e.retries[0].t < w {
		e.retries = slices.DeleteFunc(e.retries, func(rt retry) bool { return rt.t < w })
	}
}
