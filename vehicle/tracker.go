package vehicle

import (
	"fmt"
	"math"
	"time"
)

// Tracker runs the trip state machine of every vehicle against every
// place: Trip Started, Vehicle Approaching (once per ring per approach),
// Vehicle Arrived, Vehicle Departed, Vehicle Approach Ended, Trip Ended.
//
// It is a synchronous state machine: time comes only from the positions
// and from Advance, never from a clock, so a recorded stream replays to
// the same events. Places are found through a uniform grid over
// latitude/longitude whose cells are at least as large as the largest
// approach radius, so the cost of a position does not grow with the
// number of places. Observe and Advance append to the caller's slice; in
// steady state (known vehicles) Observe allocates nothing.
//
// ETA: straight-line distance × road factor (WithRoadFactor, default 1.3)
// / max(recent speed, minimum speed). Recent speed is a time-weighted
// average of the reported speed (or, for sources without speed, of the
// distance between fixes over their time), with WithSpeedWindow as time
// constant.
//
// Hysteresis: a vehicle starts approaching a place when it is on a trip,
// closing in (the distance fell over the recent fixes) and its ETA is
// within the outermost ring; each ring fires once per approach. The
// approach ends only when the vehicle recedes (farther than its closest
// point by the recede margin: a U-turn), when its ETA stays above the exit
// factor × the outermost ring for the exit hold (not a jam's few
// minutes), or when its trip ends. Arrival is at the arrival radius;
// departure needs the vehicle beyond ArrivalRadius + DepartMargin for the
// depart hold, so GPS jitter at the boundary does not flap.
//
// Confidence: for Approaching, 0.2 + 0.5 × closing ratio (how much of the
// recent movement went towards the place, 0..1) + 0.15 × freshness (1
// for fixes 30 s apart or closer, falling with longer gaps) + 0.15 ×
// accuracy (1/(1 + accuracy/25 m), 0.6 when unknown), times 0.6 while the
// ETA rests on the minimum speed. For Arrived, 1 - 0.5 × distance/radius
// - 0.5 × accuracy/(accuracy + radius). Other events have confidence 1.
//
// A Tracker is not safe for concurrent use.
type Tracker struct {
	cfg       config
	places    []place
	placeIdx  map[string]int32
	grid      grid
	vehicles  []vstate
	byVehicle map[string]int32
	free      []int32
	stats     Stats
	now       int64
	started   bool
}

const (
	phaseIdle uint8 = iota
	phaseApproaching
	phaseArrived
)

type vstate struct {
	id                  string
	lastT               int64
	lat, lon, acc       float64
	heading             float64
	hasHeading          bool
	cosLat, cosLatAt    float64
	vbar                float64
	gap                 int64 // time between the last two fixes
	floor               int64 // time of the latest event emitted
	moving              bool
	tripStart           int64
	tripDist            float64
	origin, dest        int32
	stillSince          int64
	stillLat, stillLon  float64
	stillSure           bool
	anchorLat, anchorLo float64
	streak              int64
	rejects             uint8
	rejT                int64
	rejLat, rejLon      float64
	places              []pstate
}

type pstate struct {
	place         int32
	phase         uint8
	fired         uint8 // bit i: ring i fired in this approach
	since         int64 // approach start or arrival
	minDist, last float64
	etaHigh       int64
	outside       int64
	closing       float64
}

// NewTracker returns a Tracker for places. Invalid places get a
// *PlaceError (matching ErrConfig) naming the place and the field;
// invalid options an error matching ErrConfig. The places slice is not
// retained.
func NewTracker(places []Place, opts ...TrackerOption) (*Tracker, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		o.apply(&cfg)
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	t := &Tracker{cfg: cfg, placeIdx: make(map[string]int32, len(places)),
		byVehicle: make(map[string]int32, cfg.capacity), vehicles: make([]vstate, 0, cfg.capacity)}
	for i := range places {
		p, err := compilePlace(i, &places[i], &cfg)
		if err != nil {
			return nil, err
		}
		if _, dup := t.placeIdx[p.id]; dup {
			return nil, &PlaceError{Index: i, ID: p.id, Field: "ID", Reason: "repeated"}
		}
		t.placeIdx[p.id] = int32(len(t.places))
		t.places = append(t.places, p)
	}
	t.grid = newGrid(t.places)
	return t, nil
}

// Stats returns the counters.
func (t *Tracker) Stats() Stats {
	s := t.stats
	s.Vehicles = len(t.vehicles) - len(t.free)
	return s
}

// Now returns the newest time the Tracker has seen (zero before the first
// position or Advance).
func (t *Tracker) Now() time.Time {
	if !t.started {
		return time.Time{}
	}
	return time.Unix(0, t.now).UTC()
}

// Observe applies one position and appends the events it causes to dst.
// The vehicle's timers due by the position's time (a stop, silence) fire
// first. A position is refused, counted and not applied when: its time is
// zero or outside MinTime..MaxTime (ErrInvalidTime), it is not Valid
// (ErrInvalidPosition), it is older than the vehicle's newest (ErrLate) or
// at the same time (ErrDuplicate), or it implies a speed above
// WithMaxSpeed from the last fix (ErrImplausible). The returned slice
// holds dst's events and the new ones even when err is not nil (a timer
// may have fired).
func (t *Tracker) Observe(dst []TripEvent, p Position) ([]TripEvent, error) {
	if !validTime(p.Time) {
		t.stats.BadTimes++
		return dst, fmt.Errorf("%w: %v", ErrInvalidTime, p.Time)
	}
	if !p.Valid() {
		t.stats.Invalid++
		return dst, ErrInvalidPosition
	}
	ts := p.Time.UnixNano()
	if !t.started || ts > t.now {
		t.now, t.started = ts, true
	}
	vi, ok := t.byVehicle[p.VehicleID]
	if !ok {
		vi = t.newVehicle(&p, ts)
		t.stats.Positions++
		return t.updatePlaces(dst, vi, ts, 0), nil
	}
	v := &t.vehicles[vi]
	switch {
	case ts < v.lastT:
		t.stats.Late++
		return dst, ErrLate
	case ts == v.lastT:
		t.stats.Duplicates++
		return dst, ErrDuplicate
	}
	dst = t.timers(dst, vi, ts)
	v = &t.vehicles[vi]
	t.refreshCos(v, p.Lat)
	seg := segment(v.lat, v.lon, p.Lat, p.Lon, v.cosLat)
	dt := float64(ts-v.lastT) / 1e9
	if seg > t.cfg.maxSpeed*dt+100 {
		return t.implausible(dst, vi, &p, ts)
	}
	v.rejects = 0
	t.stats.Positions++
	sample := seg / dt
	if p.HasSpeed {
		sample = p.Speed
	}
	tau := t.cfg.speedWindow.Seconds()
	v.vbar += dt / (tau + dt) * (sample - v.vbar)
	if v.moving {
		v.tripDist += seg
	}
	t.motion(v, &p, ts)
	if !v.moving {
		dst = t.maybeStart(dst, vi, &p, ts)
		v = &t.vehicles[vi]
	}
	v.gap, v.lastT, v.lat, v.lon, v.acc = ts-v.lastT, ts, p.Lat, p.Lon, p.Accuracy
	v.heading, v.hasHeading = p.Heading, p.HasHeading
	return t.updatePlaces(dst, vi, ts, seg), nil
}

// Advance moves the Tracker's time to now (if later than the newest time
// seen) and appends the events due by then: trips of vehicles that
// stopped or went silent end, with their approaches. Vehicles silent for
// longer than WithForgetAfter are forgotten. Call it periodically (say
// every 10 seconds) from the input's time source; a replay calls it with
// the recorded times. It visits every vehicle. A zero now, or one outside
// MinTime..MaxTime, is not applied and is counted in Stats.BadTimes.
func (t *Tracker) Advance(dst []TripEvent, now time.Time) []TripEvent {
	if !validTime(now) {
		t.stats.BadTimes++
		return dst
	}
	ns := now.UnixNano()
	if !t.started || ns > t.now {
		t.now, t.started = ns, true
	}
	forget := int64(t.cfg.forget)
	for vi := range t.vehicles {
		v := &t.vehicles[vi]
		if v.id == "" {
			continue
		}
		dst = t.timers(dst, int32(vi), t.now)
		if t.now-t.vehicles[vi].lastT >= forget {
			t.evict(int32(vi))
		}
	}
	return dst
}

func (t *Tracker) newVehicle(p *Position, ts int64) int32 {
	var vi int32
	if n := len(t.free); n > 0 {
		vi = t.free[n-1]
		t.free = t.free[:n-1]
	} else {
		vi = int32(len(t.vehicles))
		t.vehicles = append(t.vehicles, vstate{places: make([]pstate, 0, 2)})
	}
	v := &t.vehicles[vi]
	*v = vstate{id: p.VehicleID, places: v.places[:0], origin: -1, dest: -1, lastT: ts,
		lat: p.Lat, lon: p.Lon, acc: p.Accuracy, heading: p.Heading, hasHeading: p.HasHeading,
		stillSince: ts, stillLat: p.Lat, stillLon: p.Lon, anchorLat: p.Lat, anchorLo: p.Lon}
	if p.HasSpeed {
		v.vbar = p.Speed
		v.stillSure = p.Speed < t.cfg.stopSpeed
		if p.Speed >= t.cfg.startSpeed {
			v.streak, v.stillSince = ts, 0
		}
	}
	t.refreshCos(v, p.Lat)
	t.byVehicle[p.VehicleID] = vi
	return vi
}

func (t *Tracker) evict(vi int32) {
	v := &t.vehicles[vi]
	delete(t.byVehicle, v.id)
	*v = vstate{places: v.places[:0]}
	t.free = append(t.free, vi)
	t.stats.Forgotten++
}

// refreshCos keeps the cosine of the vehicle's latitude, quantised to
// 0.05 degrees (a function of the latitude alone, so a restored Tracker
// computes the same distances as the original).
func (t *Tracker) refreshCos(v *vstate, lat float64) {
	if q := math.Round(lat*20) / 20; q != v.cosLatAt || v.cosLat == 0 {
		v.cosLat, v.cosLatAt = math.Cos(q*deg), q
	}
}

// implausible refuses a jump; three consecutive refused fixes that agree
// with each other re-anchor the vehicle there.
func (t *Tracker) implausible(dst []TripEvent, vi int32, p *Position, ts int64) ([]TripEvent, error) {
	v := &t.vehicles[vi]
	t.stats.Implausible++
	if v.rejects > 0 && segment(v.rejLat, v.rejLon, p.Lat, p.Lon, v.cosLat) <= t.cfg.maxSpeed*float64(ts-v.rejT)/1e9+100 {
		v.rejects++
	} else {
		v.rejects = 1
	}
	v.rejT, v.rejLat, v.rejLon = ts, p.Lat, p.Lon
	if v.rejects < 3 {
		return dst, ErrImplausible
	}
	t.stats.Jumps++
	t.stats.Implausible--
	t.stats.Positions++
	v.rejects = 0
	v.gap, v.lastT, v.lat, v.lon, v.acc = ts-v.lastT, ts, p.Lat, p.Lon, p.Accuracy
	v.stillSince, v.stillLat, v.stillLon, v.stillSure = ts, p.Lat, p.Lon, false
	v.anchorLat, v.anchorLo, v.streak = p.Lat, p.Lon, 0
	t.refreshCos(v, p.Lat)
	for k := range v.places { // distances restart from the new position
		v.places[k].last = t.places[v.places[k].place].distTo(p.Lat, p.Lon)
	}
	return t.updatePlaces(dst, vi, ts, 0), nil
}

// motion tracks where and since when the vehicle has been still.
func (t *Tracker) motion(v *vstate, p *Position, ts int64) {
	if p.HasSpeed && p.Speed >= t.cfg.stopSpeed {
		v.stillSince, v.stillSure = 0, false
		return
	}
	// A reported speed (Doppler) is robust to position jitter, positions
	// are not: with a low reported speed the vehicle stays still until it
	// is farther than the trip-start distance from the spot; without
	// speed, beyond the stop radius.
	radius := t.cfg.stopRadius
	if p.HasSpeed {
		radius = t.cfg.startDistance
	}
	if v.stillSince == 0 || segment(v.stillLat, v.stillLon, p.Lat, p.Lon, v.cosLat) > radius {
		v.stillSince, v.stillLat, v.stillLon = ts, p.Lat, p.Lon
		v.stillSure = p.HasSpeed // a source without speed needs a second fix on the spot
		return
	}
	v.stillSure = true
}

// maybeStart starts a trip for a parked vehicle that moves.
func (t *Tracker) maybeStart(dst []TripEvent, vi int32, p *Position, ts int64) []TripEvent {
	v := &t.vehicles[vi]
	at := int64(0)
	if p.HasSpeed && p.Speed >= t.cfg.startSpeed {
		if v.streak == 0 {
			v.streak = ts
		}
		if ts-v.streak >= int64(t.cfg.startHold) {
			at = v.streak
		}
	} else {
		v.streak = 0
	}
	if at == 0 && segment(v.anchorLat, v.anchorLo, p.Lat, p.Lon, v.cosLat) > t.cfg.startDistance {
		at = ts
		if v.streak != 0 {
			at = v.streak
		}
	}
	if at == 0 {
		return dst
	}
	v.moving, v.tripStart, v.tripDist, v.streak, v.dest, v.origin = true, at, 0, 0, -1, -1
	for k := range v.places {
		if v.places[k].phase == phaseArrived {
			v.origin = v.places[k].place
		}
	}
	e := t.event(v, TripStarted, at)
	if v.origin >= 0 {
		e.PlaceID = t.places[v.origin].id
	}
	return t.emit(dst, v, e)
}

// timers fires a vehicle's stop and silence decisions due by now.
func (t *Tracker) timers(dst []TripEvent, vi int32, now int64) []TripEvent {
	v := &t.vehicles[vi]
	if !v.moving {
		return dst
	}
	switch {
	case v.stillSure && v.stillSince != 0 && now-v.stillSince >= int64(t.cfg.stopTime):
		return t.endTrip(dst, vi, v.stillSince, ReasonStopped)
	case now-v.lastT >= int64(t.cfg.silence):
		return t.endTrip(dst, vi, v.lastT, ReasonSilence)
	}
	return dst
}

func (t *Tracker) endTrip(dst []TripEvent, vi int32, at int64, r Reason) []TripEvent {
	v := &t.vehicles[vi]
	for k := range v.places {
		ps := &v.places[k]
		if ps.phase == phaseApproaching {
			e := t.placeEvent(v, ApproachEnded, at, ps, ps.last)
			e.Reason = r
			dst = t.emit(dst, v, e)
			resetApproach(ps)
		}
	}
	e := t.event(v, TripEnded, at)
	e.Reason, e.TripDistance = r, v.tripDist
	if v.dest >= 0 {
		e.PlaceID = t.places[v.dest].id
	}
	dst = t.emit(dst, v, e)
	v.moving, v.streak, v.tripStart, v.tripDist, v.origin, v.dest = false, 0, 0, 0, -1, -1
	if r == ReasonStopped {
		v.anchorLat, v.anchorLo = v.stillLat, v.stillLon
	} else {
		v.anchorLat, v.anchorLo = v.lat, v.lon
	}
	return dst
}

func resetApproach(ps *pstate) {
	ps.phase, ps.fired, ps.since, ps.etaHigh, ps.minDist = phaseIdle, 0, 0, 0, ps.last
}

func (t *Tracker) event(v *vstate, k EventKind, at int64) TripEvent {
	e := TripEvent{Kind: k, Time: time.Unix(0, at).UTC(), VehicleID: v.id, Speed: v.vbar, Confidence: 1,
		Lat: v.lat, Lon: v.lon, Accuracy: v.acc}
	if v.tripStart != 0 {
		e.TripStart = time.Unix(0, v.tripStart).UTC()
	}
	return e
}

// emit appends e, never earlier than the vehicle's previous event.
func (t *Tracker) emit(dst []TripEvent, v *vstate, e TripEvent) []TripEvent {
	if ns := e.Time.UnixNano(); ns < v.floor {
		e.Time = time.Unix(0, v.floor).UTC()
	} else {
		v.floor = ns
	}
	t.stats.Events++
	return append(dst, e)
}
