package vehicle_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/vehicle"
)

// timeline renders events one per line for comparison.
func timeline(evs []vehicle.TripEvent) string {
	var b strings.Builder
	for _, e := range evs {
		fmt.Fprintf(&b, "%s %s", e.Time.Format("15:04:05"), e.Kind)
		if e.PlaceID != "" {
			fmt.Fprintf(&b, " %s", e.PlaceID)
		}
		if e.Kind == vehicle.Approaching {
			fmt.Fprintf(&b, " ring=%v eta=%v", e.Ring, e.ETA.Round(time.Minute))
		}
		if e.Reason != vehicle.ReasonNone {
			fmt.Fprintf(&b, " reason=%s", e.Reason)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func kinds(evs []vehicle.TripEvent) string {
	var s []string
	for _, e := range evs {
		k := e.Kind.String()
		if e.Kind == vehicle.Approaching {
			k += fmt.Sprintf("(%v)", e.Ring)
		}
		if e.Reason != vehicle.ReasonNone {
			k += "[" + e.Reason.String() + "]"
		}
		s = append(s, k)
	}
	return strings.Join(s, " ")
}

func TestETAStraightApproach(t *testing.T) {
	s := newSim("car", 20000, 0).drive(10*time.Second, 0, 270)
	s.toward(15, 60).park(10 * time.Minute)
	evs := run(t, newTracker(t), s.out, s.now)
	t.Log("\n" + timeline(evs))
	want := "trip_started approaching(20m0s) approaching(5m0s) arrived trip_ended[stopped]"
	if got := kinds(evs); got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

// TestETAJam: a car whose ring-20 approach is interrupted by an eight-
// minute jam (crawling at 0-1.2 m/s) keeps approaching: no Approach Ended,
// each ring fires once, the trip does not end in the jam.
func TestETAJam(t *testing.T) {
	s := newSim("car", 20000, 0).drive(10*time.Second, 0, 270)
	s.toward(15, 11000) // past the 20-minute ring (13.8 km at 15 m/s)
	for i := 0; i < 8*60/2; i++ {
		s.drive(2*time.Second, 1.2*s.rng.Float64(), 270)
	}
	s.toward(15, 60).park(10 * time.Minute)
	evs := run(t, newTracker(t), s.out, s.now)
	t.Log("\n" + timeline(evs))
	want := "trip_started approaching(20m0s) approaching(5m0s) arrived trip_ended[stopped]"
	if got := kinds(evs); got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

// TestETAUTurn: a car approaching turns around; the approach ends as it
// recedes, and a new approach fires the rings again when it comes back.
func TestETAUTurn(t *testing.T) {
	s := newSim("car", 20000, 0).drive(10*time.Second, 0, 270)
	s.toward(15, 8000)
	s.drive(4*time.Minute, 15, 90) // 3.6 km back east
	s.toward(15, 60).park(10 * time.Minute)
	evs := run(t, newTracker(t), s.out, s.now)
	t.Log("\n" + timeline(evs))
	want := "trip_started approaching(20m0s) approach_ended[receding] approaching(20m0s) approaching(5m0s) arrived trip_ended[stopped]"
	if got := kinds(evs); got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	for _, e := range evs {
		if e.Kind == vehicle.ApproachEnded && e.Distance < 8300 {
			t.Fatalf("approach ended at %.0f m: before the car had receded 300 m", e.Distance)
		}
	}
}

// TestETAJitterAtBoundary: a car parks just inside the arrival radius and
// its fixes scatter ±45 m around it for half an hour (some outside the
// radius); it arrives once, does not depart or restart a trip, and
// departs once when it really leaves.
func TestETAJitterAtBoundary(t *testing.T) {
	s := newSim("car", 3000, 0).drive(10*time.Second, 0, 270)
	s.toward(12, 85)
	s.jitter, s.every = 45, 5*time.Second
	s.park(30 * time.Minute)
	s.jitter, s.every = 0, 2*time.Second
	s.drive(3*time.Minute, 12, 90)
	evs := run(t, newTracker(t), s.out, s.now)
	t.Log("\n" + timeline(evs))
	want := "trip_started approaching(20m0s) approaching(5m0s) arrived trip_ended[stopped] trip_started departed"
	if got := kinds(evs); got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	var outside int
	for _, p := range s.out {
		if d := haversine(p.Lat, p.Lon, store.Lat, store.Lon); d > store.ArrivalRadius && p.Time.Before(s.now.Add(-3*time.Minute)) {
			outside++
		}
	}
	if outside < 20 {
		t.Fatalf("only %d parked fixes outside the radius: the scene does not test jitter", outside)
	}
}

// TestETAMissingMinute: a minute of positions is missing while the car
// crosses the 5-minute ring; the ring fires at the first fix after the
// gap with an ETA consistent with the car's real remaining time, and
// nothing else happens (no stop, no silence, no approach end).
func TestETAMissingMinute(t *testing.T) {
	s := newSim("car", 20000, 0).drive(10*time.Second, 0, 270)
	s.toward(15, 3900)
	gapStart := s.now
	s.silent(time.Minute, 15, 270) // 900 m without a fix: crosses 3461 m
	s.toward(15, 60).park(10 * time.Minute)
	evs := run(t, newTracker(t), s.out, s.now)
	t.Log("\n" + timeline(evs))
	want := "trip_started approaching(20m0s) approaching(5m0s) arrived trip_ended[stopped]"
	if got := kinds(evs); got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	ring5 := evs[2]
	if !ring5.Time.Equal(gapStart.Add(time.Minute)) {
		t.Fatalf("ring 5 fired at %v, want the first fix after the gap (%v)", ring5.Time, gapStart.Add(time.Minute))
	}
	truth := ring5.Distance * vehicle.DefaultRoadFactor / 15
	if got := ring5.ETA.Seconds(); got < truth*0.9 || got > truth*1.1 {
		t.Fatalf("ETA after the gap %v, want within 10%% of %.0fs", ring5.ETA, truth)
	}
}
