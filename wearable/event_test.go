package wearable_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/connectedtest"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
	"github.com/touchpoint-sdk/touchpoint/wearable"
)

var who = wearable.EventOptions{UserID: "runner-7"}

// healthKeys are the property names that carry a health value.
var healthKeys = []string{"heart_rate_bpm", "rr_interval_ms", "energy_kcal", "speed_mps", "cadence_rpm", "cadence_spm",
	"power_w", "distance_m", "steps", "body_temperature_c", "systolic_mmhg", "diastolic_mmhg", "body_weight_kg",
	"oxygen_saturation_pct", "activity", "duration_s", "avg_heart_rate_bpm", "max_heart_rate_bpm"}

// checkHealthRule fails if a health-valued property sits on a non-health event.
func checkHealthRule(t *testing.T, e connected.Event) {
	t.Helper()
	if e.Context.Channel != connected.ChannelWearable || e.Type != connected.TypeTrack {
		t.Fatalf("%s: channel %q type %q", e.Event, e.Context.Channel, e.Type)
	}
	if e.Category == connected.CategoryHealth {
		return
	}
	for _, k := range healthKeys {
		if _, ok := e.Properties[k]; ok {
			t.Fatalf("%s (%s) carries health property %s", e.Event, e.Category, k)
		}
	}
}

// stream runs a short ride through a session and returns every occurrence.
func stream(t *testing.T) []wearable.Occurrence {
	s, err := wearable.NewSession(wearable.Device{ID: "strap-1", Manufacturer: "Polar", Model: "H10"}, wearable.WithMinWorkoutDuration(0))
	if err != nil {
		t.Fatal(err)
	}
	var occ []wearable.Occurrence
	add := func(at time.Time, c wearable.Characteristic, v []byte) {
		u, err := s.Notify(at, c, v)
		if err != nil {
			t.Fatal(err)
		}
		occ = append(occ, u.Occurrences...)
	}
	add(t0, wearable.BodySensorLocationUUID, []byte{1})
	for i := range 32 {
		add(t0.Add(time.Duration(i)*time.Minute), wearable.HeartRateMeasurementUUID, []byte{0x06, byte(120 + i)})
	}
	add(t0.Add(32*time.Minute), wearable.BatteryLevelUUID, []byte{12})
	out, err := s.Disconnect(t0.Add(33 * time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	return append(occ, out...)
}

func TestOccurrenceEvents(t *testing.T) {
	occ := stream(t)
	want := []struct {
		name string
		cat  connected.Category
	}{
		{connected.EventDeviceConnected, connected.CategoryDevice},
		{connected.EventBatteryLow, connected.CategoryDevice},
		{connected.EventWorkoutCompleted, connected.CategoryHealth},
		{connected.EventDeviceDisconnected, connected.CategoryDevice},
	}
	if len(occ) != len(want) {
		t.Fatalf("occurrences %+v", occ)
	}
	ids := map[string]bool{}
	for i, o := range occ {
		e, err := o.Event(who)
		if err != nil {
			t.Fatal(err)
		}
		if e.Event != want[i].name || e.Category != want[i].cat || e.UserID != "runner-7" || e.MessageID == "" || !e.OriginalTimestamp.Equal(o.Time) {
			t.Fatalf("event %d: %+v", i, e)
		}
		if ids[e.MessageID] {
			t.Fatal("message ids collide")
		}
		ids[e.MessageID] = true
		checkHealthRule(t, e)
		if e.Context.Device.ID != "strap-1" || e.Context.Device.Type != "heart_rate_sensor" || e.Properties["body_location"] != "chest" {
			t.Fatalf("device %+v props %v", e.Context.Device, e.Properties)
		}
		again, _ := o.Event(who)
		if again.MessageID != e.MessageID {
			t.Fatal("message id not stable")
		}
	}
	w, _ := occ[2].Event(who)
	if w.Properties["activity"] != "other" || w.Properties["duration_s"] != 31*60.0 || w.Properties["max_heart_rate_bpm"] != 151.0 {
		t.Fatalf("workout props %v", w.Properties)
	}
	b, _ := occ[1].Event(who)
	if b.Properties["battery_pct"] != 12.0 {
		t.Fatalf("battery props %v", b.Properties)
	}
}

func TestConnectedWithReadingsIsHealth(t *testing.T) {
	o := wearable.Occurrence{Kind: wearable.OccurrenceDeviceConnected, Time: t0, Device: wearable.Device{ID: "d", Type: wearable.DeviceHeartRateSensor},
		Source:   wearable.Source{Kind: wearable.SourceBLE},
		Readings: []wearable.Measurement{{Kind: wearable.KindHeartRate, HeartRate: 64, Start: t0, End: t0}}}
	e, _ := o.Event(who)
	if e.Category != connected.CategoryHealth || e.Properties["heart_rate_bpm"] != 64.0 {
		t.Fatalf("%+v", e)
	}
}

func TestMeasurementEvents(t *testing.T) {
	ms := sampleMeasurements(t)
	for _, name := range sortedNames(ms) {
		m := ms[name]
		e, err := wearable.MeasurementEvent(&m, who)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		checkHealthRule(t, e)
		wantCat := connected.CategoryHealth
		if m.Kind == wearable.KindBatteryLevel {
			wantCat = connected.CategoryDevice
		}
		if e.Event != connected.EventMeasurementRecorded || e.Category != wantCat || e.Properties["measurement"] != name {
			t.Fatalf("%s: %+v", name, e)
		}
	}
	bad := wearable.Measurement{Kind: wearable.KindBodyWeight, Flags: wearable.FlagNoReading | wearable.FlagUnsuccessful}
	if _, err := wearable.MeasurementEvent(&bad, who); !errors.Is(err, wearable.ErrNoValue) {
		t.Fatalf("unsuccessful weight: %v", err)
	}
}

func TestPlatformDataIsAlwaysHealth(t *testing.T) {
	apple := wearable.Source{Kind: wearable.SourceAppleHealth, Name: "Watch"}
	w := wearable.Measurement{Kind: wearable.KindWorkout, Source: apple, Start: t0, End: t0.Add(32 * time.Minute), DedupeKey: "apple_health:w",
		Workout: wearable.Workout{Activity: "running", Duration: 32 * time.Minute}}
	o, err := wearable.WorkoutOccurrence(&w)
	if err != nil {
		t.Fatal(err)
	}
	e, _ := o.Event(who)
	if e.Category != connected.CategoryHealth || e.Event != connected.EventWorkoutCompleted || e.Properties["source"] != "apple_health" {
		t.Fatalf("%+v", e)
	}
	// Even a device-only occurrence from a platform is health data.
	d := wearable.Occurrence{Kind: wearable.OccurrenceDeviceDisconnected, Time: t0, Source: apple}
	if e, _ := d.Event(who); e.Category != connected.CategoryHealth {
		t.Fatalf("platform disconnect %s", e.Category)
	}
	if _, err := wearable.WorkoutOccurrence(&wearable.Measurement{Kind: wearable.KindHeartRate}); !errors.Is(err, wearable.ErrUnsupported) {
		t.Fatalf("err %v", err)
	}
	// Implausible workouts the caller did not flag are refused too: no
	// occurrence with an end before its start or without times.
	for name, m := range map[string]wearable.Measurement{
		"ends before it starts": {Kind: wearable.KindWorkout, Source: apple, Start: t0, End: t0.Add(-time.Minute),
			Workout: wearable.Workout{Activity: "running", Duration: -time.Minute}},
		"no times": {Kind: wearable.KindWorkout, Source: apple, Workout: wearable.Workout{Activity: "running"}},
	} {
		if o, err := wearable.WorkoutOccurrence(&m); !errors.Is(err, wearable.ErrNoValue) {
			t.Errorf("%s: %+v, %v; want ErrNoValue", name, o, err)
		}
	}
	if _, err := (&wearable.Occurrence{}).Event(who); !errors.Is(err, wearable.ErrUnsupported) {
		t.Fatalf("err %v", err)
	}
}

// TestConsentRouterKeepsHealthFromMarketing sends the whole stream through
// connected.Client and the consent router: with every consent granted, the
// marketing destination still receives no health-category event, while the
// wellness destination receives the workout.
func TestConsentRouterKeepsHealthFromMarketing(t *testing.T) {
	ctx := context.Background()
	ledger, err := consent.NewLedger()
	if err != nil {
		t.Fatal(err)
	}
	wellness, marketing := &connectedtest.Recorder{}, &connectedtest.Recorder{}
	router, err := consent.NewRouter(ledger, []byte("test-audit-key-0123456789abcdef!"), []consent.Destination{
		{Name: "wellness", Purpose: consent.PurposeHealth, Categories: []connected.Category{connected.CategoryHealth, connected.CategoryDevice}, Handler: wellness},
		{Name: "marketing", Purpose: consent.PurposeMarketing, Categories: []connected.Category{connected.CategoryDevice, connected.CategoryBehavioral}, Handler: marketing},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer router.Shutdown(ctx)
	for _, p := range []consent.Purpose{consent.PurposeHealth, consent.PurposeMarketing} {
		if _, err := ledger.Record(ctx, consent.Fact{Subject: "runner-7", Purpose: p, Granted: true, Effective: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), Source: consent.SourceAppSetting}); err != nil {
			t.Fatal(err)
		}
	}
	now := t0.Add(time.Hour)
	client, err := connected.New(router, connected.WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Shutdown(ctx)
	for _, o := range stream(t) {
		e, _ := o.Event(who)
		if err := client.Track(ctx, e); err != nil {
			t.Fatalf("%s: %v", e.Event, err)
		}
	}
	for _, m := range sampleMeasurements(t) {
		e, _ := wearable.MeasurementEvent(&m, who)
		if err := client.Track(ctx, e); err != nil {
			t.Fatalf("%s: %v", e.Event, err)
		}
	}
	if err := client.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	names := func(r *connectedtest.Recorder) map[string]int {
		out := map[string]int{}
		for _, rec := range r.Records() {
			if rec.Category == connected.CategoryHealth && r == marketing {
				t.Fatalf("health record reached marketing: %s", rec.Payload)
			}
			out[rec.Event.Event]++
		}
		return out
	}
	got, want := names(marketing), map[string]int{
		connected.EventDeviceConnected: 1, connected.EventBatteryLow: 1, connected.EventDeviceDisconnected: 1,
		connected.EventMeasurementRecorded: 1, // the battery level
	}
	if len(got) != len(want) {
		t.Fatalf("marketing got %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("marketing got %v, want %v", got, want)
		}
	}
	if w := names(wellness); w[connected.EventWorkoutCompleted] != 1 || w[connected.EventMeasurementRecorded] != 14 {
		t.Fatalf("wellness got %v", w)
	}
}
