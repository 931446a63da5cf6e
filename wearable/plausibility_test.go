package wearable_test

import (
	"math"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/wearable"
)

// TestPlausibilityTable pins the rules at their bounds, for both sources.
func TestPlausibilityTable(t *testing.T) {
	at := func(m wearable.Measurement) wearable.Measurement {
		if m.Start.IsZero() && m.End.IsZero() {
			m.Start, m.End = t0, t0
		}
		return m
	}
	const (
		ok  = wearable.Flags(0)
		bad = wearable.FlagImplausible
	)
	nan := math.NaN()
	cases := []struct {
		name string
		m    wearable.Measurement
		want wearable.Flags
	}{
		{"hr 20", wearable.Measurement{Kind: wearable.KindHeartRate, HeartRate: 20}, ok},
		{"hr 250", wearable.Measurement{Kind: wearable.KindHeartRate, HeartRate: 250}, ok},
		{"hr 19.9", wearable.Measurement{Kind: wearable.KindHeartRate, HeartRate: 19.9}, bad},
		{"hr 251", wearable.Measurement{Kind: wearable.KindHeartRate, HeartRate: 251}, bad},
		{"hr negative", wearable.Measurement{Kind: wearable.KindHeartRate, HeartRate: -60}, bad},
		{"hr 0 is off-body", wearable.Measurement{Kind: wearable.KindHeartRate}, wearable.FlagOffBody},
		{"hr NaN", wearable.Measurement{Kind: wearable.KindHeartRate, HeartRate: wearable.BPM(nan)}, bad},
		{"rr 200", wearable.Measurement{Kind: wearable.KindRRInterval, RRInterval: 200}, ok},
		{"rr 3001", wearable.Measurement{Kind: wearable.KindRRInterval, RRInterval: 3001}, bad},
		{"temp 25", wearable.Measurement{Kind: wearable.KindBodyTemperature, Temperature: 25}, ok},
		{"temp 45.1", wearable.Measurement{Kind: wearable.KindBodyTemperature, Temperature: 45.1}, bad},
		{"temp -300", wearable.Measurement{Kind: wearable.KindBodyTemperature, Temperature: -300}, bad},
		{"bp 120/80", wearable.Measurement{Kind: wearable.KindBloodPressure, BloodPressure: wearable.BloodPressure{Systolic: 120, Diastolic: 80}}, ok},
		{"bp dia = sys", wearable.Measurement{Kind: wearable.KindBloodPressure, BloodPressure: wearable.BloodPressure{Systolic: 100, Diastolic: 100}}, bad},
		{"bp sys 301", wearable.Measurement{Kind: wearable.KindBloodPressure, BloodPressure: wearable.BloodPressure{Systolic: 301, Diastolic: 80}}, bad},
		{"bp dia 19", wearable.Measurement{Kind: wearable.KindBloodPressure, BloodPressure: wearable.BloodPressure{Systolic: 120, Diastolic: 19}}, bad},
		{"weight 1", wearable.Measurement{Kind: wearable.KindBodyWeight, Weight: 1}, ok},
		{"weight 400", wearable.Measurement{Kind: wearable.KindBodyWeight, Weight: 400}, ok},
		{"weight negative", wearable.Measurement{Kind: wearable.KindBodyWeight, Weight: -70}, bad},
		{"weight 401", wearable.Measurement{Kind: wearable.KindBodyWeight, Weight: 401}, bad},
		{"spo2 100", wearable.Measurement{Kind: wearable.KindOxygenSaturation, SpO2: 100}, ok},
		{"spo2 50", wearable.Measurement{Kind: wearable.KindOxygenSaturation, SpO2: 50}, ok},
		{"spo2 100.1", wearable.Measurement{Kind: wearable.KindOxygenSaturation, SpO2: 100.1}, bad},
		{"spo2 negative", wearable.Measurement{Kind: wearable.KindOxygenSaturation, SpO2: -1}, bad},
		{"power -500", wearable.Measurement{Kind: wearable.KindPower, Power: -500}, ok},
		{"power 3001", wearable.Measurement{Kind: wearable.KindPower, Power: 3001}, bad},
		{"bike speed 30", wearable.Measurement{Kind: wearable.KindSpeed, Speed: 30}, ok},
		{"bike speed 31", wearable.Measurement{Kind: wearable.KindSpeed, Speed: 31}, bad},
		{"run speed 12", wearable.Measurement{Kind: wearable.KindSpeed, Speed: 12, Activity: "running"}, ok},
		{"run speed 13", wearable.Measurement{Kind: wearable.KindSpeed, Speed: 13, Activity: "running"}, bad},
		{"speed negative", wearable.Measurement{Kind: wearable.KindSpeed, Speed: -1}, bad},
		{"cadence 250", wearable.Measurement{Kind: wearable.KindCyclingCadence, Cadence: 250}, ok},
		{"cadence 251", wearable.Measurement{Kind: wearable.KindCyclingCadence, Cadence: 251}, bad},
		{"step cadence negative", wearable.Measurement{Kind: wearable.KindStepCadence, StepCadence: -1}, bad},
		{"distance 0", wearable.Measurement{Kind: wearable.KindDistance}, ok},
		{"distance negative", wearable.Measurement{Kind: wearable.KindDistance, Distance: -0.5}, bad},
		{"distance +Inf", wearable.Measurement{Kind: wearable.KindDistance, Distance: wearable.Metres(math.Inf(1))}, bad},
		{"energy negative", wearable.Measurement{Kind: wearable.KindEnergyExpended, Energy: -1}, bad},
		{"steps negative", wearable.Measurement{Kind: wearable.KindStepCount, Steps: -1}, bad},
		{"battery 101", wearable.Measurement{Kind: wearable.KindBatteryLevel, Battery: 101}, bad},
		{"workout", wearable.Measurement{Kind: wearable.KindWorkout, Workout: wearable.Workout{Duration: time.Hour, AverageHeartRate: 140, MaxHeartRate: 170}}, ok},
		{"workout negative duration", wearable.Measurement{Kind: wearable.KindWorkout, Workout: wearable.Workout{Duration: -time.Minute}}, bad},
		{"workout negative distance", wearable.Measurement{Kind: wearable.KindWorkout, Workout: wearable.Workout{Distance: -1}}, bad},
		{"workout max hr 400", wearable.Measurement{Kind: wearable.KindWorkout, Workout: wearable.Workout{MaxHeartRate: 400}}, bad},
		// No reading: only the time frame is checked.
		{"no reading", wearable.Measurement{Kind: wearable.KindBodyWeight, Weight: -1, Flags: wearable.FlagNoReading}, ok},
		// Time frames.
		{"end before start", wearable.Measurement{Kind: wearable.KindDistance, Start: t0, End: t0.Add(-time.Second)}, bad},
		{"zero start", wearable.Measurement{Kind: wearable.KindDistance, Start: time.Time{}, End: t0}, bad},
		{"end past 2262", wearable.Measurement{Kind: wearable.KindDistance, Start: t0, End: past2262}, bad},
		{"span over 292 years", wearable.Measurement{Kind: wearable.KindDistance, Start: firstNano, End: lastNano}, bad},
		{"span of 200 years", wearable.Measurement{Kind: wearable.KindDistance, Start: t0.AddDate(-200, 0, 0), End: t0}, ok},
		{"no reading, inverted frame", wearable.Measurement{Kind: wearable.KindSpeed, Flags: wearable.FlagNoReading, Start: t0, End: t0.Add(-1)}, bad},
	}
	for _, c := range cases {
		m := at(c.m)
		before := m
		if got := wearable.Plausibility(&m); got != c.want {
			t.Errorf("%s: %b, want %b", c.name, got, c.want)
		}
		if m.Flags != before.Flags {
			t.Errorf("%s: Plausibility changed the measurement", c.name)
		}
	}
}

// TestSessionAppliesPlausibility: the GATT path flags with the same rules
// (no copy of the table): an oximeter SpO2 above 100 %, a scale below 1 kg,
// a 0 bpm cuff pulse, and a running speed of 13 m/s.
func TestSessionAppliesPlausibility(t *testing.T) {
	s := newSession(t)
	spo2, _ := wearable.NewSFloat(1005, -1)
	pr, _ := wearable.NewSFloat(0, 0)
	u := notify(t, s, t0, wearable.PLXContinuousUUID, &wearable.PLXContinuous{SpO2: spo2, PulseRate: pr})
	o, p := one(t, u, wearable.KindOxygenSaturation), one(t, u, wearable.KindHeartRate)
	if o.SpO2 != 100.5 || o.Flags != wearable.FlagImplausible || p.Flags != wearable.FlagOffBody {
		t.Fatalf("oximeter %+v / %+v", o, p)
	}
	for _, m := range u.Measurements {
		if got := wearable.Plausibility(&m); got&^m.Flags != 0 {
			t.Fatalf("session missed flags %b on %+v", got, m)
		}
	}
	run := one(t, notify(t, s, t0, wearable.RSCMeasurementUUID, &wearable.RSCMeasurement{Speed: 13 * 256, Running: true}), wearable.KindSpeed)
	if run.Activity != "running" || !run.Flags.Has(wearable.FlagImplausible) || run.Speed != 13 {
		t.Fatalf("run %+v", run)
	}
}
