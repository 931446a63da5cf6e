package transport

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

var (
	// ErrClosed is returned by Handle, Send and Flush after Shutdown.
	ErrClosed = errors.New("transport: closed")
	// ErrQueueFull is returned by Batcher.Handle when the queue is full and
	// the overflow policy is OverflowDropNewest. The record is also reported
	// through the failure callback.
	ErrQueueFull = errors.New("transport: queue full")
	// ErrTooLarge is returned by Batcher.Handle for a record larger than the
	// per-event limit or than a whole batch.
	ErrTooLarge = errors.New("transport: record too large")
	// ErrUndelivered is matched by the *UndeliveredError that Shutdown
	// returns when records could not be delivered before its context ended.
	ErrUndelivered = errors.New("transport: records undelivered")
	// ErrRetriesExhausted is matched by the *RetryLimitError Retry returns
	// when it stops retrying records that failed retryably, whichever limit
	// stopped it: the retry budget, or a server's Retry-After that reaches
	// past the budget (ErrRetryAfterBeyondBudget).
	ErrRetriesExhausted = errors.New("transport: retries exhausted")
	// ErrRetryAfterBeyondBudget is matched, besides ErrRetriesExhausted, by
	// the *RetryLimitError of a Retry that gave up because the server's
	// Retry-After (clamped to WithMaxRetryAfter) would end after its retry
	// budget: sending earlier would ignore the server, waiting would overrun
	// the budget.
	ErrRetryAfterBeyondBudget = errors.New("transport: Retry-After beyond the retry budget")
	// ErrRedirect is matched by *RedirectError: the collector answered with
	// a redirect that was not followed, so the batch was not delivered.
	ErrRedirect = errors.New("transport: redirect not followed")
	// ErrNilContext is returned, wrapped with the method's name, by every
	// method of this package that takes a context when it is given a nil
	// one; the call then does nothing (Shutdown does not shut down: call it
	// again with a context). IsRetryable reports false for it.
	ErrNilContext = errors.New("transport: nil context")
)

// nilContext is the error for a nil context passed to op.
func nilContext(op string) error { return fmt.Errorf("%w passed to %s", ErrNilContext, op) }

// RedirectError reports that the collector answered a batch with a redirect
// (301, 302, 303, 307 or 308) that the HTTP sender did not follow: 301, 302
// and 303 always (net/http would replay the POST as a GET without its body,
// and the landing page's 200 would look like delivery), a 307 or 308 that
// leaves the endpoint's host, goes from https to http, or is one hop too
// many. The batch was not delivered anywhere. It matches ErrRedirect.
//
// It is retryable (IsRetryable): the records are valid and the collector
// never received them, and a redirect is the state of a deployment (a moved
// collector, a maintenance page, a proxy forcing https) that an operator
// fixes by changing the endpoint. A spool therefore keeps the records on
// disk and never acknowledges them until a send succeeds; without a spool,
// Retry gives up at its budget and the Batcher reports them to the failure
// callback (ReasonRetriesExhausted, with this error inside). Treating it as
// permanent would let a spool acknowledge and delete records that were
// never delivered.
type RedirectError struct {
	StatusCode int    // the redirect status
	URL        string // the URL that answered with it (password redacted)
	Location   string // where it pointed, resolved against URL; "" when the answer had none
	Reason     string // why it was not followed
}

func (e *RedirectError) Error() string {
	loc := "no Location"
	if e.Location != "" {
		loc = "Location " + strconv.Quote(e.Location)
	}
	return "transport: POST " + e.URL + " answered " + strconv.Itoa(e.StatusCode) + " " + http.StatusText(e.StatusCode) +
		" (" + loc + "), not followed: " + e.Reason + "; the batch was not delivered (point the sender at the new endpoint)"
}

// Is reports whether target is ErrRedirect.
func (e *RedirectError) Is(target error) bool { return target == ErrRedirect }

// RetryLimitError is what Retry returns (inside a retryable *BatchError)
// for records still failing retryably when it stops retrying them. It says
// which limit stopped it: RetryAfter is zero when the retry budget ran out
// with the next backoff, and is the server's wait (after the
// WithMaxRetryAfter clamp) when that wait alone reached past the budget.
// It matches ErrRetriesExhausted, and ErrRetryAfterBeyondBudget when
// RetryAfter is set; it unwraps to the last failure.
type RetryLimitError struct {
	Attempts   int           // sends made
	Elapsed    time.Duration // since the first send
	Budget     time.Duration // WithRetryBudget
	RetryAfter time.Duration // the server's wait that did not fit; 0 when the budget ran out
	Err        error         // the last failure
}

func (e *RetryLimitError) Error() string {
	var b strings.Builder
	b.WriteString("transport: gave up after ")
	b.WriteString(strconv.Itoa(e.Attempts))
	if e.Attempts == 1 {
		b.WriteString(" attempt in ")
	} else {
		b.WriteString(" attempts in ")
	}
	b.WriteString(e.Elapsed.Round(time.Millisecond).String())
	if e.RetryAfter > 0 {
		b.WriteString(": the server's Retry-After of ")
		b.WriteString(e.RetryAfter.String())
		b.WriteString(" reaches past the retry budget of ")
		b.WriteString(e.Budget.String())
		b.WriteString(" (")
		b.WriteString(max(e.Budget-e.Elapsed, 0).Round(time.Millisecond).String())
		b.WriteString(" left; raise WithRetryBudget or lower WithMaxRetryAfter)")
	} else {
		b.WriteString(": the retry budget of ")
		b.WriteString(e.Budget.String())
		b.WriteString(" is exhausted (WithRetryBudget)")
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Is reports whether target is ErrRetriesExhausted, or
// ErrRetryAfterBeyondBudget when the Retry-After stopped the retries.
func (e *RetryLimitError) Is(target error) bool {
	return target == ErrRetriesExhausted || (target == ErrRetryAfterBeyondBudget && e.RetryAfter > 0)
}

// Unwrap returns the last failure.
func (e *RetryLimitError) Unwrap() error { return e.Err }

// BatchError reports that some records of a batch failed. Failed holds their
// indexes into the batch given to Send, ascending; the other records were
// delivered. Retryable says whether sending the failed records again may
// succeed. A Sender that fails a whole batch may return a plain error
// instead; IsRetryable classifies it.
type BatchError struct {
	Failed    []int
	Retryable bool
	Err       error
}

func (e *BatchError) Error() string {
	kind := "permanently"
	if e.Retryable {
		kind = "retryably"
	}
	noun := "records"
	if len(e.Failed) == 1 {
		noun = "record"
	}
	return fmt.Sprintf("transport: %d %s failed %s: %v", len(e.Failed), noun, kind, e.Err)
}

// Unwrap returns the cause.
func (e *BatchError) Unwrap() error { return e.Err }

// HTTPError is a non-2xx answer from an HTTP collector. RetryAfter is the
// server's Retry-After (zero when absent or unparsable); Body holds at most
// the first MaxErrorBody bytes of the response body.
type HTTPError struct {
	StatusCode int
	RetryAfter time.Duration
	Body       []byte
}

// MaxErrorBody is how many bytes of an error response body HTTPError keeps.
const MaxErrorBody = 1024

func (e *HTTPError) Error() string {
	s := "transport: HTTP " + strconv.Itoa(e.StatusCode) + " " + http.StatusText(e.StatusCode)
	if e.RetryAfter > 0 {
		s += " (retry after " + e.RetryAfter.String() + ")"
	}
	if len(e.Body) > 0 {
		b := e.Body
		if len(b) > 200 {
			b = b[:200]
		}
		s += ": " + strconv.Quote(string(b))
	}
	return s
}

// Retryable reports whether the status is worth retrying: 408, 429 and 5xx.
func (e *HTTPError) Retryable() bool {
	return e.StatusCode == http.StatusRequestTimeout || e.StatusCode == http.StatusTooManyRequests || e.StatusCode >= 500
}

// NetworkError wraps a failure to reach the collector or to read its answer
// (refused or reset connection, per-request timeout). It is retryable.
type NetworkError struct{ Err error }

func (e *NetworkError) Error() string { return "transport: network: " + e.Err.Error() }

// Unwrap returns the cause.
func (e *NetworkError) Unwrap() error { return e.Err }

// PermanentError marks an error that no retry can fix (a record the
// collector cannot accept, a misconfiguration). Create one with Permanent.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *PermanentError) Unwrap() error { return e.Err }

// Permanent wraps err so that IsRetryable reports false for it. It returns
// nil for nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &PermanentError{Err: err}
}

// IsRetryable reports whether sending again may succeed. It is false for
// nil, for context cancellation and deadlines (the caller gave up), ErrClosed,
// ErrNilContext, *PermanentError, a *BatchError that says so, and an
// *HTTPError other than 408, 429 and 5xx. Anything else (a *RedirectError,
// network and I/O errors, unknown errors) is considered transient and
// retryable. The outermost classified error wins:
// a *BatchError or *HTTPError is judged by its own flag or status.
func IsRetryable(err error) bool {
	for err != nil {
		switch e := err.(type) {
		case *BatchError:
			return e.Retryable
		case *HTTPError:
			return e.Retryable()
		case *PermanentError:
			return false
		case *NetworkError, *RedirectError:
			return true
		}
		if err == context.Canceled || err == context.DeadlineExceeded || err == ErrClosed || err == ErrNilContext {
			return false
		}
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			next := u.Unwrap()
			if next == nil {
				return true // a leaf after all (nats.go's ErrAsyncPublishTimeout, say): unknown, so retryable
			}
			err = next
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				if !IsRetryable(e) {
					return false
				}
			}
			return true
		default:
			return true
		}
	}
	return false
}

// retryAfter returns the largest Retry-After found in err's tree.
func retryAfter(err error) time.Duration {
	var d time.Duration
	walk(err, func(e error) {
		if h, ok := e.(*HTTPError); ok && h.RetryAfter > d {
			d = h.RetryAfter
		}
	})
	return d
}

func walk(err error, f func(error)) {
	for err != nil {
		f(err)
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				walk(e, f)
			}
			return
		default:
			return
		}
	}
}

// UndeliveredError is returned by Shutdown when records were still
// undelivered when its context ended. The records were handed to the
// failure callback with ReasonShutdown. It matches ErrUndelivered.
type UndeliveredError struct {
	Count int   // records not delivered
	Err   error // why: usually the context's error
}

func (e *UndeliveredError) Error() string {
	return fmt.Sprintf("transport: %d records undelivered at shutdown: %v", e.Count, e.Err)
}

// Is reports whether target is ErrUndelivered.
func (e *UndeliveredError) Is(target error) bool { return target == ErrUndelivered }

// Unwrap returns the cause.
func (e *UndeliveredError) Unwrap() error { return e.Err }

// Outcome splits the result of sending n records into the indexes that failed
// permanently and those that failed retryably, following the contract of
// Sender: nil means all delivered; a *BatchError (possibly several, joined
// with errors.Join) names failed indexes; any other error fails all n, and
// IsRetryable classifies it. Indexes outside [0, n) are ignored.
func Outcome(err error, n int) (permanent, retryable []int) {
	if err == nil {
		return nil, nil
	}
	batchErrs := collectBatchErrors(err, nil)
	if len(batchErrs) == 0 {
		all := make([]int, n)
		for i := range all {
			all[i] = i
		}
		if IsRetryable(err) {
			return nil, all
		}
		return all, nil
	}
	seen := make([]bool, n)
	for _, b := range batchErrs {
		for _, i := range b.Failed {
			if i < 0 || i >= n || seen[i] {
				continue
			}
			seen[i] = true
			if b.Retryable {
				retryable = append(retryable, i)
			} else {
				permanent = append(permanent, i)
			}
		}
	}
	slices.Sort(permanent)
	slices.Sort(retryable)
	return permanent, retryable
}

// collectBatchErrors finds the outermost *BatchError values in err's tree:
// it does not look inside one, whose cause may carry indexes of another
// batch.
func collectBatchErrors(err error, out []*BatchError) []*BatchError {
	for err != nil {
		if b, ok := err.(*BatchError); ok {
			return append(out, b)
		}
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				out = collectBatchErrors(e, out)
			}
			return out
		default:
			return out
		}
	}
	return out
}

// ReasonError attaches a drop Reason to an error, so that a component that
// reports failures (the Batcher) files them under Reason instead of judging
// by retryability. The spool uses it for ReasonSpoolFull and
// ReasonSpoolError.
type ReasonError struct {
	Reason Reason
	Err    error
}

func (e *ReasonError) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *ReasonError) Unwrap() error { return e.Err }

// reasonOf returns the Reason of the first *ReasonError in err's tree.
func reasonOf(err error) (Reason, bool) {
	var r Reason
	walk(err, func(e error) {
		if re, ok := e.(*ReasonError); ok && r == "" {
			r = re.Reason
		}
	})
	return r, r != ""
}

// RetryAfter returns the longest Retry-After carried by an *HTTPError in
// err's tree, or 0.
func RetryAfter(err error) time.Duration { return retryAfter(err) }
