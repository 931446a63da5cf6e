package wearable

import "encoding/binary"

// Cycling Power Measurement flag bits.
const (
	cpFlagBalance         = 1 << 0
	cpFlagBalanceLeft     = 1 << 1
	cpFlagTorque          = 1 << 2
	cpFlagTorqueCrank     = 1 << 3
	cpFlagWheel           = 1 << 4
	cpFlagCrank           = 1 << 5
	cpFlagExtremeForce    = 1 << 6
	cpFlagExtremeTorque   = 1 << 7
	cpFlagExtremeAngles   = 1 << 8
	cpFlagTopDeadSpot     = 1 << 9
	cpFlagBottomDeadSpot  = 1 << 10
	cpFlagEnergy          = 1 << 11
	cpFlagOffsetIndicator = 1 << 12
	cpFlagReserved        = 0xE000
)

// CyclingPowerMeasurement is the Cycling Power Measurement characteristic
// (0x2A63), in wire units. Note the wheel event time unit: 1/2048 s, unlike
// CSC's 1/1024 s.
type CyclingPowerMeasurement struct {
	// Power is the instantaneous power in watts (signed).
	Power int16

	// HasPedalBalance says whether PedalBalance is present (flag bit 0).
	HasPedalBalance bool
	// PedalBalance is the pedal power balance in 1/2 percent.
	PedalBalance uint8
	// BalanceLeft is the balance reference (flag bit 1): true = left pedal,
	// false = unknown.
	BalanceLeft bool

	// HasAccumulatedTorque says whether AccumulatedTorque is present (bit 2).
	HasAccumulatedTorque bool
	// AccumulatedTorque is in 1/32 N·m (wraps at 2¹⁶).
	AccumulatedTorque uint16
	// TorqueFromCrank is the torque source (flag bit 3): true = crank,
	// false = wheel.
	TorqueFromCrank bool

	// HasWheel says whether the wheel fields are present (flag bit 4).
	HasWheel bool
	// WheelRevolutions is the cumulative wheel revolution count.
	WheelRevolutions uint32
	// WheelEventTime is the time of the last wheel event in 1/2048 s.
	WheelEventTime uint16

	// HasCrank says whether the crank fields are present (flag bit 5).
	HasCrank bool
	// CrankRevolutions is the cumulative crank revolution count.
	CrankRevolutions uint16
	// CrankEventTime is the time of the last crank event in 1/1024 s.
	CrankEventTime uint16

	// HasExtremeForce says whether MaxForce and MinForce are present (bit 6).
	HasExtremeForce bool
	// MaxForce and MinForce are the extreme force magnitudes in newtons.
	MaxForce, MinForce int16

	// HasExtremeTorque says whether MaxTorque and MinTorque are present (bit 7).
	HasExtremeTorque bool
	// MaxTorque and MinTorque are the extreme torque magnitudes in 1/32 N·m.
	MaxTorque, MinTorque int16

	// HasExtremeAngles says whether MaxAngle and MinAngle are present (bit 8).
	HasExtremeAngles bool
	// MaxAngle and MinAngle are 12-bit angles in degrees (0..4095), packed
	// into three bytes on the wire.
	MaxAngle, MinAngle uint16

	// HasTopDeadSpot says whether TopDeadSpotAngle is present (bit 9).
	HasTopDeadSpot bool
	// TopDeadSpotAngle is in degrees.
	TopDeadSpotAngle uint16

	// HasBottomDeadSpot says whether BottomDeadSpotAngle is present (bit 10).
	HasBottomDeadSpot bool
	// BottomDeadSpotAngle is in degrees.
	BottomDeadSpotAngle uint16

	// HasAccumulatedEnergy says whether AccumulatedEnergy is present (bit 11).
	HasAccumulatedEnergy bool
	// AccumulatedEnergy is in kilojoules.
	AccumulatedEnergy uint16

	// OffsetCompensation is the offset compensation indicator (flag bit 12).
	OffsetCompensation bool
}

func (m *CyclingPowerMeasurement) flags() uint16 {
	var f uint16
	set := func(b bool, bit uint16) {
		if b {
			f |= bit
		}
	}
	set(m.HasPedalBalance, cpFlagBalance)
	set(m.BalanceLeft, cpFlagBalanceLeft)
	set(m.HasAccumulatedTorque, cpFlagTorque)
	set(m.TorqueFromCrank, cpFlagTorqueCrank)
	set(m.HasWheel, cpFlagWheel)
	set(m.HasCrank, cpFlagCrank)
	set(m.HasExtremeForce, cpFlagExtremeForce)
	set(m.HasExtremeTorque, cpFlagExtremeTorque)
	set(m.HasExtremeAngles, cpFlagExtremeAngles)
	set(m.HasTopDeadSpot, cpFlagTopDeadSpot)
	set(m.HasBottomDeadSpot, cpFlagBottomDeadSpot)
	set(m.HasAccumulatedEnergy, cpFlagEnergy)
	set(m.OffsetCompensation, cpFlagOffsetIndicator)
	return f
}

// cpSizes returns the sizes of the optional fields, in wire order, for the
// given flags.
func cpSizes(f uint16) [14]int {
	return [14]int{
		size(f&cpFlagBalance != 0, 1),
		size(f&cpFlagTorque != 0, 2),
		size(f&cpFlagWheel != 0, 4),
		size(f&cpFlagWheel != 0, 2),
		size(f&cpFlagCrank != 0, 2),
		size(f&cpFlagCrank != 0, 2),
		size(f&cpFlagExtremeForce != 0, 2),
		size(f&cpFlagExtremeForce != 0, 2),
		size(f&cpFlagExtremeTorque != 0, 2),
		size(f&cpFlagExtremeTorque != 0, 2),
		size(f&cpFlagExtremeAngles != 0, 3),
		size(f&cpFlagTopDeadSpot != 0, 2),
		size(f&cpFlagBottomDeadSpot != 0, 2),
		size(f&cpFlagEnergy != 0, 2),
	}
}

// UnmarshalBinary decodes a Cycling Power Measurement. The length must match
// the flags exactly; reserved flag bits (13-15) return ErrReserved. It does
// not allocate and leaves m unchanged on error.
func (m *CyclingPowerMeasurement) UnmarshalBinary(b []byte) error {
	const c = CyclingPowerMeasurementUUID
	if len(b) < 4 {
		return errTruncated(c, truncAt(len(b), 2, 2))
	}
	f := binary.LittleEndian.Uint16(b)
	if f&cpFlagReserved != 0 {
		return errReserved(c, 1)
	}
	bit := func(n uint) int { return int(f >> n & 1) }
	want := 4 + bit(0) + 2*bit(2) + 6*bit(4) + 4*bit(5) + 4*bit(6) + 4*bit(7) + 3*bit(8) + 2*bit(9) + 2*bit(10) + 2*bit(11)
	if len(b) != want {
		if len(b) > want {
			return errTrailing(c, want)
		}
		sizes := cpSizes(f)
		return errTruncated(c, truncAt(len(b), append([]int{4}, sizes[:]...)...))
	}
	le := binary.LittleEndian
	// Nothing can fail past the length check: decode straight into m.
	v := m
	*v = CyclingPowerMeasurement{
		Power:                int16(le.Uint16(b[2:])),
		HasPedalBalance:      f&cpFlagBalance != 0,
		BalanceLeft:          f&cpFlagBalanceLeft != 0,
		HasAccumulatedTorque: f&cpFlagTorque != 0,
		TorqueFromCrank:      f&cpFlagTorqueCrank != 0,
		HasWheel:             f&cpFlagWheel != 0,
		HasCrank:             f&cpFlagCrank != 0,
		HasExtremeForce:      f&cpFlagExtremeForce != 0,
		HasExtremeTorque:     f&cpFlagExtremeTorque != 0,
		HasExtremeAngles:     f&cpFlagExtremeAngles != 0,
		HasTopDeadSpot:       f&cpFlagTopDeadSpot != 0,
		HasBottomDeadSpot:    f&cpFlagBottomDeadSpot != 0,
		HasAccumulatedEnergy: f&cpFlagEnergy != 0,
		OffsetCompensation:   f&cpFlagOffsetIndicator != 0,
	}
	off := 4
	if v.HasPedalBalance {
		v.PedalBalance = b[off]
		off++
	}
	if v.HasAccumulatedTorque {
		v.AccumulatedTorque = le.Uint16(b[off:])
		off += 2
	}
	if v.HasWheel {
		v.WheelRevolutions = le.Uint32(b[off:])
		v.WheelEventTime = le.Uint16(b[off+4:])
		off += 6
	}
	if v.HasCrank {
		v.CrankRevolutions = le.Uint16(b[off:])
		v.CrankEventTime = le.Uint16(b[off+2:])
		off += 4
	}
	if v.HasExtremeForce {
		v.MaxForce = int16(le.Uint16(b[off:]))
		v.MinForce = int16(le.Uint16(b[off+2:]))
		off += 4
	}
	if v.HasExtremeTorque {
		v.MaxTorque = int16(le.Uint16(b[off:]))
		v.MinTorque = int16(le.Uint16(b[off+2:]))
		off += 4
	}
	if v.HasExtremeAngles {
		packed := uint32(b[off]) | uint32(b[off+1])<<8 | uint32(b[off+2])<<16
		v.MaxAngle = uint16(packed & 0xFFF)
		v.MinAngle = uint16(packed >> 12)
		off += 3
	}
	if v.HasTopDeadSpot {
		v.TopDeadSpotAngle = le.Uint16(b[off:])
		off += 2
	}
	if v.HasBottomDeadSpot {
		v.BottomDeadSpotAngle = le.Uint16(b[off:])
		off += 2
	}
	if v.HasAccumulatedEnergy {
		v.AccumulatedEnergy = le.Uint16(b[off:])
	}
	return nil
}

// AppendBinary appends the encoded value to b. It returns an *EncodeError
// when an extreme angle does not fit 12 bits.
func (m *CyclingPowerMeasurement) AppendBinary(b []byte) ([]byte, error) {
	const c = CyclingPowerMeasurementUUID
	if m.HasExtremeAngles && (m.MaxAngle > 0xFFF || m.MinAngle > 0xFFF) {
		return b, encErr(c, "MaxAngle/MinAngle", ErrOutOfRange)
	}
	le := binary.LittleEndian
	b = le.AppendUint16(b, m.flags())
	b = le.AppendUint16(b, uint16(m.Power))
	if m.HasPedalBalance {
		b = append(b, m.PedalBalance)
	}
	if m.HasAccumulatedTorque {
		b = le.AppendUint16(b, m.AccumulatedTorque)
	}
	if m.HasWheel {
		b = le.AppendUint32(b, m.WheelRevolutions)
		b = le.AppendUint16(b, m.WheelEventTime)
	}
	if m.HasCrank {
		b = le.AppendUint16(b, m.CrankRevolutions)
		b = le.AppendUint16(b, m.CrankEventTime)
	}
	if m.HasExtremeForce {
		b = le.AppendUint16(b, uint16(m.MaxForce))
		b = le.AppendUint16(b, uint16(m.MinForce))
	}
	if m.HasExtremeTorque {
		b = le.AppendUint16(b, uint16(m.MaxTorque))
		b = le.AppendUint16(b, uint16(m.MinTorque))
	}
	if m.HasExtremeAngles {
		packed := uint32(m.MaxAngle) | uint32(m.MinAngle)<<12
		b = append(b, byte(packed), byte(packed>>8), byte(packed>>16))
	}
	if m.HasTopDeadSpot {
		b = le.AppendUint16(b, m.TopDeadSpotAngle)
	}
	if m.HasBottomDeadSpot {
		b = le.AppendUint16(b, m.BottomDeadSpotAngle)
	}
	if m.HasAccumulatedEnergy {
		b = le.AppendUint16(b, m.AccumulatedEnergy)
	}
	return b, nil
}

// MarshalBinary returns the encoded value.
func (m *CyclingPowerMeasurement) MarshalBinary() ([]byte, error) { return m.AppendBinary(nil) }

// AccumulatedTorqueNewtonMetres returns the accumulated torque in N·m and
// whether it is present.
func (m *CyclingPowerMeasurement) AccumulatedTorqueNewtonMetres() (float64, bool) {
	return float64(m.AccumulatedTorque) / 32, m.HasAccumulatedTorque
}

// PedalBalancePercent returns the pedal power balance in percent and whether
// it is present.
func (m *CyclingPowerMeasurement) PedalBalancePercent() (float64, bool) {
	return float64(m.PedalBalance) / 2, m.HasPedalBalance
}
