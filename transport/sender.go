package transport

import (
	"context"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// Sender sends one batch of records synchronously.
//
// Send returns when every record is delivered or has failed, or when ctx is
// done (it then returns an error wrapping ctx.Err()). It returns nil when all
// records were delivered; a *BatchError naming the indexes of the records that
// failed (the others were delivered); or any other error, which fails the
// whole batch and which IsRetryable classifies. Retrying is not the Sender's
// job: wrap it in Retry.
//
// Send may be called concurrently; implementations must be safe for that.
// The batch slice belongs to the caller and must not be kept after Send
// returns; the records themselves are immutable and may be kept.
//
// A Sender that owns resources also implements connected.Shutdowner: after
// Shutdown, Send returns ErrClosed. Shutdown is idempotent.
type Sender interface {
	Send(ctx context.Context, batch []*connected.Record) error
}

// SenderFunc adapts a function to a Sender.
type SenderFunc func(ctx context.Context, batch []*connected.Record) error

// Send calls f(ctx, batch); for a nil ctx it returns ErrNilContext instead.
func (f SenderFunc) Send(ctx context.Context, batch []*connected.Record) error {
	if ctx == nil {
		return nilContext("SenderFunc.Send")
	}
	return f(ctx, batch)
}

// shutdown shuts s down if it implements connected.Shutdowner.
func shutdown(ctx context.Context, s any) error {
	if sd, ok := s.(connected.Shutdowner); ok {
		return sd.Shutdown(ctx)
	}
	return nil
}

// A Borrower is a Sender that keeps nothing of a batch once Send has
// returned: neither the records nor any slice of their bytes, in its state
// or in the error it returned (HTTP encodes
// the body into buffers of its own; Retry borrows when the Sender it wraps
// does). The Sender contract allows keeping records, so a caller that
// decodes records into memory it means to reuse (a spool's drain reading
// batches back from disk) asks this first, and reuses the memory only when
// BorrowsRecords reports true and no record went to a callback.
type Borrower interface {
	Sender
	// BorrowsRecords reports whether Send keeps nothing of the records after
	// it returns. It must give the same answer for the Sender's lifetime.
	BorrowsRecords() bool
}

// Borrows reports whether s is a Borrower whose BorrowsRecords is true.
func Borrows(s Sender) bool {
	b, ok := s.(Borrower)
	return ok && b.BorrowsRecords()
}
