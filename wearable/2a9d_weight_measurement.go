package wearable

import "encoding/binary"

// Weight Measurement flag bits.
const (
	wFlagImperial  = 1 << 0
	wFlagTimestamp = 1 << 1
	wFlagUser      = 1 << 2
	wFlagBMI       = 1 << 3
	wFlagReserved  = 0xF0
)

// WeightUnsuccessful is the raw Weight value meaning "Measurement
// Unsuccessful". It is not 327.675 kg.
const WeightUnsuccessful = 0xFFFF

// Fixed resolutions of the Weight Measurement fields, as divisors (dividing
// by an exact integer gives the nearest float64: 14000/200 = 70, not
// 70.00000000000001).
const (
	weightUnitsPerKg = 200  // SI weight resolution 0.005 kg
	weightUnitsPerLb = 100  // imperial weight resolution 0.01 lb
	heightUnitsPerM  = 1000 // SI height resolution 0.001 m
	heightUnitsPerIn = 10   // imperial height resolution 0.1 in
	bmiUnitsPerKgM2  = 10   // BMI resolution 0.1 kg/m²
	poundKg          = 0.45359237
	inchMetres       = 0.0254
)

// Pounds returns the weight in lb (converted from kg when SI) and false
// when the measurement was unsuccessful.
func (m *WeightMeasurement) Pounds() (float64, bool) {
	if m.Unsuccessful() {
		return 0, false
	}
	if m.Imperial {
		return float64(m.Weight) / weightUnitsPerLb, true
	}
	return float64(m.Weight) / weightUnitsPerKg / poundKg, true
}

// WeightMeasurement is the Weight Measurement characteristic (0x2A9D) of the
// Weight Scale service, in wire units. Weight resolution is fixed (0.005 kg
// or 0.01 lb); the Weight Scale Feature's resolution is precision metadata.
type WeightMeasurement struct {
	// Imperial is the unit flag (bit 0): false = SI (kg, m), true = imperial
	// (lb, in).
	Imperial bool
	// Weight is in 0.005 kg (SI) or 0.01 lb (imperial). WeightUnsuccessful
	// (0xFFFF) means the measurement failed.
	Weight uint16
	// HasTimestamp says whether Timestamp is present (flag bit 1).
	HasTimestamp bool
	// Timestamp is the device's local time (no zone).
	Timestamp DateTime
	// HasUserID says whether UserID is present (flag bit 2).
	HasUserID bool
	// UserID identifies the user; UnknownUser (255) means unknown.
	UserID uint8
	// HasBMIAndHeight says whether BMI and Height are present (flag bit 3).
	HasBMIAndHeight bool
	// BMI is in 0.1 kg/m².
	BMI uint16
	// Height is in 0.001 m (SI) or 0.1 in (imperial).
	Height uint16
}

// Unsuccessful reports whether the scale reported "Measurement Unsuccessful".
func (m *WeightMeasurement) Unsuccessful() bool { return m.Weight == WeightUnsuccessful }

// Kilograms returns the weight in kg (converted from lb when imperial) and
// false when the measurement was unsuccessful.
func (m *WeightMeasurement) Kilograms() (float64, bool) {
	if m.Unsuccessful() {
		return 0, false
	}
	if m.Imperial {
		return float64(m.Weight) / weightUnitsPerLb * poundKg, true
	}
	return float64(m.Weight) / weightUnitsPerKg, true
}

// HeightMetres returns the height in metres and whether it is present.
func (m *WeightMeasurement) HeightMetres() (float64, bool) {
	if m.Imperial {
		return float64(m.Height) / heightUnitsPerIn * inchMetres, m.HasBMIAndHeight
	}
	return float64(m.Height) / heightUnitsPerM, m.HasBMIAndHeight
}

// BMIValue returns the body-mass index in kg/m² and whether it is present.
func (m *WeightMeasurement) BMIValue() (float64, bool) {
	return float64(m.BMI) / bmiUnitsPerKgM2, m.HasBMIAndHeight
}

// UnmarshalBinary decodes a Weight Measurement. The length must match the
// flags exactly; reserved flag bits return ErrReserved, out-of-range
// timestamp fields ErrOutOfRange. An unsuccessful measurement (0xFFFF)
// decodes without error: check Unsuccessful. It does not allocate and leaves
// m unchanged on error.
func (m *WeightMeasurement) UnmarshalBinary(b []byte) error {
	const c = WeightMeasurementUUID
	if len(b) == 0 {
		return errTruncated(c, 0)
	}
	flags := b[0]
	if flags&wFlagReserved != 0 {
		return errReserved(c, 0)
	}
	ts, uid, bmi := flags&wFlagTimestamp != 0, flags&wFlagUser != 0, flags&wFlagBMI != 0
	want := 3 + size(ts, dateTimeLen) + size(uid, 1) + size(bmi, 4)
	if len(b) != want {
		if len(b) > want {
			return errTrailing(c, want)
		}
		return errTruncated(c, truncAt(len(b), 1, 2, size(ts, dateTimeLen), size(uid, 1), size(bmi, 2), size(bmi, 2)))
	}
	le := binary.LittleEndian
	off := 3
	var d DateTime
	if ts {
		d = readDateTime(b[off:])
		if i := d.check(); i >= 0 {
			return errRange(c, off+i)
		}
		off += dateTimeLen
	}
	m.Imperial = flags&wFlagImperial != 0
	m.Weight = le.Uint16(b[1:])
	m.HasTimestamp, m.Timestamp = ts, d
	m.HasUserID, m.UserID = uid, 0
	if uid {
		m.UserID = b[off]
		off++
	}
	m.HasBMIAndHeight, m.BMI, m.Height = bmi, 0, 0
	if bmi {
		m.BMI = le.Uint16(b[off:])
		m.Height = le.Uint16(b[off+2:])
	}
	return nil
}

// AppendBinary appends the encoded value to b.
func (m *WeightMeasurement) AppendBinary(b []byte) ([]byte, error) {
	const c = WeightMeasurementUUID
	var flags byte
	if m.Imperial {
		flags |= wFlagImperial
	}
	if m.HasTimestamp {
		flags |= wFlagTimestamp
	}
	if m.HasUserID {
		flags |= wFlagUser
	}
	if m.HasBMIAndHeight {
		flags |= wFlagBMI
	}
	le := binary.LittleEndian
	b = append(b, flags)
	b = le.AppendUint16(b, m.Weight)
	if m.HasTimestamp {
		var err error
		if b, err = appendDateTime(c, b, m.Timestamp); err != nil {
			return b, err
		}
	}
	if m.HasUserID {
		b = append(b, m.UserID)
	}
	if m.HasBMIAndHeight {
		b = le.AppendUint16(b, m.BMI)
		b = le.AppendUint16(b, m.Height)
	}
	return b, nil
}

// MarshalBinary returns the encoded value.
func (m *WeightMeasurement) MarshalBinary() ([]byte, error) { return m.AppendBinary(nil) }
