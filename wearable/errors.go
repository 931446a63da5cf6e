package wearable

import (
	"errors"
	"fmt"
	"time"
)

// Sentinel errors. Decoders return them wrapped in a *ParseError; match them
// with errors.Is.
var (
	// ErrTruncated: the value ends before a field that its flags (or the
	// characteristic's fixed layout) say is present.
	ErrTruncated = errors.New("wearable: truncated value")
	// ErrTrailingBytes: the value continues after the last field its flags
	// announce. Decoders are strict: an over-long value is rejected, not
	// silently accepted with the extra bytes ignored.
	ErrTrailingBytes = errors.New("wearable: trailing bytes after last field")
	// ErrTooLong: the value is longer than the 512-byte maximum length of a
	// GATT attribute value.
	ErrTooLong = errors.New("wearable: value longer than 512 bytes")
	// ErrReserved: a flag bit, enumeration value or status bit that the
	// specification reserves for future use is set.
	ErrReserved = errors.New("wearable: reserved value")
	// ErrOutOfRange: a field holds a value outside its specified range (a
	// battery level above 100 %, a month of 13, ...).
	ErrOutOfRange = errors.New("wearable: value out of range")
	// ErrUnsupported: the characteristic (or the conversion asked for) is
	// not one this package handles.
	ErrUnsupported = errors.New("wearable: unsupported")
	// ErrInvalidOption: a Session option or constructor argument is invalid.
	ErrInvalidOption = errors.New("wearable: invalid option")
	// ErrNoValue: an IEEE-11073 number holds a special value (NaN, NRes,
	// ±INF or reserved) where a number is needed, or a measurement holds no
	// reading.
	ErrNoValue = errors.New("wearable: no numeric value")
)

// ParseError reports where and why a characteristic value could not be
// decoded. It unwraps to one of the sentinels above, so
// errors.Is(err, ErrTruncated) works. A decoder that returns a *ParseError has
// not modified its receiver: there are no partial measurements.
type ParseError struct {
	Characteristic Characteristic // the characteristic being decoded
	Offset         int            // byte offset in the value where decoding failed
	Err            error          // the cause: ErrTruncated, ErrTrailingBytes, ErrTooLong, ErrReserved or ErrOutOfRange
}

// Error describes the failure; it is stable enough to log, not to parse.
func (e *ParseError) Error() string {
	return fmt.Sprintf("wearable: %v: offset %d: %v", e.Characteristic, e.Offset, e.Err)
}

// Unwrap returns the cause.
func (e *ParseError) Unwrap() error { return e.Err }

// EncodeError reports a field that cannot be encoded: a value that does not
// fit the wire format, or a reserved value. It unwraps to ErrOutOfRange or
// ErrReserved.
type EncodeError struct {
	Characteristic Characteristic // the characteristic being encoded
	Field          string         // Go field name, e.g. "BPM"
	Err            error          // the cause
}

// Error describes the failure; it is stable enough to log, not to parse.
func (e *EncodeError) Error() string {
	return fmt.Sprintf("wearable: encode %v: field %s: %v", e.Characteristic, e.Field, e.Err)
}

// Unwrap returns the cause.
func (e *EncodeError) Unwrap() error { return e.Err }

// parse errors are built by these helpers so that the hot decode paths stay
// small enough to inline their checks; the allocation happens only on error.

func errTruncated(c Characteristic, off int) error {
	return &ParseError{Characteristic: c, Offset: off, Err: ErrTruncated}
}

func errTrailing(c Characteristic, off int) error {
	return &ParseError{Characteristic: c, Offset: off, Err: ErrTrailingBytes}
}

func errReserved(c Characteristic, off int) error {
	return &ParseError{Characteristic: c, Offset: off, Err: ErrReserved}
}

func errRange(c Characteristic, off int) error {
	return &ParseError{Characteristic: c, Offset: off, Err: ErrOutOfRange}
}

func encErr(c Characteristic, field string, err error) error {
	return &EncodeError{Characteristic: c, Field: field, Err: err}
}

// truncAt returns the offset of the first field that does not fit in a
// value of n bytes, given the sizes of the fields in wire order (0 for an
// absent field). It runs only on the error path.
func truncAt(n int, sizes ...int) int {
	off := 0
	for _, sz := range sizes {
		if off+sz > n {
			return off
		}
		off += sz
	}
	return off
}

// size returns n when present is true, else 0.
func size(present bool, n int) int {
	if present {
		return n
	}
	return 0
}

// ConversionError reports a measurement that cannot be written in an output
// format: the format has no schema or code for its kind (ErrUnsupported), or
// the measurement holds no valid reading (ErrNoValue).
type ConversionError struct {
	Format string // "openmhealth" or "fhir"
	Kind   Kind
	Err    error
}

// Error describes the failure; it is stable enough to log, not to parse.
func (e *ConversionError) Error() string {
	return fmt.Sprintf("wearable: %s: %v: %v", e.Format, e.Kind, e.Err)
}

// Unwrap returns the cause.
func (e *ConversionError) Unwrap() error { return e.Err }

// ErrInvalidTime: a time the package cannot use: the zero time.Time, or an
// instant whose Unix time in nanoseconds does not fit in an int64 (before
// 1677-09-21 00:12:43.145224192 UTC or after 2262-04-11 23:47:16.854775807
// UTC). Dedupe keys, message ids and durations are computed in nanoseconds,
// so such a time would wrap silently; it is refused instead.
var ErrInvalidTime = errors.New("wearable: invalid time")

// TimeError reports a time that was refused. It unwraps to ErrInvalidTime.
// A Session method that returns a *TimeError has not changed the session.
type TimeError struct {
	Op   string    // the refusing operation ("Notify", "Connect", ...); "" from CheckTime
	Time time.Time // the time as given
	Err  error     // ErrInvalidTime
}

// Error describes the failure; it is stable enough to log, not to parse.
func (e *TimeError) Error() string {
	var what string
	if e.Time.IsZero() {
		what = "zero time"
	} else {
		what = "time " + e.Time.UTC().Format(time.RFC3339Nano) + " outside " +
			minTime.Format(time.DateOnly) + ".." + maxTime.Format(time.DateOnly) + " (int64 Unix nanoseconds)"
	}
	if e.Op == "" {
		return fmt.Sprintf("wearable: %s: %v", what, e.Err)
	}
	return fmt.Sprintf("wearable: %s: %s: %v", e.Op, what, e.Err)
}

// Unwrap returns the cause.
func (e *TimeError) Unwrap() error { return e.Err }
