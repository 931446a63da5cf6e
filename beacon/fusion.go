package beacon

import "math"

// zoneLevel fuses the subject's fresh links that count for zone zi:
// the strongest level, or the weighted power sum for AssignWeighted. It
// returns the level, the index of the strongest link, and false when no
// fresh link counts.
func (t *Tracker) zoneLevel(sub *subject, zi int32, ts int64) (float64, int, bool) {
	z := &t.zones[zi]
	best, bestX := -1, math.Inf(-1)
	sum := 0.0
	for i := range sub.links {
		l := &sub.links[i]
		if l.sm.n == 0 || ts-l.last >= z.timeout {
			continue
		}
		if !contains(l.zones, zi) {
			continue
		}
		if l.sm.x > bestX {
			best, bestX = i, l.sm.x
		}
		if t.cfg.assign == AssignWeighted {
			sum += l.weight * math.Pow(10, l.sm.x/10)
		}
	}
	if best < 0 {
		return 0, -1, false
	}
	if t.cfg.assign == AssignWeighted && sum > 0 {
		return 10 * math.Log10(sum), best, true
	}
	return bestX, best, true
}

// band reports whether a zone level is inside the hysteresis band (at or
// above exit) and whether it qualifies to enter.
func (t *Tracker) band(sub *subject, zi int32, level float64, li int) (in, enter bool) {
	z := &t.zones[zi]
	if z.byDistance {
		l := &sub.links[li]
		d, ok := l.model.Distance(l.sm.x, l.tx)
		return ok && d <= z.exitDist, ok && d <= z.enterDist
	}
	return level >= z.exit, level >= z.enter
}

// confidence maps the margin between the level and the exit threshold to
// [0, 1): 1 - exp(-margin / 6 dB).
func (t *Tracker) confidence(st *zstate) float64 {
	z := &t.zones[st.zone]
	margin := st.level - z.exit
	if z.byDistance {
		d, ok := st.model.Distance(st.level, st.tx)
		if !ok {
			return 0
		}
		margin = 20 * math.Log10(z.exitDist/d)
	}
	if margin <= 0 {
		return 0
	}
	return 1 - math.Exp(-margin/6)
}

// refresh records an in-band sample on a zone state.
func (t *Tracker) refresh(sub *subject, st *zstate, ts int64, level float64, li int) {
	l := &sub.links[li]
	st.lastSeen = max(st.lastSeen, ts)
	st.level, st.sigma, st.tx = level, l.sm.p, l.tx
	st.bestGateway, st.bestID, st.model = l.gateway, l.id, l.model
}

func (sub *subject) find(zi int32) int {
	for i := range sub.zs {
		if sub.zs[i].zone == zi {
			return i
		}
	}
	return -1
}

// remove drops zone state i, keeping the slice's capacity.
func (sub *subject) remove(i int) {
	last := len(sub.zs) - 1
	sub.zs[i] = sub.zs[last]
	sub.zs = sub.zs[:last]
}

// start opens a pending state for zone zi at the sample time, or at the
// subject's latest event time if a late sample lies before it, so that a
// subject's events never go back in time; with no hold it enters at once.
func (t *Tracker) start(dst []ZoneEvent, si, zi int32, ts int64, level float64, li int) []ZoneEvent {
	sub := &t.subjects[si]
	since := max(ts, sub.floor)
	sub.zs = append(sub.zs, zstate{zone: zi, since: since})
	st := &sub.zs[len(sub.zs)-1]
	t.refresh(sub, st, since, level, li)
	if t.zones[zi].hold == 0 {
		dst = t.confirm(dst, si, len(sub.zs)-1, since)
	}
	return dst
}

// closeGap handles an in-band sample that arrives after the state's exit
// time (possible while absence decisions wait for the clock skew): the
// subject was away for longer than the timeout, so the state ends at
// last seen + timeout exactly (dwells due before then fire first) and the
// sample starts afresh. It reports whether state k was removed.
func (t *Tracker) closeGap(dst []ZoneEvent, sub *subject, k int, ts int64) ([]ZoneEvent, bool) {
	st := &sub.zs[k]
	z := &t.zones[st.zone]
	exitAt := st.lastSeen + z.timeout
	if ts < exitAt {
		return dst, false
	}
	if st.inside {
		for st.nextDwell != 0 && st.nextDwell < exitAt {
			dst = t.emit(dst, sub, st, ZoneDwelled, st.nextDwell, false)
			if z.repeat > 0 {
				st.nextDwell += z.repeat
			} else {
				st.nextDwell = 0
			}
		}
		dst = t.emit(dst, sub, st, ZoneExited, exitAt, false)
	}
	sub.remove(k)
	return dst, true
}

// apply evaluates the zones a new sample touches.
func (t *Tracker) apply(dst []ZoneEvent, si int32, zones []int32, ts int64) []ZoneEvent {
	sub := &t.subjects[si]
	if t.cfg.assign == AssignIndependent {
		for _, zi := range zones {
			level, li, ok := t.zoneLevel(sub, zi, ts)
			if !ok {
				continue
			}
			in, enter := t.band(sub, zi, level, li)
			k := sub.find(zi)
			if k >= 0 && in {
				var gone bool
				if dst, gone = t.closeGap(dst, sub, k, ts); gone {
					k = -1
				}
			}
			switch {
			case k < 0 && enter:
				dst = t.start(dst, si, zi, ts, level, li)
			case k >= 0 && in:
				t.refresh(sub, &sub.zs[k], ts, level, li)
			case k >= 0 && !sub.zs[k].inside:
				sub.remove(k) // left the band while entering: no event
			}
		}
		return dst
	}
	return t.applyExclusive(dst, si, ts)
}

// applyExclusive keeps each subject in at most one zone: the current one
// (inside) and at most one challenger (pending).
func (t *Tracker) applyExclusive(dst []ZoneEvent, si int32, ts int64) []ZoneEvent {
	sub := &t.subjects[si]
	cur, curLevel, curIn := int32(-1), math.Inf(-1), false
	for k := 0; k < len(sub.zs); k++ {
		st := &sub.zs[k]
		level, li, ok := t.zoneLevel(sub, st.zone, ts)
		in := false
		if ok {
			in, _ = t.band(sub, st.zone, level, li)
		}
		if in {
			var gone bool
			if dst, gone = t.closeGap(dst, sub, k, ts); gone {
				k--
				continue
			}
			t.refresh(sub, st, ts, level, li)
		}
		if st.inside {
			cur, curIn = st.zone, in
			if ok {
				curLevel = level
			}
		} else if !in {
			sub.remove(k)
			k--
		}
	}
	// The strongest zone that qualifies to enter.
	best, bestLevel, bestLi := int32(-1), math.Inf(-1), -1
	t.seen = t.seen[:0]
	for i := range sub.links {
		for _, zi := range sub.links[i].zones {
			if contains(t.seen, zi) {
				continue
			}
			t.seen = append(t.seen, zi)
			level, li, ok := t.zoneLevel(sub, zi, ts)
			if !ok {
				continue
			}
			if level < bestLevel {
				continue // cannot win: skip the band test
			}
			_, enter := t.band(sub, zi, level, li)
			if enter && (level > bestLevel || zi < best) {
				best, bestLevel, bestLi = zi, level, li
			}
		}
	}
	worthy := best >= 0 && best != cur && (cur < 0 || !curIn || bestLevel >= curLevel+t.cfg.switchMargin)
	pend := -1
	for k := range sub.zs {
		if !sub.zs[k].inside {
			pend = k
		}
	}
	if pend >= 0 && (!worthy || sub.zs[pend].zone != best) {
		sub.remove(pend)
		pend = -1
	}
	if worthy && pend < 0 {
		dst = t.start(dst, si, best, ts, bestLevel, bestLi)
	}
	return dst
}
