package connected

import (
	"errors"
	"fmt"
)

var (
	// ErrInvalidEvent is matched by every *ValidationError.
	ErrInvalidEvent = errors.New("connected: invalid event")
	// ErrClosed is returned by every Client method after Shutdown.
	ErrClosed = errors.New("connected: client closed")
	// ErrTooLarge is returned when an encoded event exceeds the size limit.
	ErrTooLarge = errors.New("connected: event too large")
	// ErrMalformed is matched by errors from the decoders: the input is not
	// a well-formed Segment message.
	ErrMalformed = errors.New("connected: malformed message")
	// ErrNilContext is returned, wrapped with the method's name, by every
	// Client method given a nil context; the call then does nothing (no
	// event is emitted, Shutdown does not shut down).
	ErrNilContext = errors.New("connected: nil context")
)

// nilContext is the error for a nil context passed to op.
func nilContext(op string) error { return fmt.Errorf("%w passed to %s", ErrNilContext, op) }

// ValidationError says which field of an event is invalid and why. It
// matches ErrInvalidEvent with errors.Is.
type ValidationError struct {
	Field  string // JSON path of the field, e.g. "properties.price"
	Reason string
}

func (e *ValidationError) Error() string {
	return fmt.Sprintf("connected: invalid event: %s: %s", e.Field, e.Reason)
}

// Is reports whether target is ErrInvalidEvent.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalidEvent }

// SizeError reports an encoded event larger than the configured limit. It
// matches ErrTooLarge with errors.Is.
type SizeError struct {
	Size  int // encoded size in bytes
	Limit int // configured limit in bytes
}

func (e *SizeError) Error() string {
	return fmt.Sprintf("connected: event too large: %d bytes encoded, limit %d", e.Size, e.Limit)
}

// Is reports whether target is ErrTooLarge.
func (e *SizeError) Is(target error) bool { return target == ErrTooLarge }

// DecodeError reports where a Segment message could not be decoded. It
// matches ErrMalformed with errors.Is and unwraps to the cause.
type DecodeError struct {
	Field string // JSON path, "" for the document itself
	Err   error
}

func (e *DecodeError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("connected: malformed message: %v", e.Err)
	}
	return fmt.Sprintf("connected: malformed message: %s: %v", e.Field, e.Err)
}

// Is reports whether target is ErrMalformed.
func (e *DecodeError) Is(target error) bool { return target == ErrMalformed }

// Unwrap returns the cause.
func (e *DecodeError) Unwrap() error { return e.Err }
