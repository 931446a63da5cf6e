package wearable

import "encoding/binary"

// PLX Spot-check Measurement flag bits.
const (
	spotFlagTimestamp   = 1 << 0
	spotFlagMeasStatus  = 1 << 1
	spotFlagDevStatus   = 1 << 2
	spotFlagPAI         = 1 << 3
	spotFlagClockNotSet = 1 << 4
	spotFlagReserved    = 0xE0
)

// PLXSpotCheck is the PLX Spot-check Measurement characteristic (0x2A5E) of
// the Pulse Oximeter service. SpO2 and PulseRate may be special values: NaN
// SpO2 (0x07FF) means the probe is not ready and there is no reading.
type PLXSpotCheck struct {
	// SpO2 is the oxygen saturation in percent.
	SpO2 SFloat
	// PulseRate is in beats per minute.
	PulseRate SFloat
	// HasTimestamp says whether Timestamp is present (flag bit 0).
	HasTimestamp bool
	// Timestamp is the device's local time (no zone).
	Timestamp DateTime
	// HasMeasurementStatus says whether MeasurementStatus is present (bit 1).
	HasMeasurementStatus bool
	// MeasurementStatus qualifies the reading.
	MeasurementStatus PLXMeasurementStatus
	// HasDeviceStatus says whether DeviceStatus is present (bit 2).
	HasDeviceStatus bool
	// DeviceStatus is the 24-bit device and sensor status.
	DeviceStatus PLXDeviceStatus
	// HasPulseAmplitudeIndex says whether PulseAmplitudeIndex is present (bit 3).
	HasPulseAmplitudeIndex bool
	// PulseAmplitudeIndex is in percent.
	PulseAmplitudeIndex SFloat
	// ClockNotSet is flag bit 4: the device clock was never set, so
	// Timestamp is not a real date.
	ClockNotSet bool
}

// UnmarshalBinary decodes a PLX Spot-check Measurement. The length must
// match the flags exactly; reserved flag and status bits return ErrReserved.
// It does not allocate and leaves m unchanged on error.
func (m *PLXSpotCheck) UnmarshalBinary(b []byte) error {
	const c = PLXSpotCheckUUID
	if len(b) == 0 {
		return errTruncated(c, 0)
	}
	flags := b[0]
	if flags&spotFlagReserved != 0 {
		return errReserved(c, 0)
	}
	ts, ms, ds, pai := flags&spotFlagTimestamp != 0, flags&spotFlagMeasStatus != 0, flags&spotFlagDevStatus != 0, flags&spotFlagPAI != 0
	want := 5 + size(ts, dateTimeLen) + size(ms, 2) + size(ds, 3) + size(pai, 2)
	if len(b) != want {
		if len(b) > want {
			return errTrailing(c, want)
		}
		return errTruncated(c, truncAt(len(b), 1, 2, 2, size(ts, dateTimeLen), size(ms, 2), size(ds, 3), size(pai, 2)))
	}
	le := binary.LittleEndian
	off := 5
	var d DateTime
	if ts {
		d = readDateTime(b[off:])
		if i := d.check(); i >= 0 {
			return errRange(c, off+i)
		}
		off += dateTimeLen
	}
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
		off += 3
	}
	var paiv SFloat
	if pai {
		paiv = SFloat(le.Uint16(b[off:]))
	}
	m.SpO2 = SFloat(le.Uint16(b[1:]))
	m.PulseRate = SFloat(le.Uint16(b[3:]))
	m.HasTimestamp, m.Timestamp = ts, d
	m.HasMeasurementStatus, m.MeasurementStatus = ms, mstat
	m.HasDeviceStatus, m.DeviceStatus = ds, dstat
	m.HasPulseAmplitudeIndex, m.PulseAmplitudeIndex = pai, paiv
	m.ClockNotSet = flags&spotFlagClockNotSet != 0
	return nil
}

// AppendBinary appends the encoded value to b.
func (m *PLXSpotCheck) AppendBinary(b []byte) ([]byte, error) {
	const c = PLXSpotCheckUUID
	if m.HasMeasurementStatus && m.MeasurementStatus&plxMeasurementStatusReserve != 0 {
		return b, encErr(c, "MeasurementStatus", ErrReserved)
	}
	if m.HasDeviceStatus && m.DeviceStatus&^0xFFFF != 0 {
		return b, encErr(c, "DeviceStatus", ErrReserved)
	}
	var flags byte
	if m.HasTimestamp {
		flags |= spotFlagTimestamp
	}
	if m.HasMeasurementStatus {
		flags |= spotFlagMeasStatus
	}
	if m.HasDeviceStatus {
		flags |= spotFlagDevStatus
	}
	if m.HasPulseAmplitudeIndex {
		flags |= spotFlagPAI
	}
	if m.ClockNotSet {
		flags |= spotFlagClockNotSet
	}
	le := binary.LittleEndian
	b = append(b, flags)
	b = le.AppendUint16(b, uint16(m.SpO2))
	b = le.AppendUint16(b, uint16(m.PulseRate))
	if m.HasTimestamp {
		var err error
		if b, err = appendDateTime(c, b, m.Timestamp); err != nil {
			return b, err
		}
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
func (m *PLXSpotCheck) MarshalBinary() ([]byte, error) { return m.AppendBinary(nil) }
