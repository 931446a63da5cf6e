package vehicle_test

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/touchpoint-sdk/touchpoint/vehicle"
)

// Test scenes are built from a small simulator: a car drives legs at a
// given speed and bearing, reporting a fix every few seconds.

var (
	t0    = time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	store = vehicle.Place{ID: "berlin-mitte", Lat: 52.5200, Lon: 13.4050, ArrivalRadius: 100,
		Rings: []time.Duration{20 * time.Minute, 5 * time.Minute}}
)

const mPerDeg = 6_371_008.8 * math.Pi / 180

// offset moves (lat, lon) by east and north metres.
func offset(lat, lon, east, north float64) (float64, float64) {
	return lat + north/mPerDeg, lon + east/(mPerDeg*math.Cos(lat*math.Pi/180))
}

type sim struct {
	id       string
	now      time.Time
	lat, lon float64
	every    time.Duration
	out      []vehicle.Position
	jitter   float64 // metres of uniform noise per axis
	rng      *rand.Rand
	noSpeed  bool
}

func newSim(id string, east, north float64) *sim {
	lat, lon := offset(store.Lat, store.Lon, east, north)
	return &sim{id: id, now: t0, lat: lat, lon: lon, every: 2 * time.Second, rng: rand.New(rand.NewPCG(1, 2))}
}

func (s *sim) fix(speed, bearing float64) {
	lat, lon := s.lat, s.lon
	if s.jitter > 0 {
		lat, lon = offset(lat, lon, (s.rng.Float64()*2-1)*s.jitter, (s.rng.Float64()*2-1)*s.jitter)
	}
	p := vehicle.Position{VehicleID: s.id, Time: s.now, Lat: lat, Lon: lon,
		Speed: speed, HasSpeed: !s.noSpeed, Heading: math.Mod(bearing+360, 360), HasHeading: !s.noSpeed, Accuracy: 8}
	s.out = append(s.out, p)
}

// drive moves for d at speed (m/s) towards bearing (degrees), reporting
// a fix every s.every (and one at the start).
func (s *sim) drive(d time.Duration, speed, bearing float64) *sim {
	steps := int(d / s.every)
	for i := 0; i < steps; i++ {
		s.fix(speed, bearing)
		dist := speed * s.every.Seconds()
		b := bearing * math.Pi / 180
		s.lat, s.lon = offset(s.lat, s.lon, dist*math.Sin(b), dist*math.Cos(b))
		s.now = s.now.Add(s.every)
	}
	return s
}

// toward drives towards the store until within stop metres of it.
func (s *sim) toward(speed, stop float64) *sim {
	for {
		east := (s.lon - store.Lon) * mPerDeg * math.Cos(store.Lat*math.Pi/180)
		north := (s.lat - store.Lat) * mPerDeg
		d := math.Hypot(east, north)
		if d <= stop {
			return s
		}
		b := math.Atan2(-east, -north) * 180 / math.Pi
		step := min(speed*s.every.Seconds(), d-stop+1)
		s.fix(speed, b)
		br := b * math.Pi / 180
		s.lat, s.lon = offset(s.lat, s.lon, step*math.Sin(br), step*math.Cos(br))
		s.now = s.now.Add(s.every)
	}
}

// silent advances the clock without fixes (a missing stretch); the car
// keeps moving at speed towards bearing.
func (s *sim) silent(d time.Duration, speed, bearing float64) *sim {
	b := bearing * math.Pi / 180
	dist := speed * d.Seconds()
	s.lat, s.lon = offset(s.lat, s.lon, dist*math.Sin(b), dist*math.Cos(b))
	s.now = s.now.Add(d)
	return s
}

// park reports fixes at speed ~0 for d.
func (s *sim) park(d time.Duration) *sim {
	steps := int(d / s.every)
	for i := 0; i < steps; i++ {
		s.fix(0.2*s.rng.Float64(), 0)
		s.now = s.now.Add(s.every)
	}
	return s
}

// run feeds positions to a new tracker, advancing every 10 s of input
// time, and returns the events.
func run(tb interface {
	Fatalf(string, ...any)
	Helper()
}, tr *vehicle.Tracker, ps []vehicle.Position, until time.Time) []vehicle.TripEvent {
	tb.Helper()
	var evs []vehicle.TripEvent
	var err error
	next := ps[0].Time
	for _, p := range ps {
		for !next.After(p.Time) {
			evs = tr.Advance(evs, next)
			next = next.Add(10 * time.Second)
		}
		if evs, err = tr.Observe(evs, p); err != nil {
			tb.Fatalf("Observe(%v): %v", p, err)
		}
	}
	for !next.After(until) {
		evs = tr.Advance(evs, next)
		next = next.Add(10 * time.Second)
	}
	return evs
}

func newTracker(tb interface{ Fatalf(string, ...any) }, opts ...vehicle.TrackerOption) *vehicle.Tracker {
	tr, err := vehicle.NewTracker([]vehicle.Place{store}, opts...)
	if err != nil {
		tb.Fatalf("NewTracker: %v", err)
	}
	return tr
}

func haversine(lat1, lon1, lat2, lon2 float64) float64 {
	p1, p2 := lat1*math.Pi/180, lat2*math.Pi/180
	dp, dl := p2-p1, (lon2-lon1)*math.Pi/180
	a := math.Sin(dp/2)*math.Sin(dp/2) + math.Cos(p1)*math.Cos(p2)*math.Sin(dl/2)*math.Sin(dl/2)
	return 2 * 6_371_008.8 * math.Asin(math.Sqrt(a))
}
