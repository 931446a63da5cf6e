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
	for i := e.retryHead; i < len(e.retries); i++ {
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
	for i := e.retryHead; i < len(e.retries); i++ {
		rt := &e.retries[i]
		if rt.prof != p || !slices.Contains(x.retry, rt.j) {
			continue
		}
		j := &e.prog.journeys[rt.j]
		if r.t > rt.t || r.t <= rt.t-j.relWithin {
			continue
		}
		trig := rec{profile: r.profile, msgID: rt.msgID, t: rt.t, purp: rt.purp, ev: rt.ev, named: true, vals: rt.vals(),
			userID: rt.userID, anonID: rt.anonID}
		e.quiet, e.missed = true, false
		out = e.trigger(p, rt.j, &trig, out)
		e.quiet = false
		if !e.missed {
			rt.prof = -1 // used
		}
	}
	return out
}

// expireRetries drops kept triggers older than the watermark. They are
// kept in about time order: the expired or used ones at the head go; one
// kept a little longer behind a newer one is never completed, as every
// new fact is at or after the watermark. The slice is compacted when half
// of it is dead.
func (e *Engine) expireRetries(w int64) {
	for e.retryHead < len(e.retries) && (e.retries[e.retryHead].t < w || e.retries[e.retryHead].prof < 0) {
		e.retries[e.retryHead] = retry{}
		e.retryHead++
	}
	if e.retryHead == len(e.retries) {
		e.retries, e.retryHead = e.retries[:0], 0
	} else if e.retryHead > 64 && e.retryHead*2 > len(e.retries) {
		n := copy(e.retries, e.retries[e.retryHead:])
		clear(e.retries[n:])
		e.retries, e.retryHead = e.retries[:n], 0
	}
}

// liveRetries returns the kept triggers still waiting.
func (e *Engine) liveRetries() []retry {
	var out []retry
	for _, rt := range e.retries[e.retryHead:] {
		if rt.prof >= 0 {
			out = append(out, rt)
		}
	}
	return out
}
