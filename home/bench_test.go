package home_test

import (
	"testing"

	"github.com/touchpoint-sdk/touchpoint/home"
)

// The decoders' budget is 2 µs per payload.

func BenchmarkDecodeWebSocket(b *testing.B) {
	for _, name := range []string{"media_player_playing", "climate_setpoint", "occupancy_clear"} {
		p := readFile(b, "testdata/ws/"+name+".json")
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(p)))
			var c home.StateChange
			cpu := cpuSeconds()
			for b.Loop() {
				if err := home.DecodeWebSocket(p, &c); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, cpu)
		})
	}
}

func BenchmarkDecodeZigbee(b *testing.B) {
	for _, name := range []string{"plug_power", "thermostat", "occupancy"} {
		p := readFile(b, "testdata/z2m/"+name+".json")
		topic := "zigbee2mqtt/kitchen/" + name
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(p)))
			var c home.StateChange
			cpu := cpuSeconds()
			for b.Loop() {
				if err := home.DecodeZigbee("zigbee2mqtt", topic, p, recv, &c); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, cpu)
		})
	}
}

// BenchmarkStatestream decodes one message of the capture per op.
func BenchmarkStatestream(b *testing.B) {
	lines := readStatestream(b, "testdata/statestream/tv_and_washer.tsv")
	s, err := home.NewStatestream("homeassistant", 0)
	if err != nil {
		b.Fatal(err)
	}
	var out []home.StateChange
	b.ReportAllocs()
	i := 0
	cpu := cpuSeconds()
	for b.Loop() {
		l := lines[i%len(lines)]
		out, err = s.Decode(out[:0], l.topic, l.payload, l.at)
		if err != nil {
			b.Fatal(err)
		}
		i++
	}
	reportCPU(b, cpu)
}

// BenchmarkTrackerObserve is the Tracker's cost per change (media player
// playing/off alternating).
func BenchmarkTrackerObserve(b *testing.B) {
	var on, off home.StateChange
	if err := home.DecodeWebSocket(readFile(b, "testdata/ws/media_player_playing.json"), &on); err != nil {
		b.Fatal(err)
	}
	if err := home.DecodeWebSocket(readFile(b, "testdata/ws/media_player_off.json"), &off); err != nil {
		b.Fatal(err)
	}
	tr := newTracker(b, nil)
	var occ []home.Occurrence
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		c := on
		if i%2 == 1 {
			c = off
		}
		c.Time = c.Time.Add(time2(i))
		occ, _ = tr.Observe(occ[:0], &c)
		i++
	}
}

// reportCPU adds the CPU time per op since start (cpuSeconds) as
// "cpu-ns/op": on a loaded machine ns/op is wall time and overstates the
// cost.
func reportCPU(b *testing.B, start float64) {
	if start == 0 || b.N == 0 {
		return
	}
	b.ReportMetric((cpuSeconds()-start)*1e9/float64(b.N), "cpu-ns/op")
}
