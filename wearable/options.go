package wearable

import (
	"fmt"
	"slices"
	"time"
)

// Option configures a Session. Options are sealed: only this package's
// With… functions implement it.
type Option interface{ apply(*config) error }

type optionFunc func(*config) error

func (f optionFunc) apply(c *config) error { return f(c) }

// Quirks describe known deviations of a device model from the specification.
// The plausibility layer applies a quirk only when it is configured; when it
// merely suspects one it sets a flag and leaves the value alone.
type Quirks struct {
	// RRInMilliseconds: the device sends RR intervals in milliseconds on
	// 0x2A37 instead of 1/1024 s (reported for some wristbands). RR values
	// are then read as milliseconds and flagged FlagQuirkApplied.
	RRInMilliseconds bool
	// OffBodyAt255: an 8-bit heart rate of 255 means "not worn" (reported
	// for Mi Band 2); such samples are flagged FlagOffBody. 0 bpm is always
	// treated as off-body.
	OffBodyAt255 bool
}

// config holds the Session settings; see the With… options for defaults.
type config struct {
	wheelCircumference Metres
	coastTimeout       time.Duration
	maxSampleGap       time.Duration
	quirks             Quirks
	zones              []BPM
	batteryLow         Percent
	activity           string
	deviceLocation     *time.Location
	minWorkout         time.Duration
}

func defaultConfig() config {
	return config{
		wheelCircumference: 2.105, // 700×25C road tyre
		coastTimeout:       3 * time.Second,
		maxSampleGap:       5 * time.Second,
		zones:              []BPM{95, 114, 133, 152, 171}, // 50/60/70/80/90 % of 190 bpm
		batteryLow:         20,
		minWorkout:         time.Minute,
	}
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidOption}, args...)...)
}

// WithWheelCircumference sets the wheel circumference used to turn wheel
// revolutions into speed and distance (default 2.105 m, a 700×25C tyre).
// It must be between 0.5 and 4 m.
func WithWheelCircumference(m Metres) Option {
	return optionFunc(func(c *config) error {
		if !(m >= 0.5 && m <= 4) {
			return invalid("wheel circumference %v m outside 0.5..4", float64(m))
		}
		c.wheelCircumference = m
		return nil
	})
}

// WithCoastTimeout sets how long without a new wheel or crank revolution
// before speed and cadence are reported as 0 instead of not at all (default
// 3 s). It must be positive.
func WithCoastTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) error {
		if d <= 0 {
			return invalid("coast timeout %v", d)
		}
		c.coastTimeout = d
		return nil
	})
}

// WithQuirks declares the device's known quirks.
func WithQuirks(q Quirks) Option {
	return optionFunc(func(c *config) error { c.quirks = q; return nil })
}

// WithHeartRateZones sets the lower bounds of heart-rate zones 1..n, strictly
// ascending, 1 to 10 of them (default 95, 114, 133, 152, 171 bpm: 50-90 % of
// 190 bpm). Time below the first bound counts as zone 0.
func WithHeartRateZones(lower ...BPM) Option {
	return optionFunc(func(c *config) error {
		if len(lower) == 0 || len(lower) > 10 {
			return invalid("%d heart-rate zones, want 1..10", len(lower))
		}
		for i, b := range lower {
			if !(b > 0 && b < 300) || (i > 0 && b <= lower[i-1]) {
				return invalid("heart-rate zone bounds %v not ascending within 0..300", lower)
			}
		}
		c.zones = slices.Clone(lower)
		return nil
	})
}

// WithBatteryLowThreshold sets the level below which a Battery Low
// occurrence is produced (default 20 %). It re-arms once the level is back
// 5 points above the threshold.
func WithBatteryLowThreshold(p Percent) Option {
	return optionFunc(func(c *config) error {
		if !(p > 0 && p < 100) {
			return invalid("battery threshold %v %%", float64(p))
		}
		c.batteryLow = p
		return nil
	})
}

// WithActivity names the activity of workouts from this device ("cycling",
// "running", ...). By default it is inferred: cycling for speed/cadence and
// power sensors, running or walking for running sensors, "other" otherwise.
func WithActivity(name string) Option {
	return optionFunc(func(c *config) error {
		if name == "" {
			return invalid("empty activity")
		}
		c.activity = name
		return nil
	})
}

// WithDeviceClock sets the time zone of the device's own clock, used to turn
// the zone-less Date Time fields of thermometers, cuffs, scales and oximeters
// into instants. By default the zone of the now passed to Notify is used.
func WithDeviceClock(loc *time.Location) Option {
	return optionFunc(func(c *config) error {
		if loc == nil {
			return invalid("nil device clock location")
		}
		c.deviceLocation = loc
		return nil
	})
}

// WithMinWorkoutDuration sets the shortest activity that counts as a workout
// when the device disconnects (default 1 minute). Zero counts every bout.
func WithMinWorkoutDuration(d time.Duration) Option {
	return optionFunc(func(c *config) error {
		if d < 0 {
			return invalid("negative minimum workout %v", d)
		}
		c.minWorkout = d
		return nil
	})
}
