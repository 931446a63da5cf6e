package beacon_test

import (
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/beacon"
)

var quick = beacon.ZoneConfig{EnterRSSI: -70, ExitRSSI: -80, ExitTimeout: 5 * time.Second}

func noSmoothing() beacon.TrackerOption {
	return beacon.WithSmoother(beacon.Kalman{MeasurementNoise: 0.001, ProcessNoise: 1e6, OutlierSigma: 1e9})
}

func enteredZones(evs []beacon.ZoneEvent) []string {
	var z []string
	for _, e := range evs {
		if e.Kind == beacon.ZoneEntered {
			z = append(z, e.Zone)
		}
	}
	return z
}

func TestWeightedAssignmentFavoursZoneHeardByMoreGateways(t *testing.T) {
	zones := []beacon.Zone{
		{Name: "single", Gateways: []string{"s1"}},
		{Name: "double", Gateways: []string{"d1", "d2"}},
	}
	tag := beacon.AddressID(beacon.Address{7})
	feed := func(a beacon.Assignment) []string {
		tr := newTracker(t, zones, beacon.WithAssignment(a), beacon.WithDefaults(quick), noSmoothing())
		var evs []beacon.ZoneEvent
		for i, g := range []string{"s1", "d1", "d2"} {
			r := beacon.RSSI(-64) // the single zone's gateway is 2 dB stronger than each of the double's
			if g != "s1" {
				r = -66
			}
			evs, _ = tr.Observe(evs, beacon.Sighting{Time: at(float64(i) * 0.1), Beacon: tag, Gateway: g, RSSI: r})
		}
		return enteredZones(evs)
	}
	if z := feed(beacon.AssignStrongest); len(z) != 1 || z[0] != "single" {
		t.Fatalf("strongest: %v", z)
	}
	// Power sum of two -66 dBm links is -63 dBm: beats -64 by less than the
	// 3 dB switch margin, so the first zone stays; start again with both
	// double gateways first to see weighting decide.
	tr := newTracker(t, zones, beacon.WithAssignment(beacon.AssignWeighted), beacon.WithDefaults(quick), noSmoothing(),
		beacon.WithGatewayWeight("d2", 2))
	var evs []beacon.ZoneEvent
	for i, g := range []string{"d1", "d2", "s1"} {
		r := beacon.RSSI(-64)
		if g != "s1" {
			r = -66
		}
		evs, _ = tr.Observe(evs, beacon.Sighting{Time: at(float64(i) * 0.1), Beacon: tag, Gateway: g, RSSI: r})
	}
	if z := enteredZones(evs); len(z) != 1 || z[0] != "double" {
		t.Fatalf("weighted: %v", z)
	}
	if evs[0].RSSI < -66 {
		t.Fatalf("weighted level %v should exceed a single link", evs[0].RSSI)
	}
}

func TestGatewayCalibrationOffset(t *testing.T) {
	zones := []beacon.Zone{{Name: "z", Gateways: []string{"low", "ok"}, Config: quick}}
	tag := beacon.AddressID(beacon.Address{8})
	// The "low" gateway sits in a metal enclosure: it reads 8 dB low.
	tr := newTracker(t, zones, noSmoothing(), beacon.WithCalibration("low", beacon.Calibration{Offset: 8, Exponent: 3}))
	evs, _ := tr.Observe(nil, beacon.Sighting{Time: at(0), Beacon: tag, Gateway: "low", RSSI: -75})
	if len(evs) != 1 || evs[0].RSSI != -67 {
		t.Fatalf("calibrated: %+v", evs)
	}
	// Exponent 3 for that gateway: -67 dBm at P1m -59 is 10^(8/30) m.
	if d := evs[0].Distance.Meters; !near(d, 1.848, 0.001) {
		t.Fatalf("distance with calibrated exponent: %v", d)
	}
	uncal := newTracker(t, zones, noSmoothing())
	if evs, _ := uncal.Observe(nil, beacon.Sighting{Time: at(0), Beacon: tag, Gateway: "low", RSSI: -75}); len(evs) != 0 {
		t.Fatalf("uncalibrated -75 must not enter: %+v", evs)
	}
}

func TestEIDResolverAndRooms(t *testing.T) {
	stable := ib(5, 5)
	eid := beacon.EddystoneEID{EID: [8]byte{1, 2, 3, 4, 5, 6, 7, 8}}.ID()
	rotated := beacon.EddystoneEID{EID: [8]byte{9, 9, 9, 9, 9, 9, 9, 9}}.ID()
	calls := 0
	resolve := func(e [8]byte, tm time.Time) (beacon.BeaconID, bool) {
		calls++
		if e == [8]byte{1, 2, 3, 4, 5, 6, 7, 8} || e == [8]byte{9, 9, 9, 9, 9, 9, 9, 9} {
			return stable, true
		}
		return beacon.BeaconID{}, false
	}
	tr := newTracker(t, []beacon.Zone{{Name: "kitchen", Rooms: []string{"kitchen"}, Config: quick}}, beacon.WithEIDResolver(resolve))
	var evs []beacon.ZoneEvent
	// ESPresense-style: no RSSI, a distance estimated by the node, a room.
	evs, _ = tr.Observe(evs, beacon.Sighting{Time: at(0), Beacon: eid, Gateway: "esp-1", Room: "kitchen", RSSI: beacon.RSSIUnknown, Distance: 1})
	evs, _ = tr.Observe(evs, beacon.Sighting{Time: at(2), Beacon: rotated, Gateway: "esp-1", Room: "kitchen", RSSI: beacon.RSSIUnknown, Distance: 1.2})
	evs = tr.Advance(evs, at(60))
	if got := lines(evs); got != "0s entered "+stable.String()+" kitchen\n7s exited "+stable.String()+" kitchen dwell=7s\n" {
		t.Fatalf("timeline:\n%s", got)
	}
	if calls != 2 || evs[0].Beacon != stable || !near(evs[0].Distance.Meters, 1, 1e-9) {
		t.Fatalf("calls %d, event %+v", calls, evs[0])
	}
}

func TestEvictionBoundsMemoryUnderAddressRotation(t *testing.T) {
	tr := newTracker(t, []beacon.Zone{{Name: "z", Gateways: []string{"g"}, Config: quick}})
	var evs []beacon.ZoneEvent
	// A phone rotating its random address every 10 s for an hour.
	for i := range 360 * 10 {
		sec := float64(i)
		addr := beacon.Address{0x40, 0, 0, 0, byte(i / 10 >> 8), byte(i / 10)}
		var err error
		evs, err = tr.Observe(evs[:0], beacon.Sighting{Time: at(sec), Beacon: beacon.AddressID(addr), Gateway: "g", RSSI: -60})
		if err != nil {
			t.Fatal(err)
		}
		if st := tr.Stats(); st.Subjects > 4 {
			t.Fatalf("at %v s: %d subjects kept; rotated addresses must be evicted", sec, st.Subjects)
		}
	}
	if st := tr.Stats(); st.Events < 2*300 {
		t.Fatalf("events %d: each address should enter and exit", st.Events)
	}
}

func TestProximityInEvents(t *testing.T) {
	tr := newTracker(t, []beacon.Zone{{Name: "z", Gateways: []string{"g"}, Config: beacon.ZoneConfig{EnterRSSI: -70, ExitTimeout: 5 * time.Second}}}, noSmoothing())
	evs, _ := tr.Observe(nil, beacon.Sighting{Time: at(0), Beacon: ib(1, 1), Gateway: "g", RSSI: -50, TxPower1m: -59, HasTxPower: true})
	if len(evs) != 1 || evs[0].Proximity != beacon.ProximityImmediate {
		t.Fatalf("%+v", evs)
	}
	ev, err := evs[0].Event(beacon.EventOptions{HashKey: []byte("k-of-sixteen-bytes")})
	if err != nil || ev.Properties["proximity"] != "immediate" {
		t.Fatalf("%v %v", ev.Properties, err)
	}
}
