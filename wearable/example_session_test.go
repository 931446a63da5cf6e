package wearable_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/touchpoint-sdk/touchpoint/wearable"
)

// NewSession starts following one device. Its ID is required because it
// scopes the dedupe keys; the device type is inferred from the first
// characteristic, whose notification also implies the connection.
func ExampleNewSession() {
	at := time.Date(2026, 3, 1, 7, 30, 0, 0, time.UTC)
	hr := []byte{0x06, 72} // Heart Rate Measurement: 72 bpm, contact detected
	s, err := wearable.NewSession(wearable.Device{ID: "strap-1", Manufacturer: "Polar", Model: "H10"})
	if err != nil {
		panic(err)
	}
	fmt.Printf("connected=%v type=%q\n", s.Connected(), s.Device().Type)
	u, err := s.Notify(at, wearable.HeartRateMeasurementUUID, hr)
	if err != nil {
		panic(err)
	}
	fmt.Printf("connected=%v type=%q %s %s %v\n", s.Connected(), s.Device().Type,
		u.Occurrences[0].Kind, u.Measurements[0].Kind, u.Measurements[0].HeartRate)

	// The same notification from another strap gets another dedupe key.
	other, err := wearable.NewSession(wearable.Device{ID: "strap-2"})
	if err != nil {
		panic(err)
	}
	v, err := other.Notify(at, wearable.HeartRateMeasurementUUID, hr)
	if err != nil {
		panic(err)
	}
	fmt.Println(u.Measurements[0].DedupeKey == v.Measurements[0].DedupeKey)

	_, err = wearable.NewSession(wearable.Device{Manufacturer: "Polar", Model: "H10"})
	fmt.Println(errors.Is(err, wearable.ErrInvalidOption), err)
	_, err = wearable.NewSession(wearable.Device{ID: "cadence-7"}, wearable.WithWheelCircumference(21.05))
	fmt.Println(errors.Is(err, wearable.ErrInvalidOption), err)
	// Output:
	// connected=false type=""
	// connected=true type="heart_rate_sensor" device_connected heart_rate 72
	// false
	// true wearable: invalid option: empty device ID
	// true wearable: invalid option: wheel circumference 21.05 m outside 0.5..4
}

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
