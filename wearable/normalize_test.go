package wearable_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/wearable"
	"github.com/touchpoint-sdk/touchpoint/wearable/internal/omhvalidate"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// sampleMeasurements produces one measurement of every kind from real and
// specification frames fed through a Session, plus a step count as an
// export would carry it.
func sampleMeasurements(t *testing.T) map[string]wearable.Measurement {
	t.Helper()
	out := map[string]wearable.Measurement{}
	keep := func(name string, u wearable.Update, k wearable.Kind) {
		for _, m := range u.Measurements {
			if m.Kind == k {
				out[name] = m
				return
			}
		}
		t.Fatalf("%s: no %v in %+v", name, k, u.Measurements)
	}
	feed := func(s *wearable.Session, at time.Time, c wearable.Characteristic, in string) wearable.Update {
		u, err := s.Notify(at, c, hx(in))
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	dev := wearable.Device{ID: "dev-1", Name: "Polar H10", Manufacturer: "Polar", Model: "H10"}
	s, _ := wearable.NewSession(dev, wearable.WithWheelCircumference(2), wearable.WithMinWorkoutDuration(0))
	u := feed(s, t0, wearable.HeartRateMeasurementUUID, "1E 48 32 00 54 01")
	keep("heart_rate", u, wearable.KindHeartRate)
	keep("rr_interval", u, wearable.KindRRInterval)
	keep("energy_expended", feed(s, t0.Add(time.Minute), wearable.HeartRateMeasurementUUID, "08 48 3A 00"), wearable.KindEnergyExpended)

	bike, _ := wearable.NewSession(wearable.Device{ID: "csc-1"}, wearable.WithWheelCircumference(2), wearable.WithMinWorkoutDuration(0))
	feed(bike, t0, wearable.CSCMeasurementUUID, "03 64 00 00 00 E8 03 0A 00 E8 03")
	u = feed(bike, t0.Add(time.Second), wearable.CSCMeasurementUUID, "03 69 00 00 00 E8 07 0B 00 E8 07")
	keep("speed", u, wearable.KindSpeed)
	keep("distance", u, wearable.KindDistance)
	keep("cycling_cadence", u, wearable.KindCyclingCadence)
	occ, err := bike.Disconnect(t0.Add(2 * time.Second))
	if err != nil {
		t.Fatal(err)
	}
	keep("workout", wearable.Update{Measurements: []wearable.Measurement{occ[0].Workout}}, wearable.KindWorkout)

	cp, _ := wearable.NewSession(wearable.Device{ID: "cp-1"})
	keep("power", feed(cp, t0, wearable.CyclingPowerMeasurementUUID, "2C 00 00 00 9F 00 0C 00 E5 42"), wearable.KindPower)

	health, _ := wearable.NewSession(wearable.Device{ID: "health-1", Name: "Thermo"})
	keep("body_temperature", feed(health, t0, wearable.TemperatureMeasurementUUID, "06 B0 0E 00 FE DC 07 0C 05 0B 32 1B 04"), wearable.KindBodyTemperature)
	keep("blood_pressure", feed(health, t0, wearable.BloodPressureMeasurementUUID, "01 A0 F0 6B F0 7D F0"), wearable.KindBloodPressure)
	keep("body_weight", feed(health, t0, wearable.WeightMeasurementUUID, "0F 54 3D E7 07 0C 19 0E 1E 2D 03 F5 00 A8 02"), wearable.KindBodyWeight)
	keep("oxygen_saturation", feed(health, t0, wearable.PLXSpotCheckUUID, "00 E8 F3 84 F3"), wearable.KindOxygenSaturation)
	keep("battery_level", feed(health, t0, wearable.BatteryLevelUUID, "50"), wearable.KindBatteryLevel)

	out["step_count"] = wearable.Measurement{
		Kind:      wearable.KindStepCount,
		Start:     time.Date(2014, 9, 13, 10, 27, 54, 0, time.FixedZone("", 3600)),
		End:       time.Date(2014, 9, 13, 10, 27, 59, 0, time.FixedZone("", 3600)),
		Source:    wearable.Source{Kind: wearable.SourceAppleHealth, Name: "Health"},
		DedupeKey: "apple_health:example",
		Steps:     329,
	}
	return out
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, got, "", "  "); err != nil {
		t.Fatalf("%s: invalid JSON: %v", path, err)
	}
	pretty.WriteByte('\n')
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, pretty.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(pretty.Bytes(), want) {
		t.Errorf("%s differs:\n%s\nwant:\n%s", path, pretty.Bytes(), want)
	}
}

func sortedNames(m map[string]wearable.Measurement) []string {
	var names []string
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// TestOpenMHealthOutput checks our own output against the same validator
// that accepts every shouldPass and rejects every shouldFail sample
// document (see internal/omhvalidate).
func TestOpenMHealthOutput(t *testing.T) {
	ms := sampleMeasurements(t)
	emitted := 0
	for _, name := range sortedNames(ms) {
		m := ms[name]
		schema, ok := wearable.OpenMHealthSchema(m.Kind)
		dp, err := wearable.MarshalOpenMHealth(&m, wearable.DataPointOptions{UserID: "user-42"})
		if !ok {
			if !errors.Is(err, wearable.ErrUnsupported) {
				t.Errorf("%s: no schema but err = %v", name, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		golden(t, filepath.Join("testdata", "omh", name+".json"), dp)
		var doc any
		if err := json.Unmarshal(dp, &doc); err != nil {
			t.Fatal(err)
		}
		if err := omhvalidate.ValidateDataPoint(doc); err != nil {
			t.Errorf("%s: our data point fails %s-%s: %v", name, schema.Name, schema.Version, err)
		}
		body, err := wearable.OpenMHealthBody(&m)
		if err != nil {
			t.Fatal(err)
		}
		var b any
		_ = json.Unmarshal(body, &b)
		if err := omhvalidate.Validate(schema.Name, schema.Version, b); err != nil {
			t.Errorf("%s: body: %v", name, err)
		}
		emitted++
	}
	if emitted != 11 {
		t.Fatalf("%d kinds emitted, want 11", emitted)
	}
}

func TestOpenMHealthRefusesInvalid(t *testing.T) {
	m := wearable.Measurement{Kind: wearable.KindHeartRate, HeartRate: 0, Flags: wearable.FlagOffBody, Start: t0, End: t0}
	_, err := wearable.MarshalOpenMHealth(&m, wearable.DataPointOptions{})
	var ce *wearable.ConversionError
	if !errors.As(err, &ce) || !errors.Is(err, wearable.ErrNoValue) || ce.Format != "openmhealth" {
		t.Fatalf("off-body sample: %v", err)
	}
	nan := wearable.Measurement{Kind: wearable.KindOxygenSaturation, Flags: wearable.FlagNoReading, Special: wearable.SpecialNaN}
	if _, err := wearable.OpenMHealthBody(&nan); !errors.Is(err, wearable.ErrNoValue) {
		t.Fatalf("NaN SpO2: %v", err)
	}
	p := wearable.Measurement{Kind: wearable.KindPower, Power: 200}
	if _, err := wearable.OpenMHealthBody(&p); !errors.Is(err, wearable.ErrUnsupported) {
		t.Fatalf("power: %v", err)
	}
}

func TestOpenMHealthTemperatureLocation(t *testing.T) {
	for site, want := range map[wearable.TemperatureType]string{
		wearable.TemperatureArmpit: "axillary", wearable.TemperatureMouth: "oral", wearable.TemperatureTympanum: "tympanic",
		wearable.TemperatureEar: "", wearable.TemperatureBody: "", wearable.TemperatureGITract: "",
	} {
		m := wearable.Measurement{Kind: wearable.KindBodyTemperature, Temperature: 36.6, TemperatureSite: site, Start: t0, End: t0}
		body, err := wearable.OpenMHealthBody(&m)
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		_ = json.Unmarshal(body, &doc)
		if got, _ := doc["measurement_location"].(string); got != want {
			t.Errorf("%v → %q, want %q", site, got, want)
		}
		if err := omhvalidate.Validate("body-temperature", "4.0", doc); err != nil {
			t.Errorf("%v: %v", site, err)
		}
	}
}

func TestFHIROutput(t *testing.T) {
	ms := sampleMeasurements(t)
	codes := map[string]struct{ loinc, ucum string }{
		"heart_rate":        {"8867-4", "/min"},
		"body_temperature":  {"8310-5", "Cel"},
		"blood_pressure":    {"85354-9", ""},
		"oxygen_saturation": {"2708-6", "%"},
		"body_weight":       {"29463-7", "kg"},
		"step_count":        {"55423-8", "{steps}"},
		"energy_expended":   {"41981-2", "kcal"},
	}
	for _, name := range sortedNames(ms) {
		m := ms[name]
		obs, err := wearable.MarshalFHIR(&m, wearable.FHIROptions{Subject: "Patient/42"})
		want, ok := codes[name]
		if !ok {
			if !errors.Is(err, wearable.ErrUnsupported) {
				t.Errorf("%s: err = %v, want ErrUnsupported", name, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		golden(t, filepath.Join("testdata", "fhir", name+".json"), obs)
		var doc struct {
			ResourceType string
			Status       string
			Code         struct {
				Coding []struct{ System, Code string }
			}
			ValueQuantity *struct {
				System, Code string
				Value        float64
			}
			Component []struct {
				Code          struct{ Coding []struct{ Code string } }
				ValueQuantity struct{ Code string }
			}
		}
		if err := json.Unmarshal(obs, &doc); err != nil {
			t.Fatal(err)
		}
		if doc.ResourceType != "Observation" || doc.Status != "final" || doc.Code.Coding[0].System != "http://loinc.org" || doc.Code.Coding[0].Code != want.loinc {
			t.Errorf("%s: %+v", name, doc)
		}
		if name == "blood_pressure" {
			if len(doc.Component) != 3 || doc.Component[0].Code.Coding[0].Code != "8480-6" || doc.Component[1].Code.Coding[0].Code != "8462-4" || doc.Component[0].ValueQuantity.Code != "mm[Hg]" {
				t.Errorf("bp components %+v", doc.Component)
			}
			continue
		}
		if doc.ValueQuantity == nil || doc.ValueQuantity.System != "http://unitsofmeasure.org" || doc.ValueQuantity.Code != want.ucum {
			t.Errorf("%s: value %+v", name, doc.ValueQuantity)
		}
	}
	off := wearable.Measurement{Kind: wearable.KindHeartRate, Flags: wearable.FlagContactNotDetected}
	if _, err := wearable.MarshalFHIR(&off, wearable.FHIROptions{}); !errors.Is(err, wearable.ErrNoValue) {
		t.Fatalf("flagged: %v", err)
	}
}
