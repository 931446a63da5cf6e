package wearable

import (
	"math"
	"time"
)

// The plausibility rules: one table, applied by Session to every
// measurement it derives from GATT values and by package applehealth to
// every imported measurement (through Plausibility). Bounds are inclusive,
// in the unit of the normalized value field.
const (
	minPlausibleBPM   = 20
	maxPlausibleBPM   = 250 // Health Connect rejects > 300; no adult reaches 250
	minPlausibleRR    = 200.0
	maxPlausibleRR    = 3000.0
	minPlausibleTempC = 25.0
	maxPlausibleTempC = 45.0
	minPlausibleSys   = 40.0
	maxPlausibleSys   = 300.0
	minPlausibleDia   = 20.0
	maxPlausibleDia   = 200.0
	minPlausibleKg    = 1.0
	maxPlausibleKg    = 400.0
	minPlausibleSpO2  = 50.0
	maxPlausibleSpO2  = 100.0
	minPlausibleWatts = -500.0 // braking on a trainer
	maxPlausibleWatts = 3000.0
	// maxPlausibleSpeed bounds speeds on wheels (and of unknown activity):
	// 108 km/h. A faster wheel is a glitching counter, not a bike.
	maxPlausibleSpeed MetresPerSecond = 30
	// maxPlausibleRunSpeed bounds running and walking speeds: 43 km/h,
	// faster than any human runs.
	maxPlausibleRunSpeed MetresPerSecond = 12
	maxPlausibleCadence  RPM             = 250
)

// within reports lo <= v <= hi; NaN is never within.
func within(v, lo, hi float64) bool { return v >= lo && v <= hi }

// nonNegative reports 0 <= v < +Inf.
func nonNegative(v float64) bool { return v >= 0 && !math.IsInf(v, 1) }

// onFoot reports whether an activity name is running or walking.
func onFoot(activity string) bool {
	switch activity {
	case "running", "walking", "walking_running":
		return true
	}
	return false
}

// Plausibility returns the flags that the plausibility rules set on m: it
// does not change m, and it never invents or clamps a value; the caller ORs
// the result into m.Flags and keeps the value as received. The rules are the
// same for every source: Session applies them to what it derives from GATT
// notifications, package applehealth to every record of an export.
//
// FlagImplausible is returned when the time frame is impossible (Start or End
// refused by CheckTime, End before Start, or a span longer than a
// time.Duration holds) or when the value lies outside its kind's range:
//
//	heart rate         20..250 bpm (0 bpm is FlagOffBody instead: not worn)
//	RR interval        200..3000 ms
//	body temperature   25..45 °C
//	blood pressure     systolic 40..300, diastolic 20..200 mmHg, diastolic below systolic
//	body weight        1..400 kg
//	oxygen saturation  50..100 % (so never below 0 or above 100)
//	power              -500..3000 W
//	speed              0..12 m/s running or walking (Activity), else 0..30 m/s
//	cycling cadence    0..250 rpm
//	battery level      0..100 %
//	energy, distance, steps, step cadence: not negative
//	workout            duration, distance and energy not negative; average
//	                   and maximum heart rate 0 (unknown) or 20..250 bpm
//
// NaN and infinite values are implausible. A measurement that holds no
// reading (FlagNoReading) is checked for its time frame only. Device quirks
// (Quirks) and stream-level checks (counters that run backwards, clocks that
// step back) are the Session's business and are not part of these rules.
func Plausibility(m *Measurement) Flags {
	var f Flags
	if !plausibleFrame(m.Start, m.End) {
		f |= FlagImplausible
	}
	if m.Flags.Has(FlagNoReading) {
		return f
	}
	ok := true
	switch m.Kind {
	case KindHeartRate:
		if m.HeartRate == 0 {
			return f | FlagOffBody
		}
		ok = within(float64(m.HeartRate), minPlausibleBPM, maxPlausibleBPM)
	case KindRRInterval:
		ok = within(float64(m.RRInterval), minPlausibleRR, maxPlausibleRR)
	case KindEnergyExpended:
		ok = nonNegative(float64(m.Energy))
	case KindSpeed:
		limit := maxPlausibleSpeed
		if onFoot(m.Activity) {
			limit = maxPlausibleRunSpeed
		}
		ok = within(float64(m.Speed), 0, float64(limit))
	case KindCyclingCadence:
		ok = within(float64(m.Cadence), 0, float64(maxPlausibleCadence))
	case KindStepCadence:
		ok = nonNegative(float64(m.StepCadence))
	case KindPower:
		ok = within(float64(m.Power), minPlausibleWatts, maxPlausibleWatts)
	case KindDistance:
		ok = nonNegative(float64(m.Distance))
	case KindStepCount:
		ok = m.Steps >= 0
	case KindBodyTemperature:
		ok = within(float64(m.Temperature), minPlausibleTempC, maxPlausibleTempC)
	case KindBloodPressure:
		b := m.BloodPressure
		ok = within(float64(b.Systolic), minPlausibleSys, maxPlausibleSys) &&
			within(float64(b.Diastolic), minPlausibleDia, maxPlausibleDia) && b.Diastolic < b.Systolic
	case KindBodyWeight:
		ok = within(float64(m.Weight), minPlausibleKg, maxPlausibleKg)
	case KindOxygenSaturation:
		ok = within(float64(m.SpO2), minPlausibleSpO2, maxPlausibleSpO2)
	case KindBatteryLevel:
		ok = within(float64(m.Battery), 0, 100)
	case KindWorkout:
		w := m.Workout
		ok = w.Duration >= 0 && nonNegative(float64(w.Distance)) && nonNegative(float64(w.Energy)) &&
			(w.AverageHeartRate == 0 || within(float64(w.AverageHeartRate), minPlausibleBPM, maxPlausibleBPM)) &&
			(w.MaxHeartRate == 0 || within(float64(w.MaxHeartRate), minPlausibleBPM, maxPlausibleBPM))
	}
	if !ok {
		f |= FlagImplausible
	}
	return f
}

// plausibleFrame reports whether start..end is a time frame the package can
// represent: both times accepted by CheckTime, end not before start, and
// end-start within a time.Duration (time.Time.Sub saturates rather than
// failing, so a saturated span is detected here).
func plausibleFrame(start, end time.Time) bool {
	if CheckTime(start) != nil || CheckTime(end) != nil || end.Before(start) {
		return false
	}
	return end.Sub(start) < math.MaxInt64
}
