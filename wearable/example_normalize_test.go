package wearable_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/touchpoint-sdk/touchpoint/wearable"
)

func ExampleMarshalOpenMHealth() {
	s, _ := wearable.NewSession(wearable.Device{ID: "oxi-1", Name: "Nonin 3230"})
	u, _ := s.Notify(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), wearable.PLXSpotCheckUUID, []byte{0x00, 0xE8, 0xF3, 0x84, 0xF3})
	for _, m := range u.Measurements {
		if m.Kind != wearable.KindOxygenSaturation {
			continue
		}
		body, _ := wearable.OpenMHealthBody(&m)
		fmt.Println(string(body))
	}
	// Output:
	// {"oxygen_saturation":{"value":100,"unit":"%"},"effective_time_frame":{"date_time":"2026-03-01T09:00:00Z"},"system":"peripheral capillary","measurement_method":"pulse oximetry"}
}

func ExampleMarshalFHIR() {
	m := wearable.Measurement{
		Kind:      wearable.KindHeartRate,
		Start:     time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC),
		End:       time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC),
		Source:    wearable.Source{Kind: wearable.SourceBLE},
		Device:    wearable.Device{ID: "strap-1", Name: "Polar H10"},
		HeartRate: 72,
	}
	obs, _ := wearable.MarshalFHIR(&m, wearable.FHIROptions{Subject: "Patient/42"})
	fmt.Println(string(obs))
	// Output:
	// {"resourceType":"Observation","status":"final","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs","display":"Vital Signs"}]}],"code":{"coding":[{"system":"http://loinc.org","code":"8867-4","display":"Heart rate"}],"text":"Heart rate"},"subject":{"reference":"Patient/42"},"effectiveDateTime":"2026-03-01T09:00:00Z","valueQuantity":{"value":72,"unit":"beats/minute","system":"http://unitsofmeasure.org","code":"/min"},"device":{"display":"Polar H10"}}
}

// OpenMHealthBody writes the body of a data point, the object the schema
// validates, here for a thermometer reading taken at the finger. A flagged
// reading, or a kind without a schema, is refused.
func ExampleOpenMHealthBody() {
	at := time.Date(2012, 12, 5, 11, 50, 27, 0, time.UTC)
	m := wearable.Measurement{
		Kind: wearable.KindBodyTemperature, Start: at, End: at,
		Source: wearable.Source{Kind: wearable.SourceBLE}, Temperature: 37.6, TemperatureSite: wearable.TemperatureFinger,
	}
	body, err := wearable.OpenMHealthBody(&m)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(body))

	m.Temperature = 52 // a probe left on the radiator
	m.Flags |= wearable.Plausibility(&m)
	_, err = wearable.OpenMHealthBody(&m)
	fmt.Println(errors.Is(err, wearable.ErrNoValue), err)

	battery := wearable.Measurement{Kind: wearable.KindBatteryLevel, Start: at, End: at, Battery: 80}
	_, err = wearable.OpenMHealthBody(&battery)
	fmt.Println(errors.Is(err, wearable.ErrUnsupported))
	// Output:
	// {"body_temperature":{"value":37.6,"unit":"C"},"effective_time_frame":{"date_time":"2012-12-05T11:50:27Z"},"measurement_location":"finger"}
	// true wearable: openmhealth: body_temperature: wearable: no numeric value
	// true
}

// OpenMHealthSchema names the schema a kind is written with (the header's
// schema_id); kinds without one report false.
func ExampleOpenMHealthSchema() {
	for _, k := range []wearable.Kind{wearable.KindHeartRate, wearable.KindDistance, wearable.KindWorkout, wearable.KindPower} {
		s, ok := wearable.OpenMHealthSchema(k)
		fmt.Printf("%s: %s:%s:%s %v\n", k, s.Namespace, s.Name, s.Version, ok)
	}
	spo2, _ := wearable.OpenMHealthSchema(wearable.KindOxygenSaturation)
	id, err := json.Marshal(spo2)
	fmt.Println(string(id), err)
	// Output:
	// heart_rate: omh:heart-rate:2.0 true
	// distance: omh:physical-activity:1.2 true
	// workout: omh:physical-activity:1.2 true
	// power: :: false
	// {"namespace":"omh","name":"oxygen-saturation","version":"2.0"} <nil>
}

// FHIRCode gives the LOINC code an Observation of a kind carries; kinds
// without a verified code report false, and MarshalFHIR refuses them.
func ExampleFHIRCode() {
	for _, k := range []wearable.Kind{wearable.KindHeartRate, wearable.KindBloodPressure, wearable.KindStepCount, wearable.KindRRInterval} {
		code, ok := wearable.FHIRCode(k)
		fmt.Printf("%s: %q %v\n", k, code, ok)
	}
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	rr := wearable.Measurement{Kind: wearable.KindRRInterval, Start: at, End: at, RRInterval: 812}
	_, err := wearable.MarshalFHIR(&rr, wearable.FHIROptions{})
	fmt.Println(errors.Is(err, wearable.ErrUnsupported), err)
	// Output:
	// heart_rate: "8867-4" true
	// blood_pressure: "85354-9" true
	// step_count: "55423-8" true
	// rr_interval: "" false
	// true wearable: fhir: rr_interval: wearable: unsupported
}
