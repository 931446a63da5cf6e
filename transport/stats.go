package transport

import (
	"sync"
	"sync/atomic"
	"time"
)

// Stats is a snapshot of a component's counters. Counters only grow; depths
// are current values. Fields a component has no use for stay zero.
type Stats struct {
	Enqueued  uint64            // records accepted
	Delivered uint64            // records the destination acknowledged
	Retried   uint64            // record re-sends after a retryable failure
	Dropped   map[Reason]uint64 // records given up on, by reason; every one went to the failure callback
	Bytes     uint64            // payload bytes of delivered records
	WireBytes uint64            // bytes written to the wire or file (after compression)
	Requests  uint64            // send attempts (HTTP requests, file writes)

	QueueDepth int   // records held in memory: queued or being sent
	QueueBytes int   // payload bytes of those records
	InFlight   int   // batches being sent
	SpoolDepth int   // records on disk not yet acknowledged
	SpoolBytes int64 // bytes of the spool's segment files

	LastError     string    // the most recent failure, "" if none
	LastErrorTime time.Time // when it happened
}

// DroppedTotal returns the sum of Dropped.
func (s Stats) DroppedTotal() uint64 {
	var n uint64
	for _, v := range s.Dropped {
		n += v
	}
	return n
}

// Counters is the thread-safe counter set behind a Stats snapshot. It is
// exported so that Senders outside this package (the broker transports) keep
// Stats the same way. The zero value is ready to use.
type Counters struct {
	Enqueued, Delivered, Retried, Bytes, WireBytes, Requests atomic.Uint64

	mu      sync.Mutex
	dropped map[Reason]uint64
	lastErr string
	lastAt  time.Time
}

// Drop adds n records dropped for reason.
func (c *Counters) Drop(reason Reason, n int) {
	if n <= 0 {
		return
	}
	c.mu.Lock()
	if c.dropped == nil {
		c.dropped = make(map[Reason]uint64)
	}
	c.dropped[reason] += uint64(n)
	c.mu.Unlock()
}

// Fail records err as the last error, at time now.
func (c *Counters) Fail(err error, now time.Time) {
	if err == nil {
		return
	}
	s := err.Error()
	c.mu.Lock()
	c.lastErr, c.lastAt = s, now
	c.mu.Unlock()
}

// Snapshot returns the counters as a Stats; depths are left zero for the
// caller to fill.
func (c *Counters) Snapshot() Stats {
	s := Stats{
		Enqueued:  c.Enqueued.Load(),
		Delivered: c.Delivered.Load(),
		Retried:   c.Retried.Load(),
		Bytes:     c.Bytes.Load(),
		WireBytes: c.WireBytes.Load(),
		Requests:  c.Requests.Load(),
		Dropped:   map[Reason]uint64{},
	}
	c.mu.Lock()
	for k, v := range c.dropped {
		s.Dropped[k] = v
	}
	s.LastError, s.LastErrorTime = c.lastErr, c.lastAt
	c.mu.Unlock()
	return s
}
