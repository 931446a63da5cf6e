package mqtttransport

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/eclipse/paho.golang/paho"

	"github.com/touchpoint-sdk/touchpoint/transport"
)

var (
	// ErrInvalidTopic is matched by a *TemplateError for a topic template
	// that is not a publishable MQTT topic name.
	ErrInvalidTopic = errors.New("mqtttransport: invalid topic")
	// ErrUnknownPlaceholder is matched by a *TemplateError for a '{...}'
	// that is not one of the documented placeholders.
	ErrUnknownPlaceholder = errors.New("mqtttransport: unknown placeholder")
	// ErrInvalidFilter is matched by a *FilterError for a topic filter MQTT
	// does not allow.
	ErrInvalidFilter = errors.New("mqtttransport: invalid topic filter")
	// ErrConnectionOptionsBorrowed is returned by NewFromConnection and
	// NewSourceFromConnection when given connection options (WithClientID,
	// WithCredentials, WithClientConfig): a borrowed connection is
	// configured by its owner.
	ErrConnectionOptionsBorrowed = errors.New("mqtttransport: connection options apply to New and NewSource only, not to a borrowed connection")
	// ErrSubscribe is matched by the error NewSource,
	// NewSourceFromConnection and Source.Resubscribe return when the broker
	// refuses a subscription.
	ErrSubscribe = errors.New("mqtttransport: subscription refused")
	// errNoPuback marks a publish whose PUBACK did not come within paho's
	// packet timeout (retryable).
	errNoPuback = errors.New("mqtttransport: no PUBACK within the packet timeout")
	// errHeldBack is the cause of records not published because an earlier
	// record of the same partition key failed retryably in the same Send.
	errHeldBack = errors.New("mqtttransport: not published: an earlier record with the same partition key failed retryably (order is kept)")
)

// TemplateError reports a bad topic template: what is wrong (Err, matching
// ErrInvalidTopic or ErrUnknownPlaceholder) and where (Offset, a byte
// offset into Template).
type TemplateError struct {
	Template string
	Offset   int
	Err      error
}

func (e *TemplateError) Error() string {
	return "mqtttransport: topic template " + strconv.Quote(e.Template) + " at offset " + strconv.Itoa(e.Offset) + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *TemplateError) Unwrap() error { return e.Err }

// FilterError reports a bad topic filter: what is wrong (Err, matching
// ErrInvalidFilter) and where (Offset, a byte offset into Filter).
type FilterError struct {
	Filter string
	Offset int
	Err    error
}

func (e *FilterError) Error() string {
	return "mqtttransport: topic filter " + strconv.Quote(e.Filter) + " at offset " + strconv.Itoa(e.Offset) + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *FilterError) Unwrap() error { return e.Err }

// RecordError is the cause carried by a *transport.BatchError: the first
// failed record of a class (permanent or retryable), by messageId, and why.
type RecordError struct {
	ID  string // the record's messageId
	Err error
}

func (e *RecordError) Error() string { return "mqtttransport: record " + e.ID + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *RecordError) Unwrap() error { return e.Err }

// PubackError is a PUBACK with a failure reason code (0x80 or above) from
// the broker.
type PubackError struct {
	ReasonCode byte
	Reason     string // the broker's reason string, if it sent one
}

func (e *PubackError) Error() string {
	s := fmt.Sprintf("mqtttransport: broker refused the message: reason code 0x%02x", e.ReasonCode)
	if e.Reason != "" {
		s += " (" + e.Reason + ")"
	}
	return s
}

// Retryable reports whether the reason code may clear on its own:
// unspecified error (0x80), server busy (0x89), packet identifier in use
// (0x91), quota exceeded (0x97). Not authorized, topic name invalid,
// packet too large, payload format invalid and implementation-specific
// refusals are permanent.
func (e *PubackError) Retryable() bool {
	switch e.ReasonCode {
	case 0x80, 0x89, 0x91, 0x97:
		return true
	}
	return false
}

// retryable classifies the error of one published record.
func retryable(err error) bool {
	var pe *PubackError
	var perm *transport.PermanentError
	switch {
	case errors.As(err, &pe):
		return pe.Retryable()
	case errors.Is(err, errHeldBack), errors.Is(err, errNoPuback):
		return true
	case errors.As(err, &perm), errors.Is(err, paho.ErrInvalidArguments),
		errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return false
	default:
		// The connection is down or dropped mid-flight, a packet timeout,
		// and anything unknown: transient.
		return true
	}
}
