package transport

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
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
	// ErrRetriesExhausted is matched by the error Retry returns when its
	// time budget ends before a retryable failure cleared.
	ErrRetriesExhausted = errors.New("transport: retry budget exhausted")
)

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
	return fmt.Sprintf("transport: %d records failed %s: %v", len(e.Failed), kind, e.Err)
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
// *PermanentError, a *BatchError that says so, and an *HTTPError other than
// 408, 429 and 5xx. Anything else (network and I/O errors, unknown errors) is
// considered transient and retryable. The outermost classified error wins:
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
		case *NetworkError:
			return true
		}
		if err == context.Canceled || err == context.DeadlineExceeded || err == ErrClosed {
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
