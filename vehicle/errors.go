package vehicle

import (
	"errors"
	"strconv"
	"time"
)

// Sentinel errors of the decoders. Every error a decoder returns is a
// *ParseError whose Err is one of these (match with errors.Is).
var (
	// ErrSyntax: the input is not well-formed JSON. A decoder reports
	// ErrSyntax only for input encoding/json refuses, and accepts none of
	// that input (FuzzDecodeSmartcar). It reports the first error it
	// finds, so a field error before the malformed part (an object read
	// whole without a required field, then a stray byte after it) is
	// reported instead.
	ErrSyntax = errors.New("vehicle: malformed input")
	// ErrFormat: a well-formed JSON string is not in the format its field
	// requires (a time that is not RFC 3339 with a zone, a date that does
	// not exist).
	ErrFormat = errors.New("vehicle: value not in the required format")
	// ErrTruncated: the input ends inside a value.
	ErrTruncated = errors.New("vehicle: truncated input")
	// ErrMissing: a field the format requires is absent.
	ErrMissing = errors.New("vehicle: required field missing")
	// ErrType: a field has the wrong JSON type (a string where a number
	// belongs, ...).
	ErrType = errors.New("vehicle: wrong type")
	// ErrRange: a value is out of its range (latitude beyond ±90, a
	// negative speed, a percentage over 100, a time outside
	// MinTime..MaxTime, a nesting deeper than MaxDepth).
	ErrRange = errors.New("vehicle: value out of range")
	// ErrUnit: a unit this package does not know ("furlongs").
	ErrUnit = errors.New("vehicle: unknown unit")
	// ErrUnknownEvent: a Smartcar eventType other than VERIFY,
	// VEHICLE_STATE and VEHICLE_ERROR.
	ErrUnknownEvent = errors.New("vehicle: unknown event type")
)

// ParseError says what could not be decoded and where. Offset is the byte
// offset in the input at which the problem was found; 0 <= Offset <=
// len(input) always holds. Field is the JSON path of the offending field
// ("data.signals[2].body.latitude") when known.
type ParseError struct {
	Format string // "smartcar" or "position"
	Field  string // JSON path, "" when the problem is not in one field
	Offset int    // byte offset in the input
	Err    error  // one of the sentinels above
}

// Error describes the failure; it is stable enough to log, not to parse.
func (e *ParseError) Error() string {
	s := "vehicle: " + e.Format + " at offset " + strconv.Itoa(e.Offset)
	if e.Field != "" {
		s += " (" + e.Field + ")"
	}
	return s + ": " + trimPrefix(e.Err.Error())
}

// Unwrap returns the sentinel, so errors.Is(err, ErrMissing) works.
func (e *ParseError) Unwrap() error { return e.Err }

func trimPrefix(s string) string {
	const p = "vehicle: "
	if len(s) >= len(p) && s[:len(p)] == p {
		return s[len(p):]
	}
	return s
}

// Errors of the Tracker. Each refusal leaves the Tracker unchanged apart
// from the counter named in Stats.
var (
	// ErrConfig: NewTracker was given invalid options or places, or
	// Restore a snapshot that does not fit them. Place problems are a
	// *PlaceError, which matches ErrConfig.
	ErrConfig = errors.New("vehicle: invalid configuration")
	// ErrLate: a position older than the vehicle's newest one (Stats.Late).
	ErrLate = errors.New("vehicle: position older than the last one")
	// ErrDuplicate: a position at the same time as the vehicle's newest
	// one (Stats.Duplicates).
	ErrDuplicate = errors.New("vehicle: duplicate position")
	// ErrInvalidPosition: a Position with an empty VehicleID, coordinates
	// out of range or not finite, a negative or non-finite speed, a
	// heading outside [0, 360), or a negative accuracy
	// (Stats.Invalid).
	ErrInvalidPosition = errors.New("vehicle: invalid position")
	// ErrImplausible: a position implying a speed above the Tracker's
	// maximum from the previous fix (a GPS glitch, a (0,0) fix). It is
	// not applied (Stats.Implausible); after three consecutive refusals
	// that agree with each other the vehicle is re-anchored at the new
	// position (Stats.Jumps).
	ErrImplausible = errors.New("vehicle: implausible jump")
	// ErrInvalidTime: the zero time or an instant outside
	// MinTime..MaxTime (Stats.BadTimes).
	ErrInvalidTime = errors.New("vehicle: invalid time")
)

// The range of times the package accepts (both exclusive).
var (
	MinTime = time.Unix(0, 0).UTC()
	MaxTime = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
)

func validTime(t time.Time) bool {
	return !t.IsZero() && t.After(MinTime) && t.Before(MaxTime)
}

// PlaceError reports an invalid place definition: which place (by index
// and id) and which field. It matches ErrConfig.
type PlaceError struct {
	Index  int    // position in the slice given to NewTracker
	ID     string // the place's ID as given (may be empty)
	Field  string // "ID", "Lat", "Lon", "ArrivalRadius", "DepartMargin", "Rings", "ApproachRadius"
	Reason string // what is wrong with it
}

// Error names the place, the field and the problem.
func (e *PlaceError) Error() string {
	return "vehicle: invalid configuration: place " + strconv.Itoa(e.Index) + " (" + strconv.Quote(e.ID) + ") " + e.Field + ": " + e.Reason
}

// Is reports whether target is ErrConfig.
func (e *PlaceError) Is(target error) bool { return target == ErrConfig }
