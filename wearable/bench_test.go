package wearable_test

import (
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/wearable"
)

// decoderCases pairs each decoder with a typical frame; both the benchmarks
// and the zero-allocation test use it.
var decoderCases = []struct {
	name string
	in   []byte
	dec  codec
}{
	{"HeartRate/8bit", hx("00 55"), new(wearable.HeartRateMeasurement)},
	{"HeartRate/energy+RR", hx("1E 55 32 00 21 00"), new(wearable.HeartRateMeasurement)},
	{"HeartRate/16bit+3RR", hx("1F 01 01 32 01 01 00 02 01 FF FF"), new(wearable.HeartRateMeasurement)},
	{"BodySensorLocation", hx("01"), new(wearable.BodySensorLocation)},
	{"BatteryLevel", hx("64"), new(wearable.BatteryLevel)},
	{"RSC", hx("07 00 03 12 56 00 01 00 00 F0"), new(wearable.RSCMeasurement)},
	{"CSC", hx("03 2A 00 00 00 C4 60 12 00 F7 04"), new(wearable.CSCMeasurement)},
	{"CyclingPower", hx("30 00 21 00 2A 00 00 00 C4 60 12 00 F7 04"), new(wearable.CyclingPowerMeasurement)},
	{"Temperature", hx("06 B0 0E 00 FE DC 07 0C 05 0B 32 1B 04"), new(wearable.TemperatureMeasurement)},
	{"BloodPressure", hx("1E 8A 00 58 00 78 00 00 00 04 11 14 29 3B 3C 00 01 27 00"), new(wearable.BloodPressureMeasurement)},
	{"IntermediateCuffPressure", hx("00 96 00 FF 07 FF 07"), new(wearable.IntermediateCuffPressure)},
	{"Weight", hx("0F 54 3D E7 07 0C 19 0E 1E 2D 03 F5 00 A8 02"), new(wearable.WeightMeasurement)},
	{"PLXSpotCheck", hx("1F 62 00 48 00 E8 07 01 02 03 04 05 80 00 20 00 00 64 F0"), new(wearable.PLXSpotCheck)},
	{"PLXContinuous", hx("1F 62 00 48 00 61 00 49 00 63 00 47 00 80 00 00 08 00 64 F0"), new(wearable.PLXContinuous)},
}

func BenchmarkDecode(b *testing.B) {
	for _, c := range decoderCases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(c.in)))
			for b.Loop() {
				if err := c.dec.UnmarshalBinary(c.in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkEncode(b *testing.B) {
	for _, c := range decoderCases {
		if err := c.dec.UnmarshalBinary(c.in); err != nil {
			b.Fatal(err)
		}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			buf := make([]byte, 0, 64)
			for b.Loop() {
				if _, err := c.dec.AppendBinary(buf[:0]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkSFloat(b *testing.B) {
	b.ReportAllocs()
	var sum float64
	for b.Loop() {
		v, _ := wearable.SFloat(0xF3D4).Float64()
		sum += v
	}
	_ = sum
}

// BenchmarkSessionNotify is the cost of decode + derivation + normalization
// per notification (allocations come from the returned measurements).
func BenchmarkSessionNotify(b *testing.B) {
	for _, c := range []struct {
		name string
		char wearable.Characteristic
		in   []byte
	}{
		{"HeartRate+2RR", wearable.HeartRateMeasurementUUID, hx("16 48 54 01 EC 02")},
		{"CSC", wearable.CSCMeasurementUUID, nil},
	} {
		b.Run(c.name, func(b *testing.B) {
			s, _ := wearable.NewSession(wearable.Device{ID: "bench"})
			b.ReportAllocs()
			at := t0
			i := uint32(0)
			for b.Loop() {
				in := c.in
				if in == nil {
					m := wearable.CSCMeasurement{HasWheel: true, WheelRevolutions: 2 * i, WheelEventTime: uint16(1024 * i),
						HasCrank: true, CrankRevolutions: uint16(i), CrankEventTime: uint16(1024 * i)}
					in, _ = m.MarshalBinary()
				}
				if _, err := s.Notify(at, c.char, in); err != nil {
					b.Fatal(err)
				}
				at = at.Add(time.Second)
				i++
			}
		})
	}
}
