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

	byName   map[string]int32   // subjects named by the sighting
	byID     map[BeaconID]int32 // subjects that are the transmitter
	subjects []subject
	free     []int32 // evicted subject slots
	maxIdle  int64   // longest exit timeout + skew: links older are stale
	srcIdx   map[sourceKey]int32
	sources  []source

	heap    []timer
	now     int64 // newest time seen (unix ns)
	started bool
	stats   Stats
	seen    []int32 // scratch: zones already considered
}

type sourceKey struct {
	gateway, room string
	id            BeaconID
}

type source struct {
	sourceKey
	zones  []int32
	offset float64
	weight float64
	model  DistanceModel
	pl     PathLoss // for turning gateway distances into levels
	tx     float64  // override, when hasTx
	hasTx  bool
}

type subject struct {
	name      string
	id        BeaconID
	links     []link
	zs        []zstate
	queued    int64
	hasQueued bool
}

type link struct {
	src  int32
	last int64
	tx   float64
	sm   smoothState
}

type zstate struct {
	zone                     int32
	inside                   bool
	since, entered, lastSeen int64
	nextDwell                int64   // 0: none
	level, sigma, tx         float64 // sigma holds the variance (dB²)
	best                     int32   // source of the strongest link at the last in-band sample
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
	if cfg.capacity < 0 || cfg.maxSkew < 0 || cfg.dedup < 0 || cfg.switchMargin < 0 || !validLevel(cfg.defaultTx) || cfg.assign > AssignWeighted {
		return nil, fmt.Errorf("%w: negative capacity, skew, dedup window or margin, bad default power or assignment", ErrConfig)
	}
	t := &Tracker{
		cfg: cfg, kp: cfg.smoother.params(),
		zoneIdx: map[string]int32{}, byGateway: map[string][]int32{}, byRoom: map[string][]int32{},
		byName:   map[string]int32{},
		byID:     make(map[BeaconID]int32, cfg.capacity),
		subjects: make([]subject, 0, cfg.capacity),
		srcIdx:   make(map[sourceKey]int32, cfg.capacity),
		sources:  make([]source, 0, cfg.capacity),
		heap:     make([]timer, 0, cfg.capacity),
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

// Observe applies one sighting and appends the events it causes, in time
// order, to dst. Timers due by the sighting's time (exits, dwells, enters
// whose hold has passed) fire first. A sighting older than the newest time
// seen minus the allowed skew gets ErrLate, one without valid RSSI or
// distance ErrNoSignal; neither is applied, both are counted. Repeats within
// the dedup window are dropped and counted in Stats.Duplicates (nil error).
func (t *Tracker) Observe(dst []ZoneEvent, s Sighting) ([]ZoneEvent, error) {
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
	li := t.linkFor(sub, &s, ts)
	l := &sub.links[li]
	src := &t.sources[l.src]
	if l.sm.n > 0 && t.cfg.dedup > 0 && absDiff(ts, l.last) < t.cfg.dedup {
		t.stats.Duplicates++
		return dst, nil
	}
	t.stats.Sightings++
	tx := t.cfg.defaultTx
	switch {
	case src.hasTx:
		tx = src.tx
	case s.HasTxPower && validLevel(float64(s.TxPower1m)):
		tx = float64(s.TxPower1m)
	}
	var z float64
	if s.RSSI.Valid() {
		z = float64(s.RSSI) + src.offset
	} else {
		z = src.pl.Level(s.Distance, tx)
	}
	if !l.sm.update(&t.kp, ts, z) {
		t.stats.Outliers++
	}
	l.last, l.tx = max(l.last, ts), tx
	// Events whose time the sample proves has passed come first.
	dst, _ = t.fire(dst, si, ts, 0)
	dst = t.apply(dst, si, l.src, ts)
	var next int64
	dst, next = t.fire(dst, si, t.now, t.cfg.maxSkew)
	t.schedule(si, next)
	return dst, nil
}

// Advance moves the Tracker's time to now (if later than the newest time
// seen) and appends the events due by then: exits of subjects no longer
// heard, dwells, enters whose hold has passed. Call it periodically (say
// every second) from the input's time source; a replay calls it with the
// recorded times.
func (t *Tracker) Advance(dst []ZoneEvent, now time.Time) []ZoneEvent {
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
	if s.Subject != "" {
		if i, ok := t.byName[s.Subject]; ok {
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
	sub.name, sub.id = s.Subject, BeaconID{}
	if s.Subject != "" {
		t.byName[s.Subject] = i
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
	if sub.name != "" {
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
		src := &t.sources[sub.links[i].src]
		if src.id == s.Beacon && src.gateway == s.Gateway && src.room == s.Room {
			return i
		}
		if ts-sub.links[i].last > t.maxIdle {
			stale = i
		}
	}
	l := link{src: t.sourceFor(sourceKey{gateway: s.Gateway, room: s.Room, id: s.Beacon})}
	if stale >= 0 { // reuse the slot of a link not heard for longer than any timeout
		sub.links[stale] = l
		return stale
	}
	sub.links = append(sub.links, l)
	return len(sub.links) - 1
}

func (t *Tracker) sourceFor(k sourceKey) int32 {
	if i, ok := t.srcIdx[k]; ok {
		return i
	}
	src := source{sourceKey: k, weight: 1, model: t.cfg.model}
	if w, ok := t.cfg.weights[k.gateway]; ok && w > 0 {
		src.weight = w
	}
	pl := PathLoss{Exponent: 2}
	if p, ok := t.cfg.model.(PathLoss); ok {
		pl = p
	}
	if c, ok := t.cfg.calib[k.gateway]; ok {
		src.offset = c.Offset
		if c.Exponent > 0 {
			pl.Exponent = c.Exponent
			if _, ok := t.cfg.model.(PathLoss); ok {
				src.model = pl
			}
		}
	}
	src.pl = pl
	for _, o := range t.cfg.txOverrides {
		if o.p.Matches(k.id) {
			src.tx, src.hasTx = o.tx, true
		}
	}
	src.zones = append(src.zones, t.byGateway[k.gateway]...)
	if k.room != "" {
		src.zones = appendUnique(src.zones, t.byRoom[k.room]...)
	}
	for zi := range t.zones {
		for _, p := range t.zones[zi].patterns {
			if p.Matches(k.id) {
				src.zones = appendUnique(src.zones, int32(zi))
				break
			}
		}
	}
	i := int32(len(t.sources))
	t.srcIdx[k] = i
	t.sources = append(t.sources, src)
	return i
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
