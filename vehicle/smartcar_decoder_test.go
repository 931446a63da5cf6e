package vehicle_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/vehicle"
)

// sameAsDecodeSmartcar decodes data with d and with DecodeSmartcar and
// fails unless both give the same event (as JSON: the golden form) or the
// same error.
func sameAsDecodeSmartcar(t *testing.T, d *vehicle.SmartcarDecoder, data []byte) {
	t.Helper()
	want, werr := vehicle.DecodeSmartcar(data)
	got, err := d.Decode(data)
	if !reflect.DeepEqual(err, werr) {
		t.Fatalf("SmartcarDecoder: error %v, DecodeSmartcar %v", err, werr)
	}
	if err != nil {
		if got != nil {
			t.Fatalf("event %+v with error %v", got, err)
		}
		return
	}
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if string(g) != string(w) {
		t.Fatalf("SmartcarDecoder:\n%s\nDecodeSmartcar:\n%s", g, w)
	}
}

// TestSmartcarDecoderGolden: one decoder, reused across every sample in
// two orders, gives the golden events.
func TestSmartcarDecoderGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/smartcar/*.json")
	if len(files) < 4 {
		t.Fatalf("found %d samples", len(files))
	}
	var d vehicle.SmartcarDecoder
	for round := 0; round < 2; round++ {
		for i := range files {
			f := files[i]
			if round == 1 {
				f = files[len(files)-1-i]
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			e, err := d.Decode(b)
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			golden(t, strings.TrimSuffix(f, ".json")+".golden", e)
		}
	}
}

// TestSmartcarDecoderReuse: what one delivery set does not leak into the
// next (signals, triggers, errors and their codes, escaped strings kept
// in the arena), and an error in between leaves the decoder usable.
func TestSmartcarDecoderReuse(t *testing.T) {
	big, err := os.ReadFile("testdata/smartcar/vehicle_state_location.json")
	if err != nil {
		t.Fatal(err)
	}
	errs, err := os.ReadFile("testdata/smartcar/vehicle_error.json")
	if err != nil {
		t.Fatal(err)
	}
	inputs := []string{
		string(big),
		`{"eventId":"e\u00e9","eventType":"VEHICLE_STATE","vehicleId":"v\"1","data":{"signals":[{"code":"charge-ischarging","name":"Is\nCharging","body":{"value":true}}]}}`,
		string(errs),
		`{"eventId":"e","eventType":"VEHICLE_ERROR","data":{"errors":[{"code":"A","signals":[{"code":"x"},{"code":"y"}]},{"code":"B","signals":[]},{"code":"C","signals":[{"name":"n"},{"code":"z"}]}]}}`,
		`{"eventId":"e","eventType":"VEHICLE_STATE","vehicleId":"v","data":{"signals":[]}}`,
		`{"eventId":"e","eventType":"VEHICLE_STATE","vehicleId":"v","data":{"signals":[{"code":"x","body":{"latitude":"1"}}]}}`,
		`{"eventType":"VERIFY","data":{"challenge":"\ud83d\ude00x"}}`,
		`{"eventId":"e","eventType":"VEHICLE_STATE","vehicleId":"v","triggers":[{"code":"FIRST_DELIVERY"}],"data":{"triggers":[],"signals":[{"code":"odometer-traveleddistance","body":{"unit":"miles","value":12},"meta":{"oemUpdatedAt":"2026-01-01T00:00:00.5+01:00","fetchedAt":1767261600.5}}]}}`,
		string(big),
	}
	var d vehicle.SmartcarDecoder
	for _, in := range inputs {
		sameAsDecodeSmartcar(t, &d, []byte(in))
	}
	// A kept event is overwritten by the next call, as documented; the
	// values it returned by accessor stay.
	e, err := d.Decode(big)
	if err != nil {
		t.Fatal(err)
	}
	p, ok := e.Position()
	if !ok {
		t.Fatal("no position")
	}
	if _, err := d.Decode(errs); err != nil {
		t.Fatal(err)
	}
	if e.Type != vehicle.SmartcarVehicleError {
		t.Fatalf("event not reused: %s", e.Type)
	}
	if p.VehicleID != "9af13248-3b73-4c9d-9a4b-d937ce6bc8e2" || p.Lat != 52.5163 {
		t.Fatalf("position changed: %+v", p)
	}
}

// TestSmartcarDecoderAllocs: a warm decoder allocates nothing.
func TestSmartcarDecoderAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation budgets are measured without -race (the race detector allocates)")
	}
	files, _ := filepath.Glob("testdata/smartcar/*.json")
	var inputs [][]byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, b)
	}
	var d vehicle.SmartcarDecoder
	run := func() {
		for _, b := range inputs {
			if _, err := d.Decode(b); err != nil {
				t.Fatal(err)
			}
		}
	}
	run()
	if a := testing.AllocsPerRun(50, run); a != 0 {
		t.Fatalf("SmartcarDecoder allocates %.1f times per %d deliveries", a, len(inputs))
	}
}
