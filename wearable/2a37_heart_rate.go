package wearable

import (
	"encoding/binary"
	"strconv"
	"time"
)

// MaxRRIntervals is the largest number of RR intervals a Heart Rate
// Measurement can carry: a 512-byte value with an 8-bit heart rate leaves
// room for 255.
const MaxRRIntervals = 255

// Heart Rate Measurement flag bits.
const (
	hrFlagWide     = 1 << 0
	hrFlagContact  = 3 << 1
	hrFlagEnergy   = 1 << 3
	hrFlagRR       = 1 << 4
	hrFlagReserved = 0xE0
)

// SensorContact is the two-bit Sensor Contact Status of a Heart Rate
// Measurement, kept as sent. 0 and 1 both mean the feature is not supported,
// 2 that it is supported but the sensor is not in contact with the skin, 3
// that contact is detected.
type SensorContact uint8

// The Sensor Contact Status values.
const (
	ContactNotSupported  SensorContact = 0 // feature not supported
	ContactNotSupported1 SensorContact = 1 // feature not supported (bit 1 set without bit 2)
	ContactNotDetected   SensorContact = 2 // supported, no skin contact
	ContactDetected      SensorContact = 3 // supported, skin contact detected
)

// Supported reports whether the sensor reports contact at all.
func (c SensorContact) Supported() bool { return c&2 != 0 }

// Detected reports whether the sensor reports skin contact. It is false both
// when contact is not detected and when the feature is not supported; use
// Supported to tell the two apart.
func (c SensorContact) Detected() bool { return c == ContactDetected }

// String returns "not supported", "not detected" or "detected".
func (c SensorContact) String() string {
	switch c {
	case ContactNotSupported, ContactNotSupported1:
		return "not supported"
	case ContactNotDetected:
		return "not detected"
	case ContactDetected:
		return "detected"
	}
	return "SensorContact(" + strconv.Itoa(int(c)) + ")"
}

// RRInterval is a beat-to-beat interval in units of 1/1024 s, as sent in a
// Heart Rate Measurement (1024 = 1 s, not 1024 ms).
type RRInterval uint16

// Milliseconds returns the interval in milliseconds (raw × 1000 / 1024).
func (r RRInterval) Milliseconds() float64 { return float64(r) * 1000 / 1024 }

// Duration returns the interval rounded to the nanosecond.
func (r RRInterval) Duration() time.Duration {
	return time.Duration((int64(r)*int64(time.Second) + 512) / 1024)
}

// HeartRateMeasurement is the Heart Rate Measurement characteristic (0x2A37).
// Fields keep the wire representation so that decode → encode is byte-exact.
// The zero value is a valid 0 bpm measurement without optional fields.
type HeartRateMeasurement struct {
	// BPM is the heart rate in beats per minute.
	BPM uint16
	// Wide is true when the value is sent as uint16 (flag bit 0). Encoding
	// a BPM above 255 requires it.
	Wide bool
	// Contact is the Sensor Contact Status (flag bits 1-2).
	Contact SensorContact
	// HasEnergyExpended says whether EnergyExpended is present (flag bit 3).
	HasEnergyExpended bool
	// EnergyExpended is the cumulative energy expended since the last reset,
	// in kilojoules (65535 means "at least 65535").
	EnergyExpended uint16

	rr  [MaxRRIntervals]RRInterval
	nRR uint16
}

// RRIntervals returns the RR intervals, oldest first. The slice aliases m:
// copy it to keep it beyond the next UnmarshalBinary.
func (m *HeartRateMeasurement) RRIntervals() []RRInterval { return m.rr[:m.nRR] }

// SetRRIntervals replaces the RR intervals (nil or empty clears the RR flag).
// It returns ErrOutOfRange when there are more than MaxRRIntervals.
func (m *HeartRateMeasurement) SetRRIntervals(rr []RRInterval) error {
	if len(rr) > MaxRRIntervals {
		return encErr(HeartRateMeasurementUUID, "RRIntervals", ErrOutOfRange)
	}
	m.nRR = uint16(copy(m.rr[:], rr))
	return nil
}

// UnmarshalBinary decodes a Heart Rate Measurement value. It rejects reserved
// flag bits, values shorter than their flags require (including an RR flag
// with no interval, and a dangling odd byte after the last RR interval) and
// values longer than MaxValueLength. It does not allocate, and leaves m
// unchanged on error.
func (m *HeartRateMeasurement) UnmarshalBinary(b []byte) error {
	const c = HeartRateMeasurementUUID
	if len(b) == 0 {
		return errTruncated(c, 0)
	}
	if len(b) > MaxValueLength {
		return &ParseError{Characteristic: c, Offset: MaxValueLength, Err: ErrTooLong}
	}
	flags := b[0]
	if flags&hrFlagReserved != 0 {
		return errReserved(c, 0)
	}
	off := 1
	var bpm uint16
	if flags&hrFlagWide != 0 {
		if len(b) < 3 {
			return errTruncated(c, off)
		}
		bpm = binary.LittleEndian.Uint16(b[1:])
		off = 3
	} else {
		if len(b) < 2 {
			return errTruncated(c, off)
		}
		bpm = uint16(b[1])
		off = 2
	}
	var energy uint16
	if flags&hrFlagEnergy != 0 {
		if len(b) < off+2 {
			return errTruncated(c, off)
		}
		energy = binary.LittleEndian.Uint16(b[off:])
		off += 2
	}
	rest := len(b) - off
	if flags&hrFlagRR != 0 {
		if rest < 2 {
			return errTruncated(c, off)
		}
		if rest%2 != 0 {
			return errTruncated(c, len(b)-1)
		}
	} else if rest != 0 {
		return errTrailing(c, off)
	}
	m.BPM = bpm
	m.Wide = flags&hrFlagWide != 0
	m.Contact = SensorContact(flags&hrFlagContact) >> 1
	m.HasEnergyExpended = flags&hrFlagEnergy != 0
	m.EnergyExpended = energy
	n := rest / 2
	for i := range n {
		m.rr[i] = RRInterval(binary.LittleEndian.Uint16(b[off+2*i:]))
	}
	m.nRR = uint16(n)
	return nil
}

// AppendBinary appends the encoded value to b. It returns an *EncodeError
// when BPM exceeds 255 without Wide or Contact is above 3.
func (m *HeartRateMeasurement) AppendBinary(b []byte) ([]byte, error) {
	const c = HeartRateMeasurementUUID
	if m.BPM > 255 && !m.Wide {
		return b, encErr(c, "BPM", ErrOutOfRange)
	}
	if m.Contact > ContactDetected {
		return b, encErr(c, "Contact", ErrOutOfRange)
	}
	flags := byte(m.Contact) << 1
	if m.Wide {
		flags |= hrFlagWide
	}
	if m.HasEnergyExpended {
		flags |= hrFlagEnergy
	}
	if m.nRR > 0 {
		flags |= hrFlagRR
	}
	b = append(b, flags)
	if m.Wide {
		b = binary.LittleEndian.AppendUint16(b, m.BPM)
	} else {
		b = append(b, byte(m.BPM))
	}
	if m.HasEnergyExpended {
		b = binary.LittleEndian.AppendUint16(b, m.EnergyExpended)
	}
	for _, r := range m.rr[:m.nRR] {
		b = binary.LittleEndian.AppendUint16(b, uint16(r))
	}
	return b, nil
}

// MarshalBinary returns the encoded value.
func (m *HeartRateMeasurement) MarshalBinary() ([]byte, error) { return m.AppendBinary(nil) }

// EnergyExpendedKilocalories returns the energy expended in kcal (kJ ÷
// 4.184) and whether the field is present.
func (m *HeartRateMeasurement) EnergyExpendedKilocalories() (float64, bool) {
	return float64(m.EnergyExpended) / 4.184, m.HasEnergyExpended
}
