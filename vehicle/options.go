package vehicle

import (
	"fmt"
	"time"
)

// TrackerOption configures NewTracker. It is sealed: only this package's
// With* functions implement it.
type TrackerOption interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	roadFactor    float64
	approachSpeed float64
	speedWindow   time.Duration
	minSpeed      float64
	maxSpeed      float64
	startSpeed    float64
	startDistance float64
	startHold     time.Duration
	stopSpeed     float64
	stopRadius    float64
	stopTime      time.Duration
	silence       time.Duration
	exitFactor    float64
	exitHold      time.Duration
	recede        float64
	departHold    time.Duration
	forget        time.Duration
	capacity      int
}

func defaultConfig() config {
	return config{
		roadFactor: DefaultRoadFactor, approachSpeed: 40, speedWindow: 3 * time.Minute,
		minSpeed: 1.5, maxSpeed: 90, startSpeed: 3, startDistance: 200, startHold: 15 * time.Second,
		stopSpeed: 1, stopRadius: 50, stopTime: 5 * time.Minute, silence: 15 * time.Minute,
		exitFactor: 1.5, exitHold: 10 * time.Minute, recede: 300, departHold: time.Minute,
		forget: 24 * time.Hour, capacity: 1024,
	}
}

func (c *config) validate() error {
	bad := func(what string) error { return fmt.Errorf("%w: %s", ErrConfig, what) }
	const maxD = 7 * 24 * time.Hour
	switch {
	case !(c.roadFactor >= 1 && c.roadFactor <= 3):
		return bad("road factor must be 1 to 3")
	case !(c.approachSpeed >= 1 && c.approachSpeed <= 100):
		return bad("approach speed must be 1 to 100 m/s")
	case c.speedWindow < time.Second || c.speedWindow > time.Hour:
		return bad("speed window must be 1s to 1h")
	case !(c.minSpeed > 0 && c.minSpeed <= 30):
		return bad("minimum ETA speed must be above 0 and at most 30 m/s")
	case !(c.maxSpeed >= 30 && c.maxSpeed <= 1000):
		return bad("maximum plausible speed must be 30 to 1000 m/s")
	case !(c.startSpeed > c.stopSpeed && c.stopSpeed > 0 && c.startSpeed <= 30):
		return bad("trip speeds need 0 < stop speed < start speed <= 30 m/s")
	case !(c.startDistance > c.stopRadius && c.stopRadius >= 5 && c.startDistance <= 10_000):
		return bad("trip distances need 5 m <= stop radius < start distance <= 10 km")
	case c.startHold < 0 || c.startHold > time.Hour || c.stopTime < time.Second || c.stopTime > maxD:
		return bad("start hold must be 0 to 1h, stop time 1s to 7 days")
	case c.silence < c.stopTime || c.silence > maxD:
		return bad("silence timeout must be at least the stop time and at most 7 days")
	case !(c.exitFactor >= 1 && c.exitFactor <= 10) || c.exitHold < 0 || c.exitHold > maxD:
		return bad("approach exit factor must be 1 to 10, exit hold 0 to 7 days")
	case !(c.recede >= 10 && c.recede <= 100_000):
		return bad("recede margin must be 10 m to 100 km")
	case c.departHold < 0 || c.departHold > maxD:
		return bad("depart hold must be 0 to 7 days")
	case c.forget < c.silence || c.forget > 365*24*time.Hour:
		return bad("forget-after must be at least the silence timeout and at most a year")
	case c.capacity < 0:
		return bad("negative capacity")
	}
	return nil
}

// DefaultRoadFactor is the default ratio of road distance to straight-line
// distance (circuity) used for ETAs. Measured circuity is about 1.2 for
// random urban trips (Newell 1980; 1.21-1.23 around transit stations,
// O'Sullivan 1996) and higher for short trips (Giacomin & Levinson 2015);
// 1.3 errs towards a later ETA for the sub-5-km approaches a store cares
// about, so rings fire a little early rather than late.
const DefaultRoadFactor = 1.3

// WithRoadFactor sets the circuity factor: ETA = straight-line distance ×
// factor / recent speed. Default DefaultRoadFactor (1.3); range 1 to 3.
func WithRoadFactor(f float64) TrackerOption { return optionFunc(func(c *config) { c.roadFactor = f }) }

// WithApproachSpeed sets the speed (m/s) used to size a place's default
// ApproachRadius from its outermost ring. Default 40 m/s (144 km/h), so
// a 20-minute ring reaches about 37 km; range 1 to 100.
func WithApproachSpeed(mps float64) TrackerOption {
	return optionFunc(func(c *config) { c.approachSpeed = mps })
}

// WithSpeedWindow sets the time constant of the recent-speed average
// (an exponentially weighted mean over time, weight dt/(window+dt) per
// fix). Default 3 minutes; range 1s to 1h. Longer windows ride out
// traffic lights and short jams; shorter ones follow speed changes sooner.
func WithSpeedWindow(d time.Duration) TrackerOption {
	return optionFunc(func(c *config) { c.speedWindow = d })
}

// WithMinSpeed sets the floor (m/s) of the speed an ETA is computed
// with, so a jam gives a long but finite ETA. Default 1.5 m/s; range
// (0, 30].
func WithMinSpeed(mps float64) TrackerOption { return optionFunc(func(c *config) { c.minSpeed = mps }) }

// WithMaxSpeed sets the highest plausible speed (m/s) between two fixes;
// a fix implying more is refused with ErrImplausible. Default 90 m/s
// (324 km/h); range 30 to 1000.
func WithMaxSpeed(mps float64) TrackerOption { return optionFunc(func(c *config) { c.maxSpeed = mps }) }

// WithTripStart sets when a parked vehicle starts a trip: reported speed
// of at least speed (m/s) for hold, or a displacement of more than
// distance (m) from where it was parked (for sources without speed).
// Defaults 3 m/s, 15 s, 200 m.
func WithTripStart(speed float64, hold time.Duration, distance float64) TrackerOption {
	return optionFunc(func(c *config) { c.startSpeed, c.startHold, c.startDistance = speed, hold, distance })
}

// WithTripStop sets when a moving vehicle has stopped: speed below speed
// (m/s, when reported) and within radius (m) of one spot for at least
// d. The trip ends at the moment it stopped. Defaults 1 m/s, 50 m,
// 5 minutes.
func WithTripStop(speed, radius float64, d time.Duration) TrackerOption {
	return optionFunc(func(c *config) { c.stopSpeed, c.stopRadius, c.stopTime = speed, radius, d })
}

// WithSilence sets how long a vehicle may send nothing before its trip
// ends (at its last fix) and its approaches end. Default 15 minutes; at
// least the stop time.
func WithSilence(d time.Duration) TrackerOption { return optionFunc(func(c *config) { c.silence = d }) }

// WithApproachExit sets the hysteresis of approaching: an approach ends
// when the ETA stays above factor × the outermost ring for hold
// (defaults 1.5 and 10 minutes), or when the vehicle is more than
// recede metres (default 300; or 10% of its closest distance, if larger)
// farther than its closest point to the place.
func WithApproachExit(factor float64, hold time.Duration, recede float64) TrackerOption {
	return optionFunc(func(c *config) { c.exitFactor, c.exitHold, c.recede = factor, hold, recede })
}

// WithDepartHold sets how long an arrived vehicle must stay beyond the
// place's departure threshold (ArrivalRadius + DepartMargin) before it
// has departed; a fix beyond twice that threshold departs at once.
// Default one minute.
func WithDepartHold(d time.Duration) TrackerOption {
	return optionFunc(func(c *config) { c.departHold = d })
}

// WithForgetAfter sets how long a silent vehicle is kept: after that
// Advance forgets it (nothing is emitted; memory stays bounded by the
// vehicles seen within the period). Default 24 hours; at least the
// silence timeout.
func WithForgetAfter(d time.Duration) TrackerOption {
	return optionFunc(func(c *config) { c.forget = d })
}

// WithCapacity preallocates for n vehicles; default 1024.
func WithCapacity(n int) TrackerOption { return optionFunc(func(c *config) { c.capacity = n }) }
