package wearable_test

import (
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/wearable"
)

// Bounds of int64 Unix nanoseconds.
var (
	lastNano  = time.Unix(0, 1<<63-1).UTC()
	firstNano = time.Unix(0, -1<<63).UTC()
	past2262  = time.Date(2263, 1, 1, 0, 0, 0, 0, time.UTC)
)

// wantTimeError checks that err is a *TimeError from op for at.
func wantTimeError(t *testing.T, err error, op string, at time.Time) {
	t.Helper()
	var te *wearable.TimeError
	if !errors.As(err, &te) || !errors.Is(err, wearable.ErrInvalidTime) {
		t.Fatalf("error = %v (%T), want *TimeError wrapping ErrInvalidTime", err, err)
	}
	if te.Op != op || !te.Time.Equal(at) {
		t.Fatalf("error = %+v, want op %q time %v", te, op, at)
	}
}

func TestNotifyRefusesInvalidTimes(t *testing.T) {
	hr := []byte{0x06, 72}
	for _, at := range []time.Time{
		{}, // unset field
		time.Time{}.Add(time.Second),
		past2262,
		lastNano.Add(time.Nanosecond),
		time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC),
		firstNano.Add(-time.Nanosecond),
		time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC),
	} {
		s := newSession(t)
		u, err := s.Notify(at, wearable.HeartRateMeasurementUUID, hr)
		wantTimeError(t, err, "Notify", at)
		if len(u.Measurements) != 0 || len(u.Occurrences) != 0 || s.Connected() || s.HeartRateSummary().Samples != 0 {
			t.Fatalf("%v: refused notification changed the session: %+v", at, u)
		}
	}
	// The last and first representable instants are accepted, with exact keys.
	for _, at := range []time.Time{lastNano, firstNano} {
		s := newSession(t)
		u, err := s.Notify(at, wearable.HeartRateMeasurementUUID, hr)
		if err != nil {
			t.Fatalf("%v: %v", at, err)
		}
		m := one(t, u, wearable.KindHeartRate)
		want := "ble:strap-1:heart_rate:" + strconv.FormatInt(at.UnixNano(), 10)
		if m.DedupeKey != want || !m.Valid() {
			t.Fatalf("%v: key %q flags %b, want %q", at, m.DedupeKey, m.Flags, want)
		}
	}
}

func TestTimeErrorMessage(t *testing.T) {
	_, err := newSession(t).Notify(time.Time{}, wearable.BatteryLevelUUID, []byte{50})
	if got, want := err.Error(), "wearable: Notify: zero time: wearable: invalid time"; got != want {
		t.Fatalf("%q, want %q", got, want)
	}
	err = wearable.CheckTime(past2262)
	if got, want := err.Error(), "wearable: time 2263-01-01T00:00:00Z outside 1677-09-21..2262-04-11 (int64 Unix nanoseconds): wearable: invalid time"; got != want {
		t.Fatalf("%q, want %q", got, want)
	}
	if err := wearable.CheckTime(t0); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(100, func() { _ = wearable.CheckTime(t0) }); n != 0 {
		t.Fatalf("CheckTime of a valid time allocates %v times", n)
	}
}

func TestConnectDisconnectEndWorkoutRefuseInvalidTimes(t *testing.T) {
	s := newSession(t, wearable.WithMinWorkoutDuration(0))
	_, ok, err := s.Connect(time.Time{})
	wantTimeError(t, err, "Connect", time.Time{})
	if ok || s.Connected() {
		t.Fatal("refused Connect connected the session")
	}
	notify(t, s, t0, wearable.HeartRateMeasurementUUID, &wearable.HeartRateMeasurement{BPM: 120})
	notify(t, s, t0.Add(time.Minute), wearable.HeartRateMeasurementUUID, &wearable.HeartRateMeasurement{BPM: 130})
	_, ok, err = s.EndWorkout(past2262)
	wantTimeError(t, err, "EndWorkout", past2262)
	if ok {
		t.Fatal("refused EndWorkout ended the workout")
	}
	out, err := s.Disconnect(time.Time{})
	wantTimeError(t, err, "Disconnect", time.Time{})
	if out != nil || !s.Connected() {
		t.Fatal("refused Disconnect disconnected the session")
	}
	// The workout survived the refusals.
	out, err = s.Disconnect(t0.Add(2 * time.Minute))
	if err != nil || len(out) != 2 || out[0].Workout.Workout.Duration != time.Minute {
		t.Fatalf("%v %+v", err, out)
	}
}

func TestDisconnectAfterClockStepBack(t *testing.T) {
	s := newSession(t)
	if _, _, err := s.Connect(t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	out, err := s.Disconnect(t0)
	if err != nil || len(out) != 1 || out[0].ConnectedFor != 0 {
		t.Fatalf("connected for %v (a negative duration is not a connection): %v", out, err)
	}
}

func TestDeviceTimestampPast2262UsesReceiptTime(t *testing.T) {
	s := newSession(t)
	v, err := wearable.NewFloat(370, -1)
	if err != nil {
		t.Fatal(err)
	}
	for _, year := range []uint16{2263, 9999, 1600} {
		m := wearable.TemperatureMeasurement{Value: v, HasTimestamp: true,
			Timestamp: wearable.DateTime{Year: year, Month: 6, Day: 1, Hours: 12}}
		got := one(t, notify(t, s, t0, wearable.TemperatureMeasurementUUID, &m), wearable.KindBodyTemperature)
		if !got.Start.Equal(t0) || !got.Flags.Has(wearable.FlagDeviceClockUnknown) {
			t.Fatalf("year %d: measurement at %v flags %b, want the receipt time and FlagDeviceClockUnknown", year, got.Start, got.Flags)
		}
		if want := "ble:strap-1:body_temperature:" + strconv.FormatInt(t0.UnixNano(), 10); got.DedupeKey != want {
			t.Fatalf("year %d: key %q", year, got.DedupeKey)
		}
	}
}

// rscAt feeds a running-sensor notification with a total distance in dm.
func rscAt(t *testing.T, s *wearable.Session, at time.Time, dm uint32) wearable.Update {
	t.Helper()
	return notify(t, s, at, wearable.RSCMeasurementUUID,
		&wearable.RSCMeasurement{Speed: 768, Cadence: 170, Running: true, HasTotalDistance: true, TotalDistance: dm})
}

func TestRunningDistanceClockStepsBack(t *testing.T) {
	s := newSession(t)
	rscAt(t, s, t0, 1000)
	if d := one(t, rscAt(t, s, t0.Add(2*time.Second), 1030), wearable.KindDistance); d.Distance != 3 || d.Flags != 0 {
		t.Fatalf("distance %+v", d)
	}
	// The receipt clock steps back one second: flagged like a wheel restart.
	d := one(t, rscAt(t, s, t0.Add(time.Second), 1045), wearable.KindDistance)
	if !d.Flags.Has(wearable.FlagGap|wearable.FlagNoReading) || d.Valid() || d.Distance != 0 || d.End.Before(d.Start) {
		t.Fatalf("step back: %+v", d)
	}
	// The total carries on from the new baseline; the stepped-back growth
	// (1.5 m that cannot be placed in time) is not counted.
	d = one(t, rscAt(t, s, t0.Add(3*time.Second), 1060), wearable.KindDistance)
	if d.Distance != 4.5 || d.Flags != 0 || !d.Start.Equal(t0) {
		t.Fatalf("after step back: %+v", d)
	}
	// A step back before the start moves the start: Start..End stays a frame.
	d = one(t, rscAt(t, s, t0.Add(-time.Minute), 1070), wearable.KindDistance)
	if !d.Flags.Has(wearable.FlagGap) || !d.Start.Equal(t0.Add(-time.Minute)) {
		t.Fatalf("before start: %+v", d)
	}
	d = one(t, rscAt(t, s, t0.Add(-time.Minute+time.Second), 1080), wearable.KindDistance)
	if d.Distance != 5.5 || !d.Valid() || d.End.Before(d.Start) {
		t.Fatalf("after step before start: %+v", d)
	}
}

func TestEnergyClockStepsBack(t *testing.T) {
	s := newSession(t)
	e := func(at time.Time, kJ uint16) wearable.Measurement {
		u := notify(t, s, at, wearable.HeartRateMeasurementUUID, &wearable.HeartRateMeasurement{BPM: 100, HasEnergyExpended: true, EnergyExpended: kJ})
		return one(t, u, wearable.KindEnergyExpended)
	}
	notify(t, s, t0, wearable.HeartRateMeasurementUUID, &wearable.HeartRateMeasurement{BPM: 100, HasEnergyExpended: true, EnergyExpended: 100})
	e(t0.Add(2*time.Second), 184)
	m := e(t0.Add(-time.Second), 200)
	if !m.Flags.Has(wearable.FlagGap|wearable.FlagNoReading) || m.Energy != 0 || m.End.Before(m.Start) {
		t.Fatalf("step back: %+v", m)
	}
	if m = e(t0, 284); m.Original.Value != 168 || !m.Valid() {
		t.Fatalf("after step back: %+v", m)
	}
}

func TestWheelDistanceFrameAfterClockStepsBeforeStart(t *testing.T) {
	s := newSession(t, wearable.WithWheelCircumference(2))
	csc := func(at time.Time, revs uint32, ticks uint16) wearable.Update {
		return notify(t, s, at, wearable.CSCMeasurementUUID, &wearable.CSCMeasurement{HasWheel: true, WheelRevolutions: revs, WheelEventTime: ticks})
	}
	csc(t0, 0, 0)
	csc(t0.Add(time.Second), 5, 1024)
	if sp := one(t, csc(t0.Add(-time.Minute), 10, 2048), wearable.KindSpeed); !sp.Flags.Has(wearable.FlagGap) {
		t.Fatalf("step back %+v", sp)
	}
	d := one(t, csc(t0.Add(-time.Minute+time.Second), 15, 3072), wearable.KindDistance)
	if d.End.Before(d.Start) || !d.Valid() || d.Distance != 20 {
		t.Fatalf("distance frame %v..%v flags %b distance %v", d.Start, d.End, d.Flags, d.Distance)
	}
}

func TestWorkoutNotShortenedByClockStepBack(t *testing.T) {
	s := newSession(t, wearable.WithMinWorkoutDuration(0))
	for _, at := range []time.Time{t0, t0.Add(2 * time.Minute), t0.Add(time.Minute)} {
		notify(t, s, at, wearable.HeartRateMeasurementUUID, &wearable.HeartRateMeasurement{BPM: 120})
	}
	o, ok, err := s.EndWorkout(t0.Add(3 * time.Minute))
	if err != nil || !ok || o.Workout.Workout.Duration != 2*time.Minute || !o.Workout.Valid() {
		t.Fatalf("%v %v %+v", err, ok, o.Workout)
	}
}
