package wearable_test

import (
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
