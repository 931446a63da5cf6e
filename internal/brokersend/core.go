package brokersend

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport"
)

// Core is the part of a broker Sender that does not depend on the broker:
// it admits Send calls until Shutdown (transport.InFlight), counts them
// (transport.Counters), turns per-record results into Send's error, and
// runs the release of the broker client once. Set Name (the package name,
// for messages: "kafkatransport") before first use; the rest of the zero
// value is ready. It is safe for concurrent use.
type Core struct {
	// Name prefixes every message: "<Name>: send: ...".
	Name string
	// Counters are the Sender's; Stats snapshots them.
	Counters transport.Counters

	inflight transport.InFlight
	once     sync.Once
	relErr   error
}

// Begin admits one Send of n records. It returns (true, nil) when the
// caller is to send: the caller must then call End once the Send returns.
// Otherwise it returns false and Send's result: transport.ErrNilContext
// (wrapped) for a nil ctx, transport.ErrClosed after Shutdown, nil for an
// empty batch, ctx's error (wrapped) when ctx is already done. A Send it
// admits counts one request.
func (c *Core) Begin(ctx context.Context, n int) (bool, error) {
	if ctx == nil {
		return false, fmt.Errorf("%w passed to %s.Sender.Send", transport.ErrNilContext, c.Name)
	}
	if !c.inflight.Enter() {
		return false, transport.ErrClosed
	}
	if n == 0 {
		c.inflight.Exit()
		return false, nil
	}
	if err := ctx.Err(); err != nil {
		c.inflight.Exit()
		return false, fmt.Errorf("%s: send: %w", c.Name, err)
	}
	c.Counters.Requests.Add(1)
	return true, nil
}

// End ends a Send that Begin admitted.
func (c *Core) End() { c.inflight.Exit() }

// Shutdown stops admitting Sends (Begin then returns transport.ErrClosed),
// waits until the admitted ones ended or ctx is done, then runs release
// (which frees the broker client; nil for none) exactly once, whatever
// the number of Shutdown calls. It returns transport.ErrNilContext
// (wrapped) for a nil ctx, doing nothing; ctx's error, wrapped, when ctx
// ended before the Sends did; else release's error, wrapped, on the call
// that ran it.
func (c *Core) Shutdown(ctx context.Context, release func() error) error {
	if ctx == nil {
		return fmt.Errorf("%w passed to %s.Sender.Shutdown", transport.ErrNilContext, c.Name)
	}
	var err error
	if werr := c.inflight.Close(ctx); werr != nil {
		err = fmt.Errorf("%s: shutdown: sends still in flight: %w", c.Name, werr)
	}
	if release != nil {
		c.once.Do(func() {
			if rerr := release(); rerr != nil {
				c.relErr = fmt.Errorf("%s: shutdown: %w", c.Name, rerr)
				if err == nil {
					err = c.relErr
				}
			}
		})
	}
	return err
}

// Abandon returns Send's error when the caller's context ended with
// pending of total records unacknowledged, and records it as the last
// error. It matches cause (context.Canceled or DeadlineExceeded), so it is
// not retryable.
func (c *Core) Abandon(pending, total int, cause error) error {
	err := fmt.Errorf("%s: send: %d of %d records unacknowledged: %w", c.Name, pending, total, cause)
	c.Counters.Fail(err, time.Now())
	return err
}

// Policy is how a sender classifies the errors of its records.
type Policy struct {
	// Retryable reports whether a record that failed with err may succeed
	// if sent again. Required.
	Retryable func(err error) bool
	// Secondary, optional, marks retryable errors that only echo another
	// record's failure (a record held back behind a failed one of the same
	// partition key): Send's error cites one only when no other retryable
	// failure exists.
	Secondary func(err error) bool
	// Record wraps the first failed record of a class for Send's error:
	// the sender's *RecordError. Required.
	Record func(id string, err error) error
}

// Outcome turns the per-record errors of a Send of batch (errs[i] for
// batch[i], nil: acknowledged) into Send's result, and counts delivered
// records and their payload bytes. When records failed and ctx is done,
// the caller gave up and it returns Abandon's error: the records' own
// errors are then not their fault. Otherwise it returns
// transport.BatchOutcome: nil, or *transport.BatchError values (joined),
// citing the first failed record of each class through p.Record.
func (c *Core) Outcome(ctx context.Context, batch []*connected.Record, errs []error, p Policy) error {
	var perm, retry []int
	var permErr, retryErr error
	var bytes uint64
	retrySecondary := false
	for i, err := range errs {
		switch {
		case err == nil:
			bytes += uint64(len(batch[i].Payload))
		case p.Retryable(err):
			retry = append(retry, i)
			sec := p.Secondary != nil && p.Secondary(err)
			if retryErr == nil || retrySecondary && !sec {
				retryErr, retrySecondary = p.Record(batch[i].ID, err), sec
			}
		default:
			perm = append(perm, i)
			if permErr == nil {
				permErr = p.Record(batch[i].ID, err)
			}
		}
	}
	failed := len(perm) + len(retry)
	c.Counters.Delivered.Add(uint64(len(batch) - failed))
	c.Counters.Bytes.Add(bytes)
	if failed == 0 {
		return nil
	}
	if ctx != nil {
		if cerr := ctx.Err(); cerr != nil {
			return c.Abandon(failed, len(batch), cerr)
		}
	}
	err := transport.BatchOutcome(perm, retry, permErr, retryErr)
	c.Counters.Fail(err, time.Now())
	return err
}
