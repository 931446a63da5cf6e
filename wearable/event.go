package wearable

import (
	"github.com/google/uuid"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// This file is the one place where wearable data becomes a connected.Event.
//
// The rule that keeps health values away from marketing: a property that
// carries a health value (a heart rate, a workout's duration, a weight, ...)
// only ever appears on an event of connected.CategoryHealth, which the
// consent router never delivers to a marketing or advertising destination.
// Events without health values (Device Connected without readings, Device
// Disconnected, Battery Low) are connected.CategoryDevice. Anything from a
// health platform (Apple Health, Health Connect) is CategoryHealth whatever
// it carries: platform policies forbid its use for advertising outright.

// EventOptions identifies the customer an event is about. One of UserID and
// AnonymousID is required by connected.Client validation.
type EventOptions struct {
	UserID      string
	AnonymousID string
}

// messageIDSpace is the UUIDv5 namespace of wearable message ids.
var messageIDSpace = uuid.MustParse("5b0f3c8e-2f4a-5d1e-9c7b-7a61e2d4c3b0")

// messageID derives a stable messageId from a dedupe key, so a replayed or
// re-imported stream produces the same ids (the dedupe key everywhere
// downstream). Without a key the Client assigns one.
func messageID(key string) string {
	if key == "" {
		return ""
	}
	return uuid.NewSHA1(messageIDSpace, []byte(key)).String()
}

// eventCategory is the category of an event that does or does not carry a
// health value, from the given source.
func eventCategory(health bool, src Source) connected.Category {
	if health || (src.Kind != 0 && src.Kind.Platform()) {
		return connected.CategoryHealth
	}
	return connected.CategoryDevice
}

func baseEvent(name string, o EventOptions, d Device, key string) connected.Event {
	return connected.Event{
		Type:        connected.TypeTrack,
		Event:       name,
		UserID:      o.UserID,
		AnonymousID: o.AnonymousID,
		MessageID:   messageID(key),
		Context: connected.Context{
			Channel: connected.ChannelWearable,
			Device: connected.Device{
				ID: d.ID, Type: string(d.Type), Manufacturer: d.Manufacturer, Model: d.Model,
			},
		},
	}
}

// deviceProps are the non-health properties every device event carries.
func deviceProps(d Device, src Source) connected.Properties {
	p := connected.Properties{"source": src.Kind.String()}
	if d.Type != "" {
		p["device_type"] = string(d.Type)
	}
	if d.HasLocation {
		p["body_location"] = d.Location.String()
	}
	if src.Name != "" {
		p["source_name"] = src.Name
	}
	return p
}

// valueProps adds a measurement's health values under snake_case names that
// carry the unit. It reports whether it added a health value.
func valueProps(m *Measurement, p connected.Properties) bool {
	if !m.Valid() {
		return false
	}
	switch m.Kind {
	case KindHeartRate:
		p["heart_rate_bpm"] = float64(m.HeartRate)
	case KindRRInterval:
		p["rr_interval_ms"] = float64(m.RRInterval)
	case KindEnergyExpended:
		p["energy_kcal"] = float64(m.Energy)
	case KindSpeed:
		p["speed_mps"] = float64(m.Speed)
	case KindCyclingCadence:
		p["cadence_rpm"] = float64(m.Cadence)
	case KindStepCadence:
		p["cadence_spm"] = float64(m.StepCadence)
	case KindPower:
		p["power_w"] = float64(m.Power)
	case KindDistance:
		p["distance_m"] = float64(m.Distance)
	case KindStepCount:
		p["steps"] = m.Steps
	case KindBodyTemperature:
		p["body_temperature_c"] = float64(m.Temperature)
	case KindBloodPressure:
		p["systolic_mmhg"] = float64(m.BloodPressure.Systolic)
		p["diastolic_mmhg"] = float64(m.BloodPressure.Diastolic)
	case KindBodyWeight:
		p["body_weight_kg"] = float64(m.Weight)
	case KindOxygenSaturation:
		p["oxygen_saturation_pct"] = float64(m.SpO2)
	case KindBatteryLevel:
		p["battery_pct"] = float64(m.Battery)
		return false
	case KindWorkout:
		w := m.Workout
		p["activity"] = w.Activity
		p["duration_s"] = w.Duration.Seconds()
		if w.Distance > 0 {
			p["distance_m"] = float64(w.Distance)
		}
		if w.Energy > 0 {
			p["energy_kcal"] = float64(w.Energy)
		}
		if w.AverageHeartRate > 0 {
			p["avg_heart_rate_bpm"] = float64(w.AverageHeartRate)
		}
		if w.MaxHeartRate > 0 {
			p["max_heart_rate_bpm"] = float64(w.MaxHeartRate)
		}
	default:
		return false
	}
	return true
}

// Event converts the occurrence into a customer event: "Device Connected",
// "Device Disconnected", "Workout Completed" or "Battery Low", a track event
// on the wearable channel with snake_case properties. Workout Completed is
// always connected.CategoryHealth (its activity and duration are fitness
// data); Device Connected is CategoryHealth only when Readings were attached
// (their values become properties), else CategoryDevice, like Device
// Disconnected and Battery Low. Occurrences from a health platform are
// always CategoryHealth. MessageID is derived from the DedupeKey, so replays
// produce the same id. It returns a *ConversionError wrapping
// ErrUnsupported for an unknown kind, and one wrapping ErrNoValue when the
// workout or an attached reading is not Valid (as MeasurementEvent does: a
// flagged value is not sent as a customer event).
func (o *Occurrence) Event(opts EventOptions) (connected.Event, error) {
	var name string
	p := deviceProps(o.Device, o.Source)
	health := false
	switch o.Kind {
	case OccurrenceDeviceConnected:
		name = connected.EventDeviceConnected
		for i := range o.Readings {
			if !o.Readings[i].Valid() {
				return connected.Event{}, &ConversionError{Format: "event", Kind: o.Readings[i].Kind, Err: ErrNoValue}
			}
			if valueProps(&o.Readings[i], p) {
				health = true
			}
		}
	case OccurrenceDeviceDisconnected:
		name = connected.EventDeviceDisconnected
		if o.ConnectedFor > 0 {
			p["connected_s"] = o.ConnectedFor.Seconds()
		}
	case OccurrenceWorkoutCompleted:
		if !o.Workout.Valid() {
			return connected.Event{}, &ConversionError{Format: "event", Kind: KindWorkout, Err: ErrNoValue}
		}
		name = connected.EventWorkoutCompleted
		valueProps(&o.Workout, p)
		health = true
	case OccurrenceBatteryLow:
		name = connected.EventBatteryLow
		p["battery_pct"] = float64(o.Battery)
	default:
		return connected.Event{}, &ConversionError{Format: "event", Err: ErrUnsupported}
	}
	e := baseEvent(name, opts, o.Device, o.DedupeKey)
	e.OriginalTimestamp = o.Time
	e.Properties = p
	e.Category = eventCategory(health, o.Source)
	return e, nil
}

// MeasurementEvent converts a measurement into a "Measurement Recorded"
// event whose properties name the measurement, its health category and its
// value(s) with the unit in the property name. It is
// connected.CategoryHealth, except for a BLE battery level
// (CategoryDevice). It returns a *ConversionError wrapping ErrNoValue for a
// measurement that is not Valid: a flagged or missing reading is not
// recorded as a customer event.
func MeasurementEvent(m *Measurement, opts EventOptions) (connected.Event, error) {
	if !m.Valid() {
		return connected.Event{}, &ConversionError{Format: "event", Kind: m.Kind, Err: ErrNoValue}
	}
	p := deviceProps(m.Device, m.Source)
	p["measurement"] = m.Kind.String()
	p["health_category"] = m.Category().String()
	health := valueProps(m, p)
	if m.Kind != KindBatteryLevel && !health {
		return connected.Event{}, &ConversionError{Format: "event", Kind: m.Kind, Err: ErrUnsupported}
	}
	e := baseEvent(connected.EventMeasurementRecorded, opts, m.Device, m.DedupeKey)
	e.OriginalTimestamp = m.End
	e.Properties = p
	e.Category = eventCategory(health, m.Source)
	return e, nil
}
