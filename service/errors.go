package service

import (
	"errors"
	"strconv"
	"strings"
)

var (
	// ErrMissing: a field the kind of occurrence needs is empty.
	ErrMissing = errors.New("service: required field missing")
	// ErrInvalid: a field holds a value outside its range (an unknown kind,
	// status or outcome, a window that ends before it starts, a serial
	// with characters no serial has).
	ErrInvalid = errors.New("service: invalid field")
	// ErrNoKey: an identifier of a person or device would leave in the
	// clear because Options has no Pseudonymizer and RawSerials is not set.
	ErrNoKey = errors.New("service: pseudonymizer required for serials and staff ids")
)

// FieldError reports which field of an occurrence (or which argument) was
// refused and why. It unwraps to ErrMissing, ErrInvalid or ErrNoKey.
type FieldError struct {
	Kind  Kind   // the occurrence's kind; 0 outside Occurrence.Event
	Field string // Go field name, e.g. "Asset.Serial"
	Err   error  // the cause
}

// Error describes the failure; it is stable enough to log, not to parse.
func (e *FieldError) Error() string {
	cause := strings.TrimPrefix(e.Err.Error(), "service: ")
	if e.Kind == 0 {
		return "service: " + e.Field + ": " + cause
	}
	return "service: " + e.Kind.String() + ": " + e.Field + ": " + cause
}

// Unwrap returns the cause.
func (e *FieldError) Unwrap() error { return e.Err }

func missing(k Kind, field string) error { return &FieldError{Kind: k, Field: field, Err: ErrMissing} }

func invalid(k Kind, field, why string) error {
	return &FieldError{Kind: k, Field: field, Err: &reasonError{why: why}}
}

// reasonError is ErrInvalid with a reason.
type reasonError struct{ why string }

func (e *reasonError) Error() string { return ErrInvalid.Error() + ": " + e.why }
func (e *reasonError) Unwrap() error { return ErrInvalid }

func quote(s string) string {
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	return strconv.Quote(s)
}
