package vehicle

import (
	"math"
	"time"
)

// updatePlaces runs the per-place state machines of vehicle vi after a
// fix at ts that moved it seg metres: the places it already has state for,
// then the candidates of its grid cell within their approach radius.
func (t *Tracker) updatePlaces(dst []TripEvent, vi int32, ts int64, seg float64) []TripEvent {
	v := &t.vehicles[vi]
	for k := 0; k < len(v.places); {
		ps := &v.places[k]
		pl := &t.places[ps.place]
		d := pl.distTo(v.lat, v.lon)
		dst = t.step(dst, v, ps, pl, d, ts, seg)
		if ps.phase == phaseIdle && d > pl.approach {
			last := len(v.places) - 1
			v.places[k] = v.places[last]
			v.places = v.places[:last]
			continue
		}
		k++
	}
	for _, pi := range t.grid.lookup(v.lat, v.lon) {
		pl := &t.places[pi]
		if math.Abs(v.lat-pl.lat) > pl.reachLat || (math.Abs(v.lon-pl.lon) > pl.reachLon && math.Abs(v.lon-pl.lon) < 360-pl.reachLon) {
			continue // outside the bounding box of the approach circle
		}
		if v.has(pi) {
			continue
		}
		d := pl.distTo(v.lat, v.lon)
		if d > pl.approach {
			continue
		}
		v.places = append(v.places, pstate{place: pi, last: d, minDist: d, closing: t.initialClosing(v, pl)})
		dst = t.step(dst, v, &v.places[len(v.places)-1], pl, d, ts, 0)
	}
	return dst
}

func (v *vstate) has(pi int32) bool {
	for k := range v.places {
		if v.places[k].place == pi {
			return true
		}
	}
	return false
}

// initialClosing estimates, for a place the vehicle just came near, how
// much it heads towards it: the cosine between its reported heading and
// the direction to the place, or 0 without a heading.
func (t *Tracker) initialClosing(v *vstate, pl *place) float64 {
	if !v.hasHeading {
		return 0
	}
	dx := (pl.lon - v.lon) * v.cosLat
	dy := pl.lat - v.lat
	n := math.Hypot(dx, dy)
	if n == 0 {
		return 0
	}
	s, c := math.Sincos(v.heading * deg)
	return (s*dx + c*dy) / n
}

// step is the state machine of one vehicle and one place.
func (t *Tracker) step(dst []TripEvent, v *vstate, ps *pstate, pl *place, d float64, ts int64, seg float64) []TripEvent {
	if seg > 1 {
		r := max(-1, min(1, (ps.last-d)/seg))
		ps.closing += 0.5 * (r - ps.closing)
	}
	ps.last = d
	if ps.phase == phaseArrived {
		if d <= pl.depart {
			ps.outside = 0
			return dst
		}
		if ps.outside == 0 {
			ps.outside = ts
		}
		if ts-ps.outside >= int64(t.cfg.departHold) || d > 2*pl.depart {
			e := t.placeEvent(v, Departed, ps.outside, ps, d)
			e.Dwell = time.Duration(ps.outside - ps.since)
			dst = t.emit(dst, v, e)
			ps.phase, ps.fired, ps.since, ps.outside, ps.etaHigh, ps.minDist = phaseIdle, 0, 0, 0, 0, d
		}
		return dst
	}
	if d <= pl.arrive {
		e := t.placeEvent(v, Arrived, ts, ps, d)
		e.Confidence = arrivalConfidence(d, pl.arrive, v.acc)
		dst = t.emit(dst, v, e)
		ps.phase, ps.since, ps.outside, ps.etaHigh, ps.fired = phaseArrived, ts, 0, 0, 0xff
		if v.moving {
			v.dest = ps.place
		}
		return dst
	}
	if len(pl.rings) == 0 || (ps.phase == phaseIdle && (!v.moving || ps.closing < 0.25)) {
		return dst
	}
	eta := d * t.cfg.roadFactor / max(v.vbar, t.cfg.minSpeed) // seconds
	outer := pl.rings[0].Seconds()
	if ps.phase == phaseIdle {
		if eta > outer {
			return dst
		}
		ps.phase, ps.since, ps.minDist, ps.etaHigh, ps.fired = phaseApproaching, ts, d, 0, 0
	} else {
		ps.minDist = min(ps.minDist, d)
		if d > ps.minDist+max(t.cfg.recede, 0.1*ps.minDist) {
			return t.endApproach(dst, v, ps, ts, d, eta, ReasonReceding)
		}
		if eta > t.cfg.exitFactor*outer {
			if ps.etaHigh == 0 {
				ps.etaHigh = ts
			}
			if ts-ps.etaHigh >= int64(t.cfg.exitHold) {
				return t.endApproach(dst, v, ps, ts, d, eta, ReasonETA)
			}
		} else {
			ps.etaHigh = 0
		}
	}
	inner := -1
	for i, r := range pl.rings {
		if eta <= r.Seconds() {
			inner = i
		}
	}
	if inner < 0 || ps.fired&(1<<inner) != 0 {
		return dst
	}
	ps.fired |= uint8(1<<(inner+1) - 1)
	e := t.placeEvent(v, Approaching, ts, ps, d)
	e.ETA, e.Ring = secs(eta), pl.rings[inner]
	e.Confidence = t.approachConfidence(v, ps)
	return t.emit(dst, v, e)
}

func (t *Tracker) endApproach(dst []TripEvent, v *vstate, ps *pstate, ts int64, d, eta float64, r Reason) []TripEvent {
	e := t.placeEvent(v, ApproachEnded, ts, ps, d)
	e.ETA, e.Reason = secs(eta), r
	resetApproach(ps)
	return t.emit(dst, v, e)
}

func (t *Tracker) placeEvent(v *vstate, k EventKind, at int64, ps *pstate, d float64) TripEvent {
	e := t.event(v, k, at)
	e.PlaceID, e.Distance = t.places[ps.place].id, d
	return e
}

func secs(s float64) time.Duration {
	if s > 1e9 {
		s = 1e9
	}
	return time.Duration(math.Round(s)) * time.Second
}

func accuracyFactor(acc float64) float64 {
	if acc <= 0 {
		return 0.6
	}
	return 1 / (1 + acc/25)
}

func (t *Tracker) approachConfidence(v *vstate, ps *pstate) float64 {
	fresh := 1.0
	if g := float64(v.gap) / 1e9; g > 30 {
		fresh = 30 / g
	}
	c := 0.2 + 0.5*max(0, min(1, ps.closing)) + 0.15*fresh + 0.15*accuracyFactor(v.acc)
	if v.vbar < t.cfg.minSpeed {
		c *= 0.6
	}
	return max(0, min(1, c))
}

func arrivalConfidence(d, radius, acc float64) float64 {
	c := 1 - 0.5*d/radius
	if acc > 0 {
		c -= 0.5 * acc / (acc + radius)
	}
	return max(0, min(1, c))
}
