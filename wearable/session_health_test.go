package wearable_test

import (
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/wearable"
)

func TestSessionTemperature(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	if paris == nil {
		paris = time.FixedZone("CET", 3600)
	}
	s := newSession(t, wearable.WithDeviceClock(paris))
	u, err := s.Notify(t0, wearable.TemperatureMeasurementUUID, hx("06 B0 0E 00 FE DC 07 0C 05 0B 32 1B 04"))
	if err != nil {
		t.Fatal(err)
	}
	m := one(t, u, wearable.KindBodyTemperature)
	want := time.Date(2012, 12, 5, 11, 50, 27, 0, paris)
	if m.Temperature != 37.6 || m.TemperatureSite != wearable.TemperatureFinger || !m.Start.Equal(want) || m.Flags != 0 {
		t.Fatalf("%+v", m)
	}
	if k := m.Temperature.Kelvin(); !near(float64(k), 310.75, 1e-9) {
		t.Fatalf("kelvin %v", k)
	}
	// °F is converted, the original kept; NaN is no reading.
	u, _ = s.Notify(t0, wearable.TemperatureMeasurementUUID, hx("01 AE 03 00 FF"))
	m = one(t, u, wearable.KindBodyTemperature)
	if m.Temperature != 34.56 || m.Original != (wearable.Quantity{Value: 94.2, Unit: "[degF]"}) || !m.Start.Equal(t0) {
		t.Fatalf("%+v", m)
	}
	u, _ = s.Notify(t0, wearable.TemperatureMeasurementUUID, hx("00 FF FF 7F 00"))
	m = one(t, u, wearable.KindBodyTemperature)
	if m.Valid() || m.Special != wearable.SpecialNaN || m.Temperature != 0 {
		t.Fatalf("NaN: %+v", m)
	}
	if _, _, ok := m.Scalar(); ok {
		t.Fatal("no-reading measurement has a scalar")
	}
	// A timestamp with an unknown year falls back to the receipt time.
	u, _ = s.Notify(t0, wearable.TemperatureMeasurementUUID, hx("02 B0 0E 00 FE 00 00 0C 05 0B 32 1B"))
	if m = one(t, u, wearable.KindBodyTemperature); !m.Start.Equal(t0) || m.Flags != wearable.FlagDeviceClockUnknown {
		t.Fatalf("unknown clock %+v", m)
	}
}

func TestSessionBloodPressure(t *testing.T) {
	s := newSession(t)
	u, err := s.Notify(t0, wearable.BloodPressureMeasurementUUID, hx("1E 8A 00 58 00 78 00 00 00 04 11 14 29 3B 3C 00 01 27 00"))
	if err != nil {
		t.Fatal(err)
	}
	bp := one(t, u, wearable.KindBloodPressure)
	if bp.BloodPressure != (wearable.BloodPressure{Systolic: 138, Diastolic: 88, MeanArterial: 120, HasMeanArterial: true}) {
		t.Fatalf("%+v", bp.BloodPressure)
	}
	// Status 0x27: movement, loose cuff, improper position → unreliable;
	// irregular pulse is reported as such. Year 0 → receipt time.
	if !bp.Flags.Has(wearable.FlagUnreliable|wearable.FlagIrregularPulse|wearable.FlagDeviceClockUnknown) || !bp.HasDeviceUser || bp.DeviceUser != 1 {
		t.Fatalf("flags %b user %v", bp.Flags, bp.DeviceUser)
	}
	if pr := one(t, u, wearable.KindHeartRate); pr.HeartRate != 60 || pr.DeviceUser != 1 {
		t.Fatalf("pulse %+v", pr)
	}
	// kPa converted to mmHg, original kept.
	u, _ = s.Notify(t0, wearable.BloodPressureMeasurementUUID, hx("01 A0 F0 6B F0 7D F0"))
	bp = one(t, u, wearable.KindBloodPressure)
	if bp.BloodPressure.Systolic != 120.01 || bp.Original != (wearable.Quantity{Value: 16, Unit: "kPa"}) || bp.Flags != 0 {
		t.Fatalf("kPa %+v", bp)
	}
	// Intermediate cuff pressure is validated but not a reading.
	u, err = s.Notify(t0, wearable.IntermediateCuffPressureUUID, hx("00 96 00 FF 07 FF 07"))
	if err != nil || len(u.Measurements) != 0 {
		t.Fatalf("ICP: %v %+v", err, u)
	}
}

func TestSessionWeight(t *testing.T) {
	s := newSession(t)
	u, _ := s.Notify(t0, wearable.WeightMeasurementUUID, hx("0F 54 3D E7 07 0C 19 0E 1E 2D 03 F5 00 A8 02"))
	w := one(t, u, wearable.KindBodyWeight)
	if w.Weight != 71.214 || w.Original != (wearable.Quantity{Value: 157, Unit: "[lb_av]"}) || w.DeviceUser != 3 {
		t.Fatalf("%+v", w)
	}
	if !w.Start.Equal(time.Date(2023, 12, 25, 14, 30, 45, 0, time.UTC)) || w.Category() != wearable.HealthBody {
		t.Fatalf("time %v category %v", w.Start, w.Category())
	}
	u, _ = s.Notify(t0, wearable.WeightMeasurementUUID, hx("00 FF FF"))
	w = one(t, u, wearable.KindBodyWeight)
	if w.Valid() || !w.Flags.Has(wearable.FlagUnsuccessful) || w.Weight != 0 {
		t.Fatalf("unsuccessful became %+v", w)
	}
}

func TestSessionPulseOximeter(t *testing.T) {
	s := newSession(t)
	u, _ := s.Notify(t0, wearable.PLXSpotCheckUUID, hx("00 E8 F3 84 F3"))
	if o := one(t, u, wearable.KindOxygenSaturation); o.SpO2 != 100 || !o.Valid() {
		t.Fatalf("%+v", o)
	}
	if p := one(t, u, wearable.KindHeartRate); p.HeartRate != 90 {
		t.Fatalf("%+v", p)
	}
	// Probe not ready: NaN SpO2 is no reading, the pulse still counts.
	u, _ = s.Notify(t0, wearable.PLXSpotCheckUUID, hx("00 FF 07 5A 00"))
	if o := one(t, u, wearable.KindOxygenSaturation); o.Valid() || o.Special != wearable.SpecialNaN {
		t.Fatalf("%+v", o)
	}
	// Device clock not set: receipt time, flagged. Low perfusion is not a fault.
	u, _ = s.Notify(t0, wearable.PLXSpotCheckUUID, hx("1F 62 00 48 00 E8 07 01 02 03 04 05 80 00 20 00 00 64 F0"))
	if o := one(t, u, wearable.KindOxygenSaturation); !o.Start.Equal(t0) || o.Flags != wearable.FlagDeviceClockUnknown || o.SpO2 != 98 {
		t.Fatalf("%+v", o)
	}
	// Continuous with "sensor unconnected": unreliable.
	u, _ = s.Notify(t0, wearable.PLXContinuousUUID, hx("1F 62 00 48 00 61 00 49 00 63 00 47 00 80 00 00 08 00 64 F0"))
	if o := one(t, u, wearable.KindOxygenSaturation); !o.Flags.Has(wearable.FlagUnreliable) {
		t.Fatalf("%+v", o)
	}
	if s.Device().Type != wearable.DevicePulseOximeter {
		t.Fatalf("type %q", s.Device().Type)
	}
}

func TestSessionBatteryLowHysteresis(t *testing.T) {
	s := newSession(t, wearable.WithBatteryLowThreshold(20))
	var lows []wearable.Occurrence
	for i, level := range []byte{50, 19, 15, 22, 24, 25, 18} {
		u, err := s.Notify(t0.Add(time.Duration(i)*time.Minute), wearable.BatteryLevelUUID, []byte{level})
		if err != nil {
			t.Fatal(err)
		}
		if b := one(t, u, wearable.KindBatteryLevel); b.Battery != wearable.Percent(level) || b.Category().IsHealth() {
			t.Fatalf("battery %+v", b)
		}
		for _, o := range u.Occurrences {
			if o.Kind == wearable.OccurrenceBatteryLow {
				lows = append(lows, o)
			}
		}
	}
	if len(lows) != 2 || lows[0].Battery != 19 || lows[1].Battery != 18 {
		t.Fatalf("battery low occurrences %+v", lows)
	}
}

func TestSessionBodySensorLocation(t *testing.T) {
	s := newSession(t)
	if _, err := s.Notify(t0, wearable.BodySensorLocationUUID, []byte{1}); err != nil {
		t.Fatal(err)
	}
	d := s.Device()
	if !d.HasLocation || d.Location != wearable.LocationChest {
		t.Fatalf("%+v", d)
	}
}

func TestSessionWorkoutLifecycle(t *testing.T) {
	s := newSession(t, wearable.WithWheelCircumference(2))
	c, ok, err := s.Connect(t0)
	if err != nil || !ok || c.Kind != wearable.OccurrenceDeviceConnected || c.DedupeKey == "" {
		t.Fatalf("connect %+v", c)
	}
	if _, ok, err := s.Connect(t0); ok || err != nil {
		t.Fatal("second Connect reported")
	}
	for i := range 121 { // two minutes of riding at 10 m/s
		at := t0.Add(time.Duration(i) * time.Second)
		notify(t, s, at, wearable.CSCMeasurementUUID, &wearable.CSCMeasurement{HasWheel: true, WheelRevolutions: uint32(5 * i), WheelEventTime: uint16(1024 * i)})
		notify(t, s, at, wearable.HeartRateMeasurementUUID, &wearable.HeartRateMeasurement{BPM: uint16(120 + i%2*10), HasEnergyExpended: true, EnergyExpended: uint16(i)})
	}
	out, err := s.Disconnect(t0.Add(125 * time.Second))
	if err != nil || len(out) != 2 || out[0].Kind != wearable.OccurrenceWorkoutCompleted || out[1].Kind != wearable.OccurrenceDeviceDisconnected {
		t.Fatalf("disconnect %+v", out)
	}
	w := out[0].Workout
	if w.Kind != wearable.KindWorkout || w.Workout.Activity != "cycling" || w.Workout.Duration != 2*time.Minute || w.Workout.Distance != 1200 {
		t.Fatalf("workout %+v", w.Workout)
	}
	if !near(float64(w.Workout.AverageHeartRate), (61*120+60*130)/121.0, 1e-9) || w.Workout.MaxHeartRate != 130 || w.Workout.Energy != 28.681 {
		t.Fatalf("workout hr/energy %+v", w.Workout)
	}
	if !w.Start.Equal(t0) || !w.End.Equal(t0.Add(2*time.Minute)) || out[1].ConnectedFor != 125*time.Second {
		t.Fatalf("frame %v..%v connected %v", w.Start, w.End, out[1].ConnectedFor)
	}
	if out, err := s.Disconnect(t0); s.Connected() || out != nil || err != nil {
		t.Fatal("still connected")
	}
	// A short bout is not a workout.
	notify(t, s, t0.Add(time.Hour), wearable.HeartRateMeasurementUUID, &wearable.HeartRateMeasurement{BPM: 80})
	notify(t, s, t0.Add(time.Hour+10*time.Second), wearable.HeartRateMeasurementUUID, &wearable.HeartRateMeasurement{BPM: 80})
	if out, err := s.Disconnect(t0.Add(time.Hour + time.Minute)); err != nil || len(out) != 1 || out[0].Kind != wearable.OccurrenceDeviceDisconnected {
		t.Fatalf("short bout: %+v", out)
	}
	// EndWorkout ends whatever is under way.
	notify(t, s, t0.Add(2*time.Hour), wearable.RSCMeasurementUUID, &wearable.RSCMeasurement{Speed: 512, Cadence: 120})
	notify(t, s, t0.Add(2*time.Hour+30*time.Second), wearable.RSCMeasurementUUID, &wearable.RSCMeasurement{Speed: 512, Cadence: 120})
	o, ok, err := s.EndWorkout(t0.Add(2*time.Hour + time.Minute))
	if err != nil || !ok || o.Workout.Workout.Activity != "walking" || o.Workout.Workout.Duration != 30*time.Second {
		t.Fatalf("EndWorkout %+v", o)
	}
	if _, ok, err := s.EndWorkout(t0.Add(3 * time.Hour)); ok || err != nil {
		t.Fatal("EndWorkout without activity")
	}
}
