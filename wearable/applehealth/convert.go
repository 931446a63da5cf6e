package applehealth

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/touchpoint-sdk/touchpoint/wearable"
)

// HealthKit identifiers this package converts.
const (
	hkHeartRate        = "HKQuantityTypeIdentifierHeartRate"
	hkStepCount        = "HKQuantityTypeIdentifierStepCount"
	hkDistanceWalkRun  = "HKQuantityTypeIdentifierDistanceWalkingRunning"
	hkDistanceCycling  = "HKQuantityTypeIdentifierDistanceCycling"
	hkDistanceSwimming = "HKQuantityTypeIdentifierDistanceSwimming"
	hkDistanceWheel    = "HKQuantityTypeIdentifierDistanceWheelchair"
	hkActiveEnergy     = "HKQuantityTypeIdentifierActiveEnergyBurned"
	hkBodyMass         = "HKQuantityTypeIdentifierBodyMass"
	hkBodyTemperature  = "HKQuantityTypeIdentifierBodyTemperature"
	hkOxygenSaturation = "HKQuantityTypeIdentifierOxygenSaturation"
	hkSystolic         = "HKQuantityTypeIdentifierBloodPressureSystolic"
	hkDiastolic        = "HKQuantityTypeIdentifierBloodPressureDiastolic"
	hkBloodPressure    = "HKCorrelationTypeIdentifierBloodPressure"
	hkWorkoutPrefix    = "HKWorkoutActivityType"
)

// kindOf returns the normalized kind of a record type (0 when unsupported)
// and, for distances, the activity.
func kindOf(typ string) (wearable.Kind, string) {
	switch typ {
	case hkHeartRate:
		return wearable.KindHeartRate, ""
	case hkStepCount:
		return wearable.KindStepCount, ""
	case hkDistanceWalkRun:
		return wearable.KindDistance, "walking_running"
	case hkDistanceCycling:
		return wearable.KindDistance, "cycling"
	case hkDistanceSwimming:
		return wearable.KindDistance, "swimming"
	case hkDistanceWheel:
		return wearable.KindDistance, "wheelchair"
	case hkActiveEnergy:
		return wearable.KindEnergyExpended, ""
	case hkBodyMass:
		return wearable.KindBodyWeight, ""
	case hkBodyTemperature:
		return wearable.KindBodyTemperature, ""
	case hkOxygenSaturation:
		return wearable.KindOxygenSaturation, ""
	}
	return 0, ""
}

// number parses a finite float attribute.
func number(s string) (float64, error) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, ErrBadValue
	}
	return v, nil
}

func metres(v float64, unit string) (wearable.Metres, error) {
	switch unit {
	case "m":
		return wearable.Metres(v), nil
	case "km":
		return wearable.Metres(v * 1000), nil
	case "cm":
		return wearable.Metres(v / 100), nil
	case "mi":
		return wearable.Metres(v * 1609.344), nil
	case "ft":
		return wearable.Metres(v * 0.3048), nil
	case "yd":
		return wearable.Metres(v * 0.9144), nil
	}
	return 0, ErrUnknownUnit
}

func kilocalories(v float64, unit string) (wearable.Kilocalories, error) {
	switch unit {
	case "kcal", "Cal":
		return wearable.Kilocalories(v), nil
	case "kJ":
		return wearable.Kilocalories(v / 4.184), nil
	case "cal":
		return wearable.Kilocalories(v / 1000), nil
	}
	return 0, ErrUnknownUnit
}

func kilograms(v float64, unit string) (wearable.Kilograms, error) {
	switch unit {
	case "kg":
		return wearable.Kilograms(v), nil
	case "g":
		return wearable.Kilograms(v / 1000), nil
	case "lb":
		return wearable.Kilograms(v * 0.45359237), nil
	case "st":
		return wearable.Kilograms(v * 6.35029318), nil
	}
	return 0, ErrUnknownUnit
}

func mmHg(v float64, unit string) (wearable.MMHg, error) {
	switch unit {
	case "mmHg":
		return wearable.MMHg(v), nil
	case "kPa":
		return wearable.MMHg(v * wearable.KPaToMMHg), nil
	}
	return 0, ErrUnknownUnit
}

func duration(v float64, unit string) (time.Duration, error) {
	var d float64
	switch unit {
	case "min":
		d = v * float64(time.Minute)
	case "s", "sec":
		d = v * float64(time.Second)
	case "hr", "h":
		d = v * float64(time.Hour)
	default:
		return 0, ErrUnknownUnit
	}
	// Converting a float beyond int64 to Duration would not fail, it would
	// produce an arbitrary value: refuse it (about 292 years).
	d = math.Round(d)
	if d < -(1<<63) || d >= 1<<63 {
		return 0, ErrBadValue
	}
	return time.Duration(d), nil
}

// ucumUnit maps HealthKit unit strings to UCUM for Measurement.Original.
func ucumUnit(unit string) string {
	switch unit {
	case "count/min":
		return "/min"
	case "degC":
		return "Cel"
	case "degF":
		return "[degF]"
	case "lb":
		return "[lb_av]"
	case "mi":
		return "[mi_i]"
	case "Cal":
		return "kcal"
	}
	return unit
}

// setValue converts a record's value into m according to m.Kind.
func setValue(m *wearable.Measurement, v float64, unit string) (attr string, err error) {
	switch m.Kind {
	case wearable.KindHeartRate:
		if unit != "count/min" {
			return "unit", ErrUnknownUnit
		}
		m.HeartRate = wearable.BPM(v)
	case wearable.KindStepCount:
		if unit != "count" {
			return "unit", ErrUnknownUnit
		}
		// A fraction or a count beyond int64 is not a step count; a negative
		// one is kept and flagged by the plausibility rules.
		if v != math.Trunc(v) || v < -(1<<63) || v >= 1<<63 {
			return "value", ErrBadValue
		}
		m.Steps = int64(v)
	case wearable.KindDistance:
		d, err := metres(v, unit)
		if err != nil {
			return "unit", err
		}
		m.Distance = d
		if unit != "m" {
			m.Original = wearable.Quantity{Value: v, Unit: ucumUnit(unit)}
		}
	case wearable.KindEnergyExpended:
		e, err := kilocalories(v, unit)
		if err != nil {
			return "unit", err
		}
		m.Energy = e
		if unit != "kcal" {
			m.Original = wearable.Quantity{Value: v, Unit: ucumUnit(unit)}
		}
	case wearable.KindBodyWeight:
		w, err := kilograms(v, unit)
		if err != nil {
			return "unit", err
		}
		m.Weight = w
		if unit != "kg" {
			m.Original = wearable.Quantity{Value: v, Unit: ucumUnit(unit)}
		}
	case wearable.KindBodyTemperature:
		switch unit {
		case "degC":
			m.Temperature = wearable.Celsius(v)
		case "degF":
			m.Temperature = wearable.Celsius((v - 32) * 5 / 9)
			m.Original = wearable.Quantity{Value: v, Unit: "[degF]"}
		default:
			return "unit", ErrUnknownUnit
		}
	case wearable.KindOxygenSaturation:
		if unit != "%" {
			return "unit", ErrUnknownUnit
		}
		// HealthKit stores percentages as a 0..1 fraction.
		if v <= 1 {
			m.SpO2 = wearable.Percent(v * 100)
			m.Original = wearable.Quantity{Value: v, Unit: "1"}
		} else {
			m.SpO2 = wearable.Percent(v)
		}
	}
	return "", nil
}

// activityName turns "HKWorkoutActivityTypeTraditionalStrengthTraining" into
// "traditional_strength_training".
func activityName(t string) string {
	t = strings.TrimPrefix(t, hkWorkoutPrefix)
	var b strings.Builder
	for i, r := range t {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('_')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	if b.Len() == 0 {
		return "other"
	}
	return b.String()
}
