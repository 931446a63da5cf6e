// Package connectedtest provides test doubles for code that emits Touchpoint
// events: a Recorder that is a connected.Handler keeping every record in
// memory, so users can assert on their own instrumentation.
package connectedtest

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// Recorder is an in-memory connected.Handler. It keeps every record it
// accepts, in order. It is safe for concurrent use. Err, when set before use,
// is returned by Handle instead of recording (to test error paths).
type Recorder struct {
	mu        sync.Mutex
	records   []*connected.Record
	flushes   int
	shutdowns int
	// Err, if non-nil, is returned by Handle and the record is not kept.
	Err error
}

var (
	_ connected.Handler    = (*Recorder)(nil)
	_ connected.Flusher    = (*Recorder)(nil)
	_ connected.Shutdowner = (*Recorder)(nil)
)

// Handle records r, or returns r.Err if set.
func (r *Recorder) Handle(_ context.Context, rec *connected.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.Err != nil {
		return r.Err
	}
	r.records = append(r.records, rec)
	return nil
}

// Flush counts the call; the Recorder buffers nothing.
func (r *Recorder) Flush(context.Context) error {
	r.mu.Lock()
	r.flushes++
	r.mu.Unlock()
	return nil
}

// Shutdown counts the call.
func (r *Recorder) Shutdown(context.Context) error {
	r.mu.Lock()
	r.shutdowns++
	r.mu.Unlock()
	return nil
}

// Records returns a copy of the list of records kept so far.
func (r *Recorder) Records() []*connected.Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*connected.Record(nil), r.records...)
}

// Events returns the events of the records kept so far; the zero Event for
// a record without one (Record.Event nil).
func (r *Recorder) Events() []connected.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]connected.Event, len(r.records))
	for i, rec := range r.records {
		if rec.Event != nil {
			out[i] = *rec.Event
		}
	}
	return out
}

// Payloads returns the encoded Segment JSON of the records kept so far.
func (r *Recorder) Payloads() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, len(r.records))
	for i, rec := range r.records {
		out[i] = string(rec.Payload)
	}
	return out
}

// Len returns the number of records kept.
func (r *Recorder) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.records)
}

// Flushes returns how many times Flush was called.
func (r *Recorder) Flushes() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.flushes
}

// Shutdowns returns how many times Shutdown was called.
func (r *Recorder) Shutdowns() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.shutdowns
}

// Reset forgets every record and count.
func (r *Recorder) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.records, r.flushes, r.shutdowns = nil, 0, 0
}

// Clock returns a deterministic clock for connected.WithClock: each call
// returns start plus step times the number of earlier calls. It is safe for
// concurrent use.
func Clock(start time.Time, step time.Duration) func() time.Time {
	var mu sync.Mutex
	n := 0
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t := start.Add(time.Duration(n) * step)
		n++
		return t
	}
}

// IDs returns a deterministic ID generator for connected.WithIDGenerator:
// prefix-1, prefix-2, ... It is safe for concurrent use.
func IDs(prefix string) func() string {
	var mu sync.Mutex
	n := 0
	return func() string {
		mu.Lock()
		defer mu.Unlock()
		n++
		return prefix + "-" + strconv.Itoa(n)
	}
}
