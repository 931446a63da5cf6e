package wearable

import (
	"math"
	"strconv"
	"time"
)

// minTime and maxTime bound the instants whose Unix time in nanoseconds fits
// in an int64: 1677-09-21 00:12:43.145224192 UTC and 2262-04-11
// 23:47:16.854775807 UTC.
var (
	minTime = time.Unix(0, math.MinInt64).UTC()
	maxTime = time.Unix(0, math.MaxInt64).UTC()
)

// CheckTime returns nil when t is a time this package can use, and otherwise
// a *TimeError (with an empty Op) wrapping ErrInvalidTime: for the zero
// time.Time, which is an unset field rather than an instant, and for
// instants before 1677-09-21 00:12:43.145224192 UTC or after 2262-04-11
// 23:47:16.854775807 UTC, whose Unix nanoseconds overflow an int64.
// Session methods refuse such times with the same error, package
// applehealth refuses export dates with it, and Plausibility flags
// measurements whose Start or End it refuses. It does not allocate when t is
// valid and is safe for concurrent use.
func CheckTime(t time.Time) error {
	if t.IsZero() || t.Before(minTime) || t.After(maxTime) {
		return &TimeError{Time: t, Err: ErrInvalidTime}
	}
	return nil
}

// checkTime is CheckTime with the refusing operation named.
func checkTime(op string, t time.Time) error {
	if err := CheckTime(t); err != nil {
		err.(*TimeError).Op = op
		return err
	}
	return nil
}

// appendUnixNano appends the Unix time of t in nanoseconds in decimal. It is
// exact for every t: within the int64 range it is strconv.AppendInt of
// t.UnixNano(); outside it the digits are built from seconds and
// nanoseconds, so a time past 2262 never wraps into another time's key.
func appendUnixNano(b []byte, t time.Time) []byte {
	if !t.Before(minTime) && !t.After(maxTime) {
		return strconv.AppendInt(b, t.UnixNano(), 10)
	}
	sec, nsec := t.Unix(), uint64(t.Nanosecond())
	var hi, lo uint64 // |value| = hi*1e9 + lo, 0 <= lo < 1e9
	if sec >= 0 {
		hi, lo = uint64(sec), nsec
	} else {
		b = append(b, '-')
		mag := uint64(-(sec + 1)) + 1 // |sec| without overflowing on MinInt64
		if nsec == 0 {
			hi = mag
		} else {
			hi, lo = mag-1, 1e9-nsec
		}
	}
	if hi == 0 {
		return strconv.AppendUint(b, lo, 10)
	}
	b = strconv.AppendUint(b, hi, 10)
	var digits [9]byte
	for i := 8; i >= 0; i-- {
		digits[i] = byte('0' + lo%10)
		lo /= 10
	}
	return append(b, digits[:]...)
}
