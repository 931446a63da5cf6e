package wearable

import (
	"strconv"
	"time"
)

// OccurrenceKind is a discrete happening derived from a device's stream.
type OccurrenceKind uint8

// The occurrence kinds; see event.go for the customer events they become.
const (
	OccurrenceDeviceConnected    OccurrenceKind = iota + 1 // the device connected (explicitly, or implied by its first data)
	OccurrenceDeviceDisconnected                           // the device disconnected
	OccurrenceWorkoutCompleted                             // a workout ended; Workout holds it
	OccurrenceBatteryLow                                   // the battery fell below the threshold
)

// String returns the snake_case name.
func (k OccurrenceKind) String() string {
	switch k {
	case OccurrenceDeviceConnected:
		return "device_connected"
	case OccurrenceDeviceDisconnected:
		return "device_disconnected"
	case OccurrenceWorkoutCompleted:
		return "workout_completed"
	case OccurrenceBatteryLow:
		return "battery_low"
	}
	return "occurrence(" + strconv.Itoa(int(k)) + ")"
}

// Occurrence is a discrete happening derived from a stream. It carries a
// health value only in Workout and Readings; the conversion to a customer
// event (Occurrence.Event) puts those under the health category.
type Occurrence struct {
	Kind   OccurrenceKind
	Time   time.Time
	Device Device
	Source Source
	// Workout is the KindWorkout measurement of OccurrenceWorkoutCompleted.
	Workout Measurement
	// Battery is the level for OccurrenceBatteryLow.
	Battery Percent
	// Readings are health readings the caller chose to attach (for example
	// the first heart rate on connect). They make the event health data.
	Readings []Measurement
	// ConnectedFor is how long the device was connected, for
	// OccurrenceDeviceDisconnected; 0 when unknown (the clock stepped back
	// since Connect).
	ConnectedFor time.Duration
	// DedupeKey identifies the occurrence across replays.
	DedupeKey string
}

// WorkoutOccurrence returns the Workout Completed occurrence for a
// KindWorkout measurement, such as one imported from a platform export. It
// returns a *ConversionError wrapping ErrUnsupported for other kinds, and
// one wrapping ErrNoValue for a workout that is not Valid or that the
// plausibility rules flag (it applies Plausibility itself, so a caller need
// not have): it ends before it starts, has no start or end time, a
// negative duration, ...
func WorkoutOccurrence(m *Measurement) (Occurrence, error) {
	if m.Kind != KindWorkout {
		return Occurrence{}, &ConversionError{Format: "occurrence", Kind: m.Kind, Err: ErrUnsupported}
	}
	if !m.Valid() || Plausibility(m)&invalidFlags != 0 {
		return Occurrence{}, &ConversionError{Format: "occurrence", Kind: m.Kind, Err: ErrNoValue}
	}
	key := m.DedupeKey
	if key != "" {
		key += ":completed"
	}
	return Occurrence{
		Kind: OccurrenceWorkoutCompleted, Time: m.End, Device: m.Device, Source: m.Source,
		Workout: *m, DedupeKey: key,
	}, nil
}
