package wearable

import "encoding/binary"

// RSC Measurement flag bits.
const (
	rscFlagStride   = 1 << 0
	rscFlagDistance = 1 << 1
	rscFlagRunning  = 1 << 2
	rscFlagReserved = 0xF8
)

// RSCMeasurement is the Running Speed and Cadence Measurement characteristic
// (0x2A53), in wire units.
type RSCMeasurement struct {
	// Speed is the instantaneous speed in 1/256 m/s.
	Speed uint16
	// Cadence is the instantaneous cadence in steps per minute.
	Cadence uint8
	// HasStrideLength says whether StrideLength is present (flag bit 0).
	HasStrideLength bool
	// StrideLength is the instantaneous stride length in 1/100 m.
	StrideLength uint16
	// HasTotalDistance says whether TotalDistance is present (flag bit 1).
	HasTotalDistance bool
	// TotalDistance is the total distance in 1/10 m.
	TotalDistance uint32
	// Running is the walking (false) or running (true) status (flag bit 2).
	Running bool
}

// SpeedMetresPerSecond returns Speed in m/s.
func (m *RSCMeasurement) SpeedMetresPerSecond() float64 { return float64(m.Speed) / 256 }

// StrideLengthMetres returns the stride length in metres and whether it is
// present.
func (m *RSCMeasurement) StrideLengthMetres() (float64, bool) {
	return float64(m.StrideLength) / 100, m.HasStrideLength
}

// TotalDistanceMetres returns the total distance in metres and whether it is
// present.
func (m *RSCMeasurement) TotalDistanceMetres() (float64, bool) {
	return float64(m.TotalDistance) / 10, m.HasTotalDistance
}

// UnmarshalBinary decodes an RSC Measurement. The length must match the flags
// exactly; reserved flag bits return ErrReserved. It does not allocate and
// leaves m unchanged on error.
func (m *RSCMeasurement) UnmarshalBinary(b []byte) error {
	const c = RSCMeasurementUUID
	if len(b) < 4 {
		return errTruncated(c, truncAt(len(b), 1, 2, 1))
	}
	flags := b[0]
	if flags&rscFlagReserved != 0 {
		return errReserved(c, 0)
	}
	want := 4
	if flags&rscFlagStride != 0 {
		want += 2
	}
	if flags&rscFlagDistance != 0 {
		want += 4
	}
	if len(b) != want {
		if len(b) > want {
			return errTrailing(c, want)
		}
		return errTruncated(c, truncAt(len(b), 4, size(flags&rscFlagStride != 0, 2), size(flags&rscFlagDistance != 0, 4)))
	}
	v := RSCMeasurement{
		Speed:            binary.LittleEndian.Uint16(b[1:]),
		Cadence:          b[3],
		HasStrideLength:  flags&rscFlagStride != 0,
		HasTotalDistance: flags&rscFlagDistance != 0,
		Running:          flags&rscFlagRunning != 0,
	}
	off := 4
	if v.HasStrideLength {
		v.StrideLength = binary.LittleEndian.Uint16(b[off:])
		off += 2
	}
	if v.HasTotalDistance {
		v.TotalDistance = binary.LittleEndian.Uint32(b[off:])
	}
	*m = v
	return nil
}

// AppendBinary appends the encoded value to b.
func (m *RSCMeasurement) AppendBinary(b []byte) ([]byte, error) {
	var flags byte
	if m.HasStrideLength {
		flags |= rscFlagStride
	}
	if m.HasTotalDistance {
		flags |= rscFlagDistance
	}
	if m.Running {
		flags |= rscFlagRunning
	}
	b = append(b, flags)
	b = binary.LittleEndian.AppendUint16(b, m.Speed)
	b = append(b, m.Cadence)
	if m.HasStrideLength {
		b = binary.LittleEndian.AppendUint16(b, m.StrideLength)
	}
	if m.HasTotalDistance {
		b = binary.LittleEndian.AppendUint32(b, m.TotalDistance)
	}
	return b, nil
}

// MarshalBinary returns the encoded value.
func (m *RSCMeasurement) MarshalBinary() ([]byte, error) { return m.AppendBinary(nil) }
