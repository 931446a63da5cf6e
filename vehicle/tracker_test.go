package vehicle_test

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/vehicle"
)

func TestObserveRefusals(t *testing.T) {
	tr := newTracker(t)
	at := t0
	good := vehicle.Position{VehicleID: "car", Time: at, Lat: 52.6, Lon: 13.4, Speed: 10, HasSpeed: true}
	if _, err := tr.Observe(nil, good); err != nil {
		t.Fatal(err)
	}
	bad := func(mut func(p *vehicle.Position)) vehicle.Position {
		p := good
		p.Time = at.Add(time.Second)
		mut(&p)
		return p
	}
	cases := []struct {
		name string
		p    vehicle.Position
		want error
	}{
		{"zero time", bad(func(p *vehicle.Position) { p.Time = time.Time{} }), vehicle.ErrInvalidTime},
		{"year 2300", bad(func(p *vehicle.Position) { p.Time = time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC) }), vehicle.ErrInvalidTime},
		{"no id", bad(func(p *vehicle.Position) { p.VehicleID = "" }), vehicle.ErrInvalidPosition},
		{"lat 95", bad(func(p *vehicle.Position) { p.Lat = 95 }), vehicle.ErrInvalidPosition},
		{"NaN lon", bad(func(p *vehicle.Position) { p.Lon = math.NaN() }), vehicle.ErrInvalidPosition},
		{"negative speed", bad(func(p *vehicle.Position) { p.Speed = -1 }), vehicle.ErrInvalidPosition},
		{"heading 360", bad(func(p *vehicle.Position) { p.Heading, p.HasHeading = 360, true }), vehicle.ErrInvalidPosition},
		{"late", bad(func(p *vehicle.Position) { p.Time = at.Add(-time.Second) }), vehicle.ErrLate},
		{"duplicate", bad(func(p *vehicle.Position) { p.Time = at }), vehicle.ErrDuplicate},
		{"(0,0) glitch", bad(func(p *vehicle.Position) { p.Lat, p.Lon = 0, 0 }), vehicle.ErrImplausible},
	}
	for _, c := range cases {
		if _, err := tr.Observe(nil, c.p); !errors.Is(err, c.want) {
			t.Fatalf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	s := tr.Stats()
	if s.Positions != 1 || s.BadTimes != 2 || s.Invalid != 5 || s.Late != 1 || s.Duplicates != 1 || s.Implausible != 1 {
		t.Fatalf("stats %+v", s)
	}
	// Three consistent fixes far away (the vehicle was towed, or the first
	// fix was the glitch) re-anchor it.
	far := good
	far.Lat = 48.1
	var err error
	for k := 0; k < 3; k++ {
		far.Time = at.Add(time.Duration(10+k) * time.Second)
		far.Lat += 0.0001
		_, err = tr.Observe(nil, far)
	}
	if err != nil || tr.Stats().Jumps != 1 {
		t.Fatalf("re-anchoring: %v, stats %+v", err, tr.Stats())
	}
	if evs := tr.Advance(nil, time.Time{}); len(evs) != 0 || tr.Stats().BadTimes != 3 {
		t.Fatalf("Advance(zero) applied: %+v", tr.Stats())
	}
}

func TestPlaceValidation(t *testing.T) {
	ok := vehicle.Place{ID: "p", Lat: 52, Lon: 13, ArrivalRadius: 100, Rings: []time.Duration{20 * time.Minute}}
	cases := []struct {
		field string
		mut   func(p *vehicle.Place)
	}{
		{"ID", func(p *vehicle.Place) { p.ID = "" }},
		{"Lat", func(p *vehicle.Place) { p.Lat = 86 }},
		{"Lat", func(p *vehicle.Place) { p.Lat = math.NaN() }},
		{"Lon", func(p *vehicle.Place) { p.Lon = -181 }},
		{"ArrivalRadius", func(p *vehicle.Place) { p.ArrivalRadius = 0 }},
		{"ArrivalRadius", func(p *vehicle.Place) { p.ArrivalRadius = math.Inf(1) }},
		{"DepartMargin", func(p *vehicle.Place) { p.DepartMargin = -1 }},
		{"Rings", func(p *vehicle.Place) { p.Rings = []time.Duration{30 * time.Second} }},
		{"Rings", func(p *vehicle.Place) { p.Rings = []time.Duration{5 * time.Minute, 5 * time.Minute} }},
		{"Rings", func(p *vehicle.Place) { p.Rings = make([]time.Duration, 9) }},
		{"ApproachRadius", func(p *vehicle.Place) { p.ApproachRadius = 120 }},
		{"ApproachRadius", func(p *vehicle.Place) { p.ApproachRadius = 600_000 }},
	}
	for _, c := range cases {
		p := ok
		c.mut(&p)
		_, err := vehicle.NewTracker([]vehicle.Place{ok2(), p})
		var pe *vehicle.PlaceError
		if !errors.As(err, &pe) || !errors.Is(err, vehicle.ErrConfig) || pe.Field != c.field || pe.Index != 1 || pe.ID != p.ID {
			t.Fatalf("%s: %v (%+v)", c.field, err, pe)
		}
	}
	var pe *vehicle.PlaceError
	if _, err := vehicle.NewTracker([]vehicle.Place{ok, ok}); !errors.As(err, &pe) || pe.Field != "ID" || pe.Index != 1 {
		t.Fatalf("duplicate id: %v", err)
	}
	for _, o := range []vehicle.TrackerOption{vehicle.WithRoadFactor(0.9), vehicle.WithMinSpeed(0), vehicle.WithSilence(time.Minute),
		vehicle.WithTripStart(0.5, time.Second, 200), vehicle.WithApproachExit(0.5, time.Minute, 300), vehicle.WithCapacity(-1)} {
		if _, err := vehicle.NewTracker([]vehicle.Place{ok}, o); !errors.Is(err, vehicle.ErrConfig) {
			t.Fatalf("bad option accepted: %v", err)
		}
	}
	// Ring order does not matter.
	p := ok
	p.Rings = []time.Duration{5 * time.Minute, 20 * time.Minute}
	if _, err := vehicle.NewTracker([]vehicle.Place{p}); err != nil {
		t.Fatal(err)
	}
}

func ok2() vehicle.Place { return vehicle.Place{ID: "first", Lat: 50, Lon: 8, ArrivalRadius: 50} }

// TestSilenceEndsTrip: a car that stops reporting mid-approach ends its
// trip at its last fix, with its approach, once Advance passes the
// silence timeout, and not before.
func TestSilenceEndsTrip(t *testing.T) {
	s := newSim("car", 20000, 0).drive(10*time.Second, 0, 270)
	s.toward(15, 10000)
	last := s.out[len(s.out)-1].Time
	tr := newTracker(t)
	evs := run(t, tr, s.out, last.Add(15*time.Minute-time.Second))
	if got := kinds(evs); got != "trip_started approaching(20m0s)" {
		t.Fatalf("before the timeout: %s", got)
	}
	evs = tr.Advance(evs[:0], last.Add(15*time.Minute))
	if got := kinds(evs); got != "approach_ended[silence] trip_ended[silence]" {
		t.Fatalf("after the timeout: %s", got)
	}
	for _, e := range evs {
		if !e.Time.Equal(last) {
			t.Fatalf("%v stamped %v, want the last fix %v", e.Kind, e.Time, last)
		}
	}
	if evs[1].TripDistance < 9000 || evs[1].TripDistance > 10100 {
		t.Fatalf("trip distance %.0f m", evs[1].TripDistance)
	}
	tr.Advance(nil, last.Add(25*time.Hour))
	if st := tr.Stats(); st.Vehicles != 0 || st.Forgotten != 1 {
		t.Fatalf("not forgotten: %+v", st)
	}
}

// TestApproachEndsWhenETAStaysHigh: the hysteresis holds through a jam
// but not forever: a car crawling (never stopped) with an ETA above 1.5 ×
// the outer ring for the exit hold is no longer approaching.
func TestApproachEndsWhenETAStaysHigh(t *testing.T) {
	s := newSim("car", 20000, 0).drive(10*time.Second, 0, 270)
	s.toward(15, 12500)
	s.drive(25*time.Minute, 1.6, 270) // 2.4 km in 25 minutes
	evs := run(t, newTracker(t), s.out, s.now)
	t.Log("\n" + timeline(evs))
	if got := kinds(evs); got != "trip_started approaching(20m0s) approach_ended[eta]" {
		t.Fatalf("got %s", got)
	}
	if evs[2].ETA < 30*time.Minute {
		t.Fatalf("ended with ETA %v", evs[2].ETA)
	}
}

// TestSparseSourceWithoutSpeed: a Smartcar-like source (a location every
// two minutes, no speed) still starts the trip, fires the rings, arrives
// and ends the trip (two fixes on the spot).
func TestSparseSourceWithoutSpeed(t *testing.T) {
	s := newSim("car", 25000, 0)
	s.every, s.noSpeed = 2*time.Minute, true
	s.drive(2*time.Minute, 0, 270)
	s.toward(14, 60).park(20 * time.Minute)
	evs := run(t, newTracker(t), s.out, s.now)
	t.Log("\n" + timeline(evs))
	if got := kinds(evs); got != "trip_started approaching(20m0s) approaching(5m0s) arrived trip_ended[stopped]" {
		t.Fatalf("got %s", got)
	}
}
