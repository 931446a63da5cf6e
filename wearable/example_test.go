package wearable_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/connectedtest"
	"github.com/touchpoint-sdk/touchpoint/wearable"
)

// From raw notifications to customer events: the strap's Body Sensor
// Location and one Heart Rate Measurement (0x2A37) go through a Session;
// its Device Connected occurrence and heart-rate measurement become
// connected events. Device Connected carries no health value and is device
// data; the heart rate is health data, which the consent router never lets
// reach a marketing destination.
func Example() {
	ctx := context.Background()
	at := time.Date(2026, 3, 1, 7, 30, 0, 0, time.UTC)

	s, err := wearable.NewSession(wearable.Device{ID: "strap-1", Manufacturer: "Polar", Model: "H10"})
	if err != nil {
		fmt.Println(err)
		return
	}
	rec := &connectedtest.Recorder{}
	client, _ := connected.New(rec, connected.WithClock(func() time.Time { return at }), connected.WithLibrary("example", "1"))
	defer client.Shutdown(ctx)
	who := wearable.EventOptions{UserID: "runner-7"}

	notifications := []struct {
		c     wearable.Characteristic
		value []byte
	}{
		{wearable.BodySensorLocationUUID, []byte{0x01}},                                 // chest
		{wearable.HeartRateMeasurementUUID, []byte{0x16, 0x48, 0x54, 0x01, 0xEC, 0x02}}, // 72 bpm, 2 RR
	}
	for _, n := range notifications {
		u, err := s.Notify(at, n.c, n.value)
		if err != nil {
			fmt.Println(err)
			return
		}
		for _, o := range u.Occurrences {
			e, _ := o.Event(who)
			_ = client.Track(ctx, e)
		}
		for _, m := range u.Measurements {
			if m.Kind != wearable.KindHeartRate {
				continue
			}
			e, _ := wearable.MeasurementEvent(&m, who)
			_ = client.Track(ctx, e)
		}
	}
	for _, r := range rec.Records() {
		fmt.Printf("%s [%s]\n%s\n", r.Event.Event, r.Category, r.Payload)
	}
	// Output:
	// Device Connected [device]
	// {"type":"track","messageId":"f7d1d648-b6b4-5bb8-bdc8-8cbbfc2724fe","userId":"runner-7","event":"Device Connected","properties":{"body_location":"chest","device_type":"heart_rate_sensor","source":"ble"},"originalTimestamp":"2026-03-01T07:30:00.000Z","context":{"channel":"wearable","dataCategory":"device","library":{"name":"example","version":"1"},"device":{"id":"strap-1","type":"heart_rate_sensor","manufacturer":"Polar","model":"H10"}}}
	// Measurement Recorded [health]
	// {"type":"track","messageId":"61807a4d-d1b2-5316-8d61-463c945f12a8","userId":"runner-7","event":"Measurement Recorded","properties":{"body_location":"chest","device_type":"heart_rate_sensor","health_category":"vital_signs","heart_rate_bpm":72,"measurement":"heart_rate","source":"ble"},"originalTimestamp":"2026-03-01T07:30:00.000Z","context":{"channel":"wearable","dataCategory":"health","library":{"name":"example","version":"1"},"device":{"id":"strap-1","type":"heart_rate_sensor","manufacturer":"Polar","model":"H10"}}}
}

func ExampleOccurrence_Event() {
	w := wearable.Measurement{
		Kind:      wearable.KindWorkout,
		Start:     time.Date(2026, 3, 1, 7, 0, 0, 0, time.UTC),
		End:       time.Date(2026, 3, 1, 7, 32, 0, 0, time.UTC),
		Source:    wearable.Source{Kind: wearable.SourceBLE},
		DedupeKey: "ble:strap-1:workout:1",
		Workout:   wearable.Workout{Activity: "running", Duration: 32 * time.Minute, AverageHeartRate: 151},
	}
	o, _ := wearable.WorkoutOccurrence(&w)
	e, _ := o.Event(wearable.EventOptions{UserID: "runner-7"})
	fmt.Println(e.Event, e.Category, e.Properties["activity"], e.Properties["duration_s"], e.Properties["avg_heart_rate_bpm"])
	// Output: Workout Completed health running 1920 151
}

// WorkoutOccurrence turns an imported workout (here as a platform export
// gives it) into the Workout Completed occurrence a Session emits at the end
// of a BLE workout. Other kinds, and workouts the plausibility rules flag,
// are refused.
func ExampleWorkoutOccurrence() {
	w := wearable.Measurement{
		Kind:      wearable.KindWorkout,
		Start:     time.Date(2016, 4, 2, 9, 40, 38, 0, time.UTC),
		End:       time.Date(2016, 4, 2, 10, 12, 22, 0, time.UTC),
		Source:    wearable.Source{Kind: wearable.SourceAppleHealth, Name: "Apple Watch"},
		DedupeKey: "apple_health:9f0c3e5a1b7d2c4e6f8a0b1c2d3e4f50",
		Workout:   wearable.Workout{Activity: "walking", Duration: 31*time.Minute + 44*time.Second, Energy: 139.3},
	}
	o, err := wearable.WorkoutOccurrence(&w)
	if err != nil {
		panic(err)
	}
	fmt.Println(o.Kind, o.Time.Format(time.RFC3339), o.Workout.Workout.Activity, o.Workout.Workout.Duration, o.DedupeKey)

	hr := wearable.Measurement{Kind: wearable.KindHeartRate, Start: w.Start, End: w.Start, HeartRate: 96}
	_, err = wearable.WorkoutOccurrence(&hr)
	fmt.Println(errors.Is(err, wearable.ErrUnsupported), err)

	w.Workout.Duration = -w.Workout.Duration // a corrupt export: the plausibility rules refuse it
	_, err = wearable.WorkoutOccurrence(&w)
	fmt.Println(errors.Is(err, wearable.ErrNoValue), err)
	// Output:
	// workout_completed 2016-04-02T10:12:22Z walking 31m44s apple_health:9f0c3e5a1b7d2c4e6f8a0b1c2d3e4f50:completed
	// true wearable: occurrence: heart_rate: wearable: unsupported
	// true wearable: occurrence: workout: wearable: no numeric value
}

func ExampleMeasurementEvent() {
	m := wearable.Measurement{
		Kind: wearable.KindBatteryLevel, Start: time.Date(2026, 3, 1, 7, 0, 0, 0, time.UTC), End: time.Date(2026, 3, 1, 7, 0, 0, 0, time.UTC),
		Source: wearable.Source{Kind: wearable.SourceBLE}, Battery: 14,
	}
	e, _ := wearable.MeasurementEvent(&m, wearable.EventOptions{AnonymousID: "a-1"})
	fmt.Println(e.Event, e.Category, e.Properties["battery_pct"])
	// Output: Measurement Recorded device 14
}
