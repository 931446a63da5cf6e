package brokersend

import "sync"

// Results holds the per-record outcome of one Send: each record's error
// (nil: acknowledged) is set exactly once, by whichever goroutine learns
// it (the broker client's callback, an acknowledgement subscription, a
// publishing worker, or Send itself when it gives up on a record); Done is
// closed once every record has one. It is safe for concurrent use.
type Results struct {
	mu        sync.Mutex
	errs      []error
	set       []bool
	remaining int
	done      chan struct{}
}

// NewResults returns the Results of a Send of n records (n > 0).
func NewResults(n int) *Results {
	return &Results{errs: make([]error, n), set: make([]bool, n), remaining: n, done: make(chan struct{})}
}

// Set records the outcome of record i and reports whether it was the
// first for i; a later Set of the same index changes nothing (an
// acknowledgement that arrives after Send gave up on the record, say).
func (r *Results) Set(i int, err error) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.set[i] {
		return false
	}
	r.set[i] = true
	r.errs[i] = err
	r.remaining--
	if r.remaining == 0 {
		close(r.done)
	}
	return true
}

// SetFrom sets the outcome of records i to the end that have none to err.
func (r *Results) SetFrom(i int, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for ; i < len(r.errs); i++ {
		if !r.set[i] {
			r.set[i] = true
			r.errs[i] = err
			r.remaining--
		}
	}
	if r.remaining == 0 && !r.closed() {
		close(r.done)
	}
}

func (r *Results) closed() bool {
	select {
	case <-r.done:
		return true
	default:
		return false
	}
}

// Done is closed once every record has its outcome.
func (r *Results) Done() <-chan struct{} { return r.done }

// Pending returns how many records have no outcome yet.
func (r *Results) Pending() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.remaining
}

// Errors returns a copy of the outcomes (nil for acknowledged records and
// for those without an outcome yet).
func (r *Results) Errors() []error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]error(nil), r.errs...)
}

// Count returns how many records failed with exactly err (not wrapped).
func (r *Results) Count(err error) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for i, e := range r.errs {
		if r.set[i] && e == err {
			n++
		}
	}
	return n
}
