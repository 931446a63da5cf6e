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
		src := &t.sources[l.src]
		if !contains(src.zones, zi) {
			continue
		}
		if l.sm.x > bestX {
			best, bestX = i, l.sm.x
		}
		if t.cfg.assign == AssignWeighted {
			sum += src.weight * math.Pow(10, l.sm.x/10)
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
// above exit) and whether it qualifies to enter, plus the confidence.
func (t *Tracker) band(sub *subject, zi int32, level float64, li int) (in, enter bool, conf float64) {
	z := &t.zones[zi]
	var margin float64
	if z.byDistance {
		l := &sub.links[li]
		d, ok := t.sources[l.src].model.Distance(l.sm.x, l.tx)
		if !ok {
			return false, false, 0
		}
		in, enter = d <= z.exitDist, d <= z.enterDist
		margin = 20 * math.Log10(z.exitDist/d)
	} else {
		in, enter = level >= z.exit, level >= z.enter
		margin = level - z.exit
	}
	if margin > 0 {
		conf = 1 - math.Exp(-margin/6)
	}
	return in, enter, conf
}

// refresh records an in-band sample on a zone state.
func (t *Tracker) refresh(sub *subject, st *zstate, ts int64, level float64, li int, conf float64) {
	l := &sub.links[li]
	st.lastSeen = max(st.lastSeen, ts)
	st.level, st.sigma, st.tx, st.best, st.confidence = level, math.Sqrt(l.sm.p), l.tx, l.src, conf
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

// apply evaluates the zones a new sample from source srcIdx touches.
func (t *Tracker) apply(dst []ZoneEvent, si int32, srcIdx int32, ts int64) []ZoneEvent {
	sub := &t.subjects[si]
	if t.cfg.assign == AssignIndependent {
		for _, zi := range t.sources[srcIdx].zones {
			level, li, ok := t.zoneLevel(sub, zi, ts)
			if !ok {
				continue
			}
			in, enter, conf := t.band(sub, zi, level, li)
			k := sub.find(zi)
			switch {
			case k < 0 && enter:
				sub.zs = append(sub.zs, zstate{zone: zi, since: ts})
				st := &sub.zs[len(sub.zs)-1]
				t.refresh(sub, st, ts, level, li, conf)
				if t.zones[zi].hold == 0 {
					dst = t.confirm(dst, si, len(sub.zs)-1, ts)
				}
			case k >= 0 && in:
				t.refresh(sub, &sub.zs[k], ts, level, li, conf)
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
		in, conf := false, 0.0
		if ok {
			in, _, conf = t.band(sub, st.zone, level, li)
		}
		if in {
			t.refresh(sub, st, ts, level, li, conf)
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
	best, bestLevel, bestLi, bestConf := int32(-1), math.Inf(-1), -1, 0.0
	t.seen = t.seen[:0]
	for i := range sub.links {
		if ts-sub.links[i].last < 0 {
			continue
		}
		for _, zi := range t.sources[sub.links[i].src].zones {
			if contains(t.seen, zi) {
				continue
			}
			t.seen = append(t.seen, zi)
			level, li, ok := t.zoneLevel(sub, zi, ts)
			if !ok {
				continue
			}
			_, enter, conf := t.band(sub, zi, level, li)
			if enter && (level > bestLevel || (level == bestLevel && zi < best)) {
				best, bestLevel, bestLi, bestConf = zi, level, li, conf
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
		sub.zs = append(sub.zs, zstate{zone: best, since: ts})
		st := &sub.zs[len(sub.zs)-1]
		t.refresh(sub, st, ts, bestLevel, bestLi, bestConf)
		if t.zones[best].hold == 0 {
			dst = t.confirm(dst, si, len(sub.zs)-1, ts)
		}
	}
	return dst
}
