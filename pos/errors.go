package pos

import (
	"errors"
	"strconv"
	"strings"
)

// Sentinel errors. Decoders return them wrapped in a *DecodeError; mapping
// to events returns them wrapped in an *EventError. Match them with
// errors.Is.
var (
	// ErrSyntax: the payload is not JSON (or ends early, or nests deeper
	// than 64 levels).
	ErrSyntax = errors.New("pos: malformed JSON")
	// ErrType: a field holds a JSON value of the wrong type (a currency
	// given as a number, an amount given as a string).
	ErrType = errors.New("pos: wrong JSON type")
	// ErrMissing: a field the payload must carry is absent or empty (a
	// payment without an amount, an event without an id).
	ErrMissing = errors.New("pos: required field missing")
	// ErrInvalid: a field holds a value outside its range (a negative or
	// fractional amount in minor units, a currency that is not three
	// letters, a time that is not RFC 3339, an unknown pass operation).
	ErrInvalid = errors.New("pos: invalid value")
	// ErrUnsupported: a well-formed notification of a type this package
	// does not map (a refund, a dispute, a loyalty event).
	ErrUnsupported = errors.New("pos: unsupported notification type")
	// ErrNotCompleted: a payment that is not (yet) completed — approved,
	// pending, canceled, failed — makes no Order Completed event.
	ErrNotCompleted = errors.New("pos: payment not completed")
	// ErrThin: a thin notification (Square order.*: id, state and version
	// only) that needs the full object fetched before it makes an event.
	ErrThin = errors.New("pos: thin notification, fetch the object first")
	// ErrNoKey: an identifier (card fingerprint, payment token, customer,
	// loyalty id, pass serial, device) would leave in the clear because
	// Options has no Pseudonymizer.
	ErrNoKey = errors.New("pos: pseudonymizer required for identifiers")
)

// DecodeError reports where and why a payload was refused. It unwraps to
// one of the sentinels (errors.Is(err, ErrMissing)). A decoder that
// returns a *DecodeError returns no partial value.
type DecodeError struct {
	Format string // "square", "stripe", "apple_pass", "apple_webservice", "google_wallet"
	Field  string // JSON path of the field, e.g. "data.object.payment.amount_money.currency"; "" for the document
	Offset int    // byte offset in the payload where decoding stopped; -1 when not known
	Err    error  // the cause
}

// Error describes the failure; it is stable enough to log, not to parse.
func (e *DecodeError) Error() string {
	s := "pos: " + e.Format
	if e.Field != "" {
		s += ": " + e.Field
	}
	if e.Offset >= 0 {
		s += ": offset " + strconv.Itoa(e.Offset)
	}
	return s + ": " + strings.TrimPrefix(e.Err.Error(), "pos: ")
}

// Unwrap returns the cause.
func (e *DecodeError) Unwrap() error { return e.Err }

// EventError reports a decoded notification that makes no event, and why.
// It unwraps to ErrNotCompleted, ErrThin, ErrUnsupported or ErrNoKey.
type EventError struct {
	Type   string // the notification type, e.g. "payment.updated"
	Reason string // e.g. the payment status
	Err    error
}

// Error describes the refusal.
func (e *EventError) Error() string {
	s := "pos: " + e.Type + ": " + strings.TrimPrefix(e.Err.Error(), "pos: ")
	if e.Reason != "" {
		s += " (" + e.Reason + ")"
	}
	return s
}

// Unwrap returns the cause.
func (e *EventError) Unwrap() error { return e.Err }

// detail is a sentinel with a reason, kept as the cause of a DecodeError.
type detail struct {
	err error
	why string
}

func (d *detail) Error() string { return d.err.Error() + ": " + d.why }
func (d *detail) Unwrap() error { return d.err }
