package transport

import (
	"context"
	"errors"
	"sync"
)

// InFlight tracks the calls in progress of a component that can be shut
// down: Enter before each call (it refuses after Close), Exit after it, and
// Close to stop new calls and wait for the ones in progress. The broker
// senders use it; it is exported so that a Sender outside this module keeps
// the same Shutdown contract. The zero value is ready to use, and all
// methods are safe for concurrent use.
type InFlight struct {
	mu     sync.Mutex
	closed bool
	n      int
	idle   chan struct{} // closed when n drops to 0 after Close began
}

// Enter registers a call; it returns false, registering nothing, once
// Close has been called.
func (f *InFlight) Enter() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return false
	}
	f.n++
	return true
}

// Exit ends a call registered by a successful Enter.
func (f *InFlight) Exit() {
	f.mu.Lock()
	f.n--
	if f.n == 0 && f.idle != nil {
		close(f.idle)
		f.idle = nil
	}
	f.mu.Unlock()
}

// Closed reports whether Close has been called.
func (f *InFlight) Closed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.closed
}

// Close makes later Enters fail and waits until the calls in progress have
// exited or ctx is done; then it returns ctx.Err(). It is idempotent: every
// call waits the same way. A nil ctx returns ErrNilContext and closes
// nothing.
func (f *InFlight) Close(ctx context.Context) error {
	if ctx == nil {
		return nilContext("InFlight.Close")
	}
	f.mu.Lock()
	f.closed = true
	var wait chan struct{}
	if f.n > 0 {
		if f.idle == nil {
			f.idle = make(chan struct{})
		}
		wait = f.idle
	}
	f.mu.Unlock()
	if wait == nil {
		return nil
	}
	select {
	case <-wait:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// BatchOutcome builds Send's error from a record-by-record send: nil when
// perm and retry are both empty, else a *BatchError for the permanent
// failures (perm, their representative cause permErr) and one for the
// retryable ones (retry, retryErr), joined when there are both. Indexes are
// into the batch.
func BatchOutcome(perm, retry []int, permErr, retryErr error) error {
	var out []error
	if len(perm) > 0 {
		out = append(out, &BatchError{Failed: perm, Retryable: false, Err: permErr})
	}
	if len(retry) > 0 {
		out = append(out, &BatchError{Failed: retry, Retryable: true, Err: retryErr})
	}
	switch len(out) {
	case 0:
		return nil
	case 1:
		return out[0]
	}
	return errors.Join(out...)
}
