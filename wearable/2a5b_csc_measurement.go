package wearable

import "encoding/binary"

// CSC Measurement flag bits.
const (
	cscFlagWheel    = 1 << 0
	cscFlagCrank    = 1 << 1
	cscFlagReserved = 0xFC
)

// CSCMeasurement is the Cycling Speed and Cadence Measurement characteristic
// (0x2A5B): cumulative counters and the time of the last revolution. Speed
// and cadence need two notifications; see Session.
type CSCMeasurement struct {
	// HasWheel says whether the wheel fields are present (flag bit 0).
	HasWheel bool
	// WheelRevolutions is the cumulative wheel revolution count (wraps at 2³²).
	WheelRevolutions uint32
	// WheelEventTime is the time of the last wheel event in 1/1024 s
	// (wraps every 64 s).
	WheelEventTime uint16
	// HasCrank says whether the crank fields are present (flag bit 1).
	HasCrank bool
	// CrankRevolutions is the cumulative crank revolution count (wraps at 2¹⁶).
	CrankRevolutions uint16
	// CrankEventTime is the time of the last crank event in 1/1024 s.
	CrankEventTime uint16
}

// UnmarshalBinary decodes a CSC Measurement. The length must match the flags
// exactly; reserved flag bits return ErrReserved. It does not allocate and
// leaves m unchanged on error.
func (m *CSCMeasurement) UnmarshalBinary(b []byte) error {
	const c = CSCMeasurementUUID
	if len(b) == 0 {
		return errTruncated(c, 0)
	}
	flags := b[0]
	if flags&cscFlagReserved != 0 {
		return errReserved(c, 0)
	}
	wheel, crank := flags&cscFlagWheel != 0, flags&cscFlagCrank != 0
	want := 1
	if wheel {
		want += 6
	}
	if crank {
		want += 4
	}
	if len(b) != want {
		if len(b) > want {
			return errTrailing(c, want)
		}
		return errTruncated(c, truncAt(len(b), 1, size(wheel, 4), size(wheel, 2), size(crank, 2), size(crank, 2)))
	}
	v := CSCMeasurement{HasWheel: wheel, HasCrank: crank}
	off := 1
	if wheel {
		v.WheelRevolutions = binary.LittleEndian.Uint32(b[off:])
		v.WheelEventTime = binary.LittleEndian.Uint16(b[off+4:])
		off += 6
	}
	if crank {
		v.CrankRevolutions = binary.LittleEndian.Uint16(b[off:])
		v.CrankEventTime = binary.LittleEndian.Uint16(b[off+2:])
	}
	*m = v
	return nil
}

// AppendBinary appends the encoded value to b.
func (m *CSCMeasurement) AppendBinary(b []byte) ([]byte, error) {
	var flags byte
	if m.HasWheel {
		flags |= cscFlagWheel
	}
	if m.HasCrank {
		flags |= cscFlagCrank
	}
	b = append(b, flags)
	if m.HasWheel {
		b = binary.LittleEndian.AppendUint32(b, m.WheelRevolutions)
		b = binary.LittleEndian.AppendUint16(b, m.WheelEventTime)
	}
	if m.HasCrank {
		b = binary.LittleEndian.AppendUint16(b, m.CrankRevolutions)
		b = binary.LittleEndian.AppendUint16(b, m.CrankEventTime)
	}
	return b, nil
}

// MarshalBinary returns the encoded value.
func (m *CSCMeasurement) MarshalBinary() ([]byte, error) { return m.AppendBinary(nil) }
