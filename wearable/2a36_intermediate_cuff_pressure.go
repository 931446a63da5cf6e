package wearable

// IntermediateCuffPressure is the Intermediate Cuff Pressure characteristic
// (0x2A36): the cuff pressure while a blood-pressure measurement is under
// way. It shares the Blood Pressure Measurement layout; only the first
// pressure is meaningful.
type IntermediateCuffPressure struct {
	// KPa is the unit flag (bit 0): false = mmHg, true = kPa.
	KPa bool
	// CuffPressure is the current cuff pressure.
	CuffPressure SFloat
	// Unused2 and Unused3 are the diastolic and mean-arterial slots, which
	// the specification fills with NaN; some devices send 0. They are kept
	// as sent so that encoding is byte-exact, and carry no meaning.
	Unused2, Unused3 SFloat
	// HasTimestamp says whether Timestamp is present (flag bit 1).
	HasTimestamp bool
	// Timestamp is the device's local time (no zone).
	Timestamp DateTime
	// HasPulseRate says whether PulseRate is present (flag bit 2).
	HasPulseRate bool
	// PulseRate is in beats per minute.
	PulseRate SFloat
	// HasUserID says whether UserID is present (flag bit 3).
	HasUserID bool
	// UserID identifies the user; UnknownUser (255) means unknown.
	UserID uint8
	// HasStatus says whether Status is present (flag bit 4).
	HasStatus bool
	// Status is the measurement status.
	Status BPStatus
}

// UnmarshalBinary decodes an Intermediate Cuff Pressure value with the same
// strictness as BloodPressureMeasurement.UnmarshalBinary. It does not
// allocate and leaves m unchanged on error.
func (m *IntermediateCuffPressure) UnmarshalBinary(b []byte) error {
	var v bpFields
	if err := decodeBP(IntermediateCuffPressureUUID, b, &v); err != nil {
		return err
	}
	*m = IntermediateCuffPressure{
		KPa: v.KPa, CuffPressure: v.Systolic, Unused2: v.Diastolic, Unused3: v.MeanArterial,
		HasTimestamp: v.HasTimestamp, Timestamp: v.Timestamp,
		HasPulseRate: v.HasPulseRate, PulseRate: v.PulseRate,
		HasUserID: v.HasUserID, UserID: v.UserID,
		HasStatus: v.HasStatus, Status: v.Status,
	}
	return nil
}

// AppendBinary appends the encoded value to b. Construct values with Unused2
// and Unused3 set to SFloatNaN, as the specification asks.
func (m *IntermediateCuffPressure) AppendBinary(b []byte) ([]byte, error) {
	v := bpFields{
		KPa: m.KPa, Systolic: m.CuffPressure, Diastolic: m.Unused2, MeanArterial: m.Unused3,
		HasTimestamp: m.HasTimestamp, Timestamp: m.Timestamp,
		HasPulseRate: m.HasPulseRate, PulseRate: m.PulseRate,
		HasUserID: m.HasUserID, UserID: m.UserID,
		HasStatus: m.HasStatus, Status: m.Status,
	}
	return appendBP(IntermediateCuffPressureUUID, b, &v)
}

// MarshalBinary returns the encoded value.
func (m *IntermediateCuffPressure) MarshalBinary() ([]byte, error) { return m.AppendBinary(nil) }

// CuffPressureMMHg returns the cuff pressure in mmHg (converted from kPa
// when needed), or 0 and the special value.
func (m *IntermediateCuffPressure) CuffPressureMMHg() (float64, Special) {
	return mmHg(m.CuffPressure, m.KPa)
}
