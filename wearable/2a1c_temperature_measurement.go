package wearable

import (
	"encoding/binary"
	"strconv"
)

// Temperature Measurement flag bits.
const (
	tempFlagFahrenheit = 1 << 0
	tempFlagTimestamp  = 1 << 1
	tempFlagType       = 1 << 2
	tempFlagReserved   = 0xF8
)

// TemperatureType is the Temperature Type (also characteristic 0x2A1D):
// where on the body the temperature was taken. 0 and 10..255 are reserved.
type TemperatureType uint8

// The temperature types.
const (
	TemperatureArmpit    TemperatureType = 1
	TemperatureBody      TemperatureType = 2 // body (general)
	TemperatureEar       TemperatureType = 3 // ear (usually ear lobe)
	TemperatureFinger    TemperatureType = 4
	TemperatureGITract   TemperatureType = 5 // gastro-intestinal tract
	TemperatureMouth     TemperatureType = 6
	TemperatureRectum    TemperatureType = 7
	TemperatureToe       TemperatureType = 8
	TemperatureTympanum  TemperatureType = 9 // ear drum
	maxTemperatureType                   = TemperatureTympanum
	reservedTemperature0 TemperatureType = 0
)

// String returns the snake_case name of the type.
func (t TemperatureType) String() string {
	switch t {
	case TemperatureArmpit:
		return "armpit"
	case TemperatureBody:
		return "body"
	case TemperatureEar:
		return "ear"
	case TemperatureFinger:
		return "finger"
	case TemperatureGITract:
		return "gastro_intestinal_tract"
	case TemperatureMouth:
		return "mouth"
	case TemperatureRectum:
		return "rectum"
	case TemperatureToe:
		return "toe"
	case TemperatureTympanum:
		return "tympanum"
	}
	return "reserved(" + strconv.Itoa(int(t)) + ")"
}

func (t TemperatureType) valid() bool { return t != reservedTemperature0 && t <= maxTemperatureType }

// TemperatureMeasurement is the Temperature Measurement characteristic
// (0x2A1C) of the Health Thermometer service.
type TemperatureMeasurement struct {
	// Value is the temperature as an IEEE-11073 FLOAT in the unit given by
	// Fahrenheit. It may be a special value (NaN, NRes, ±INF): check
	// Value.Special or use Celsius.
	Value Float
	// Fahrenheit is the unit flag (bit 0): false = °C, true = °F.
	Fahrenheit bool
	// HasTimestamp says whether Timestamp is present (flag bit 1).
	HasTimestamp bool
	// Timestamp is the device's local time of the measurement (no zone).
	Timestamp DateTime
	// HasType says whether Type is present (flag bit 2).
	HasType bool
	// Type is where the temperature was taken.
	Type TemperatureType
}

// Celsius returns the temperature in degrees Celsius, converting from
// Fahrenheit when needed. For a special value it returns 0 and the special.
func (m *TemperatureMeasurement) Celsius() (float64, Special) {
	v, ok := m.Value.Float64()
	if !ok {
		return 0, m.Value.Special()
	}
	if m.Fahrenheit {
		v = (v - 32) * 5 / 9
	}
	return v, NotSpecial
}

// UnmarshalBinary decodes a Temperature Measurement. The length must match
// the flags exactly; reserved flag bits and temperature types return
// ErrReserved, out-of-range timestamp fields ErrOutOfRange. It does not
// allocate and leaves m unchanged on error.
func (m *TemperatureMeasurement) UnmarshalBinary(b []byte) error {
	const c = TemperatureMeasurementUUID
	if len(b) == 0 {
		return errTruncated(c, 0)
	}
	flags := b[0]
	if flags&tempFlagReserved != 0 {
		return errReserved(c, 0)
	}
	ts, typ := flags&tempFlagTimestamp != 0, flags&tempFlagType != 0
	want := 5 + size(ts, dateTimeLen) + size(typ, 1)
	if len(b) != want {
		if len(b) > want {
			return errTrailing(c, want)
		}
		return errTruncated(c, truncAt(len(b), 1, 4, size(ts, dateTimeLen), size(typ, 1)))
	}
	off := 5
	var d DateTime
	if ts {
		d = readDateTime(b[off:])
		if i := d.check(); i >= 0 {
			return errRange(c, off+i)
		}
		off += dateTimeLen
	}
	var t TemperatureType
	if typ {
		t = TemperatureType(b[off])
		if !t.valid() {
			return errReserved(c, off)
		}
	}
	m.Value = Float(binary.LittleEndian.Uint32(b[1:]))
	m.Fahrenheit = flags&tempFlagFahrenheit != 0
	m.HasTimestamp, m.Timestamp = ts, d
	m.HasType, m.Type = typ, t
	return nil
}

// AppendBinary appends the encoded value to b.
func (m *TemperatureMeasurement) AppendBinary(b []byte) ([]byte, error) {
	const c = TemperatureMeasurementUUID
	if m.HasType && !m.Type.valid() {
		return b, encErr(c, "Type", ErrReserved)
	}
	var flags byte
	if m.Fahrenheit {
		flags |= tempFlagFahrenheit
	}
	if m.HasTimestamp {
		flags |= tempFlagTimestamp
	}
	if m.HasType {
		flags |= tempFlagType
	}
	b = append(b, flags)
	b = binary.LittleEndian.AppendUint32(b, uint32(m.Value))
	if m.HasTimestamp {
		var err error
		if b, err = appendDateTime(c, b, m.Timestamp); err != nil {
			return b, err
		}
	}
	if m.HasType {
		b = append(b, byte(m.Type))
	}
	return b, nil
}

// MarshalBinary returns the encoded value.
func (m *TemperatureMeasurement) MarshalBinary() ([]byte, error) { return m.AppendBinary(nil) }
