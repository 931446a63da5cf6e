package natstransport

import (
	"context"
	"errors"
	"strconv"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/touchpoint-sdk/touchpoint/transport"
)

var (
	// ErrInvalidSubject is matched by a *TemplateError for a subject
	// template that is not a publishable NATS subject.
	ErrInvalidSubject = errors.New("natstransport: invalid subject")
	// ErrUnknownPlaceholder is matched by a *TemplateError for a '{...}'
	// that is not one of the documented placeholders.
	ErrUnknownPlaceholder = errors.New("natstransport: unknown placeholder")
	// ErrConnOptionsBorrowed is returned by NewFromConn when it is given
	// WithConnOptions: a borrowed connection is configured by its owner.
	ErrConnOptionsBorrowed = errors.New("natstransport: WithConnOptions applies to New only, not to a borrowed connection")
)

// TemplateError reports a bad subject template: what is wrong (Err, which
// matches ErrInvalidSubject or ErrUnknownPlaceholder) and where (Offset, a
// byte offset into Template).
type TemplateError struct {
	Template string
	Offset   int
	Err      error
}

func (e *TemplateError) Error() string {
	return "natstransport: subject template " + strconv.Quote(e.Template) + " at offset " + strconv.Itoa(e.Offset) + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *TemplateError) Unwrap() error { return e.Err }

// RecordError is the cause carried by a *transport.BatchError: the first
// failed record of a class (permanent or retryable), by messageId, and why.
// Err is a nats.go or JetStream error (errors.Is works with
// nats.ErrMaxPayload, jetstream.ErrAsyncPublishTimeout, a
// *jetstream.APIError, ...) or the framing error of an invalid record.
type RecordError struct {
	ID  string // the record's messageId
	Err error
}

func (e *RecordError) Error() string { return "natstransport: record " + e.ID + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *RecordError) Unwrap() error { return e.Err }

// retryable classifies the error of one published record.
func retryable(err error) bool {
	var perm *transport.PermanentError
	var api *jetstream.APIError
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded), errors.Is(err, transport.ErrClosed):
		return false
	case errors.Is(err, nats.ErrMaxPayload), errors.Is(err, nats.ErrBadSubject),
		errors.Is(err, nats.ErrConnectionClosed), errors.Is(err, nats.ErrInvalidConnection),
		errors.Is(err, nats.ErrConnectionDraining):
		return false
	case errors.As(err, &api):
		// HTTP-like codes: 408, 429 and 5xx (503: no stream leader yet)
		// are transient; other 4xx (bad request, wrong expected stream,
		// message too large for the stream) are not.
		return api.Code == 0 || api.Code == 408 || api.Code == 429 || api.Code >= 500
	case errors.As(err, &perm): // framing errors
		return false
	default:
		// An acknowledgement timeout (jetstream.ErrAsyncPublishTimeout), no
		// stream answering (jetstream.ErrNoStreamResponse), a full
		// reconnect buffer, and anything unknown: transient.
		return true
	}
}
