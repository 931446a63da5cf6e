package wearable

import "encoding/binary"

// Blood Pressure Measurement and Intermediate Cuff Pressure flag bits.
const (
	bpFlagKPa       = 1 << 0
	bpFlagTimestamp = 1 << 1
	bpFlagPulse     = 1 << 2
	bpFlagUser      = 1 << 3
	bpFlagStatus    = 1 << 4
	bpFlagReserved  = 0xE0
)

// UnknownUser is the User ID value meaning "unknown user" in blood-pressure
// and weight measurements.
const UnknownUser = 255

// BPStatus is the Measurement Status of a blood-pressure measurement.
type BPStatus uint16

// Measurement Status bits. Bits 3-4 hold the pulse-rate range (see
// PulseRateRange); bits 6-15 are reserved.
const (
	BPBodyMovement       BPStatus = 1 << 0 // body movement during measurement
	BPCuffTooLoose       BPStatus = 1 << 1 // cuff fit too loose
	BPIrregularPulse     BPStatus = 1 << 2 // irregular pulse detected
	BPImproperPosition   BPStatus = 1 << 5 // improper measurement position
	bpStatusRangeMask    BPStatus = 3 << 3
	bpStatusReservedMask BPStatus = 0xFFC0
)

// PulseRateRange is the pulse-rate range detection of BPStatus.
type PulseRateRange uint8

// The pulse-rate ranges; 3 is reserved.
const (
	PulseRateInRange    PulseRateRange = 0
	PulseRateAboveUpper PulseRateRange = 1
	PulseRateBelowLower PulseRateRange = 2
)

// PulseRateRange returns the pulse-rate range (bits 3-4).
func (s BPStatus) PulseRateRange() PulseRateRange {
	return PulseRateRange((s & bpStatusRangeMask) >> 3)
}

func (s BPStatus) valid() bool {
	return s&bpStatusReservedMask == 0 && s.PulseRateRange() != 3
}

// BloodPressureMeasurement is the Blood Pressure Measurement characteristic
// (0x2A35). The pressures are IEEE-11073 SFLOATs in the unit given by KPa
// and may be special values.
type BloodPressureMeasurement struct {
	// KPa is the unit flag (bit 0): false = mmHg, true = kPa.
	KPa bool
	// Systolic, Diastolic and MeanArterial pressures.
	Systolic, Diastolic, MeanArterial SFloat
	// HasTimestamp says whether Timestamp is present (flag bit 1).
	HasTimestamp bool
	// Timestamp is the device's local time of the measurement (no zone).
	Timestamp DateTime
	// HasPulseRate says whether PulseRate is present (flag bit 2).
	HasPulseRate bool
	// PulseRate is in beats per minute.
	PulseRate SFloat
	// HasUserID says whether UserID is present (flag bit 3).
	HasUserID bool
	// UserID identifies the user on a multi-user device; UnknownUser (255)
	// means unknown.
	UserID uint8
	// HasStatus says whether Status is present (flag bit 4).
	HasStatus bool
	// Status is the measurement status.
	Status BPStatus
}

// bpFields is the shared layout of 0x2A35 and 0x2A36.
type bpFields = BloodPressureMeasurement

// decodeBP decodes the shared layout into v; c selects the characteristic
// named in errors. Every check runs before v is written, so v is unchanged
// on error.
func decodeBP(c Characteristic, b []byte, v *bpFields) error {
	if len(b) == 0 {
		return errTruncated(c, 0)
	}
	flags := b[0]
	if flags&bpFlagReserved != 0 {
		return errReserved(c, 0)
	}
	ts, pr, uid, st := flags&bpFlagTimestamp != 0, flags&bpFlagPulse != 0, flags&bpFlagUser != 0, flags&bpFlagStatus != 0
	want := 7 + size(ts, dateTimeLen) + size(pr, 2) + size(uid, 1) + size(st, 2)
	if len(b) != want {
		if len(b) > want {
			return errTrailing(c, want)
		}
		return errTruncated(c, truncAt(len(b), 1, 2, 2, 2, size(ts, dateTimeLen), size(pr, 2), size(uid, 1), size(st, 2)))
	}
	le := binary.LittleEndian
	off := 7
	var d DateTime
	if ts {
		d = readDateTime(b[off:])
		if i := d.check(); i >= 0 {
			return errRange(c, off+i)
		}
		off += dateTimeLen
	}
	var pulse SFloat
	if pr {
		pulse = SFloat(le.Uint16(b[off:]))
		off += 2
	}
	var user uint8
	if uid {
		user = b[off]
		off++
	}
	var status BPStatus
	if st {
		status = BPStatus(le.Uint16(b[off:]))
		if !status.valid() {
			if status&0xFF00 != 0 {
				off++
			}
			return errReserved(c, off)
		}
	}
	v.KPa = flags&bpFlagKPa != 0
	v.Systolic = SFloat(le.Uint16(b[1:]))
	v.Diastolic = SFloat(le.Uint16(b[3:]))
	v.MeanArterial = SFloat(le.Uint16(b[5:]))
	v.HasTimestamp, v.Timestamp = ts, d
	v.HasPulseRate, v.PulseRate = pr, pulse
	v.HasUserID, v.UserID = uid, user
	v.HasStatus, v.Status = st, status
	return nil
}

func appendBP(c Characteristic, b []byte, v *bpFields) ([]byte, error) {
	if v.HasStatus && !v.Status.valid() {
		return b, encErr(c, "Status", ErrReserved)
	}
	var flags byte
	if v.KPa {
		flags |= bpFlagKPa
	}
	if v.HasTimestamp {
		flags |= bpFlagTimestamp
	}
	if v.HasPulseRate {
		flags |= bpFlagPulse
	}
	if v.HasUserID {
		flags |= bpFlagUser
	}
	if v.HasStatus {
		flags |= bpFlagStatus
	}
	le := binary.LittleEndian
	b = append(b, flags)
	b = le.AppendUint16(b, uint16(v.Systolic))
	b = le.AppendUint16(b, uint16(v.Diastolic))
	b = le.AppendUint16(b, uint16(v.MeanArterial))
	if v.HasTimestamp {
		var err error
		if b, err = appendDateTime(c, b, v.Timestamp); err != nil {
			return b, err
		}
	}
	if v.HasPulseRate {
		b = le.AppendUint16(b, uint16(v.PulseRate))
	}
	if v.HasUserID {
		b = append(b, v.UserID)
	}
	if v.HasStatus {
		b = le.AppendUint16(b, uint16(v.Status))
	}
	return b, nil
}

// UnmarshalBinary decodes a Blood Pressure Measurement. The length must match
// the flags exactly; reserved flag or status bits (including pulse-rate range
// 3) return ErrReserved, out-of-range timestamp fields ErrOutOfRange. It does
// not allocate and leaves m unchanged on error.
func (m *BloodPressureMeasurement) UnmarshalBinary(b []byte) error {
	return decodeBP(BloodPressureMeasurementUUID, b, m)
}

// AppendBinary appends the encoded value to b.
func (m *BloodPressureMeasurement) AppendBinary(b []byte) ([]byte, error) {
	return appendBP(BloodPressureMeasurementUUID, b, m)
}

// MarshalBinary returns the encoded value.
func (m *BloodPressureMeasurement) MarshalBinary() ([]byte, error) { return m.AppendBinary(nil) }

// KPaToMMHg converts kilopascal to millimetres of mercury.
const KPaToMMHg = 7.50062

// mmHg returns s in mmHg, converting from kPa when kpa is set.
func mmHg(s SFloat, kpa bool) (float64, Special) {
	v, ok := s.Float64()
	if !ok {
		return 0, s.Special()
	}
	if kpa {
		v *= KPaToMMHg
	}
	return v, NotSpecial
}

// SystolicMMHg returns the systolic pressure in mmHg (converted from kPa when
// needed), or 0 and the special value.
func (m *BloodPressureMeasurement) SystolicMMHg() (float64, Special) { return mmHg(m.Systolic, m.KPa) }

// DiastolicMMHg returns the diastolic pressure in mmHg.
func (m *BloodPressureMeasurement) DiastolicMMHg() (float64, Special) {
	return mmHg(m.Diastolic, m.KPa)
}

// MeanArterialMMHg returns the mean arterial pressure in mmHg.
func (m *BloodPressureMeasurement) MeanArterialMMHg() (float64, Special) {
	return mmHg(m.MeanArterial, m.KPa)
}
