package beacon

import (
	"fmt"
	"math"
	"time"
)

// Tracker turns Sightings into zone enter / dwell / exit events. It is a
// synchronous state machine: time comes only from the sightings and from
// Advance, never from a clock, and nothing runs in the background, so a
// recorded stream always replays to the same events. Observe and Advance
// append events to the caller's slice; in steady state (known subjects and
// links) they allocate nothing.
//
// A Tracker is not safe for concurrent use.
type Tracker struct {
	cfg   trackerConfig
	kp    kalmanParams
	zones []zoneDef
	// zone lookup by name, gateway and room
	zoneIdx   map[string]int32
	byGateway map[string][]int32
	byRoom    map[string][]int32
	// calibModels holds per-gateway PathLoss models as interface values,
	// built once so that new links do not allocate.
	calibModels map[string]DistanceModel

	byName   map[string]int32   // subjects named by the sighting
	byDevice map[string]int32   // devices named by the sighting (SubjectIsDevice)
	byID     map[BeaconID]int32 // subjects that are the transmitter
	subjects []subject
	free     []int32 // evicted subject slots
	maxIdle  int64   // longest exit timeout + skew: links older are stale

	heap    []timer
	now     int64 // newest time seen (unix ns)
	started bool
	stats   Stats
	seen    []int32 // scratch: zones already considered
}

type subject struct {
	name      string
	device    bool // name is a device identifier
	id        BeaconID
	links     []link
	zs        []zstate
	queued    int64
	hasQueued bool
	floor     int64 // time of the latest event emitted: later events never precede it
}

// link is one (observer, transmitter) pair of a subject: a gateway hearing
// a device, or a phone hearing a store beacon. It carries everything the
// hot path needs, so the Tracker keeps no global per-transmitter table that
// rotating addresses could grow without bound.
type link struct {
	gateway, room string
	id            BeaconID
	zones         []int32 // zones this link counts for (capacity reused with the slot)
	last          int64
	tx            float64 // 1 m power in use
	txOverride    float64
	hasTxOverride bool
	offset        float64 // gateway calibration
	weight        float64
	model         DistanceModel
	pl            PathLoss
	sm            smoothState
}

type zstate struct {
	zone                     int32
	inside                   bool
	since, entered, lastSeen int64
	nextDwell                int64   // 0: none
	level, sigma, tx         float64 // sigma holds the variance (dB²)
	// the strongest link at the last in-band sample
	bestGateway string
	bestID      BeaconID
	model       DistanceModel
	prox        Proximity // class reported with the last event
}

// NewTracker returns a Tracker for zones. Zone names must be unique and
// non-empty and each zone needs at least one of Beacons, Gateways, Rooms;
// invalid zones or options get an error matching ErrConfig.
func NewTracker(zones []Zone, opts ...TrackerOption) (*Tracker, error) {
	cfg := trackerConfig{switchMargin: 3, dedup: int64(50 * time.Millisecond), defaultTx: -59, capacity: 1024}
	for _, o := range opts {
		o.apply(&cfg)
	}
	if cfg.model == nil {
		cfg.model = PathLoss{Exponent: 2}
	}
	if cfg.capacity < 0 || cfg.maxSkew < 0 || cfg.dedup < 0 || cfg.maxSkew > int64(MaxDuration) || cfg.dedup > int64(MaxDuration) || cfg.switchMargin < 0 || !validLevel(cfg.defaultTx) || cfg.assign > AssignWeighted {
		return nil, fmt.Errorf("%w: negative capacity, skew, dedup window or margin, skew or dedup window over MaxDuration, bad default power or assignment", ErrConfig)
	}
	t := &Tracker{
		cfg: cfg, kp: cfg.smoother.params(),
		zoneIdx: map[string]int32{}, byGateway: map[string][]int32{}, byRoom: map[string][]int32{},
		byName:   map[string]int32{},
		byDevice: map[string]int32{},
		byID:     make(map[BeaconID]int32, cfg.capacity),
		subjects: make([]subject, 0, cfg.capacity),
		heap:     make([]timer, 0, cfg.capacity),
	}
	t.calibModels = map[string]DistanceModel{}
	if p, ok := cfg.model.(PathLoss); ok {
		for g, c := range cfg.calib {
			if c.Exponent > 0 {
				p.Exponent = c.Exponent
				t.calibModels[g] = p
			}
		}
	}
	for i := range zones {
		z := &zones[i]
		zc := z.Config.merge(cfg.defaults).withDefaults()
		if msg := zc.validate(); msg != "" {
			return nil, fmt.Errorf("%w: zone %q: %s", ErrConfig, z.Name, msg)
		}
		if _, dup := t.zoneIdx[z.Name]; dup || z.Name == "" {
			return nil, fmt.Errorf("%w: zone name %q empty or repeated", ErrConfig, z.Name)
		}
		if len(z.Beacons)+len(z.Gateways)+len(z.Rooms) == 0 {
			return nil, fmt.Errorf("%w: zone %q has no beacons, gateways or rooms", ErrConfig, z.Name)
		}
		idx := int32(len(t.zones))
		t.zoneIdx[z.Name] = idx
		t.zones = append(t.zones, compileZone(z, zc))
		t.maxIdle = max(t.maxIdle, int64(zc.ExitTimeout)+cfg.maxSkew)
		for _, g := range z.Gateways {
			t.byGateway[g] = append(t.byGateway[g], idx)
		}
		for _, r := range z.Rooms {
			t.byRoom[r] = append(t.byRoom[r], idx)
		}
	}
	return t, nil
}

// Stats returns the counters.
func (t *Tracker) Stats() Stats {
	s := t.stats
	s.Subjects = len(t.subjects) - len(t.free)
	return s
}

// Now returns the newest time the Tracker has seen (zero before the first
// sighting or Advance).
func (t *Tracker) Now() time.Time {
	if !t.started {
		return time.Time{}
	}
	return time.Unix(0, t.now).UTC()
}

// Observe applies one sighting and appends the events it causes to dst.
// Timers due by the newest time seen (exits, dwells, enters whose hold has
// passed) fire first; a subject's events never go back in time. A sighting older than the newest time
// seen minus the allowed skew gets ErrLate, one without valid RSSI or
// distance ErrNoSignal, one whose Time is zero or outside MinTime..MaxTime a
// *TimeError (ErrInvalidTime); none is applied, each is counted (Late,
// Unusable, BadTimes). Repeats within the dedup window are dropped and
// counted in Stats.Duplicates (nil error).
func (t *Tracker) Observe(dst []ZoneEvent, s Sighting) ([]ZoneEvent, error) {
	if err := checkTime("Observe", s.Time); err != nil {
		t.stats.BadTimes++
		return dst, err
	}
	ts := s.Time.UnixNano()
	if t.started && ts < t.now-t.cfg.maxSkew {
		t.stats.Late++
		return dst, ErrLate
	}
	if !s.RSSI.Valid() && !(s.Distance > 0 && !math.IsInf(s.Distance, 0)) {
		t.stats.Unusable++
		return dst, ErrNoSignal
	}
	if !t.started || ts > t.now {
		t.now, t.started = ts, true
	}
	dst = t.advance(dst, t.now)
	if s.Beacon.Kind == FormatEddystoneEID && t.cfg.resolveEID != nil {
		if id, ok := t.cfg.resolveEID([8]byte(s.Beacon.b[:8]), s.Time); ok {
			s.Beacon = id
		}
	}
	si := t.subjectFor(&s)
	sub := &t.subjects[si]
	l := &sub.links[t.linkFor(sub, &s, ts)]
	if l.sm.n > 0 && t.cfg.dedup > 0 && absDiff(ts, l.last) < t.cfg.dedup {
		t.stats.Duplicates++
		return dst, nil
	}
	t.stats.Sightings++
	tx := t.cfg.defaultTx
	switch {
	case l.hasTxOverride:
		tx = l.txOverride
	case s.HasTxPower && validLevel(float64(s.TxPower1m)):
		tx = float64(s.TxPower1m)
	}
	var z float64
	if s.RSSI.Valid() {
		z = float64(s.RSSI) + l.offset
	} else {
		z = l.pl.Level(s.Distance, tx)
	}
	if !l.sm.update(&t.kp, ts, z) {
		t.stats.Outliers++
	}
	l.last, l.tx = max(l.last, ts), tx
	dst = t.apply(dst, si, l.zones, ts)
	var next int64
	dst, next = t.fire(dst, si, t.now, t.cfg.maxSkew)
	t.schedule(si, next)
	return dst, nil
}

// Advance moves the Tracker's time to now (if later than the newest time
// seen) and appends the events due by then: exits of subjects no longer
// heard, dwells, enters whose hold has passed. Call it periodically (say
// every second) from the input's time source; a replay calls it with the
// recorded times. A zero now, or one outside MinTime..MaxTime, is not
// applied and is counted in Stats.BadTimes (use CheckTime to get the
// error).
func (t *Tracker) Advance(dst []ZoneEvent, now time.Time) []ZoneEvent {
	if CheckTime(now) != nil {
		t.stats.BadTimes++
		return dst
	}
	ns := now.UnixNano()
	if !t.started || ns > t.now {
		t.now, t.started = ns, true
	}
	return t.advance(dst, t.now)
}

func absDiff(a, b int64) int64 {
	if a > b {
		return a - b
	}
	return b - a
}

func (t *Tracker) subjectFor(s *Sighting) int32 {
	names := t.byName
	if s.SubjectIsDevice {
		names = t.byDevice
	}
	if s.Subject != "" {
		if i, ok := names[s.Subject]; ok {
			return i
		}
	} else if i, ok := t.byID[s.Beacon]; ok {
		return i
	}
	var i int32
	if n := len(t.free); n > 0 {
		i = t.free[n-1]
		t.free = t.free[:n-1]
	} else {
		i = int32(len(t.subjects))
		t.subjects = append(t.subjects, subject{links: make([]link, 0, 4), zs: make([]zstate, 0, 2)})
	}
	sub := &t.subjects[i]
	sub.name, sub.id, sub.device = s.Subject, BeaconID{}, s.SubjectIsDevice && s.Subject != ""
	if s.Subject != "" {
		names[s.Subject] = i
	} else {
		sub.id = s.Beacon
		t.byID[s.Beacon] = i
	}
	return i
}

// evict forgets a subject that is in no zone and has not been heard for
// longer than any exit timeout, so that rotating addresses do not grow the
// Tracker without bound. Its slot (and slices) are reused.
func (t *Tracker) evict(si int32) {
	sub := &t.subjects[si]
	if sub.device {
		delete(t.byDevice, sub.name)
	} else if sub.name != "" {
		delete(t.byName, sub.name)
	} else {
		delete(t.byID, sub.id)
	}
	*sub = subject{links: sub.links[:0], zs: sub.zs[:0]}
	t.free = append(t.free, si)
}

func (t *Tracker) linkFor(sub *subject, s *Sighting, ts int64) int {
	stale := -1
	for i := range sub.links {
		l := &sub.links[i]
		if l.id == s.Beacon && l.gateway == s.Gateway && l.room == s.Room {
			return i
		}
		if ts-l.last > t.maxIdle {
			stale = i
		}
	}
	if stale < 0 {
		if n := len(sub.links); n < cap(sub.links) {
			sub.links = sub.links[:n+1] // keep the old element's zones capacity
		} else {
			sub.links = append(sub.links, link{})
		}
		stale = len(sub.links) - 1
	}
	// A new link, or the slot of one not heard for longer than any timeout.
	l := &sub.links[stale]
	t.initLink(l, s)
	return stale
}

// initLink resolves a link's zones, calibration and power override. It
// runs once per new link, not per sighting.
func (t *Tracker) initLink(l *link, s *Sighting) {
	zones := append(l.zones[:0], t.byGateway[s.Gateway]...)
	*l = link{gateway: s.Gateway, room: s.Room, id: s.Beacon, weight: 1, model: t.cfg.model}
	if s.Room != "" {
		zones = appendUnique(zones, t.byRoom[s.Room]...)
	}
	for zi := range t.zones {
		for _, p := range t.zones[zi].patterns {
			if p.Matches(s.Beacon) {
				zones = appendUnique(zones, int32(zi))
				break
			}
		}
	}
	l.zones = zones
	if w, ok := t.cfg.weights[s.Gateway]; ok && w > 0 {
		l.weight = w
	}
	pl := PathLoss{Exponent: 2}
	if p, ok := t.cfg.model.(PathLoss); ok {
		pl = p
	}
	if c, ok := t.cfg.calib[s.Gateway]; ok {
		l.offset = c.Offset
		if c.Exponent > 0 {
			pl.Exponent = c.Exponent
			if _, ok := t.cfg.model.(PathLoss); ok {
				l.model = t.calibModels[s.Gateway]
			}
		}
	}
	l.pl = pl
	for _, o := range t.cfg.txOverrides {
		if o.p.Matches(s.Beacon) {
			l.txOverride, l.hasTxOverride = o.tx, true
		}
	}
}

func appendUnique(s []int32, v ...int32) []int32 {
outer:
	for _, x := range v {
		for _, y := range s {
			if x == y {
				continue outer
			}
		}
		s = append(s, x)
	}
	return s
}

func contains(s []int32, v int32) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
