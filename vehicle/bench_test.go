package vehicle_test

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/vehicle"
)

// fleet is a benchmark world: places on a 10 × 10 lattice 20 km apart
// (a 200 km metro region; each place's default approach radius is 37 km,
// so a vehicle is near about ten places at once) and vehicles driving
// straight at 8-30 m/s, bouncing off the region's edges, one fix per
// second each.
type fleet struct {
	places   []vehicle.Place
	ids      []string
	lat, lon []float64
	dlat     []float64
	dlon     []float64
	speed    []float64
	heading  []float64
	minLat   float64
	maxLat   float64
	minLon   float64
	maxLon   float64
}

func newFleet(nVehicles int) *fleet { return newFleetSpaced(nVehicles, 20000) }

// newFleetSpaced places the lattice points spacing metres apart.
func newFleetSpaced(nVehicles int, spacing float64) *fleet {
	f := &fleet{}
	rng := rand.New(rand.NewPCG(3, 4))
	baseLat, baseLon := 52.0, 12.5
	for i := 0; i < 100; i++ {
		lat, lon := offset(baseLat, baseLon, float64(i%10)*spacing, float64(i/10)*spacing)
		f.places = append(f.places, vehicle.Place{ID: "store-" + strconv.Itoa(i), Lat: lat, Lon: lon, ArrivalRadius: 100,
			Rings: []time.Duration{20 * time.Minute, 5 * time.Minute}})
	}
	f.minLat, f.minLon = offset(baseLat, baseLon, -20000, -20000)
	f.maxLat, f.maxLon = offset(baseLat, baseLon, 10*spacing, 10*spacing)
	for i := 0; i < nVehicles; i++ {
		f.ids = append(f.ids, "WVGZZZE2ZPP"+strconv.Itoa(100000+i))
		f.lat = append(f.lat, f.minLat+rng.Float64()*(f.maxLat-f.minLat))
		f.lon = append(f.lon, f.minLon+rng.Float64()*(f.maxLon-f.minLon))
		sp := 8 + rng.Float64()*22
		h := rng.Float64() * 360
		s, c := math.Sincos(h * math.Pi / 180)
		f.speed, f.heading = append(f.speed, sp), append(f.heading, h)
		f.dlat = append(f.dlat, sp*c/mPerDeg)
		f.dlon = append(f.dlon, sp*s/(mPerDeg*math.Cos(52.8*math.Pi/180)))
	}
	return f
}

// next moves vehicle i by one second and returns its fix.
func (f *fleet) next(i int, now time.Time) vehicle.Position {
	f.lat[i] += f.dlat[i]
	f.lon[i] += f.dlon[i]
	if f.lat[i] < f.minLat || f.lat[i] > f.maxLat {
		f.dlat[i] = -f.dlat[i]
	}
	if f.lon[i] < f.minLon || f.lon[i] > f.maxLon {
		f.dlon[i] = -f.dlon[i]
	}
	return vehicle.Position{VehicleID: f.ids[i], Time: now, Lat: f.lat[i], Lon: f.lon[i],
		Speed: f.speed[i], HasSpeed: true, Heading: f.heading[i], HasHeading: true, Accuracy: 5}
}

// BenchmarkTracker: positions per second through Observe with 10,000
// vehicles and 100 places, an Advance every 10 s of input time. Report
// with -cpu 1. "metro": 100 stores 20 km apart (each vehicle is within
// the approach radius of about ten); "country": 100 stores 80 km apart
// (one or two).
func BenchmarkTracker(b *testing.B) {
	b.Run("metro", func(b *testing.B) { benchTracker(b, newFleetSpaced(10_000, 20_000)) })
	b.Run("country", func(b *testing.B) { benchTracker(b, newFleetSpaced(10_000, 80_000)) })
}

func benchTracker(b *testing.B, f *fleet) {
	tr, err := vehicle.NewTracker(f.places, vehicle.WithCapacity(10_000))
	if err != nil {
		b.Fatal(err)
	}
	now := t0
	evs := make([]vehicle.TripEvent, 0, 1024)
	for i := range f.ids { // warm up: every vehicle known
		evs, _ = tr.Observe(evs[:0], f.next(i, now))
	}
	n, events := 0, 0
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuSeconds()
	for b.Loop() {
		if n == 0 {
			now = now.Add(time.Second)
			if now.Second()%10 == 0 {
				evs = tr.Advance(evs[:0], now)
				events += len(evs)
			}
		}
		evs, err = tr.Observe(evs[:0], f.next(n, now))
		if err != nil {
			b.Fatal(err)
		}
		events += len(evs)
		if n++; n == len(f.ids) {
			n = 0
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "positions/s")
	reportCPU(b, cpu0)
	b.ReportMetric(float64(events)/float64(b.N), "events/position")
}

func BenchmarkDecodeSmartcar(b *testing.B) {
	for _, name := range []string{"vehicle_state_location", "vehicle_state_first_delivery"} {
		data, err := os.ReadFile("testdata/smartcar/" + name + ".json")
		if err != nil {
			b.Fatal(err)
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, data); err != nil {
			b.Fatal(err)
		}
		b.Run(name+"/compact", func(b *testing.B) {
			data := compact.Bytes()
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			cpu0 := cpuSeconds()
			for b.Loop() {
				if _, err := vehicle.DecodeSmartcar(data); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, cpu0)
		})
		b.Run(name+"/as-stored", func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			cpu0 := cpuSeconds()
			for b.Loop() {
				if _, err := vehicle.DecodeSmartcar(data); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, cpu0)
		})
	}
}

// BenchmarkSmartcarDecoder is BenchmarkDecodeSmartcar with a reused
// SmartcarDecoder.
func BenchmarkSmartcarDecoder(b *testing.B) {
	for _, name := range []string{"vehicle_state_location", "vehicle_state_first_delivery"} {
		data, err := os.ReadFile("testdata/smartcar/" + name + ".json")
		if err != nil {
			b.Fatal(err)
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, data); err != nil {
			b.Fatal(err)
		}
		for _, form := range []struct {
			name string
			data []byte
		}{{"compact", compact.Bytes()}, {"as-stored", data}} {
			b.Run(name+"/"+form.name, func(b *testing.B) {
				var d vehicle.SmartcarDecoder
				b.SetBytes(int64(len(form.data)))
				b.ReportAllocs()
				cpu0 := cpuSeconds()
				for b.Loop() {
					if _, err := d.Decode(form.data); err != nil {
						b.Fatal(err)
					}
				}
				reportCPU(b, cpu0)
			})
		}
	}
}

func BenchmarkPositionDecoder(b *testing.B) {
	data, err := os.ReadFile("testdata/positions/stream.ndjson")
	if err != nil {
		b.Fatal(err)
	}
	lines := splitLines(data)
	d := vehicle.NewPositionDecoder(vehicle.MetersPerSecond)
	b.ReportAllocs()
	i := 0
	cpu0 := cpuSeconds()
	for b.Loop() {
		if _, err := d.Decode(lines[i]); err != nil {
			b.Fatal(err)
		}
		if i++; i == len(lines) {
			i = 0
		}
	}
	reportCPU(b, cpu0)
}

// reportCPU adds the CPU time per operation: on a shared machine
// wall-clock ns/op measures the neighbours as much as the code.
func reportCPU(b *testing.B, cpu0 float64) {
	if cpu := cpuSeconds() - cpu0; cpu > 0 {
		b.ReportMetric(cpu*1e9/float64(b.N), "cpu-ns/op")
	}
}

// TestSteadyStateAllocs: Observe for known vehicles and PositionDecoder
// for known ids allocate nothing.
func TestSteadyStateAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation budgets are measured without -race (the race detector allocates)")
	}
	f := newFleet(200)
	tr, err := vehicle.NewTracker(f.places)
	if err != nil {
		t.Fatal(err)
	}
	now := t0
	evs := make([]vehicle.TripEvent, 0, 64)
	step := func() {
		now = now.Add(time.Second)
		for i := range f.ids {
			evs, _ = tr.Observe(evs[:0], f.next(i, now))
		}
	}
	for k := 0; k < 30; k++ {
		step()
	}
	if a := testing.AllocsPerRun(20, step); a != 0 {
		t.Fatalf("Observe allocates %.1f times per %d positions", a, len(f.ids))
	}
	data, _ := os.ReadFile("testdata/positions/stream.ndjson")
	lines := splitLines(data)
	d := vehicle.NewPositionDecoder(vehicle.MetersPerSecond)
	for _, l := range lines {
		d.Decode(l)
	}
	if a := testing.AllocsPerRun(100, func() {
		for _, l := range lines {
			if _, err := d.Decode(l); err != nil {
				t.Fatal(err)
			}
		}
	}); a != 0 {
		t.Fatalf("PositionDecoder allocates %.1f times per %d lines", a, len(lines))
	}
}
