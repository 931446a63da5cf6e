package beacon

import (
	"errors"
	"time"
)

// ErrInvalidTime: a time the Tracker cannot use: the zero time.Time (an
// unset field, not an instant), or an instant outside MinTime..MaxTime.
// The Tracker works in int64 Unix nanoseconds and adds timeouts, dwell
// periods and the clock skew to the times it is given, so an instant near
// the end of that range (2262) would wrap silently; it is refused instead.
var ErrInvalidTime = errors.New("beacon: invalid time")

// The range of times the Tracker accepts (both exclusive). MaxTime leaves
// more than 60 years of int64-nanosecond headroom for the durations
// NewTracker accepts (each at most MaxDuration).
var (
	MinTime = time.Unix(0, 0).UTC()
	MaxTime = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
)

// MaxDuration bounds every ZoneConfig duration, the clock skew and the
// dedup window: ten years.
const MaxDuration = 10 * 365 * 24 * time.Hour

// TimeError reports a time that was refused. It unwraps to ErrInvalidTime.
// A Tracker method that returns a *TimeError has not changed the Tracker
// (beyond counting the refusal in Stats.BadTimes).
type TimeError struct {
	Op   string    // the refusing operation ("Observe", "Advance", "Restore"); "" from CheckTime
	Time time.Time // the time as given
	Err  error     // ErrInvalidTime
}

// Error describes the failure; it is stable enough to log, not to parse.
func (e *TimeError) Error() string {
	what := "zero time"
	if !e.Time.IsZero() {
		what = "time " + e.Time.UTC().Format(time.RFC3339Nano) + " outside " +
			MinTime.Format(time.DateOnly) + ".." + MaxTime.Format(time.DateOnly)
	}
	if e.Op == "" {
		return "beacon: " + what
	}
	return "beacon: " + e.Op + ": " + what
}

// Unwrap returns ErrInvalidTime.
func (e *TimeError) Unwrap() error { return e.Err }

// CheckTime returns nil for a time the Tracker accepts, and a *TimeError
// (wrapping ErrInvalidTime, Op "") for the zero time and for instants not
// strictly between MinTime and MaxTime. It does not allocate when t is
// valid and is safe for concurrent use.
func CheckTime(t time.Time) error {
	if t.IsZero() || !t.After(MinTime) || !t.Before(MaxTime) {
		return &TimeError{Time: t, Err: ErrInvalidTime}
	}
	return nil
}

func checkTime(op string, t time.Time) error {
	if err := CheckTime(t); err != nil {
		err.(*TimeError).Op = op
		return err
	}
	return nil
}
