package beacon_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/beacon"
	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/connectedtest"
)

// Issue 14: a zero time is an unset field, not year 1; a time past 2262
// overflows int64 nanoseconds. Both are refused, typed and counted.
func TestTrackerRefusesInvalidTimes(t *testing.T) {
	tr := newTracker(t, []beacon.Zone{{Name: "z", Gateways: []string{"g"}}})
	bad := []time.Time{{}, time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2262, 4, 12, 0, 0, 0, 0, time.UTC),
		time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC), time.Unix(0, 0), beacon.MaxTime}
	for i, tm := range bad {
		evs, err := tr.Observe(nil, beacon.Sighting{Time: tm, Beacon: ib(1, 1), Gateway: "g", RSSI: -50})
		var te *beacon.TimeError
		if !errors.Is(err, beacon.ErrInvalidTime) || !errors.As(err, &te) || te.Op != "Observe" || !te.Time.Equal(tm) || len(evs) != 0 {
			t.Fatalf("time %v: %v %v", tm, evs, err)
		}
		if st := tr.Stats(); st.BadTimes != uint64(i+1) || st.Sightings != 0 || !tr.Now().IsZero() {
			t.Fatalf("time %v applied: %+v now %v", tm, st, tr.Now())
		}
	}
	if _, err := tr.Observe(nil, beacon.Sighting{Time: at(0), Beacon: ib(1, 1), Gateway: "g", RSSI: -50}); err != nil {
		t.Fatal(err)
	}
	// Advance with a wrapped time neither moves the clock nor fires exits.
	for _, tm := range []time.Time{{}, time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC)} {
		if evs := tr.Advance(nil, tm); len(evs) != 0 || !tr.Now().Equal(at(0)) {
			t.Fatalf("Advance(%v) = %v, now %v", tm, evs, tr.Now())
		}
	}
	if st := tr.Stats(); st.BadTimes != uint64(len(bad)+2) {
		t.Fatalf("%+v", st)
	}
	if err := beacon.CheckTime(at(0)); err != nil {
		t.Fatal(err)
	}
	// Durations that could carry a valid time past 2262 are refused up front.
	if _, err := beacon.NewTracker([]beacon.Zone{{Name: "z", Gateways: []string{"g"}, Config: beacon.ZoneConfig{ExitTimeout: 100 * 365 * 24 * time.Hour}}}); !errors.Is(err, beacon.ErrConfig) {
		t.Fatalf("century exit timeout: %v", err)
	}
	if _, err := beacon.NewTracker([]beacon.Zone{{Name: "z", Gateways: []string{"g"}}}, beacon.WithMaxSkew(math.MaxInt64)); !errors.Is(err, beacon.ErrConfig) {
		t.Fatalf("huge skew: %v", err)
	}
	// A snapshot from a wrapped clock does not restore.
	snap := tr.Snapshot()
	snap.States[0].LastSeen = time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := newTracker(t, []beacon.Zone{{Name: "z", Gateways: []string{"g"}}}).Restore(snap); !errors.Is(err, beacon.ErrConfig) || !errors.Is(err, beacon.ErrInvalidTime) {
		t.Fatalf("restore: %v", err)
	}
}

// Issue 14: a distance model never answers NaN or ±Inf with ok=true,
// whatever its coefficients.
func TestDistanceModelsFinite(t *testing.T) {
	inf, nan := math.Inf(1), math.NaN()
	models := []beacon.DistanceModel{
		beacon.CurveFitted{A: inf, B: 7, C: 0}, beacon.CurveFitted{A: 0, B: inf, C: 1}, beacon.CurveFitted{A: 1, B: 1e6},
		beacon.CurveFitted{A: nan, B: 1, C: 1}, beacon.CurveFitted{A: 1, B: 1, C: nan}, beacon.CurveFitted{A: 1, B: 1, C: -inf},
		beacon.CurveFitted{A: -inf, B: 1, C: inf}, beacon.PathLoss{Exponent: 1e-300}, beacon.PathLoss{Exponent: inf},
	}
	for _, m := range append(models, beacon.CurveModels()[0].CurveFitted, beacon.PathLoss{}) {
		for _, rssi := range []float64{-30, -59, -60, -100, -127, -199.9} {
			for _, tx := range []float64{-1, -40, -59, -100, -199} {
				d, ok := m.Distance(rssi, tx)
				if ok && (math.IsNaN(d) || math.IsInf(d, 0) || d <= 0) {
					t.Fatalf("%+v.Distance(%v, %v) = %v, true", m, rssi, tx, d)
				}
				if e := beacon.EstimateDistance(m, rssi, 3, tx); e.OK && (math.IsInf(e.Max, 0) || math.IsNaN(e.Min) || math.IsNaN(e.Meters)) {
					t.Fatalf("%+v estimate %+v", m, e)
				}
			}
		}
	}
	if _, ok := (beacon.CurveFitted{A: 0, B: inf, C: 1}).Distance(-80, -59); ok {
		t.Fatal("0·Inf accepted")
	}
}

// FuzzDistanceModels checks the finiteness property for any coefficients.
func FuzzDistanceModels(f *testing.F) {
	f.Add(0.42093, 6.9476, 0.54992, 2.0, -70.0, -59.0)
	f.Add(math.Inf(1), 1.0, 0.0, 1e-300, -100.0, -40.0)
	f.Fuzz(func(t *testing.T, a, b, c, n, rssi, tx float64) {
		for _, m := range []beacon.DistanceModel{beacon.CurveFitted{A: a, B: b, C: c}, beacon.PathLoss{Exponent: n}} {
			if d, ok := m.Distance(rssi, tx); ok && (math.IsNaN(d) || math.IsInf(d, 0) || d <= 0) {
				t.Fatalf("%+v.Distance(%v, %v) = %v, true", m, rssi, tx, d)
			}
		}
	})
}

// Issue 14: an iBeacon with one trailing vendor byte keeps its identity,
// with a warning; two extra bytes are still malformed.
func TestIBeaconVendorByte(t *testing.T) {
	md := hx(t, "4c000215 b9407f30f5f8466eaff925556b57fe6d 0001 0007 c5 64")
	f, err := beacon.ParseIBeacon(md)
	if err != nil || f.ID() != ib(1, 7) || !f.Warnings.Has(beacon.WarnVendorByte) || !f.HasVendorByte || f.VendorByte != 0x64 || f.MeasuredPower != -59 {
		t.Fatalf("%+v %v", f, err)
	}
	if got := f.AppendManufacturerData(nil); string(got) != string(md) {
		t.Fatalf("re-encoded % x", got)
	}
	fr, err := beacon.ParseAD(hx(t, "020106 1bff4c000215 b9407f30f5f8466eaff925556b57fe6d 0001 0007 c5 64"))
	if id, _ := fr.ID(); err != nil || id != ib(1, 7) || !fr.Warnings().Has(beacon.WarnVendorByte) || fr.Warnings().String() != "vendor-byte" {
		t.Fatalf("AD: %+v %v", fr, err)
	}
	_, err = beacon.ParseIBeacon(hx(t, "4c000215 b9407f30f5f8466eaff925556b57fe6d 0001 0007 c5 6400"))
	wantErr(t, err, beacon.ErrLength, beacon.FormatIBeacon, 26)
}

// Issue 14: frames under the Eddystone UUID that are not Eddystone (sensor
// frames of KKM / Blue Charm tags) are "not a beacon", not parse errors.
func TestVendorFramesUnderEddystoneUUID(t *testing.T) {
	feaa := beacon.UUID16(beacon.EddystoneServiceUUID)
	for _, sd := range []string{
		"21010b0c1c1a800000fff00100", // Blue Charm BC08 "KSensor": volt, temp, accel
		"2101070c1c1a80000000",       // KKM K6P
		"40e7",                       // an unassigned frame type
		"01e700010203040506070809010203040506",
	} {
		if _, err := beacon.ParseServiceData(feaa, hx(t, sd)); err != beacon.ErrNotBeacon {
			t.Errorf("ParseServiceData(feaa, %s) = %v", sd, err)
		}
		if _, err := beacon.ParseEddystone(hx(t, sd)); err != beacon.ErrNotBeacon {
			t.Errorf("ParseEddystone(%s) = %v", sd, err)
		}
		adv := beacon.Advertisement{Service: []beacon.ServiceData{{UUID: feaa, Data: hx(t, sd)}}}
		if _, err := beacon.Parse(&adv); err != beacon.ErrNotBeacon {
			t.Errorf("Parse(service %s) = %v", sd, err)
		}
		raw := append([]byte{byte(len(sd)/2 + 3), beacon.ADServiceData16, 0xaa, 0xfe}, hx(t, sd)...)
		if _, err := beacon.ParseAD(raw); err != beacon.ErrNotBeacon {
			t.Errorf("ParseAD(% x) = %v", raw, err)
		}
	}
	// A sensor frame beside a real Eddystone-UID does not hide it.
	adv := beacon.Advertisement{Service: []beacon.ServiceData{
		{UUID: feaa, Data: hx(t, "21010b0c1c1a800000fff00100")},
		{UUID: feaa, Data: hx(t, "00e700010203040506070809010203040506")},
	}}
	if f, err := beacon.Parse(&adv); err != nil || f.Format != beacon.FormatEddystoneUID {
		t.Fatalf("%v %v", f.Format, err)
	}
}

// Issue 14: a device named by its gateway (ESPresense "irk:..." ids) goes
// through Tracker and ZoneEvent.Event to the wire as a keyed pseudonym by
// default, never as userId; the raw id only on explicit opt-in.
func TestDeviceSubjectLeavesAsPseudonym(t *testing.T) {
	const irk = "irk:1a2b3c4d5e6f708192a3b4c5d6e7f809"
	key := []byte("per-store secret, 16+ bytes")
	tr := newTracker(t, []beacon.Zone{{Name: "shoes", Rooms: []string{"shoes"}}}, noSmoothing())
	mac := beacon.AddressID(beacon.Address{0x5a, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f})
	evs, err := tr.Observe(nil, beacon.Sighting{Time: at(0), Subject: irk, SubjectIsDevice: true, Beacon: mac, Gateway: "shoes", Room: "shoes", RSSI: -60})
	// A customer who happens to have the same text is another subject.
	evs, err2 := tr.Observe(evs, beacon.Sighting{Time: at(1), Subject: irk, Gateway: "shoes", Room: "shoes", RSSI: -60})
	if err != nil || err2 != nil || len(evs) != 2 || !evs[0].SubjectIsDevice || evs[1].SubjectIsDevice || evs[0].Subject != irk {
		t.Fatalf("%+v %v %v", evs, err, err2)
	}
	if _, err := evs[0].Event(beacon.EventOptions{}); !errors.Is(err, beacon.ErrNoHashKey) {
		t.Fatalf("no key: %v", err)
	}
	if _, err := evs[0].Event(beacon.EventOptions{HashKey: []byte("short")}); !errors.Is(err, beacon.ErrNoHashKey) || !errors.Is(err, connected.ErrPseudonymKey) {
		t.Fatalf("short key: %v", err)
	}
	want, _ := connected.Pseudonym(key, irk)
	p, _ := connected.NewPseudonymizer(key)
	for _, o := range []beacon.EventOptions{{HashKey: key}, {Pseudonymizer: p}} {
		ev, err := evs[0].Event(o)
		if err != nil || ev.UserID != "" || ev.AnonymousID != want || ev.Context.Device.ID != want || ev.Properties["beacon_id"] != beacon.HashID(key, mac) {
			t.Fatalf("%+v %v", ev, err)
		}
		rec := &connectedtest.Recorder{}
		c, err := connected.New(rec)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Track(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
		_ = c.Shutdown(context.Background())
		out := strings.ToLower(rec.Payloads()[0])
		for _, leak := range []string{"1a2b3c4d5e6f", "5a:1b:2c", "5a1b2c"} {
			if strings.Contains(out, leak) {
				t.Fatalf("%s leaked: %s", leak, out)
			}
		}
	}
	raw, err := evs[0].Event(beacon.EventOptions{RawDeviceIDs: true})
	if err != nil || raw.AnonymousID != irk || raw.UserID != "" || raw.Properties["beacon_id"] != mac.String() {
		t.Fatalf("raw opt-in: %+v %v", raw, err)
	}
	cust, err := evs[1].Event(beacon.EventOptions{})
	if err != nil || cust.UserID != irk {
		t.Fatalf("customer: %+v %v", cust, err)
	}
	// The device flag survives a snapshot.
	snap := tr.Snapshot()
	tr2 := newTracker(t, []beacon.Zone{{Name: "shoes", Rooms: []string{"shoes"}}}, noSmoothing())
	if err := tr2.Restore(snap); err != nil {
		t.Fatal(err)
	}
	exits := tr2.Advance(nil, at(100))
	if len(exits) != 2 || exits[0].SubjectIsDevice == exits[1].SubjectIsDevice {
		t.Fatalf("after restore: %+v", exits)
	}
}
