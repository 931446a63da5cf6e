package transport

import (
	"context"
	"errors"
	"fmt"
)

// Durable mode (WithDurable): Handle returns only once the Sender has
// accepted the batch holding the record. In front of a spool.Spool that
// means the record is on disk (see the spool's durability contract). To keep
// throughput, batches are cut by group commit: whenever a send slot is free,
// the records waiting are cut into a batch and sent at once, so while one
// write is in progress the next batch fills with every Handle that arrives
// meanwhile; the flush interval plays no part.

// ErrNotDurable is matched by every error Handle returns in durable mode
// for a record that was accepted but is not known to be stored.
var ErrNotDurable = errors.New("transport: record not durable")

// DurableError is what Handle returns in durable mode when a record it
// accepted was not stored: the Sender failed it (Reason says why, as in the
// failure callback, which also receives it), or Handle's context ended
// first (InFlight: the record is still being sent and its outcome goes to
// the callbacks; handling it again may store it twice, receivers dedupe on
// its ID). It matches ErrNotDurable, and Err with errors.Is.
type DurableError struct {
	ID       string
	Reason   Reason // "" when InFlight
	InFlight bool
	Err      error
}

func (e *DurableError) Error() string {
	if e.InFlight {
		return fmt.Sprintf("transport: record %s accepted, not yet stored: %v", e.ID, e.Err)
	}
	return fmt.Sprintf("transport: record %s not stored (%s): %v", e.ID, e.Reason, e.Err)
}

// Is reports whether target is ErrNotDurable.
func (e *DurableError) Is(target error) bool { return target == ErrNotDurable }

// Unwrap returns the cause.
func (e *DurableError) Unwrap() error { return e.Err }

// durableResult records, for the records of bt that failed, why, and wakes
// the Handle calls waiting on bt. It uses the reasons settlePartial reports.
func (b *Batcher) durableResult(bt *batch, err error, perm, retry []int) {
	if bt.done == nil {
		return
	}
	if len(perm)+len(retry) > 0 {
		aborted := b.sendCtx.Err() != nil && errors.Is(err, context.Canceled)
		override, hasReason := reasonOf(err)
		bt.reasons = make([]Reason, len(bt.recs))
		mark := func(idx []int, reason Reason) {
			if aborted {
				reason = ReasonShutdown
			} else if hasReason {
				reason = override
			}
			for _, i := range idx {
				bt.reasons[i] = reason
			}
		}
		mark(perm, ReasonRejected)
		mark(retry, ReasonRetriesExhausted)
		bt.err = err
	}
	close(bt.done)
}

// durableAbort fails every record of bt, never sent, with ReasonShutdown.
func durableAbort(bt *batch, err error) {
	if bt.done == nil {
		return
	}
	bt.reasons = make([]Reason, len(bt.recs))
	for i := range bt.reasons {
		bt.reasons[i] = ReasonShutdown
	}
	bt.err = err
	close(bt.done)
}

// awaitDurable waits until record i of bt is settled by the Sender.
func (b *Batcher) awaitDurable(ctx context.Context, bt *batch, i int, id string) error {
	select {
	case <-bt.done:
	case <-ctx.Done():
		return &DurableError{ID: id, InFlight: true, Err: ctx.Err()}
	}
	if bt.reasons == nil || bt.reasons[i] == "" {
		return nil
	}
	err := bt.err
	if err == nil {
		err = errors.New("not sent before Shutdown ended")
	}
	return &DurableError{ID: id, Reason: bt.reasons[i], Err: err}
}
