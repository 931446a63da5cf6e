package wearable

import (
	"cmp"
	"encoding/json"
	"time"
)

// Open mHealth output. Each kind with an Open mHealth schema maps to one data
// point; the values are already in the schema's units (beats/min, ms, kcal,
// m/s, m, C, mmHg, kg, %), so nothing is converted here.

// OMHSchema identifies an Open mHealth schema.
type OMHSchema struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Version   string `json:"version"`
}

// OpenMHealthSchema returns the schema a kind maps to, and false for kinds
// without one (cadence, power, battery level).
func OpenMHealthSchema(k Kind) (OMHSchema, bool) {
	v := func(name, version string) (OMHSchema, bool) {
		return OMHSchema{Namespace: "omh", Name: name, Version: version}, true
	}
	switch k {
	case KindHeartRate:
		return v("heart-rate", "2.0")
	case KindRRInterval:
		return v("rr-interval", "1.0")
	case KindEnergyExpended:
		return v("calories-burned", "2.0")
	case KindSpeed:
		return v("speed", "1.0")
	case KindStepCount:
		return v("step-count", "3.0")
	case KindBodyTemperature:
		return v("body-temperature", "4.0")
	case KindBloodPressure:
		return v("blood-pressure", "4.0")
	case KindBodyWeight:
		return v("body-weight", "3.0")
	case KindOxygenSaturation:
		return v("oxygen-saturation", "2.0")
	case KindDistance, KindWorkout:
		return v("physical-activity", "1.2")
	}
	return OMHSchema{}, false
}

// DataPointOptions fills the Open mHealth header. Zero fields get defaults.
type DataPointOptions struct {
	// ID is header.id; default the measurement's DedupeKey.
	ID string
	// CreationTime is header.creation_date_time; default the measurement's
	// End.
	CreationTime time.Time
	// UserID is header.user_id, omitted when empty.
	UserID string
}

type omhUnitValue struct {
	Value float64 `json:"value"`
	Unit  string  `json:"unit"`
}

type omhInterval struct {
	Start string `json:"start_date_time"`
	End   string `json:"end_date_time"`
}

type omhTimeFrame struct {
	DateTime     string       `json:"date_time,omitempty"`
	TimeInterval *omhInterval `json:"time_interval,omitempty"`
}

type omhBody struct {
	HeartRate        *omhUnitValue `json:"heart_rate,omitempty"`
	RRInterval       *omhUnitValue `json:"rr_interval,omitempty"`
	KcalBurned       *omhUnitValue `json:"kcal_burned,omitempty"`
	Speed            *omhUnitValue `json:"speed,omitempty"`
	StepCount        *omhUnitValue `json:"step_count,omitempty"`
	BodyTemperature  *omhUnitValue `json:"body_temperature,omitempty"`
	Systolic         *omhUnitValue `json:"systolic_blood_pressure,omitempty"`
	Diastolic        *omhUnitValue `json:"diastolic_blood_pressure,omitempty"`
	BodyWeight       *omhUnitValue `json:"body_weight,omitempty"`
	OxygenSaturation *omhUnitValue `json:"oxygen_saturation,omitempty"`
	ActivityName     string        `json:"activity_name,omitempty"`
	Distance         *omhUnitValue `json:"distance,omitempty"`
	// physical-activity carries kcal_burned too; KcalBurned above serves both.
	EffectiveTimeFrame  omhTimeFrame `json:"effective_time_frame"`
	MeasurementLocation string       `json:"measurement_location,omitempty"`
	System              string       `json:"system,omitempty"`
	MeasurementMethod   string       `json:"measurement_method,omitempty"`
}

type omhProvenance struct {
	SourceName        string `json:"source_name"`
	SourceDataPointID string `json:"source_data_point_id,omitempty"`
	Modality          string `json:"modality"`
}

type omhHeader struct {
	ID                    string        `json:"id"`
	CreationDateTime      string        `json:"creation_date_time"`
	SchemaID              OMHSchema     `json:"schema_id"`
	AcquisitionProvenance omhProvenance `json:"acquisition_provenance"`
	UserID                string        `json:"user_id,omitempty"`
}

type omhDataPoint struct {
	Header omhHeader `json:"header"`
	Body   omhBody   `json:"body"`
}

// omhTemperatureLocation maps GATT temperature types to the body-temperature
// 4.0 measurement_location enum. Ear (usually ear lobe), body (general) and
// the gastro-intestinal tract have no Open mHealth value and are omitted
// rather than guessed.
func omhTemperatureLocation(t TemperatureType) string {
	switch t {
	case TemperatureArmpit:
		return "axillary"
	case TemperatureFinger:
		return "finger"
	case TemperatureMouth:
		return "oral"
	case TemperatureRectum:
		return "rectal"
	case TemperatureToe:
		return "toe"
	case TemperatureTympanum:
		return "tympanic"
	}
	return ""
}

func rfc3339(t time.Time) string { return t.Format(time.RFC3339Nano) }

func omhErr(k Kind, err error) error {
	return &ConversionError{Format: "openmhealth", Kind: k, Err: err}
}

// omhBodyOf builds the body; see OpenMHealthBody.
func omhBodyOf(m *Measurement) (omhBody, error) {
	if _, ok := OpenMHealthSchema(m.Kind); !ok {
		return omhBody{}, omhErr(m.Kind, ErrUnsupported)
	}
	if !m.Valid() {
		return omhBody{}, omhErr(m.Kind, ErrNoValue)
	}
	uv := func(v float64, unit string) *omhUnitValue { return &omhUnitValue{Value: v, Unit: unit} }
	var b omhBody
	interval := false
	switch m.Kind {
	case KindHeartRate:
		b.HeartRate = uv(float64(m.HeartRate), "beats/min")
	case KindRRInterval:
		b.RRInterval = uv(float64(m.RRInterval), "ms")
		interval = m.End.After(m.Start)
	case KindEnergyExpended:
		b.KcalBurned = uv(float64(m.Energy), "kcal")
		interval = true
	case KindSpeed:
		b.Speed = uv(float64(m.Speed), "m/s")
	case KindStepCount:
		b.StepCount = uv(float64(m.Steps), "steps")
		interval = true
	case KindBodyTemperature:
		b.BodyTemperature = uv(float64(m.Temperature), "C")
		b.MeasurementLocation = omhTemperatureLocation(m.TemperatureSite)
	case KindBloodPressure:
		b.Systolic = uv(float64(m.BloodPressure.Systolic), "mmHg")
		b.Diastolic = uv(float64(m.BloodPressure.Diastolic), "mmHg")
	case KindBodyWeight:
		b.BodyWeight = uv(float64(m.Weight), "kg")
	case KindOxygenSaturation:
		b.OxygenSaturation = uv(float64(m.SpO2), "%")
		b.System, b.MeasurementMethod = "peripheral capillary", "pulse oximetry"
	case KindDistance:
		if m.Activity == "" {
			return omhBody{}, omhErr(m.Kind, ErrNoValue) // physical-activity requires activity_name
		}
		b.ActivityName = m.Activity
		b.Distance = uv(float64(m.Distance), "m")
		interval = true
	case KindWorkout:
		if m.Workout.Activity == "" {
			return omhBody{}, omhErr(m.Kind, ErrNoValue)
		}
		b.ActivityName = m.Workout.Activity
		if m.Workout.Distance > 0 {
			b.Distance = uv(float64(m.Workout.Distance), "m")
		}
		if m.Workout.Energy > 0 {
			b.KcalBurned = uv(float64(m.Workout.Energy), "kcal")
		}
		interval = true
	}
	if interval {
		b.EffectiveTimeFrame.TimeInterval = &omhInterval{Start: rfc3339(m.Start), End: rfc3339(m.End)}
	} else {
		b.EffectiveTimeFrame.DateTime = rfc3339(m.Start)
	}
	return b, nil
}

// OpenMHealthBody returns the Open mHealth body of m (the object a schema
// validates), as JSON. It returns a *ConversionError wrapping ErrUnsupported
// for kinds without a schema and ErrNoValue for measurements that are not
// Valid (flagged, or holding no reading).
func OpenMHealthBody(m *Measurement) ([]byte, error) {
	b, err := omhBodyOf(m)
	if err != nil {
		return nil, err
	}
	return json.Marshal(b)
}

// sourceName is the acquisition provenance source name.
func sourceName(m *Measurement) string {
	switch {
	case m.Source.Name != "":
		return m.Source.Name
	case m.Device.Name != "":
		return m.Device.Name
	case m.Device.Type != "":
		return string(m.Device.Type)
	case m.Source.Kind != 0:
		return m.Source.Kind.String()
	}
	return ""
}

// MarshalOpenMHealth returns m as an Open mHealth data point (header and
// body) in JSON. The header names the schema, the source, and the
// measurement's DedupeKey as source_data_point_id. Errors are those of
// OpenMHealthBody.
func MarshalOpenMHealth(m *Measurement, o DataPointOptions) ([]byte, error) {
	body, err := omhBodyOf(m)
	if err != nil {
		return nil, err
	}
	schema, _ := OpenMHealthSchema(m.Kind)
	if o.ID == "" {
		o.ID = m.DedupeKey
	}
	if o.CreationTime.IsZero() {
		o.CreationTime = m.End
	}
	return json.Marshal(omhDataPoint{
		Header: omhHeader{
			ID:               o.ID,
			CreationDateTime: rfc3339(o.CreationTime),
			SchemaID:         schema,
			AcquisitionProvenance: omhProvenance{
				SourceName:        cmp.Or(sourceName(m), "unknown"),
				SourceDataPointID: m.DedupeKey,
				Modality:          "sensed",
			},
			UserID: o.UserID,
		},
		Body: body,
	})
}
