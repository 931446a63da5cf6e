package wearable

import "time"

// eventSlack is how much later than the wall clock a revolution event may
// appear to be (notification latency), and how close to the wrap period a
// gap may come before it is ambiguous. Derived speeds and cadences that the
// plausibility rules (plausibility.go) flag restart the baseline: a
// glitching counter, not a 400 km/h bike.
const eventSlack = 2 * time.Second

// revCounter follows a cumulative revolution count and the 16-bit time of
// its last event. All differences are modular: event time mod 65,536 ticks,
// counts mod 2³² (wheel) or 2¹⁶ (crank).
type revCounter struct {
	ok         bool
	revs       uint32
	ticks      uint16
	lastChange time.Time // receipt time of the last notification with new revolutions
	lastSeen   time.Time
	start      time.Time // when the distance count started
	distance   Metres    // distance since start
}

type revStep uint8

const (
	revBaseline revStep = iota // first value: nothing to derive yet
	revNoEvent                 // no new revolution, within the coast timeout
	revCoasting                // no new revolution for the coast timeout: report 0
	revValue                   // new revolutions over a known time
	revRestart                 // baseline restarted; the returned flag says why
)

// step advances the counter. mask is 0xFFFF for crank and 0xFFFFFFFF for
// wheel counts; tickRate is ticks per second (1024, or 2048 for the power
// meter's wheel).
func (r *revCounter) step(now time.Time, revs uint32, ticks uint16, mask uint32, tickRate float64, coast time.Duration) (dRev uint32, seconds float64, st revStep, flag Flags) {
	restart := func(f Flags) (uint32, float64, revStep, Flags) {
		// The distance count survives a restart: only the delta is lost.
		// A clock that stepped back before the start moves the start, so
		// that Start..End of the distance stays a time frame.
		start := r.start
		if now.Before(start) {
			start = now
		}
		*r = revCounter{ok: true, revs: revs, ticks: ticks, lastChange: now, lastSeen: now, start: start, distance: r.distance}
		return 0, 0, revRestart, f
	}
	if !r.ok {
		start, dist := r.start, r.distance
		if start.IsZero() {
			start = now
		}
		*r = revCounter{ok: true, revs: revs, ticks: ticks, lastChange: now, lastSeen: now, start: start, distance: dist}
		return 0, 0, revBaseline, 0
	}
	if now.Before(r.lastSeen) {
		return restart(FlagGap)
	}
	dRev = (revs - r.revs) & mask
	if dRev > mask/2 {
		// More than half the counter range "forward" is a counter that went
		// backwards: the sensor reset or glitched.
		return restart(FlagCounterReset)
	}
	r.lastSeen = now
	if dRev == 0 {
		if now.Sub(r.lastChange) >= coast {
			return 0, 0, revCoasting, FlagCoasting
		}
		return 0, 0, revNoEvent, 0
	}
	wrap := time.Duration(65536 / tickRate * float64(time.Second))
	sinceChange := now.Sub(r.lastChange)
	if sinceChange >= wrap-eventSlack {
		// The event time may have wrapped more than once: Δt is ambiguous.
		return restart(FlagGap)
	}
	dTicks := ticks - r.ticks // modulo 65,536
	seconds = float64(dTicks) / tickRate
	if dTicks == 0 || seconds > (sinceChange+eventSlack).Seconds() {
		// Revolutions without elapsed time, or more time than the wall
		// clock allows (an event from before the baseline).
		return restart(FlagImplausible)
	}
	r.revs, r.ticks, r.lastChange = revs, ticks, now
	return dRev, seconds, revValue, 0
}

// wheelStep derives speed and distance from a wheel counter step.
func (s *Session) wheelStep(now time.Time, r *revCounter, revs uint32, ticks uint16, tickRate float64, u *Update) {
	dRev, secs, st, flag := r.step(now, revs, ticks, 0xFFFFFFFF, tickRate, s.cfg.coastTimeout)
	m := s.measurement(KindSpeed, now)
	switch st {
	case revBaseline, revNoEvent:
		return
	case revCoasting:
		m.Flags = flag
	case revRestart:
		m.Flags = flag | FlagNoReading
	case revValue:
		dist := Metres(float64(dRev) * float64(s.cfg.wheelCircumference))
		m.Speed = MetresPerSecond(float64(dist) / secs)
		if Plausibility(&m)&FlagImplausible != 0 {
			m.Speed, m.Flags = 0, FlagImplausible|FlagNoReading
			r.ok = false // restart the baseline on the next value
		} else {
			r.distance += dist
			s.wk.distance += dist
			d := s.measurement(KindDistance, now)
			d.Start = r.start
			d.Distance = r.distance
			d.Activity = "cycling"
			d.Flags |= Plausibility(&d)
			u.Measurements = append(u.Measurements, m, d)
			return
		}
	}
	u.Measurements = append(u.Measurements, m)
}

// crankStep derives cadence from a crank counter step.
func (s *Session) crankStep(now time.Time, revs uint16, ticks uint16, u *Update) {
	dRev, secs, st, flag := s.crank.step(now, uint32(revs), ticks, 0xFFFF, 1024, s.cfg.coastTimeout)
	m := s.measurement(KindCyclingCadence, now)
	switch st {
	case revBaseline, revNoEvent:
		return
	case revCoasting:
		m.Flags = flag
	case revRestart:
		m.Flags = flag | FlagNoReading
	case revValue:
		m.Cadence = RPM(float64(dRev) * 60 / secs)
		if Plausibility(&m)&FlagImplausible != 0 {
			m.Flags = FlagImplausible | FlagNoReading
			m.Cadence = 0
			s.crank.ok = false
		}
	}
	u.Measurements = append(u.Measurements, m)
}

// csc handles a CSC Measurement (wheel time in 1/1024 s).
func (s *Session) csc(now time.Time, m *CSCMeasurement, u *Update) {
	if m.HasWheel {
		s.wheelStep(now, &s.wheel, m.WheelRevolutions, m.WheelEventTime, 1024, u)
	}
	if m.HasCrank {
		s.crankStep(now, m.CrankRevolutions, m.CrankEventTime, u)
	}
}

// cyclingPower handles a Cycling Power Measurement: power directly, speed
// and distance from the wheel (1/2048 s), cadence from the crank.
func (s *Session) cyclingPower(now time.Time, m *CyclingPowerMeasurement, u *Update) {
	p := s.measurement(KindPower, now)
	p.Power = Watts(m.Power)
	p.Flags |= Plausibility(&p)
	u.Measurements = append(u.Measurements, p)
	if m.HasWheel {
		s.wheelStep(now, &s.cpWheel, m.WheelRevolutions, m.WheelEventTime, 2048, u)
	}
	if m.HasCrank {
		s.crankStep(now, m.CrankRevolutions, m.CrankEventTime, u)
	}
}

// rsc handles an RSC Measurement: instantaneous speed and cadence, and the
// device's total distance as distance since the session baseline.
func (s *Session) rsc(now time.Time, m *RSCMeasurement, u *Update) {
	if m.Running {
		s.wk.running = true
	} else {
		s.wk.walking = true
	}
	activity := "walking"
	if m.Running {
		activity = "running"
	}
	sp := s.measurement(KindSpeed, now)
	sp.Speed = MetresPerSecond(m.SpeedMetresPerSecond())
	sp.Activity = activity // the on-foot speed limit applies
	sp.Flags |= Plausibility(&sp)
	cad := s.measurement(KindStepCadence, now)
	cad.StepCadence = StepsPerMinute(m.Cadence)
	cad.Flags |= Plausibility(&cad)
	u.Measurements = append(u.Measurements, sp, cad)
	if !m.HasTotalDistance {
		return
	}
	total, delta, flags, first := s.rscDist.update(now, uint64(m.TotalDistance))
	if first || (delta == 0 && flags == 0) {
		return
	}
	s.wk.distance += Metres(float64(delta) / 10)
	d := s.measurement(KindDistance, now)
	d.Start = s.rscDist.start
	d.Activity = activity
	d.Flags = flags
	if flags.Has(FlagGap) {
		// The receipt clock stepped back: flagged like a wheel or crank
		// restart, with no reading; the total carries on from the next one.
		d.Flags |= FlagNoReading
	} else {
		d.Distance = Metres(float64(total) / 10)
	}
	d.Flags |= Plausibility(&d)
	u.Measurements = append(u.Measurements, d)
}
