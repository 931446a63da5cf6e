package vehicle_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/vehicle"
)

// scene is a mixed stream of three cars (a U-turn, a jam, a park with
// jitter) merged in time order.
func scene() ([]vehicle.Position, time.Time) {
	a := newSim("car-a", 20000, 0).drive(10*time.Second, 0, 270)
	a.toward(15, 8000).drive(4*time.Minute, 15, 90).toward(15, 60).park(10 * time.Minute)
	b := newSim("car-b", 0, 15000).drive(10*time.Second, 0, 180)
	b.toward(14, 9000)
	for i := 0; i < 200; i++ {
		b.drive(2*time.Second, 1.2*b.rng.Float64(), 180)
	}
	b.toward(14, 70).park(20 * time.Minute)
	c := newSim("car-c", -3000, 0).drive(10*time.Second, 0, 90)
	c.toward(12, 85)
	c.jitter, c.every = 45, 5*time.Second
	c.park(30 * time.Minute)
	c.jitter, c.every = 0, 2*time.Second
	c.drive(3*time.Minute, 12, 270)
	all := append(append(append([]vehicle.Position{}, a.out...), b.out...), c.out...)
	sortByTime(all)
	end := a.now
	for _, x := range []time.Time{b.now, c.now} {
		if x.After(end) {
			end = x
		}
	}
	return all, end.Add(30 * time.Minute)
}

func sortByTime(ps []vehicle.Position) {
	for i := 1; i < len(ps); i++ { // stable insertion sort: keeps each car's order
		for j := i; j > 0 && ps[j].Time.Before(ps[j-1].Time); j-- {
			ps[j], ps[j-1] = ps[j-1], ps[j]
		}
	}
}

// feed applies ps with an Advance every 10 s of input time from *next.
func feed(t *testing.T, tr *vehicle.Tracker, ps []vehicle.Position, next *time.Time, until time.Time) []vehicle.TripEvent {
	t.Helper()
	var evs []vehicle.TripEvent
	var err error
	for _, p := range ps {
		for !next.After(p.Time) {
			evs = tr.Advance(evs, *next)
			*next = next.Add(10 * time.Second)
		}
		if evs, err = tr.Observe(evs, p); err != nil {
			t.Fatalf("Observe(%+v): %v", p, err)
		}
	}
	for !next.After(until) {
		evs = tr.Advance(evs, *next)
		*next = next.Add(10 * time.Second)
	}
	return evs
}

// TestSnapshotReplay: stopping at any point, saving the snapshot as JSON
// and restoring it into a new Tracker gives exactly the events of an
// uninterrupted run.
func TestSnapshotReplay(t *testing.T) {
	ps, end := scene()
	next := ps[0].Time
	want := feed(t, newTracker(t), ps, &next, end)
	if len(want) < 15 {
		t.Fatalf("scene produced only %d events", len(want))
	}
	for _, cut := range []int{1, 137, len(ps) / 3, len(ps) / 2, len(ps) - 5} {
		tr := newTracker(t)
		next := ps[0].Time
		got := feed(t, tr, ps[:cut], &next, ps[cut].Time.Add(-time.Nanosecond))
		b, err := json.Marshal(tr.Snapshot())
		if err != nil {
			t.Fatal(err)
		}
		var snap vehicle.Snapshot
		if err := json.Unmarshal(b, &snap); err != nil {
			t.Fatal(err)
		}
		tr2 := newTracker(t)
		if err := tr2.Restore(snap); err != nil {
			t.Fatalf("Restore: %v", err)
		}
		got = append(got, feed(t, tr2, ps[cut:], &next, end)...)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("cut at %d: restored run differs\n got %s\nwant %s", cut, timeline(got), timeline(want))
		}
	}
}

func TestRestoreRefusesForeignSnapshot(t *testing.T) {
	ps, end := scene()
	tr := newTracker(t)
	next := ps[0].Time
	feed(t, tr, ps[:500], &next, end.Add(-10*time.Hour))
	snap := tr.Snapshot()
	other, err := vehicle.NewTracker([]vehicle.Place{{ID: "elsewhere", Lat: 48.1, Lon: 11.5, ArrivalRadius: 80}})
	if err != nil {
		t.Fatal(err)
	}
	if err := other.Restore(snap); !errors.Is(err, vehicle.ErrConfig) {
		t.Fatalf("Restore into other places: %v, want ErrConfig", err)
	}
	if other.Stats().Vehicles != 0 {
		t.Fatal("a refused snapshot restored vehicles")
	}
	snap.Vehicles[0].Last = time.Time{}
	if err := newTracker(t).Restore(snap); !errors.Is(err, vehicle.ErrConfig) {
		t.Fatalf("Restore with zero time: %v, want ErrConfig", err)
	}
}
