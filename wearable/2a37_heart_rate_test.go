package wearable_test

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/wearable"
)

func TestHeartRateDecode(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		bpm     uint16
		wide    bool
		contact wearable.SensorContact
		energy  int // -1 = absent
		rr      []wearable.RRInterval
	}{
		{"Nordic 8-bit, contact not supported", "00 55", 85, false, wearable.ContactNotSupported, -1, nil},
		{"Nordic 255, supported not detected", "04 FF", 255, false, wearable.ContactNotDetected, -1, nil},
		{"Nordic detected, energy, one RR", "1E 55 32 00 21 00", 85, false, wearable.ContactDetected, 50, []wearable.RRInterval{33}},
		{"Nordic 16-bit, energy, three RR", "1F 01 01 32 01 01 00 02 01 FF FF", 257, true, wearable.ContactDetected, 306, []wearable.RRInterval{1, 258, 65535}},
		{"movisens two RR", "16 48 54 01 EC 02", 72, false, wearable.ContactDetected, -1, []wearable.RRInterval{340, 748}},
		{"16-bit below 256 keeps width", "01 48 00", 72, true, wearable.ContactNotSupported, -1, nil},
		{"contact status 1 is not supported", "02 48", 72, false, wearable.ContactNotSupported1, -1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m wearable.HeartRateMeasurement
			in := hx(tt.in)
			if err := m.UnmarshalBinary(in); err != nil {
				t.Fatal(err)
			}
			if m.BPM != tt.bpm || m.Wide != tt.wide || m.Contact != tt.contact {
				t.Fatalf("got bpm %d wide %v contact %v", m.BPM, m.Wide, m.Contact)
			}
			if m.HasEnergyExpended != (tt.energy >= 0) || (tt.energy >= 0 && int(m.EnergyExpended) != tt.energy) {
				t.Fatalf("energy = %v %d, want %d", m.HasEnergyExpended, m.EnergyExpended, tt.energy)
			}
			if !slices.Equal(m.RRIntervals(), tt.rr) {
				t.Fatalf("RR = %v, want %v", m.RRIntervals(), tt.rr)
			}
			out, err := m.AppendBinary(nil)
			if err != nil || !bytes.Equal(out, in) {
				t.Fatalf("re-encoded % X, %v; want % X", out, err, in)
			}
		})
	}
}

func TestHeartRateContactTriState(t *testing.T) {
	// pycycling collapses these into one boolean; they are three states.
	for _, tt := range []struct {
		c                   wearable.SensorContact
		supported, detected bool
		s                   string
	}{
		{wearable.ContactNotSupported, false, false, "not supported"},
		{wearable.ContactNotSupported1, false, false, "not supported"},
		{wearable.ContactNotDetected, true, false, "not detected"},
		{wearable.ContactDetected, true, true, "detected"},
	} {
		if tt.c.Supported() != tt.supported || tt.c.Detected() != tt.detected || tt.c.String() != tt.s {
			t.Fatalf("%d: supported %v detected %v %q", tt.c, tt.c.Supported(), tt.c.Detected(), tt.c.String())
		}
	}
}

func TestRRIntervalUnits(t *testing.T) {
	// raw 1024 = 1000 ms, not 1024 ms.
	if got := wearable.RRInterval(1024).Milliseconds(); got != 1000 {
		t.Fatalf("1024 → %v ms", got)
	}
	if got := wearable.RRInterval(340).Milliseconds() / 1000; got != 0.33203125 {
		t.Fatalf("340 → %v s", got)
	}
	if got := wearable.RRInterval(1024).Duration(); got != time.Second {
		t.Fatalf("Duration = %v", got)
	}
}

func TestHeartRateRejects(t *testing.T) {
	long := make([]byte, 514)
	long[0] = 0x10
	for _, tt := range []badCase{
		{"empty", "", 0, wearable.ErrTruncated},
		{"Nordic 17 01 01: RR flag without RR", "17 01 01", 3, wearable.ErrTruncated},
		{"8-bit value missing", "00", 1, wearable.ErrTruncated},
		{"16-bit value half", "01 55", 1, wearable.ErrTruncated},
		{"energy truncated", "08 55 01", 2, wearable.ErrTruncated},
		{"energy flag, RR flag, RR missing", "18 55 01 00", 4, wearable.ErrTruncated},
		{"odd byte after RR", "10 55 01 02 03", 4, wearable.ErrTruncated},
		{"trailing byte without RR flag", "00 55 00", 2, wearable.ErrTrailingBytes},
		{"trailing after energy", "08 55 01 00 09", 4, wearable.ErrTrailingBytes},
		{"reserved flag bit 5", "20 55", 0, wearable.ErrReserved},
		{"reserved flag bit 7", "80 55", 0, wearable.ErrReserved},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := wearable.HeartRateMeasurement{BPM: 61}
			wantParseError(t, m.UnmarshalBinary(hx(tt.in)), wearable.HeartRateMeasurementUUID, tt.off, tt.err)
			if m.BPM != 61 {
				t.Fatal("receiver modified on error")
			}
		})
	}
	var m wearable.HeartRateMeasurement
	wantParseError(t, m.UnmarshalBinary(long), wearable.HeartRateMeasurementUUID, 512, wearable.ErrTooLong)
}

func TestHeartRateMaxRR(t *testing.T) {
	in := make([]byte, 2+2*wearable.MaxRRIntervals)
	in[0], in[1] = 0x10, 60
	for i := 2; i < len(in); i += 2 {
		in[i] = byte(i)
	}
	var m wearable.HeartRateMeasurement
	if err := m.UnmarshalBinary(in); err != nil {
		t.Fatal(err)
	}
	if len(m.RRIntervals()) != wearable.MaxRRIntervals {
		t.Fatalf("%d RR", len(m.RRIntervals()))
	}
	out, _ := m.MarshalBinary()
	if !bytes.Equal(out, in) {
		t.Fatal("round trip differs")
	}
}

func TestHeartRateEncodeErrors(t *testing.T) {
	m := wearable.HeartRateMeasurement{BPM: 300}
	if _, err := m.AppendBinary(nil); err == nil {
		t.Fatal("BPM 300 without Wide encoded")
	}
	m = wearable.HeartRateMeasurement{BPM: 60, Contact: 4}
	if _, err := m.AppendBinary(nil); err == nil {
		t.Fatal("contact 4 encoded")
	}
	if err := m.SetRRIntervals(make([]wearable.RRInterval, wearable.MaxRRIntervals+1)); err == nil {
		t.Fatal("too many RR accepted")
	}
	m = wearable.HeartRateMeasurement{BPM: 60}
	if err := m.SetRRIntervals([]wearable.RRInterval{1000, 1010}); err != nil {
		t.Fatal(err)
	}
	out, _ := m.MarshalBinary()
	if !bytes.Equal(out, hx("10 3C E8 03 F2 03")) {
		t.Fatalf("encoded % X", out)
	}
	kcal, ok := (&wearable.HeartRateMeasurement{HasEnergyExpended: true, EnergyExpended: 4184}).EnergyExpendedKilocalories()
	if !ok || kcal != 1000 {
		t.Fatalf("kcal = %v %v", kcal, ok)
	}
}
