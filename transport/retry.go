package transport

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/internal/retry"
)

// Retry is a Sender that retries another Sender's retryable failures with
// jittered exponential backoff, within a total time budget per batch.
//
//   - Records failed retryably (408, 429, 5xx, network errors; see
//     IsRetryable) are sent again, and only those: a *BatchError's delivered
//     records are not repeated.
//   - A server's Retry-After is a minimum for the next wait (clamped to
//     WithMaxRetryAfter). One that would end after the budget stops the
//     retries at once: sending earlier would ignore the server. The default
//     clamp (30 s) leaves room in the default budget (1 min) for it.
//   - Permanent failures (other 4xx) are not retried: Send returns them at
//     once, so the Batcher reports them to the failure callback.
//   - 413 Payload Too Large splits the batch in halves, each retried on its
//     own; a single record answered with 413 fails permanently.
//   - When the budget ends, or ctx is done, Send returns a *BatchError
//     (Retryable) for what is left, holding a *RetryLimitError that says
//     which limit ended it (ErrRetriesExhausted; ErrRetryAfterBeyondBudget
//     too when it was a Retry-After) or the context's error.
//
// Retry is safe for concurrent use; each Send has its own schedule.
type Retry struct {
	next          Sender
	policy        retry.Policy
	maxRetryAfter time.Duration
	now           func() time.Time
	sleep         func(ctx context.Context, d time.Duration) error
	ctr           Counters
}

var (
	_ Sender   = (*Retry)(nil)
	_ Borrower = (*Retry)(nil)
)

// RetryOption configures NewRetry.
type RetryOption interface{ applyRetry(*Retry) }

type retryOptionFunc func(*Retry)

func (f retryOptionFunc) applyRetry(r *Retry) { f(r) }

// WithBackoff sets the first wait and the cap on a single wait. Default
// 100 ms and 30 s; each wait doubles, with ±50 % jitter.
func WithBackoff(initial, maxWait time.Duration) RetryOption {
	return retryOptionFunc(func(r *Retry) { r.policy.Initial, r.policy.Max = initial, maxWait })
}

// WithJitter sets the randomization factor in [0, 1]. Default 0.5.
func WithJitter(f float64) RetryOption {
	return retryOptionFunc(func(r *Retry) { r.policy.Jitter = f })
}

// WithRetryBudget sets the total time one Send may spend retrying. Default
// 1 minute; 0 means until the context ends.
func WithRetryBudget(d time.Duration) RetryOption {
	return retryOptionFunc(func(r *Retry) { r.policy.Budget = d })
}

// WithMaxRetryAfter clamps a server's Retry-After: a longer one is waited
// for this long. Default 30 s (DefaultMaxRetryAfter), half the default
// budget. Keep it below the budget: a Retry-After that reaches past what is
// left of the budget ends the retries at once (ErrRetryAfterBeyondBudget).
func WithMaxRetryAfter(d time.Duration) RetryOption {
	return retryOptionFunc(func(r *Retry) { r.maxRetryAfter = d })
}

// WithRetryClock replaces the clock and the sleep function (which must return
// ctx's error if ctx ends first). Tests use it to run without waiting.
// Default: time.Now and a timer.
func WithRetryClock(now func() time.Time, sleep func(ctx context.Context, d time.Duration) error) RetryOption {
	return retryOptionFunc(func(r *Retry) { r.now, r.sleep = now, sleep })
}

// NewRetry returns a Retry around next. It starts no goroutines.
func NewRetry(next Sender, opts ...RetryOption) (*Retry, error) {
	if next == nil {
		return nil, errors.New("transport: NewRetry: nil Sender")
	}
	r := &Retry{
		next:          next,
		policy:        retry.Policy{Initial: DefaultRetryInitial, Max: DefaultRetryMax, Multiplier: 2, Jitter: 0.5, Budget: DefaultRetryBudget},
		maxRetryAfter: DefaultMaxRetryAfter,
		now:           time.Now,
		sleep:         sleepCtx,
	}
	for _, o := range opts {
		if o == nil {
			return nil, errors.New("transport: nil RetryOption")
		}
		o.applyRetry(r)
	}
	if err := r.policy.Validate(); err != nil {
		return nil, fmt.Errorf("transport: NewRetry: %w", err)
	}
	if r.maxRetryAfter < 0 || r.now == nil || r.sleep == nil {
		return nil, errors.New("transport: NewRetry: negative WithMaxRetryAfter or nil clock")
	}
	return r, nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Send sends batch through the wrapped Sender, retrying as described on
// Retry. It returns nil when every record was delivered, and ErrNilContext
// for a nil ctx.
func (r *Retry) Send(ctx context.Context, batch []*connected.Record) error {
	if ctx == nil {
		return nilContext("Retry.Send")
	}
	if len(batch) == 0 {
		return nil
	}
	st := retryState{r: r, batch: batch, sched: r.policy.Start(r.now)}
	st.run(ctx, nil)
	slices.Sort(st.perm)
	slices.Sort(st.left)
	return BatchOutcome(st.perm, st.left, st.permErr, st.leftErr)
}

type retryState struct {
	r       *Retry
	batch   []*connected.Record
	sched   *retry.Schedule
	perm    []int
	permErr error
	left    []int
	leftErr error
}

// run sends the records at idx (all of the batch when idx is nil) until they
// are delivered, fail permanently, or time runs out.
func (s *retryState) run(ctx context.Context, idx []int) {
	r := s.r
	for {
		sub := s.batch
		if idx != nil {
			sub = make([]*connected.Record, len(idx))
			for j, i := range idx {
				sub[j] = s.batch[i]
			}
		}
		err := r.next.Send(ctx, sub)
		if err == nil {
			return
		}
		at := func(j int) int {
			if idx == nil {
				return j
			}
			return idx[j]
		}
		var he *HTTPError
		if errors.As(err, &he) && he.StatusCode == http.StatusRequestEntityTooLarge && !isBatchError(err) {
			if len(sub) == 1 {
				s.perm = append(s.perm, at(0))
				s.permErr = err
				return
			}
			all := make([]int, len(sub))
			for j := range all {
				all[j] = at(j)
			}
			h := len(all) / 2
			s.run(ctx, all[:h])
			s.run(ctx, all[h:])
			return
		}
		perm, retryable := Outcome(err, len(sub))
		for _, j := range perm {
			s.perm = append(s.perm, at(j))
		}
		if len(perm) > 0 {
			s.permErr = err
		}
		if len(retryable) == 0 {
			return
		}
		next := make([]int, len(retryable))
		for k, j := range retryable {
			next[k] = at(j)
		}
		idx = next
		if ctx.Err() != nil {
			s.giveUp(idx, errors.Join(ctx.Err(), err))
			return
		}
		ra := min(retryAfter(err), r.maxRetryAfter)
		wait, ok := s.sched.Next(ra)
		if !ok {
			le := &RetryLimitError{Attempts: s.sched.Attempts(), Elapsed: s.sched.Elapsed(), Budget: s.sched.Budget(), Err: err}
			if errors.Is(s.sched.Err(), retry.ErrMinWaitBeyondBudget) {
				le.RetryAfter = ra
			}
			s.giveUp(idx, le)
			return
		}
		r.ctr.Retried.Add(uint64(len(idx)))
		r.ctr.Fail(err, r.now())
		if serr := r.sleep(ctx, wait); serr != nil {
			s.giveUp(idx, errors.Join(serr, err))
			return
		}
	}
}

func (s *retryState) giveUp(idx []int, err error) {
	s.left = append(s.left, idx...)
	s.leftErr = err
}

// BorrowsRecords reports whether the wrapped Sender borrows (see Borrower):
// Retry itself keeps nothing of a batch after Send returns.
func (r *Retry) BorrowsRecords() bool { return Borrows(r.next) }

func isBatchError(err error) bool { return len(collectBatchErrors(err, nil)) > 0 }

// Stats returns how many record re-sends Retry made and its last error.
func (r *Retry) Stats() Stats { return r.ctr.Snapshot() }

// Shutdown shuts down the wrapped Sender if it implements
// connected.Shutdowner. A nil ctx returns ErrNilContext.
func (r *Retry) Shutdown(ctx context.Context) error {
	if ctx == nil {
		return nilContext("Retry.Shutdown")
	}
	return shutdown(ctx, r.next)
}
