package applehealth

import (
	"errors"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/wearable"
)

func TestParseDate(t *testing.T) {
	var p dateParser
	got, err := p.parse("2014-09-13 10:27:54 +0100")
	if err != nil || !got.Equal(time.Date(2014, 9, 13, 9, 27, 54, 0, time.UTC)) {
		t.Fatalf("%v %v", got, err)
	}
	if _, off := got.Zone(); off != 3600 {
		t.Fatalf("offset %d", off)
	}
	got, err = p.parse("2014-01-02 03:04:05 -0530")
	if _, off := got.Zone(); err != nil || off != -(5*3600+30*60) {
		t.Fatalf("%v %v", got, err)
	}
	for _, bad := range []string{"", "2014-09-13T10:27:54+01:00", "2014-13-13 10:27:54 +0100", "2014-02-30 10:27:54 +0100",
		"2014-09-13 24:27:54 +0100", "2014-09-13 10:27:54 0100", "2014-09-13 10:27:54 +01:00", "2014-09-1a 10:27:54 +0100"} {
		if _, err := p.parse(bad); !errors.Is(err, ErrBadDate) {
			t.Errorf("%q: err = %v", bad, err)
		}
	}
	if len(p.zones) != 2 {
		t.Fatalf("zone cache %v", p.zones)
	}
	if n := testing.AllocsPerRun(100, func() { _, _ = p.parse("2014-09-13 10:27:54 +0100") }); n != 0 {
		t.Fatalf("%v allocations per date", n)
	}
}

func TestParseDevice(t *testing.T) {
	d := parseDevice("<<HKDevice: 0x283e0c7d0>, name:Apple Watch, manufacturer:Apple Inc., model:Watch, hardware:Watch6,1, software:9.0>")
	if d.Name != "Apple Watch" || d.Manufacturer != "Apple Inc." || d.Model != "Watch" || d.Firmware != "9.0" || d.Type != wearable.DeviceWatch {
		t.Fatalf("%+v", d)
	}
	d = parseDevice("<<HKDevice: 0x1>, name:iPhone, manufacturer:Apple Inc., model:iPhone, hardware:iPhone8,1, software:10.3>")
	if d.Type != wearable.DevicePhone || d.Firmware != "10.3" {
		t.Fatalf("%+v", d)
	}
	if d := parseDevice("garbage"); d != (wearable.Device{}) {
		t.Fatalf("%+v", d)
	}
	if d := parseDevice(""); d != (wearable.Device{}) {
		t.Fatalf("%+v", d)
	}
}

func TestActivityName(t *testing.T) {
	for in, want := range map[string]string{
		"HKWorkoutActivityTypeOther":                       "other",
		"HKWorkoutActivityTypeCycling":                     "cycling",
		"HKWorkoutActivityTypeTraditionalStrengthTraining": "traditional_strength_training",
		"HKWorkoutActivityType":                            "other",
	} {
		if got := activityName(in); got != want {
			t.Errorf("%s → %q", in, got)
		}
	}
}

func TestUnitConversions(t *testing.T) {
	if m, _ := metres(1, "mi"); m != 1609.344 {
		t.Fatal(m)
	}
	if k, _ := kilocalories(4.184, "kJ"); k != 1 {
		t.Fatal(k)
	}
	if k, _ := kilograms(1000, "g"); k != 1 {
		t.Fatal(k)
	}
	if d, _ := duration(1.5, "min"); d != 90*time.Second {
		t.Fatal(d)
	}
	for _, err := range []error{
		func() error { _, err := metres(1, "parsec"); return err }(),
		func() error { _, err := kilocalories(1, "BTU"); return err }(),
		func() error { _, err := kilograms(1, "oz"); return err }(),
		func() error { _, err := mmHg(1, "psi"); return err }(),
		func() error { _, err := duration(1, "fortnight"); return err }(),
	} {
		if !errors.Is(err, ErrUnknownUnit) {
			t.Fatalf("err = %v", err)
		}
	}
}
