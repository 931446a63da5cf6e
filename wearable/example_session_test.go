package wearable_test

import (
	"fmt"
	"time"

	"github.com/touchpoint-sdk/touchpoint/wearable"
)

func ExampleSession() {
	s, err := wearable.NewSession(wearable.Device{ID: "cadence-7"}, wearable.WithWheelCircumference(2.105))
	if err != nil {
		fmt.Println(err)
		return
	}
	start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	// Two CSC notifications one second apart; the wheel event time wraps
	// from 65000 to 500 (1036 ticks of 1/1024 s).
	frames := [][]byte{
		{0x03, 0x0A, 0x00, 0x00, 0x00, 0xE8, 0xFD, 0xFE, 0xFF, 0xE8, 0xFD},
		{0x03, 0x0F, 0x00, 0x00, 0x00, 0xF4, 0x01, 0x01, 0x00, 0xF4, 0x01},
	}
	for i, f := range frames {
		u, err := s.Notify(start.Add(time.Duration(i)*time.Second), wearable.CSCMeasurementUUID, f)
		if err != nil {
			fmt.Println(err)
			return
		}
		for _, o := range u.Occurrences {
			fmt.Println("occurrence:", o.Kind, o.Device.Type)
		}
		for _, m := range u.Measurements {
			v, unit, _ := m.Scalar()
			fmt.Printf("%s %.2f %s\n", m.Kind, v, unit)
		}
	}
	// Output:
	// occurrence: device_connected speed_cadence_sensor
	// speed 10.40 m/s
	// distance 10.53 m
	// cycling_cadence 177.92 /min
}

func ExampleSession_Disconnect() {
	s, _ := wearable.NewSession(wearable.Device{ID: "strap-1"}, wearable.WithMinWorkoutDuration(0))
	start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	for i, bpm := range []byte{120, 140, 160} {
		_, _ = s.Notify(start.Add(time.Duration(i)*time.Minute), wearable.HeartRateMeasurementUUID, []byte{0x06, bpm})
	}
	occ, err := s.Disconnect(start.Add(3 * time.Minute))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, o := range occ {
		fmt.Println(o.Kind, o.Workout.Workout.Duration, o.Workout.Workout.AverageHeartRate)
	}
	// Output:
	// workout_completed 2m0s 140
	// device_disconnected 0s 0
}

func ExampleWithQuirks() {
	// This wristband sends RR intervals in milliseconds on 0x2A37.
	s, _ := wearable.NewSession(wearable.Device{ID: "band-3"}, wearable.WithQuirks(wearable.Quirks{RRInMilliseconds: true}))
	u, _ := s.Notify(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), wearable.HeartRateMeasurementUUID, []byte{0x10, 75, 0x20, 0x03})
	for _, m := range u.Measurements {
		if m.Kind == wearable.KindRRInterval {
			fmt.Println(m.RRInterval, "ms, quirk applied:", m.Flags.Has(wearable.FlagQuirkApplied))
		}
	}
	// Output: 800 ms, quirk applied: true
}
