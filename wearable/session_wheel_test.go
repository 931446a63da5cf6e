package wearable_test

import (
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/wearable"
)

// cscAt feeds a CSC value at t0 + ms milliseconds.
func cscAt(t *testing.T, s *wearable.Session, ms int, m wearable.CSCMeasurement) wearable.Update {
	t.Helper()
	return notify(t, s, t0.Add(time.Duration(ms)*time.Millisecond), wearable.CSCMeasurementUUID, &m)
}

func wheel(revs uint32, ticks uint16) wearable.CSCMeasurement {
	return wearable.CSCMeasurement{HasWheel: true, WheelRevolutions: revs, WheelEventTime: ticks}
}

func crank(revs, ticks uint16) wearable.CSCMeasurement {
	return wearable.CSCMeasurement{HasCrank: true, CrankRevolutions: revs, CrankEventTime: ticks}
}

func TestWheelSpeedAndDistance(t *testing.T) {
	s := newSession(t, wearable.WithWheelCircumference(2))
	if u := cscAt(t, s, 0, wheel(100, 1000)); len(u.Measurements) != 0 {
		t.Fatalf("baseline produced %+v", u.Measurements)
	}
	// 5 revolutions × 2 m in 1024 ticks = 10 m/s.
	u := cscAt(t, s, 1000, wheel(105, 2024))
	sp, d := one(t, u, wearable.KindSpeed), one(t, u, wearable.KindDistance)
	if sp.Speed != 10 || d.Distance != 10 || !d.Start.Equal(t0) || !d.End.Equal(t0.Add(time.Second)) {
		t.Fatalf("speed %v distance %v %v..%v", sp.Speed, d.Distance, d.Start, d.End)
	}
	if d.Category() != wearable.HealthActivity {
		t.Fatalf("distance category %v", d.Category())
	}
}

func TestWheelEventTimeWrap(t *testing.T) {
	// Nordic computes 65535 + t - prev (one tick short); the right Δ is
	// (t - prev) mod 65536: from 65000 to 500 is 1036 ticks.
	s := newSession(t, wearable.WithWheelCircumference(2.072))
	cscAt(t, s, 0, wheel(10, 65000))
	sp := one(t, cscAt(t, s, 1000, wheel(15, 500)), wearable.KindSpeed)
	want := 5 * 2.072 * 1024 / 1036
	if !near(float64(sp.Speed), want, 1e-12) {
		t.Fatalf("speed %v, want %v", sp.Speed, want)
	}
}

func TestWheelCountWrap(t *testing.T) {
	// The 32-bit wheel count wraps; OpenTracks #833 turned a similar
	// overflow into 577,947,520 km/h.
	s := newSession(t, wearable.WithWheelCircumference(2))
	cscAt(t, s, 0, wheel(0xFFFFFFFE, 100))
	sp := one(t, cscAt(t, s, 1000, wheel(3, 1124)), wearable.KindSpeed)
	if sp.Speed != 10 || sp.Flags != 0 {
		t.Fatalf("speed across count wrap %v flags %b", sp.Speed, sp.Flags)
	}
}

func TestCrankCadenceWraps(t *testing.T) {
	s := newSession(t)
	cscAt(t, s, 0, crank(65534, 65300))
	// 3 revolutions (65534 → 1, mod 2¹⁶) in 2048 ticks (65300 → 1812) = 90 rpm.
	c := one(t, cscAt(t, s, 2000, crank(1, 1812)), wearable.KindCyclingCadence)
	if c.Cadence != 90 || c.Flags != 0 {
		t.Fatalf("cadence %v flags %b", c.Cadence, c.Flags)
	}
}

func TestWheelDuplicateThenCoasting(t *testing.T) {
	s := newSession(t, wearable.WithWheelCircumference(2), wearable.WithCoastTimeout(3*time.Second))
	cscAt(t, s, 0, wheel(100, 1000))
	cscAt(t, s, 1000, wheel(105, 2024))
	// The sensor repeats its last event while coasting: nothing new.
	if u := cscAt(t, s, 2000, wheel(105, 2024)); len(u.Measurements) != 0 {
		t.Fatalf("duplicate produced %+v", u.Measurements)
	}
	// After the coast timeout, speed is 0 rather than the last value held.
	sp := one(t, cscAt(t, s, 4000, wheel(105, 2024)), wearable.KindSpeed)
	if sp.Speed != 0 || sp.Flags != wearable.FlagCoasting || !sp.Valid() {
		t.Fatalf("coasting %+v", sp)
	}
	// Riding again within the wrap period gives a real value.
	sp = one(t, cscAt(t, s, 5000, wheel(106, 2024+4*1024)), wearable.KindSpeed)
	if sp.Speed != 0.5 {
		t.Fatalf("after coasting %v", sp.Speed)
	}
}

func TestWheelGapRestartsBaseline(t *testing.T) {
	s := newSession(t, wearable.WithWheelCircumference(2))
	cscAt(t, s, 0, wheel(100, 1000))
	cscAt(t, s, 1000, wheel(105, 2024))
	// 70 s without a new event: the 16-bit time may have wrapped: no value.
	u := cscAt(t, s, 71000, wheel(110, 3048))
	sp := one(t, u, wearable.KindSpeed)
	if !sp.Flags.Has(wearable.FlagGap|wearable.FlagNoReading) || sp.Valid() || len(ofKind(u, wearable.KindDistance)) != 0 {
		t.Fatalf("after gap %+v", u.Measurements)
	}
	// The next step works from the new baseline; distance kept counting.
	u = cscAt(t, s, 72000, wheel(115, 4072))
	if one(t, u, wearable.KindSpeed).Speed != 10 || one(t, u, wearable.KindDistance).Distance != 20 {
		t.Fatalf("after restart %+v", u.Measurements)
	}
}

func TestWheelCounterBackwards(t *testing.T) {
	s := newSession(t, wearable.WithWheelCircumference(2))
	cscAt(t, s, 0, wheel(1000, 1000))
	sp := one(t, cscAt(t, s, 1000, wheel(999, 2024)), wearable.KindSpeed)
	if !sp.Flags.Has(wearable.FlagCounterReset|wearable.FlagNoReading) || sp.Speed != 0 {
		t.Fatalf("backwards counter %+v", sp)
	}
	// A forward jump that is physically impossible is flagged too.
	sp = one(t, cscAt(t, s, 2000, wheel(999+500, 3048)), wearable.KindSpeed)
	if !sp.Flags.Has(wearable.FlagImplausible|wearable.FlagNoReading) || sp.Speed != 0 {
		t.Fatalf("jump %+v", sp)
	}
}

func TestWheelEventOlderThanBaseline(t *testing.T) {
	// The baseline's event time can be from long before the first
	// notification; a Δt longer than the wall clock allows is rejected.
	s := newSession(t)
	cscAt(t, s, 0, wheel(100, 0))
	sp := one(t, cscAt(t, s, 1000, wheel(101, 40000)), wearable.KindSpeed)
	if !sp.Flags.Has(wearable.FlagImplausible | wearable.FlagNoReading) {
		t.Fatalf("%+v", sp)
	}
}

func TestCyclingPowerWheelIs2048(t *testing.T) {
	s := newSession(t, wearable.WithWheelCircumference(2))
	cp := func(ms int, revs uint32, ticks uint16, crankRevs, crankTicks uint16) wearable.Update {
		return notify(t, s, t0.Add(time.Duration(ms)*time.Millisecond), wearable.CyclingPowerMeasurementUUID,
			&wearable.CyclingPowerMeasurement{Power: 250, HasWheel: true, WheelRevolutions: revs, WheelEventTime: ticks,
				HasCrank: true, CrankRevolutions: crankRevs, CrankEventTime: crankTicks})
	}
	u := cp(0, 10, 0, 5, 0)
	if p := one(t, u, wearable.KindPower); p.Power != 250 {
		t.Fatalf("power %v", p.Power)
	}
	// 5 revs in 2048 ticks of 1/2048 s = 1 s → 10 m/s; crank 1 rev in 1024/1024 s → 60 rpm.
	u = cp(1000, 15, 2048, 6, 1024)
	if sp := one(t, u, wearable.KindSpeed); sp.Speed != 10 {
		t.Fatalf("CP speed %v (1/1024 would give 20)", sp.Speed)
	}
	if c := one(t, u, wearable.KindCyclingCadence); c.Cadence != 60 {
		t.Fatalf("CP cadence %v", c.Cadence)
	}
	if s.Device().Type != wearable.DevicePowerMeter {
		t.Fatalf("device type %q", s.Device().Type)
	}
}

func TestRunningSpeedCadence(t *testing.T) {
	s := newSession(t)
	rsc := func(ms int, dist uint32) wearable.Update {
		return notify(t, s, t0.Add(time.Duration(ms)*time.Millisecond), wearable.RSCMeasurementUUID,
			&wearable.RSCMeasurement{Speed: 768, Cadence: 170, Running: true, HasTotalDistance: true, TotalDistance: dist})
	}
	u := rsc(0, 1000)
	if sp := one(t, u, wearable.KindSpeed); sp.Speed != 3 {
		t.Fatalf("speed %v", sp.Speed)
	}
	if c := one(t, u, wearable.KindStepCadence); c.StepCadence != 170 {
		t.Fatalf("cadence %v", c.StepCadence)
	}
	if len(ofKind(u, wearable.KindDistance)) != 0 {
		t.Fatal("baseline produced distance")
	}
	if d := one(t, rsc(1000, 1030), wearable.KindDistance); d.Distance != 3 {
		t.Fatalf("distance %v", d.Distance)
	}
}
