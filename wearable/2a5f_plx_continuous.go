package wearable

import "encoding/binary"

// PLX Continuous Measurement flag bits.
const (
	contFlagFast       = 1 << 0
	contFlagSlow       = 1 << 1
	contFlagMeasStatus = 1 << 2
	contFlagDevStatus  = 1 << 3
	contFlagPAI        = 1 << 4
	contFlagReserved   = 0xE0
)

// PLXContinuous is the PLX Continuous Measurement characteristic (0x2A5F) of
// the Pulse Oximeter service. Every SpO2 and pulse-rate field may be a
// special value.
type PLXContinuous struct {
	// SpO2 (percent) and PulseRate (bpm) are the normal-averaged values.
	SpO2, PulseRate SFloat
	// HasFast says whether SpO2Fast and PulseRateFast are present (bit 0).
	HasFast bool
	// SpO2Fast and PulseRateFast are the fast-response values.
	SpO2Fast, PulseRateFast SFloat
	// HasSlow says whether SpO2Slow and PulseRateSlow are present (bit 1).
	HasSlow bool
	// SpO2Slow and PulseRateSlow are the slow-response values.
	SpO2Slow, PulseRateSlow SFloat
	// HasMeasurementStatus says whether MeasurementStatus is present (bit 2).
	HasMeasurementStatus bool
	// MeasurementStatus qualifies the reading.
	MeasurementStatus PLXMeasurementStatus
	// HasDeviceStatus says whether DeviceStatus is present (bit 3).
	HasDeviceStatus bool
	// DeviceStatus is the 24-bit device and sensor status.
	DeviceStatus PLXDeviceStatus
	// HasPulseAmplitudeIndex says whether PulseAmplitudeIndex is present (bit 4).
	HasPulseAmplitudeIndex bool
	// PulseAmplitudeIndex is in percent.
	PulseAmplitudeIndex SFloat
}

// UnmarshalBinary decodes a PLX Continuous Measurement. The length must match
// the flags exactly; reserved flag and status bits return ErrReserved. It
// does not allocate and leaves m unchanged on error.
func (m *PLXContinuous) UnmarshalBinary(b []byte) error {
	const c = PLXContinuousUUID
	if len(b) == 0 {
		return errTruncated(c, 0)
	}
	flags := b[0]
	if flags&contFlagReserved != 0 {
		return errReserved(c, 0)
	}
	fast, slow := flags&contFlagFast != 0, flags&contFlagSlow != 0
	ms, ds, pai := flags&contFlagMeasStatus != 0, flags&contFlagDevStatus != 0, flags&contFlagPAI != 0
	want := 5 + size(fast, 4) + size(slow, 4) + size(ms, 2) + size(ds, 3) + size(pai, 2)
	if len(b) != want {
		if len(b) > want {
			return errTrailing(c, want)
		}
		return errTruncated(c, truncAt(len(b), 1, 2, 2, size(fast, 2), size(fast, 2), size(slow, 2), size(slow, 2),
			size(ms, 2), size(ds, 3), size(pai, 2)))
	}
	le := binary.LittleEndian
	off := 5 + size(fast, 4) + size(slow, 4)
	var mstat PLXMeasurementStatus
	if ms {
		mstat = PLXMeasurementStatus(le.Uint16(b[off:]))
		if mstat&plxMeasurementStatusReserve != 0 {
			return errReserved(c, off)
		}
		off += 2
	}
	var dstat PLXDeviceStatus
	if ds {
		dstat = PLXDeviceStatus(readUint24(b[off:]))
		if dstat&plxDeviceStatusReserved != 0 {
			return errReserved(c, off+2)
		}
	}
	*m = PLXContinuous{
		SpO2:                   SFloat(le.Uint16(b[1:])),
		PulseRate:              SFloat(le.Uint16(b[3:])),
		HasFast:                fast,
		HasSlow:                slow,
		HasMeasurementStatus:   ms,
		MeasurementStatus:      mstat,
		HasDeviceStatus:        ds,
		DeviceStatus:           dstat,
		HasPulseAmplitudeIndex: pai,
	}
	off = 5
	if fast {
		m.SpO2Fast = SFloat(le.Uint16(b[off:]))
		m.PulseRateFast = SFloat(le.Uint16(b[off+2:]))
		off += 4
	}
	if slow {
		m.SpO2Slow = SFloat(le.Uint16(b[off:]))
		m.PulseRateSlow = SFloat(le.Uint16(b[off+2:]))
	}
	if pai {
		m.PulseAmplitudeIndex = SFloat(le.Uint16(b[len(b)-2:]))
	}
	return nil
}

// AppendBinary appends the encoded value to b.
func (m *PLXContinuous) AppendBinary(b []byte) ([]byte, error) {
	const c = PLXContinuousUUID
	if m.HasMeasurementStatus && m.MeasurementStatus&plxMeasurementStatusReserve != 0 {
		return b, encErr(c, "MeasurementStatus", ErrReserved)
	}
	if m.HasDeviceStatus && m.DeviceStatus&^0xFFFF != 0 {
		return b, encErr(c, "DeviceStatus", ErrReserved)
	}
	var flags byte
	if m.HasFast {
		flags |= contFlagFast
	}
	if m.HasSlow {
		flags |= contFlagSlow
	}
	if m.HasMeasurementStatus {
		flags |= contFlagMeasStatus
	}
	if m.HasDeviceStatus {
		flags |= contFlagDevStatus
	}
	if m.HasPulseAmplitudeIndex {
		flags |= contFlagPAI
	}
	le := binary.LittleEndian
	b = append(b, flags)
	b = le.AppendUint16(b, uint16(m.SpO2))
	b = le.AppendUint16(b, uint16(m.PulseRate))
	if m.HasFast {
		b = le.AppendUint16(b, uint16(m.SpO2Fast))
		b = le.AppendUint16(b, uint16(m.PulseRateFast))
	}
	if m.HasSlow {
		b = le.AppendUint16(b, uint16(m.SpO2Slow))
		b = le.AppendUint16(b, uint16(m.PulseRateSlow))
	}
	if m.HasMeasurementStatus {
		b = le.AppendUint16(b, uint16(m.MeasurementStatus))
	}
	if m.HasDeviceStatus {
		b = appendUint24(b, uint32(m.DeviceStatus))
	}
	if m.HasPulseAmplitudeIndex {
		b = le.AppendUint16(b, uint16(m.PulseAmplitudeIndex))
	}
	return b, nil
}

// MarshalBinary returns the encoded value.
func (m *PLXContinuous) MarshalBinary() ([]byte, error) { return m.AppendBinary(nil) }
