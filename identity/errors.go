package identity

import (
	"errors"
	"fmt"
	"strconv"
)

// Sentinel errors. Each is matched with errors.Is by the typed errors below.
var (
	// ErrInvalidIdentifier is matched by every *IdentifierError.
	ErrInvalidIdentifier = errors.New("identity: invalid identifier")
	// ErrUnknownType means an identifier's type has no rule (see WithRule).
	ErrUnknownType = errors.New("identity: unknown identifier type")
	// ErrInvalidObservation is matched by every *ObservationError.
	ErrInvalidObservation = errors.New("identity: invalid observation")
	// ErrSuppressed means an event carries an identifier of an erased person
	// (or replays an erased event) and was dropped; see Graph.Erase.
	ErrSuppressed = errors.New("identity: suppressed: erased subject")
	// ErrClosed is returned by every Graph method after Close.
	ErrClosed = errors.New("identity: graph closed")
	// ErrInvalidConfig is matched by every *ConfigError.
	ErrInvalidConfig = errors.New("identity: invalid configuration")
	// ErrCorrupt is matched by every *FormatError: persisted or transmitted
	// bytes are not a valid entry, log, snapshot or link fact.
	ErrCorrupt = errors.New("identity: corrupt data")
	// ErrTruncated means the bytes end inside a value. It is wrapped by a
	// *FormatError, which also matches ErrCorrupt.
	ErrTruncated = errors.New("identity: truncated")
	// ErrChecksum means a frame's CRC-32C does not match its bytes. It is
	// wrapped by a *FormatError.
	ErrChecksum = errors.New("identity: checksum mismatch")
	// ErrUnsupportedVersion means a format version this code cannot read. It
	// is wrapped by a *FormatError.
	ErrUnsupportedVersion = errors.New("identity: unsupported format version")
	// ErrSecretMismatch means a store was written with another key secret:
	// its keys cannot match keys made with this graph's secret.
	ErrSecretMismatch = errors.New("identity: store was written with another secret")
	// ErrBlockedValue means an identifier's value is a blocked placeholder
	// (test@test.com, undefined, 0, WithBlockedValues, ...): it identifies
	// nobody, so it has no match key. It is wrapped by an *IdentifierError.
	ErrBlockedValue = errors.New("identity: blocked placeholder value")
	// ErrStoreLocked means OpenFileStore found its directory open by
	// another FileStore (in this process or another): one directory, one
	// opener.
	ErrStoreLocked = errors.New("identity: file store directory is locked by another store")
	// ErrNoMatchKey means a destination defines no match key for that
	// identifier type.
	ErrNoMatchKey = errors.New("identity: no match key for this destination and type")
)

// IdentifierError says which identifier is invalid and why. It never
// contains the identifier's value, which may be personal data. It matches
// ErrInvalidIdentifier, and ErrUnknownType when Err is ErrUnknownType.
type IdentifierError struct {
	Type   Type   // the identifier's type
	Index  int    // position in the observation, or -1
	Reason string // what is wrong, e.g. "email has no '@'"
	Err    error  // optional cause, e.g. ErrUnknownType
}

// Error describes the problem without the identifier's value.
func (e *IdentifierError) Error() string {
	where := string(e.Type)
	if e.Index >= 0 {
		where += " (identifier " + strconv.Itoa(e.Index) + ")"
	}
	if where == "" {
		return "identity: invalid identifier: " + e.Reason
	}
	return "identity: invalid identifier: " + where + ": " + e.Reason
}

// Is reports whether target is ErrInvalidIdentifier.
func (e *IdentifierError) Is(target error) bool { return target == ErrInvalidIdentifier }

// Unwrap returns the cause, if any.
func (e *IdentifierError) Unwrap() error { return e.Err }

func invalid(t Type, reason string) *IdentifierError {
	return &IdentifierError{Type: t, Index: -1, Reason: reason}
}

// ObservationError says which field of an Observation (or Consent) is
// invalid. It matches ErrInvalidObservation.
type ObservationError struct {
	Field  string // e.g. "EventID", "Time"
	Reason string // what is wrong with it
}

// Error names the field and the problem.
func (e *ObservationError) Error() string {
	return "identity: invalid observation: " + e.Field + ": " + e.Reason
}

// Is reports whether target is ErrInvalidObservation.
func (e *ObservationError) Is(target error) bool { return target == ErrInvalidObservation }

// SuppressedError reports an event dropped because it belongs to an erased
// person. It matches ErrSuppressed.
type SuppressedError struct {
	EventID string // the dropped event
	Why     string // "erased identifier", "erased ownership period" or "replay of an erased event"
}

// Error names the dropped event and why.
func (e *SuppressedError) Error() string {
	return "identity: suppressed: event " + strconv.Quote(e.EventID) + ": " + e.Why
}

// Is reports whether target is ErrSuppressed.
func (e *SuppressedError) Is(target error) bool { return target == ErrSuppressed }

// ConfigError says which option is invalid. It matches ErrInvalidConfig.
type ConfigError struct {
	Option string // e.g. "WithRule(email)"
	Reason string // what is wrong with it
}

// Error names the option and the problem.
func (e *ConfigError) Error() string {
	return "identity: invalid configuration: " + e.Option + ": " + e.Reason
}

// Is reports whether target is ErrInvalidConfig.
func (e *ConfigError) Is(target error) bool { return target == ErrInvalidConfig }

// FormatError says where persisted or transmitted bytes are invalid. It
// matches ErrCorrupt and unwraps to the cause (ErrTruncated, ErrChecksum,
// ErrUnsupportedVersion or a more specific error).
type FormatError struct {
	Source string // "entry", "log", "snapshot" or "link fact"
	Offset int64  // byte offset inside Source where the problem starts
	Err    error  // the cause: ErrTruncated, ErrChecksum, ErrUnsupportedVersion or another
}

// Error names the source, the offset and the cause.
func (e *FormatError) Error() string {
	return fmt.Sprintf("identity: corrupt %s at offset %d: %v", e.Source, e.Offset, e.Err)
}

// Is reports whether target is ErrCorrupt.
func (e *FormatError) Is(target error) bool { return target == ErrCorrupt }

// Unwrap returns the cause.
func (e *FormatError) Unwrap() error { return e.Err }
