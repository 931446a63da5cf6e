package wearable_test

import (
	"errors"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/wearable"
)

var sessionChars = []wearable.Characteristic{
	wearable.HeartRateMeasurementUUID, wearable.CSCMeasurementUUID, wearable.CyclingPowerMeasurementUUID,
	wearable.RSCMeasurementUUID, wearable.TemperatureMeasurementUUID, wearable.BloodPressureMeasurementUUID,
	wearable.IntermediateCuffPressureUUID, wearable.WeightMeasurementUUID, wearable.PLXSpotCheckUUID,
	wearable.PLXContinuousUUID, wearable.BatteryLevelUUID, wearable.BodySensorLocationUUID,
}

// FuzzSessionNotify feeds a session two notifications of fuzzed
// characteristic, value and spacing. Properties: no panic; errors are
// *ParseError; every measurement is stamped with the device, a dedupe key
// and a time frame with End not before Start; a valid measurement never
// holds NaN or ±Inf; Valid measurements of speed and cadence stay within the
// plausibility limits; every flag Plausibility would set is set (the
// session applies the shared rules). A negative spacing is a receipt clock
// stepping back, which must not produce an inverted time frame.
func FuzzSessionNotify(f *testing.F) {
	f.Add(uint8(0), hx("1E 55 32 00 21 00"), uint8(1), hx("16 48 54 01 EC 02"), int64(1000))
	f.Add(uint8(1), hx("03 2A 00 00 00 C4 60 12 00 F7 04"), uint8(1), hx("03 2F 00 00 00 C4 64 14 00 F7 08"), int64(1000))
	f.Add(uint8(2), hx("30 00 21 00 2A 00 00 00 C4 60 12 00 F7 04"), uint8(2), hx("30 00 21 00 30 00 00 00 C4 68 13 00 F7 08"), int64(2000))
	f.Add(uint8(5), hx("1E 8A 00 58 00 78 00 00 00 04 11 14 29 3B 3C 00 01 27 00"), uint8(8), hx("00 FF 07 5A 00"), int64(5))
	// Running sensor, total distance 100.0 m then 103.0 m, clock one second back.
	f.Add(uint8(3), hx("06 00 03 AA E8 03 00 00"), uint8(3), hx("06 00 03 AA 06 04 00 00"), int64(-1000))
	// Heart rate with energy expended, clock a minute back.
	f.Add(uint8(0), hx("08 64 64 00"), uint8(0), hx("08 64 B8 00"), int64(-60000))
	// Thermometer with a timestamp in 2263.
	f.Add(uint8(4), hx("02 72 01 00 FF D7 08 06 01 0C 00 00"), uint8(4), hx("00 72 01 00 FF"), int64(1000))
	f.Fuzz(func(t *testing.T, c1 uint8, v1 []byte, c2 uint8, v2 []byte, gapMS int64) {
		s, err := wearable.NewSession(wearable.Device{ID: "fuzz"})
		if err != nil {
			t.Fatal(err)
		}
		at := t0
		for i, in := range []struct {
			c uint8
			v []byte
		}{{c1, v1}, {c2, v2}} {
			if i == 1 {
				at = at.Add(time.Duration(gapMS%3_600_000) * time.Millisecond)
			}
			c := sessionChars[int(in.c)%len(sessionChars)]
			u, err := s.Notify(at, c, in.v)
			if err != nil {
				var pe *wearable.ParseError
				if !errors.As(err, &pe) || pe.Characteristic != c {
					t.Fatalf("error %v", err)
				}
				continue
			}
			for _, m := range u.Measurements {
				if m.Device.ID != "fuzz" || m.DedupeKey == "" || m.End.Before(m.Start) || m.Kind == 0 {
					t.Fatalf("measurement %+v", m)
				}
				if v, _, ok := m.Scalar(); ok && m.Valid() && (v != v || v > 1e300 || v < -1e300) {
					t.Fatalf("valid measurement holds %v: %+v", v, m)
				}
				if m.Valid() && (m.Speed > 30 || m.Cadence > 250) {
					t.Fatalf("implausible value passed as valid: %+v", m)
				}
				if missed := wearable.Plausibility(&m) &^ m.Flags; missed != 0 {
					t.Fatalf("session did not set flags %b: %+v", missed, m)
				}
			}
		}
	})
}
