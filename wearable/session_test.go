package wearable_test

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/wearable"
)

var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func newSession(t *testing.T, opts ...wearable.Option) *wearable.Session {
	t.Helper()
	s, err := wearable.NewSession(wearable.Device{ID: "strap-1"}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// notify feeds an encoded value and fails the test on error.
func notify(t *testing.T, s *wearable.Session, now time.Time, c wearable.Characteristic, v interface {
	AppendBinary([]byte) ([]byte, error)
}) wearable.Update {
	t.Helper()
	b, err := v.AppendBinary(nil)
	if err != nil {
		t.Fatal(err)
	}
	u, err := s.Notify(now, c, b)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func ofKind(u wearable.Update, k wearable.Kind) []wearable.Measurement {
	var out []wearable.Measurement
	for _, m := range u.Measurements {
		if m.Kind == k {
			out = append(out, m)
		}
	}
	return out
}

func one(t *testing.T, u wearable.Update, k wearable.Kind) wearable.Measurement {
	t.Helper()
	ms := ofKind(u, k)
	if len(ms) != 1 {
		t.Fatalf("%d %v measurements in %+v", len(ms), k, u.Measurements)
	}
	return ms[0]
}

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func TestNewSessionValidates(t *testing.T) {
	for name, tc := range map[string]struct {
		d    wearable.Device
		opts []wearable.Option
	}{
		"no device id":     {wearable.Device{}, nil},
		"wheel 0":          {wearable.Device{ID: "x"}, []wearable.Option{wearable.WithWheelCircumference(0)}},
		"zones descending": {wearable.Device{ID: "x"}, []wearable.Option{wearable.WithHeartRateZones(150, 120)}},
		"no zones":         {wearable.Device{ID: "x"}, []wearable.Option{wearable.WithHeartRateZones()}},
		"coast 0":          {wearable.Device{ID: "x"}, []wearable.Option{wearable.WithCoastTimeout(0)}},
		"battery 100":      {wearable.Device{ID: "x"}, []wearable.Option{wearable.WithBatteryLowThreshold(100)}},
		"empty activity":   {wearable.Device{ID: "x"}, []wearable.Option{wearable.WithActivity("")}},
		"nil clock":        {wearable.Device{ID: "x"}, []wearable.Option{wearable.WithDeviceClock(nil)}},
		"negative workout": {wearable.Device{ID: "x"}, []wearable.Option{wearable.WithMinWorkoutDuration(-1)}},
	} {
		if _, err := wearable.NewSession(tc.d, tc.opts...); !errors.Is(err, wearable.ErrInvalidOption) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

func TestSessionHeartRateStream(t *testing.T) {
	s := newSession(t, wearable.WithHeartRateZones(100, 120, 140))
	var connected int
	bpms := []uint16{90, 110, 130, 150, 130}
	for i, bpm := range bpms {
		u := notify(t, s, t0.Add(time.Duration(i)*time.Second), wearable.HeartRateMeasurementUUID,
			&wearable.HeartRateMeasurement{BPM: bpm, Contact: wearable.ContactDetected})
		connected += len(u.Occurrences)
		hr := one(t, u, wearable.KindHeartRate)
		if hr.HeartRate != wearable.BPM(bpm) || !hr.Valid() || hr.Source.Kind != wearable.SourceBLE || hr.Device.Type != wearable.DeviceHeartRateSensor {
			t.Fatalf("sample %d: %+v", i, hr)
		}
		if hr.Category() != wearable.HealthVitalSigns || !hr.Start.Equal(hr.End) {
			t.Fatalf("category %v, frame %v..%v", hr.Category(), hr.Start, hr.End)
		}
	}
	if connected != 1 {
		t.Fatalf("%d connect occurrences, want 1 (implied by the first notification)", connected)
	}
	sum := s.HeartRateSummary()
	if sum.Samples != 5 || sum.Average != 122 || sum.Max != 150 {
		t.Fatalf("summary %+v", sum)
	}
	// Each second is credited to the zone of the sample that started it.
	want := []time.Duration{time.Second, time.Second, time.Second, time.Second}
	for i, d := range want {
		if sum.Zones[i] != d {
			t.Fatalf("zones %v, want %v", sum.Zones, want)
		}
	}
}

func TestSessionHeartRatePlausibility(t *testing.T) {
	s := newSession(t, wearable.WithQuirks(wearable.Quirks{OffBodyAt255: true}))
	cases := []struct {
		m    wearable.HeartRateMeasurement
		want wearable.Flags
	}{
		{wearable.HeartRateMeasurement{BPM: 0}, wearable.FlagOffBody},
		{wearable.HeartRateMeasurement{BPM: 255}, wearable.FlagOffBody | wearable.FlagImplausible},
		{wearable.HeartRateMeasurement{BPM: 255, Wide: true}, wearable.FlagImplausible},
		{wearable.HeartRateMeasurement{BPM: 301, Wide: true}, wearable.FlagImplausible},
		{wearable.HeartRateMeasurement{BPM: 72, Contact: wearable.ContactNotDetected}, wearable.FlagContactNotDetected},
		{wearable.HeartRateMeasurement{BPM: 72, Contact: wearable.ContactNotSupported}, 0},
	}
	for i, c := range cases {
		hr := one(t, notify(t, s, t0.Add(time.Duration(i)*time.Second), wearable.HeartRateMeasurementUUID, &c.m), wearable.KindHeartRate)
		if hr.Flags != c.want {
			t.Errorf("%d bpm contact %v: flags %b, want %b", c.m.BPM, c.m.Contact, hr.Flags, c.want)
		}
		// The value is kept as sent: flagged, not replaced.
		if hr.HeartRate != wearable.BPM(c.m.BPM) {
			t.Errorf("value changed to %v", hr.HeartRate)
		}
	}
	if sum := s.HeartRateSummary(); sum.Samples != 1 || sum.Max != 72 {
		t.Fatalf("flagged samples counted: %+v", sum)
	}
	// Without the quirk, 255 is only implausible.
	s2 := newSession(t)
	hr := one(t, notify(t, s2, t0, wearable.HeartRateMeasurementUUID, &wearable.HeartRateMeasurement{BPM: 255}), wearable.KindHeartRate)
	if hr.Flags != wearable.FlagImplausible {
		t.Fatalf("255 without quirk: %b", hr.Flags)
	}
}

func TestSessionRRIntervalsAndRMSSD(t *testing.T) {
	s := newSession(t)
	m := wearable.HeartRateMeasurement{BPM: 60}
	// 1024, 1044, 1004 ticks = 1000, 1019.53125, 980.46875 ms.
	_ = m.SetRRIntervals([]wearable.RRInterval{1024, 1044, 1004})
	u := notify(t, s, t0, wearable.HeartRateMeasurementUUID, &m)
	rr := ofKind(u, wearable.KindRRInterval)
	if len(rr) != 3 || rr[0].RRInterval != 1000 || rr[1].RRInterval != 1019.53125 {
		t.Fatalf("rr %+v", rr)
	}
	// Oldest first, contiguous, the last ending at the notification time.
	if !rr[2].End.Equal(t0) || !rr[1].End.Equal(rr[2].Start) || !rr[0].End.Equal(rr[1].Start) {
		t.Fatalf("frames %v..%v %v..%v %v..%v", rr[0].Start, rr[0].End, rr[1].Start, rr[1].End, rr[2].Start, rr[2].End)
	}
	if rr[0].DedupeKey == rr[1].DedupeKey {
		t.Fatal("RR dedupe keys collide")
	}
	sum := s.HeartRateSummary()
	want := math.Sqrt((19.53125*19.53125 + 39.0625*39.0625) / 2)
	if sum.RRCount != 3 || !near(float64(sum.RMSSD), want, 1e-9) {
		t.Fatalf("RMSSD %v (%d RR), want %v", sum.RMSSD, sum.RRCount, want)
	}
	// An implausible interval breaks the chain instead of entering RMSSD.
	_ = m.SetRRIntervals([]wearable.RRInterval{100, 1024})
	u = notify(t, s, t0.Add(time.Second), wearable.HeartRateMeasurementUUID, &m)
	if rr := ofKind(u, wearable.KindRRInterval); !rr[0].Flags.Has(wearable.FlagImplausible) || rr[1].Flags != 0 {
		t.Fatalf("flags %b %b", rr[0].Flags, rr[1].Flags)
	}
	if got := s.HeartRateSummary(); got.RMSSD != sum.RMSSD || got.RRCount != 4 {
		t.Fatalf("after implausible RR: %+v", got)
	}
}

// rrStream feeds 40 beats at 75 bpm with RR encoded in the given raw unit.
func rrStream(t *testing.T, s *wearable.Session, raw wearable.RRInterval) []wearable.Measurement {
	var last []wearable.Measurement
	for i := range 20 {
		m := wearable.HeartRateMeasurement{BPM: 75}
		_ = m.SetRRIntervals([]wearable.RRInterval{raw, raw})
		last = ofKind(notify(t, s, t0.Add(time.Duration(i)*1600*time.Millisecond), wearable.HeartRateMeasurementUUID, &m), wearable.KindRRInterval)
	}
	return last
}

func TestSessionRRUnitQuirk(t *testing.T) {
	// 75 bpm = 800 ms = 819.2 ticks of 1/1024 s.
	if rr := rrStream(t, newSession(t), 819); rr[0].Flags != 0 {
		t.Fatalf("spec-conforming device flagged %b", rr[0].Flags)
	}
	// A device sending milliseconds is suspected, not corrected.
	rr := rrStream(t, newSession(t), 800)
	if !rr[0].Flags.Has(wearable.FlagRRUnitSuspect) || rr[0].RRInterval != 781.25 {
		t.Fatalf("ms device: flags %b value %v", rr[0].Flags, rr[0].RRInterval)
	}
	// With the quirk declared, values are read as milliseconds.
	rr = rrStream(t, newSession(t, wearable.WithQuirks(wearable.Quirks{RRInMilliseconds: true})), 800)
	if rr[0].RRInterval != 800 || rr[0].Flags != wearable.FlagQuirkApplied || rr[0].Original.Value != 800 {
		t.Fatalf("quirk: %+v", rr[0])
	}
}

func TestSessionEnergyExpended(t *testing.T) {
	s := newSession(t)
	e := func(i int, kJ uint16) []wearable.Measurement {
		return ofKind(notify(t, s, t0.Add(time.Duration(i)*time.Second), wearable.HeartRateMeasurementUUID,
			&wearable.HeartRateMeasurement{BPM: 100, HasEnergyExpended: true, EnergyExpended: kJ}), wearable.KindEnergyExpended)
	}
	if got := e(0, 100); len(got) != 0 {
		t.Fatal("baseline produced energy")
	}
	if got := e(1, 100); len(got) != 0 {
		t.Fatal("unchanged energy re-emitted")
	}
	got := e(2, 184)
	if len(got) != 1 || got[0].Energy != 20.076 || !got[0].Start.Equal(t0) || got[0].Original != (wearable.Quantity{Value: 84, Unit: "kJ"}) {
		t.Fatalf("energy %+v", got)
	}
	// Reset via the HR control point: the counter restarts at 0.
	got = e(3, 10)
	if len(got) != 1 || got[0].Original.Value != 94 || !got[0].Flags.Has(wearable.FlagCounterReset) {
		t.Fatalf("after reset %+v", got)
	}
	if got = e(4, 65535); !got[0].Flags.Has(wearable.FlagSaturated) {
		t.Fatalf("saturation %+v", got)
	}
}

func TestSessionNotifyErrors(t *testing.T) {
	s := newSession(t)
	_, err := s.Notify(t0, wearable.HeartRateMeasurementUUID, hx("17 01 01"))
	wantParseError(t, err, wearable.HeartRateMeasurementUUID, 3, wearable.ErrTruncated)
	if s.Connected() {
		t.Fatal("malformed value changed session state")
	}
	_, err = s.Notify(t0, 0x2A99, hx("00"))
	wantParseError(t, err, 0x2A99, 0, wearable.ErrUnsupported)
}
