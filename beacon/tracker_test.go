package beacon_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/beacon"
)

var storeUUID = beacon.UUID{0xb9, 0x40, 0x7f, 0x30, 0xf5, 0xf8, 0x46, 0x6e, 0xaf, 0xf9, 0x25, 0x55, 0x6b, 0x57, 0xfe, 0x6d}

func ib(major, minor uint16) beacon.BeaconID {
	return beacon.IBeacon{UUID: storeUUID, Major: major, Minor: minor}.ID()
}

func at(sec float64) time.Time { return t0.Add(time.Duration(sec * float64(time.Second))) }

// line renders an event compactly for timeline comparisons.
func line(e beacon.ZoneEvent) string {
	who := e.Subject
	if who == "" {
		who = e.Beacon.String()
	}
	s := fmt.Sprintf("%s %s %s %s", e.Time.Sub(t0), e.Kind, who, e.Zone)
	if e.Kind != beacon.ZoneEntered {
		s += " dwell=" + e.Dwell.String()
	}
	if e.Switched {
		s += " switched"
	}
	return s
}

func lines(evs []beacon.ZoneEvent) string {
	var b strings.Builder
	for _, e := range evs {
		b.WriteString(line(e))
		b.WriteByte('\n')
	}
	return b.String()
}

func newTracker(t *testing.T, zones []beacon.Zone, opts ...beacon.TrackerOption) *beacon.Tracker {
	t.Helper()
	tr, err := beacon.NewTracker(zones, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func TestTrackerEnterDwellExitExactTiming(t *testing.T) {
	tr := newTracker(t, []beacon.Zone{{
		Name: "shoes", Place: "store-1", Beacons: []beacon.Pattern{beacon.MatchIBeacon(storeUUID, beacon.Any, 7)},
		Config: beacon.ZoneConfig{EnterRSSI: -70, ExitRSSI: -80, MinHold: 2 * time.Second, ExitTimeout: 10 * time.Second,
			Dwell: 60 * time.Second, DwellRepeat: 60 * time.Second},
	}})
	var evs []beacon.ZoneEvent
	var err error
	// Customer phone reports minor 7 (any major) every second for 150 s.
	for i := 0; i <= 150; i++ {
		evs, err = tr.Observe(evs, beacon.Sighting{Time: at(float64(i) + 0.5), Subject: "cust-1", Beacon: ib(3, 7), Gateway: "phone-1", RSSI: -65})
		if err != nil {
			t.Fatal(err)
		}
	}
	// Other beacons do not count.
	evs, _ = tr.Observe(evs, beacon.Sighting{Time: at(151), Subject: "cust-1", Beacon: ib(3, 8), Gateway: "phone-1", RSSI: -40})
	evs = tr.Advance(evs, at(300))
	want := "2.5s entered cust-1 shoes\n" +
		"1m2.5s dwelled cust-1 shoes dwell=1m0s\n" +
		"2m2.5s dwelled cust-1 shoes dwell=2m0s\n" +
		"2m40.5s exited cust-1 shoes dwell=2m38s\n" // last seen 150.5 + 10 s
	if got := lines(evs); got != want {
		t.Fatalf("timeline:\n%s\nwant:\n%s", got, want)
	}
	e := evs[0]
	if e.Place != "store-1" || e.Beacon != ib(3, 7) || e.Gateway != "phone-1" || !e.Distance.OK || e.Confidence <= 0 || e.Confidence >= 1 {
		t.Fatalf("enter event %+v", e)
	}
}

func TestTrackerHysteresisAndHold(t *testing.T) {
	tr := newTracker(t, []beacon.Zone{{Name: "till", Gateways: []string{"gw-till"},
		Config: beacon.ZoneConfig{EnterRSSI: -60, ExitRSSI: -75, MinHold: 3 * time.Second, ExitTimeout: 5 * time.Second}}},
		beacon.WithSmoother(beacon.Kalman{MeasurementNoise: 0.01, ProcessNoise: 1000})) // ~no smoothing
	dev := beacon.AddressID(beacon.Address{1, 2, 3, 4, 5, 6})
	var evs []beacon.ZoneEvent
	obs := func(sec float64, rssi beacon.RSSI) {
		var err error
		evs, err = tr.Observe(evs, beacon.Sighting{Time: at(sec), Beacon: dev, Gateway: "gw-till", RSSI: rssi})
		if err != nil {
			t.Fatal(err)
		}
	}
	obs(0, -70)   // in band but below enter: nothing starts
	obs(1, -58)   // qualifies: pending since 1
	obs(2, -80)   // leaves the band before the hold: pending dropped
	obs(3, -59)   // pending since 3
	obs(4, -72)   // in band: pending continues
	obs(6.5, -74) // hold passed at 6 -> entered at 6 (fired when this sample arrives)
	obs(8, -90)   // below band: not seen
	obs(9, -76)   // below band: not seen
	evs = tr.Advance(evs, at(20))
	want := "6s entered address:01:02:03:04:05:06 till\n11.5s exited address:01:02:03:04:05:06 till dwell=5.5s\n"
	if got := lines(evs); got != want {
		t.Fatalf("timeline:\n%s\nwant:\n%s", got, want)
	}
}

func TestTrackerExclusiveAssignmentAcrossGateways(t *testing.T) {
	zones := []beacon.Zone{
		{Name: "shoes", Gateways: []string{"gw-a"}},
		{Name: "bags", Gateways: []string{"gw-b", "gw-b2"}},
	}
	opts := []beacon.TrackerOption{
		beacon.WithAssignment(beacon.AssignStrongest),
		beacon.WithDefaults(beacon.ZoneConfig{EnterRSSI: -75, ExitRSSI: -85, MinHold: 2 * time.Second, ExitTimeout: 10 * time.Second}),
		beacon.WithCalibration("gw-b2", beacon.Calibration{Offset: 4}),
	}
	tr := newTracker(t, zones, opts...)
	tag := beacon.AddressID(beacon.Address{0xaa, 0, 0, 0, 0, 1})
	var evs []beacon.ZoneEvent
	for i := 0; i < 30; i++ {
		ra, rb := beacon.RSSI(-60), beacon.RSSI(-72)
		if i >= 10 { // walks from shoes towards bags
			ra, rb = -72, -60
		}
		var err error
		// Both gateways hear the same advertisement.
		evs, err = tr.Observe(evs, beacon.Sighting{Time: at(float64(i)), Beacon: tag, Gateway: "gw-a", RSSI: ra})
		if err != nil {
			t.Fatal(err)
		}
		evs, _ = tr.Observe(evs, beacon.Sighting{Time: at(float64(i) + 0.01), Beacon: tag, Gateway: "gw-b", RSSI: rb})
		// A redelivered duplicate is dropped.
		evs, _ = tr.Observe(evs, beacon.Sighting{Time: at(float64(i) + 0.02), Beacon: tag, Gateway: "gw-b", RSSI: rb})
	}
	evs = tr.Advance(evs, at(100))
	want := "2s entered address:AA:00:00:00:00:01 shoes\n" +
		"14.01s exited address:AA:00:00:00:00:01 shoes dwell=12.01s switched\n" +
		"14.01s entered address:AA:00:00:00:00:01 bags\n" +
		"39.01s exited address:AA:00:00:00:00:01 bags dwell=25s\n"
	if got := lines(evs); got != want {
		t.Fatalf("timeline:\n%s\nwant:\n%s", got, want)
	}
	// Never inside two zones at once: every enter after the first is preceded by an exit.
	inside := map[string]bool{}
	for _, e := range evs {
		switch e.Kind {
		case beacon.ZoneEntered:
			if len(inside) != 0 {
				t.Fatalf("entered %s while inside %v", e.Zone, inside)
			}
			inside[e.Zone] = true
		case beacon.ZoneExited:
			delete(inside, e.Zone)
		}
	}
	if st := tr.Stats(); st.Duplicates != 30 || st.Sightings != 60 || st.Subjects != 0 /* evicted once idle */ {
		t.Fatalf("stats %+v", st)
	}
}

func TestTrackerRejectsLateAndSignalless(t *testing.T) {
	tr := newTracker(t, []beacon.Zone{{Name: "z", Gateways: []string{"g"}}}, beacon.WithMaxSkew(2*time.Second))
	dev := beacon.AddressID(beacon.Address{1})
	if _, err := tr.Observe(nil, beacon.Sighting{Time: at(10), Beacon: dev, Gateway: "g", RSSI: -60}); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Observe(nil, beacon.Sighting{Time: at(8.5), Beacon: dev, Gateway: "g2", RSSI: -60}); err != nil {
		t.Fatalf("within skew: %v", err)
	}
	if _, err := tr.Observe(nil, beacon.Sighting{Time: at(7), Beacon: dev, Gateway: "g", RSSI: -60}); !errors.Is(err, beacon.ErrLate) {
		t.Fatalf("late: %v", err)
	}
	for _, r := range []beacon.RSSI{127, 0, -128} {
		if _, err := tr.Observe(nil, beacon.Sighting{Time: at(11), Beacon: dev, Gateway: "g", RSSI: r}); !errors.Is(err, beacon.ErrNoSignal) {
			t.Fatalf("rssi %d: %v", r, err)
		}
	}
	// A gateway-estimated distance is enough.
	if _, err := tr.Observe(nil, beacon.Sighting{Time: at(12), Beacon: dev, Gateway: "g", RSSI: beacon.RSSIUnknown, Distance: 1.5}); err != nil {
		t.Fatal(err)
	}
	if st := tr.Stats(); st.Late != 1 || st.Unusable != 3 || st.Sightings != 3 {
		t.Fatalf("stats %+v", st)
	}
}

func TestTrackerSkewDelaysExitDecisionNotItsTime(t *testing.T) {
	tr := newTracker(t, []beacon.Zone{{Name: "z", Gateways: []string{"g1", "g2"}, Config: beacon.ZoneConfig{ExitTimeout: 10 * time.Second}}},
		beacon.WithMaxSkew(3*time.Second))
	dev := beacon.AddressID(beacon.Address{1})
	evs, _ := tr.Observe(nil, beacon.Sighting{Time: at(0), Beacon: dev, Gateway: "g1", RSSI: -60})
	evs = tr.Advance(evs, at(11)) // exit due at 10, but g2 may still report up to 3 s late
	if len(evs) != 1 {
		t.Fatalf("exit decided before the skew passed: %s", lines(evs))
	}
	evs, _ = tr.Observe(evs, beacon.Sighting{Time: at(12), Beacon: dev, Gateway: "g2", RSSI: -60}) // arrives at watermark 12
	evs = tr.Advance(evs, at(13.5))
	want := "0s entered address:01:00:00:00:00:00 z\n10s exited address:01:00:00:00:00:00 z dwell=10s\n12s entered address:01:00:00:00:00:00 z\n"
	if got := lines(evs); got != want {
		t.Fatalf("timeline:\n%s\nwant:\n%s", got, want)
	}
}

func TestTrackerDistanceBand(t *testing.T) {
	tr := newTracker(t, []beacon.Zone{{Name: "display", Beacons: []beacon.Pattern{beacon.MatchIBeacon(storeUUID, 1, beacon.Any)},
		Config: beacon.ZoneConfig{EnterDistance: 1, ExitDistance: 3, ExitTimeout: 5 * time.Second}}},
		beacon.WithSmoother(beacon.Kalman{MeasurementNoise: 0.01, ProcessNoise: 1000}),
		beacon.WithTxPowerOverride(beacon.MatchID(ib(1, 2)), -59))
	var evs []beacon.ZoneEvent
	// Advertised power is wrong (-30); the override (-59) applies. -62 dBm ≈ 1.4 m: in band, not enter.
	s := beacon.Sighting{Subject: "c", Beacon: ib(1, 2), Gateway: "p", TxPower1m: -30, HasTxPower: true}
	for i, r := range []beacon.RSSI{-62, -58, -66, -72} { // 1.4 m, 0.9 m (enter), 2.2 m (stay), 4.5 m (not seen)
		s.Time, s.RSSI = at(float64(i)), r
		evs, _ = tr.Observe(evs, s)
	}
	evs = tr.Advance(evs, at(60))
	want := "1s entered c display\n7s exited c display dwell=6s\n"
	if got := lines(evs); got != want {
		t.Fatalf("timeline:\n%s\nwant:\n%s", got, want)
	}
	if d := evs[0].Distance; !near(d.Meters, 0.891, 0.01) || !(d.Min < d.Meters && d.Max > d.Meters) {
		t.Fatalf("distance %+v", d)
	}
}

func TestNewTrackerValidates(t *testing.T) {
	bad := [][]beacon.Zone{
		{{Name: "", Gateways: []string{"g"}}},
		{{Name: "a", Gateways: []string{"g"}}, {Name: "a", Gateways: []string{"h"}}},
		{{Name: "a"}},
		{{Name: "a", Gateways: []string{"g"}, Config: beacon.ZoneConfig{EnterRSSI: -80, ExitRSSI: -70}}},
		{{Name: "a", Gateways: []string{"g"}, Config: beacon.ZoneConfig{MinHold: time.Minute, ExitTimeout: time.Second}}},
	}
	for i, zs := range bad {
		if _, err := beacon.NewTracker(zs); !errors.Is(err, beacon.ErrConfig) {
			t.Errorf("case %d: %v", i, err)
		}
	}
	if _, err := beacon.NewTracker(nil, beacon.WithMaxSkew(-1)); !errors.Is(err, beacon.ErrConfig) {
		t.Error(err)
	}
}
