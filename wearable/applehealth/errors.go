package applehealth

import (
	"errors"
	"fmt"
)

var (
	// ErrInvalidRecord is matched by every *RecordError.
	ErrInvalidRecord = errors.New("applehealth: invalid record")
	// ErrMalformed is returned when the document is not a well-formed Apple
	// Health export (XML syntax error, undeclared entity, a root element
	// other than HealthData, HealthData nested in itself, a second root
	// element or text after </HealthData>). It is final: the Reader returns
	// it from then on.
	ErrMalformed = errors.New("applehealth: malformed export")
	// ErrUnknownUnit: a record's unit cannot be converted to the
	// normalized unit of its kind.
	ErrUnknownUnit = errors.New("applehealth: unknown unit")
	// ErrBadDate: a date is not "YYYY-MM-DD HH:MM:SS ±HHMM", or names an
	// instant that wearable.CheckTime refuses (a year before 1678 or after
	// 2262, whose nanoseconds overflow an int64); the latter also matches
	// wearable.ErrInvalidTime.
	ErrBadDate = errors.New("applehealth: bad date")
	// ErrBadValue: a numeric attribute is missing or not a finite number, a
	// step count is not a whole number that fits an int64, or a duration
	// does not fit a time.Duration. Numbers that parse but are implausible
	// (a negative distance, an SpO2 above 100 %) are not refused: they are
	// flagged (see Reader.Next).
	ErrBadValue = errors.New("applehealth: bad value")
)

// RecordError describes one element that could not be converted. The Reader
// stays usable: the next call to Next continues with the following element.
// It matches ErrInvalidRecord and unwraps to the cause (ErrUnknownUnit,
// ErrBadDate or ErrBadValue).
type RecordError struct {
	Offset    int64  // byte offset of the end of the element's start tag
	Line      int    // line of the element's start tag
	Element   string // "Record", "Correlation" or "Workout"
	Type      string // its type or workoutActivityType attribute
	Attribute string // the attribute at fault
	Err       error
}

// Error describes the failure; it is stable enough to log, not to parse.
func (e *RecordError) Error() string {
	return fmt.Sprintf("applehealth: line %d: %s %s: %s: %v", e.Line, e.Element, e.Type, e.Attribute, e.Err)
}

// Is reports whether target is ErrInvalidRecord.
func (e *RecordError) Is(target error) bool { return target == ErrInvalidRecord }

// Unwrap returns the cause.
func (e *RecordError) Unwrap() error { return e.Err }

// MalformedError reports where the document stopped being a readable export.
// It matches ErrMalformed and unwraps to the underlying XML or I/O error.
type MalformedError struct {
	Offset int64
	Err    error
}

// Error describes the failure; it is stable enough to log, not to parse.
func (e *MalformedError) Error() string {
	return fmt.Sprintf("applehealth: malformed export at byte %d: %v", e.Offset, e.Err)
}

// Is reports whether target is ErrMalformed.
func (e *MalformedError) Is(target error) bool { return target == ErrMalformed }

// Unwrap returns the cause.
func (e *MalformedError) Unwrap() error { return e.Err }
