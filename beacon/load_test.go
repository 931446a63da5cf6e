package beacon_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/beacon"
)

// storeLoad simulates a store: zones gateways each covering one zone, n
// devices each advertising about once a second and heard by three
// gateways (its own zone's strongly, two neighbours weakly), with RSSI
// noise, and every device leaving for a while once in a while so that
// enters, dwells and exits keep happening.
type storeLoad struct {
	tr       *beacon.Tracker
	gateways []string
	devices  []beacon.BeaconID
	noise    []beacon.RSSI
	k        int
	dt       time.Duration
	dst      []beacon.ZoneEvent
}

func newStoreLoad(tb testing.TB, devices, zones int) *storeLoad {
	tb.Helper()
	l := &storeLoad{dt: time.Second / time.Duration(3*devices), dst: make([]beacon.ZoneEvent, 0, 64)}
	zs := make([]beacon.Zone, zones)
	for i := range zs {
		g := fmt.Sprintf("gw-%02d", i)
		l.gateways = append(l.gateways, g)
		zs[i] = beacon.Zone{Name: fmt.Sprintf("zone-%02d", i), Place: "store-1", Gateways: []string{g}}
	}
	tr, err := beacon.NewTracker(zs, beacon.WithAssignment(beacon.AssignStrongest), beacon.WithCapacity(devices),
		beacon.WithDefaults(beacon.ZoneConfig{EnterRSSI: -70, ExitRSSI: -82, MinHold: 2 * time.Second,
			ExitTimeout: 15 * time.Second, Dwell: time.Minute, DwellRepeat: time.Minute}))
	if err != nil {
		tb.Fatal(err)
	}
	l.tr = tr
	for i := range devices {
		l.devices = append(l.devices, beacon.AddressID(beacon.Address{0xc0, 0, 0, byte(i >> 16), byte(i >> 8), byte(i)}))
	}
	x := uint32(1)
	for range 4096 {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		l.noise = append(l.noise, beacon.RSSI(int(x%9)-4))
	}
	return l
}

// step feeds one sighting.
func (l *storeLoad) step(tb testing.TB) {
	k := l.k
	l.k++
	n := len(l.devices)
	dev := (k / 3) % n
	hop := k % 3
	now := t0.Add(time.Duration(k) * l.dt)
	minute := int((now.Sub(t0) + time.Duration(dev)*time.Minute/time.Duration(n)) / time.Minute) // per-device phase
	if (minute+dev)%7 == 0 {                                                                     // away this minute: not heard
		return
	}
	home := (dev + minute/5) % len(l.gateways) // moves to the next zone every 5 minutes
	g, base := home, beacon.RSSI(-62)
	switch hop {
	case 1:
		g, base = (home+1)%len(l.gateways), -78
	case 2:
		g, base = (home+len(l.gateways)-1)%len(l.gateways), -80
	}
	s := beacon.Sighting{Time: now, Beacon: l.devices[dev], Gateway: l.gateways[g], RSSI: base + l.noise[k%len(l.noise)]}
	var err error
	l.dst, err = l.tr.Observe(l.dst[:0], s)
	if err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkTracker: 10,000 subjects, 50 zones, steady state. Target:
// >= 2,000,000 sightings/s on one core (<= 500 ns/op), 0 allocs.
func BenchmarkTracker(b *testing.B) {
	l := newStoreLoad(b, 10000, 50)
	for range 30 * 10000 * 3 { // 30 simulated seconds: every subject and link known
		l.step(b)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		l.step(b)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sightings/s")
}

func TestTrackerSteadyStateAllocatesNothing(t *testing.T) {
	l := newStoreLoad(t, 1000, 50)
	for range 4 * 60 * 1000 * 3 { // warm up: enters, dwells, exits have all happened
		l.step(t)
	}
	events := l.tr.Stats().Events
	if n := testing.AllocsPerRun(20000, func() { l.step(t) }); n != 0 {
		t.Fatalf("%v allocs per sighting in steady state, want 0", n)
	}
	if l.tr.Stats().Events == events {
		t.Fatal("the measured window produced no events: the load does not exercise transitions")
	}
}
