package wearable

import "encoding/json"

// FHIR R4 output: an Observation per measurement, coded with LOINC and
// valued in UCUM, following the vital-signs profile where one applies. Kinds
// without a verified LOINC code (RR interval, speed, cadence, power,
// distance, workouts, battery) are not converted.

// FHIROptions fills the parts of an Observation the measurement does not know.
type FHIROptions struct {
	// Subject is Observation.subject.reference ("Patient/123"), omitted when
	// empty. The vital-signs profile requires it; add it before sending to a
	// server that enforces the profile.
	Subject string
}

type fhirCoding struct {
	System  string `json:"system"`
	Code    string `json:"code"`
	Display string `json:"display,omitempty"`
}

type fhirConcept struct {
	Coding []fhirCoding `json:"coding,omitempty"`
	Text   string       `json:"text,omitempty"`
}

type fhirQuantity struct {
	Value  float64 `json:"value"`
	Unit   string  `json:"unit"`
	System string  `json:"system"`
	Code   string  `json:"code"`
}

type fhirPeriod struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

type fhirReference struct {
	Reference string `json:"reference,omitempty"`
	Display   string `json:"display,omitempty"`
}

type fhirIdentifier struct {
	System string `json:"system"`
	Value  string `json:"value"`
}

type fhirComponent struct {
	Code          fhirConcept  `json:"code"`
	ValueQuantity fhirQuantity `json:"valueQuantity"`
}

type fhirObservation struct {
	ResourceType      string           `json:"resourceType"`
	Identifier        []fhirIdentifier `json:"identifier,omitempty"`
	Status            string           `json:"status"`
	Category          []fhirConcept    `json:"category"`
	Code              fhirConcept      `json:"code"`
	Subject           *fhirReference   `json:"subject,omitempty"`
	EffectiveDateTime string           `json:"effectiveDateTime,omitempty"`
	EffectivePeriod   *fhirPeriod      `json:"effectivePeriod,omitempty"`
	ValueQuantity     *fhirQuantity    `json:"valueQuantity,omitempty"`
	BodySite          *fhirConcept     `json:"bodySite,omitempty"`
	Device            *fhirReference   `json:"device,omitempty"`
	Component         []fhirComponent  `json:"component,omitempty"`
}

const (
	loincSystem    = "http://loinc.org"
	ucumSystem     = "http://unitsofmeasure.org"
	categorySystem = "http://terminology.hl7.org/CodeSystem/observation-category"
	// DedupeIdentifierSystem is the Observation.identifier system under which
	// the measurement's DedupeKey is written.
	DedupeIdentifierSystem = "urn:touchpoint:wearable:dedupe-key"
)

func loinc(code, display string) fhirCoding {
	return fhirCoding{System: loincSystem, Code: code, Display: display}
}

func ucum(v float64, unit, code string) fhirQuantity {
	return fhirQuantity{Value: v, Unit: unit, System: ucumSystem, Code: code}
}

func fhirErr(k Kind, err error) error { return &ConversionError{Format: "fhir", Kind: k, Err: err} }

// FHIRCode returns the LOINC code a kind is written with, and false for
// kinds this package does not convert.
func FHIRCode(k Kind) (string, bool) {
	switch k {
	case KindHeartRate:
		return "8867-4", true
	case KindBodyTemperature:
		return "8310-5", true
	case KindBloodPressure:
		return "85354-9", true
	case KindOxygenSaturation:
		return "2708-6", true
	case KindBodyWeight:
		return "29463-7", true
	case KindStepCount:
		return "55423-8", true
	case KindEnergyExpended:
		return "41981-2", true
	}
	return "", false
}

// MarshalFHIR returns m as a FHIR R4 Observation in JSON: status final, a
// vital-signs or activity category, a LOINC code, a UCUM valueQuantity (or
// systolic/diastolic/mean components for blood pressure), and the
// DedupeKey as an identifier. It returns a *ConversionError wrapping
// ErrUnsupported for kinds without a code (see FHIRCode) and ErrNoValue for
// measurements that are not Valid.
func MarshalFHIR(m *Measurement, o FHIROptions) ([]byte, error) {
	if _, ok := FHIRCode(m.Kind); !ok {
		return nil, fhirErr(m.Kind, ErrUnsupported)
	}
	if !m.Valid() {
		return nil, fhirErr(m.Kind, ErrNoValue)
	}
	obs := fhirObservation{
		ResourceType: "Observation",
		Status:       "final",
		Category: []fhirConcept{{Coding: []fhirCoding{{
			System: categorySystem, Code: "vital-signs", Display: "Vital Signs",
		}}}},
	}
	if m.DedupeKey != "" {
		obs.Identifier = []fhirIdentifier{{System: DedupeIdentifierSystem, Value: m.DedupeKey}}
	}
	if o.Subject != "" {
		obs.Subject = &fhirReference{Reference: o.Subject}
	}
	if name := sourceName(m); name != "" {
		obs.Device = &fhirReference{Display: name}
	}
	q := func(v float64, unit, code string) *fhirQuantity { x := ucum(v, unit, code); return &x }
	interval := false
	switch m.Kind {
	case KindHeartRate:
		obs.Code = fhirConcept{Coding: []fhirCoding{loinc("8867-4", "Heart rate")}, Text: "Heart rate"}
		obs.ValueQuantity = q(float64(m.HeartRate), "beats/minute", "/min")
	case KindBodyTemperature:
		obs.Code = fhirConcept{Coding: []fhirCoding{loinc("8310-5", "Body temperature")}, Text: "Body temperature"}
		obs.ValueQuantity = q(float64(m.Temperature), "Cel", "Cel")
		if m.TemperatureSite != 0 {
			obs.BodySite = &fhirConcept{Text: m.TemperatureSite.String()}
		}
	case KindBloodPressure:
		obs.Code = fhirConcept{Coding: []fhirCoding{loinc("85354-9", "Blood pressure panel with all children optional")}, Text: "Blood pressure"}
		bp := m.BloodPressure
		obs.Component = []fhirComponent{
			{Code: fhirConcept{Coding: []fhirCoding{loinc("8480-6", "Systolic blood pressure")}}, ValueQuantity: ucum(float64(bp.Systolic), "mmHg", "mm[Hg]")},
			{Code: fhirConcept{Coding: []fhirCoding{loinc("8462-4", "Diastolic blood pressure")}}, ValueQuantity: ucum(float64(bp.Diastolic), "mmHg", "mm[Hg]")},
		}
		if bp.HasMeanArterial {
			obs.Component = append(obs.Component, fhirComponent{
				Code: fhirConcept{Coding: []fhirCoding{loinc("8478-0", "Mean blood pressure")}}, ValueQuantity: ucum(float64(bp.MeanArterial), "mmHg", "mm[Hg]"),
			})
		}
	case KindOxygenSaturation:
		obs.Code = fhirConcept{Coding: []fhirCoding{
			loinc("2708-6", "Oxygen saturation in Arterial blood"),
			loinc("59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry"),
		}, Text: "Oxygen saturation"}
		obs.ValueQuantity = q(float64(m.SpO2), "%", "%")
	case KindBodyWeight:
		obs.Code = fhirConcept{Coding: []fhirCoding{loinc("29463-7", "Body weight")}, Text: "Body weight"}
		obs.ValueQuantity = q(float64(m.Weight), "kg", "kg")
	case KindStepCount:
		obs.Category[0].Coding[0] = fhirCoding{System: categorySystem, Code: "activity", Display: "Activity"}
		obs.Code = fhirConcept{Coding: []fhirCoding{loinc("55423-8", "Number of steps in unspecified time Pedometer")}, Text: "Steps"}
		obs.ValueQuantity = q(float64(m.Steps), "steps", "{steps}")
		interval = true
	case KindEnergyExpended:
		obs.Category[0].Coding[0] = fhirCoding{System: categorySystem, Code: "activity", Display: "Activity"}
		obs.Code = fhirConcept{Coding: []fhirCoding{loinc("41981-2", "Calories burned")}, Text: "Calories burned"}
		obs.ValueQuantity = q(float64(m.Energy), "kcal", "kcal")
		interval = true
	}
	if interval {
		obs.EffectivePeriod = &fhirPeriod{Start: rfc3339(m.Start), End: rfc3339(m.End)}
	} else {
		obs.EffectiveDateTime = rfc3339(m.Start)
	}
	return json.Marshal(obs)
}
