package wearable

import "time"

// batteryState is the Battery Low hysteresis.
type batteryState struct{ armed bool }

// batteryRearm is how far above the threshold the level must climb before
// another Battery Low.
const batteryRearm = 5

// deviceTime returns the instant of a device timestamp, or now with
// FlagDeviceClockUnknown when the timestamp is unknown or the clock not set.
// Without a timestamp it returns now.
func (s *Session) deviceTime(now time.Time, has bool, d DateTime, clockNotSet bool) (time.Time, Flags) {
	if !has {
		return now, 0
	}
	if clockNotSet {
		return now, FlagDeviceClockUnknown
	}
	loc := s.cfg.deviceLocation
	if loc == nil {
		loc = now.Location()
	}
	if t, ok := d.Time(loc); ok && CheckTime(t) == nil {
		return t, 0
	}
	// Unknown, or a year past 2262 (or before 1678) that no dedupe key or
	// duration can hold: the device clock is wrong, the receipt time is used.
	return now, FlagDeviceClockUnknown
}

// noReading marks m as holding no reading because of an IEEE-11073 special.
func noReading(m *Measurement, sp Special) {
	m.Flags |= FlagNoReading
	m.Special = sp
}

// temperature emits the body temperature in °C with its site (every GATT
// temperature type is kept; the Open mHealth mapping drops those it has no
// value for).
func (s *Session) temperature(now time.Time, m *TemperatureMeasurement, u *Update) {
	t, fl := s.deviceTime(now, m.HasTimestamp, m.Timestamp, false)
	out := s.measurement(KindBodyTemperature, t)
	out.Flags |= fl
	if m.HasType {
		out.TemperatureSite = m.Type
	}
	c, sp := m.Celsius()
	if sp != NotSpecial {
		noReading(&out, sp)
	} else {
		out.Temperature = Celsius(c)
		if m.Fahrenheit {
			out.Temperature = Celsius(roundTo(c, 2))
			v, _ := m.Value.Float64()
			out.Original = Quantity{Value: v, Unit: "[degF]"}
		}
		out.Flags |= Plausibility(&out)
	}
	u.Measurements = append(u.Measurements, out)
}

// bloodPressure emits the pressure reading and, when sent, the pulse rate.
func (s *Session) bloodPressure(now time.Time, m *BloodPressureMeasurement, u *Update) {
	t, fl := s.deviceTime(now, m.HasTimestamp, m.Timestamp, false)
	bp := s.measurement(KindBloodPressure, t)
	bp.Flags |= fl
	if m.HasUserID && m.UserID != UnknownUser {
		bp.DeviceUser, bp.HasDeviceUser = m.UserID, true
	}
	if m.HasStatus {
		if m.Status&(BPBodyMovement|BPCuffTooLoose|BPImproperPosition) != 0 {
			bp.Flags |= FlagUnreliable
		}
		if m.Status&BPIrregularPulse != 0 {
			bp.Flags |= FlagIrregularPulse
		}
	}
	sys, sp1 := m.SystolicMMHg()
	dia, sp2 := m.DiastolicMMHg()
	switch {
	case sp1 != NotSpecial:
		noReading(&bp, sp1)
	case sp2 != NotSpecial:
		noReading(&bp, sp2)
	default:
		bp.BloodPressure = BloodPressure{Systolic: MMHg(sys), Diastolic: MMHg(dia)}
		if mean, sp := m.MeanArterialMMHg(); sp == NotSpecial {
			bp.BloodPressure.MeanArterial, bp.BloodPressure.HasMeanArterial = MMHg(mean), true
		}
		if m.KPa {
			b := &bp.BloodPressure
			b.Systolic = MMHg(roundTo(sys, 2))
			b.Diastolic = MMHg(roundTo(dia, 2))
			b.MeanArterial = MMHg(roundTo(float64(b.MeanArterial), 2))
			v, _ := m.Systolic.Float64()
			bp.Original = Quantity{Value: v, Unit: "kPa"}
		}
		bp.Flags |= Plausibility(&bp)
	}
	u.Measurements = append(u.Measurements, bp)
	if m.HasPulseRate {
		pr := s.pulse(t, m.PulseRate)
		pr.Flags |= fl
		pr.DeviceUser, pr.HasDeviceUser = bp.DeviceUser, bp.HasDeviceUser
		u.Measurements = append(u.Measurements, pr)
	}
}

// pulse is a heart-rate measurement from a cuff or oximeter SFLOAT.
func (s *Session) pulse(t time.Time, v SFloat) Measurement {
	m := s.measurement(KindHeartRate, t)
	if f, ok := v.Float64(); ok {
		m.HeartRate = BPM(f)
		m.Flags |= Plausibility(&m)
	} else {
		noReading(&m, v.Special())
	}
	return m
}

// weight emits the body weight in kg; an unsuccessful measurement is a
// no-reading measurement, not 327.675 kg.
func (s *Session) weight(now time.Time, m *WeightMeasurement, u *Update) {
	t, fl := s.deviceTime(now, m.HasTimestamp, m.Timestamp, false)
	w := s.measurement(KindBodyWeight, t)
	w.Flags |= fl
	if m.HasUserID && m.UserID != UnknownUser {
		w.DeviceUser, w.HasDeviceUser = m.UserID, true
	}
	if kg, ok := m.Kilograms(); ok {
		w.Weight = Kilograms(kg)
		if m.Imperial {
			w.Weight = Kilograms(roundTo(kg, 3))
			lb, _ := m.Pounds()
			w.Original = Quantity{Value: lb, Unit: "[lb_av]"}
		}
		w.Flags |= Plausibility(&w)
	} else {
		w.Flags |= FlagNoReading | FlagUnsuccessful
	}
	u.Measurements = append(u.Measurements, w)
}

// oxygen builds the SpO2 and pulse-rate pair shared by both PLX values.
func (s *Session) oxygen(t time.Time, fl Flags, spo2, pr SFloat, u *Update) {
	o := s.measurement(KindOxygenSaturation, t)
	o.Flags |= fl
	if v, ok := spo2.Float64(); ok {
		o.SpO2 = Percent(v)
		o.Flags |= Plausibility(&o)
	} else {
		noReading(&o, spo2.Special()) // NaN: probe not ready
	}
	p := s.pulse(t, pr)
	p.Flags |= fl
	u.Measurements = append(u.Measurements, o, p)
}

func plxFlags(hasMS bool, ms PLXMeasurementStatus, hasDS bool, ds PLXDeviceStatus) Flags {
	if (hasMS && ms.Unreliable()) || (hasDS && ds.Fault()) {
		return FlagUnreliable
	}
	return 0
}

// plxSpot handles a PLX Spot-check Measurement.
func (s *Session) plxSpot(now time.Time, m *PLXSpotCheck, u *Update) {
	t, fl := s.deviceTime(now, m.HasTimestamp || m.ClockNotSet, m.Timestamp, m.ClockNotSet)
	fl |= plxFlags(m.HasMeasurementStatus, m.MeasurementStatus, m.HasDeviceStatus, m.DeviceStatus)
	s.oxygen(t, fl, m.SpO2, m.PulseRate, u)
}

// plxContinuous handles a PLX Continuous Measurement; the normal-response
// values are used (fast and slow are averaging variants of the same signal).
func (s *Session) plxContinuous(now time.Time, m *PLXContinuous, u *Update) {
	fl := plxFlags(m.HasMeasurementStatus, m.MeasurementStatus, m.HasDeviceStatus, m.DeviceStatus)
	s.oxygen(now, fl, m.SpO2, m.PulseRate, u)
}

// battery emits the level and, on crossing below the threshold, Battery Low.
func (s *Session) battery(now time.Time, l BatteryLevel, u *Update) {
	b := s.measurement(KindBatteryLevel, now)
	b.Battery = Percent(l)
	b.Flags |= Plausibility(&b)
	u.Measurements = append(u.Measurements, b)
	switch {
	case s.bat.armed && b.Battery < s.cfg.batteryLow:
		s.bat.armed = false
		o := s.occurrence(OccurrenceBatteryLow, now)
		o.Battery = b.Battery
		u.Occurrences = append(u.Occurrences, o)
	case !s.bat.armed && b.Battery >= s.cfg.batteryLow+batteryRearm:
		s.bat.armed = true
	}
}
