package kafkatransport

import (
	"context"
	"errors"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/touchpoint-sdk/touchpoint/transport"
)

// ErrClientOptionsBorrowed is returned by NewFromClient when it is given
// WithClientOptions or WithDeliveryTimeout: a borrowed client is configured
// by its owner.
var ErrClientOptionsBorrowed = errors.New("kafkatransport: WithClientOptions and WithDeliveryTimeout apply to New only, not to a borrowed client")

// ErrInvalidTopic is matched by the error New and NewFromClient return for
// a topic name Kafka would refuse.
var ErrInvalidTopic = errors.New("kafkatransport: invalid topic name")

// RecordError is the cause carried by a *transport.BatchError: the first
// failed record of a class (permanent or retryable), by messageId, and why
// it failed. Err is a franz-go or Kafka error (errors.Is works with the kerr
// values, kgo.ErrRecordTimeout, ...) or the framing error of an invalid
// record.
type RecordError struct {
	ID  string // the record's messageId
	Err error
}

func (e *RecordError) Error() string { return "kafkatransport: record " + e.ID + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *RecordError) Unwrap() error { return e.Err }

// retryable classifies the error of one produced record: Kafka errors by
// their retriable flag, franz-go's own errors by whether the same record can
// succeed later on a client that is still open.
func retryable(err error) bool {
	var perm *transport.PermanentError
	var ke *kerr.Error
	switch {
	case errors.As(err, &ke):
		return ke.Retriable
	case errors.As(err, &perm): // framing errors
		return false
	case errors.Is(err, kgo.ErrClientClosed), errors.Is(err, kgo.ErrAborting),
		errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return false
	default:
		// kgo.ErrRecordTimeout, kgo.ErrRecordRetries, kgo.ErrMaxBuffered,
		// network errors and anything unknown: transient.
		return true
	}
}
