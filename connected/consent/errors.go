package consent

import (
	"errors"
	"fmt"
)

var (
	// ErrInvalidFact is matched by every *FactError.
	ErrInvalidFact = errors.New("consent: invalid fact")
	// ErrErased is returned when a fact is recorded for an erased subject.
	ErrErased = errors.New("consent: subject erased")
	// ErrConfig is matched by every *ConfigError.
	ErrConfig = errors.New("consent: invalid configuration")
	// ErrHealthToAdTech is matched by a *ConfigError for a destination whose
	// purpose is marketing or advertising and that lists health among its
	// categories: health data never reaches such a destination.
	ErrHealthToAdTech = errors.New("consent: health data may not go to a marketing or advertising destination")
	// ErrSensitiveToAdTech is matched by a *ConfigError for a destination
	// whose purpose is marketing or advertising and that lists biometric
	// or presence among its categories: like health data, they never reach
	// such a destination.
	ErrSensitiveToAdTech = errors.New("consent: biometric or presence data may not go to a marketing or advertising destination")
	// ErrHoldFull is returned by HoldStore.Push when the store is at its
	// limits.
	ErrHoldFull = errors.New("consent: hold full")
	// ErrClosed is returned by Handle after Shutdown.
	ErrClosed = errors.New("consent: router shut down")
	// ErrInvalidSignal is matched by every *SignalError.
	ErrInvalidSignal = errors.New("consent: invalid consent signal")
)

// FactError says which field of a Fact is invalid. It matches
// ErrInvalidFact.
type FactError struct {
	Field  string
	Reason string
}

func (e *FactError) Error() string {
	return fmt.Sprintf("consent: invalid fact: %s %s", e.Field, e.Reason)
}

// Is reports whether target is ErrInvalidFact.
func (e *FactError) Is(target error) bool { return target == ErrInvalidFact }

// ConfigError says what is wrong with a destination or an option. It
// matches ErrConfig, and unwraps to a more specific cause when there is one
// (ErrHealthToAdTech).
type ConfigError struct {
	Destination string // "" for options
	Field       string
	Reason      string
	Err         error // optional cause
}

func (e *ConfigError) Error() string {
	s := "consent: invalid configuration: "
	if e.Destination != "" {
		s += "destination " + fmt.Sprintf("%q", e.Destination) + ": "
	}
	return s + e.Field + ": " + e.Reason
}

// Is reports whether target is ErrConfig.
func (e *ConfigError) Is(target error) bool { return target == ErrConfig }

// Unwrap returns the specific cause, if any.
func (e *ConfigError) Unwrap() error { return e.Err }

// DeliveryError reports that a destination's handler returned an error for
// a record the router passed it. It unwraps to the handler's error.
type DeliveryError struct {
	Destination string
	MessageID   string
	Err         error
}

func (e *DeliveryError) Error() string {
	return fmt.Sprintf("consent: destination %q refused record %s: %v", e.Destination, e.MessageID, e.Err)
}

// Unwrap returns the handler's error.
func (e *DeliveryError) Unwrap() error { return e.Err }

// DiscardedError is returned by Shutdown when held records were discarded
// because consent never arrived. The records are also counted
// (ReasonShutdown) and audited.
type DiscardedError struct {
	Records int
}

func (e *DiscardedError) Error() string {
	return fmt.Sprintf("consent: shutdown discarded %d held records", e.Records)
}

// SignalError says why a consent signal (Consent Mode, GCS, TC string,
// GPP) could not be read. It matches ErrInvalidSignal and unwraps to the
// cause (a *tcf.ParseError, say) when there is one.
type SignalError struct {
	Signal string // "consent_mode", "gcs", "tcf", "gpp"
	Key    string // the key or field, "" for the whole signal
	Reason string
	Err    error
}

func (e *SignalError) Error() string {
	s := "consent: invalid " + e.Signal + " signal"
	if e.Key != "" {
		s += ": " + e.Key
	}
	if e.Reason != "" {
		s += ": " + e.Reason
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Is reports whether target is ErrInvalidSignal.
func (e *SignalError) Is(target error) bool { return target == ErrInvalidSignal }

// Unwrap returns the cause, if any.
func (e *SignalError) Unwrap() error { return e.Err }

// Errors of a durable ledger (OpenLedger).
var (
	// ErrCorrupt is matched by every *FormatError: a ledger store holds
	// bytes that are not a valid record, log or snapshot.
	ErrCorrupt = errors.New("consent: corrupt ledger store")
	// ErrLedgerLocked means OpenLedger found its directory open by another
	// ledger, in this process or another: one directory, one opener.
	ErrLedgerLocked = errors.New("consent: ledger directory is locked by another ledger")
	// ErrLedgerClosed is returned by Record, Erase and Compact after
	// Ledger.Close.
	ErrLedgerClosed = errors.New("consent: ledger closed")
)

// FormatError says where a durable ledger's files are invalid. It matches
// ErrCorrupt and unwraps to the cause.
type FormatError struct {
	Source string // "entry", "log" or "snapshot"
	Offset int64  // byte offset inside Source where the problem starts
	Err    error  // the cause
}

// Error names the source, the offset and the cause.
func (e *FormatError) Error() string {
	return fmt.Sprintf("consent: corrupt ledger %s at offset %d: %v", e.Source, e.Offset, e.Err)
}

// Is reports whether target is ErrCorrupt.
func (e *FormatError) Is(target error) bool { return target == ErrCorrupt }

// Unwrap returns the cause.
func (e *FormatError) Unwrap() error { return e.Err }
