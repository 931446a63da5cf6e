package inspect

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// DefaultTapCapacity is the number of records a Tap keeps when
// WithCapacity is not given.
const DefaultTapCapacity = 1024

// MaxTapCapacity is the largest capacity a Tap accepts.
const MaxTapCapacity = 1 << 20

// DropReason says why records a Tap recorded were not shown to a viewer.
type DropReason string

// The drop reasons.
const (
	// DropBehind: a viewer's stream fell more than the Tap's capacity
	// behind the pipeline (or more than a page's worth), so the records in
	// between were skipped for that viewer. The pipeline was not slowed.
	DropBehind DropReason = "viewer_behind"
)

// TapDrop reports records a viewer skipped.
type TapDrop struct {
	Reason DropReason
	N      uint64 // how many records
}

// TapStats is a snapshot of a Tap's counters.
type TapStats struct {
	Capacity int    // records kept
	Recorded uint64 // records that passed through any of the Tap's middleware
	// Dropped counts records viewers skipped because they fell behind
	// (DropBehind), summed over viewers. Records that age out of the ring
	// while nobody is watching are not counted: they were never owed to
	// anyone.
	Dropped uint64
	Viewers int // streams reading the Tap now
}

// Entry is one record as a Tap saw it.
type Entry struct {
	Seq    uint64            // 1 for the first record the Tap saw, then 2, 3, ...
	Point  string            // the point of the middleware that saw it (a destination's name, say)
	At     time.Time         // when the Tap saw it, by the Tap's clock
	Record *connected.Record // the record, shared with the pipeline: never modify it
	Err    error             // what the next handler returned for it
}

// Tap records the records passing through its middleware into a bounded
// ring, for an inspector Handler to show. The middleware never blocks and
// never changes what the pipeline does: it passes each record on
// unchanged, returns the next handler's error, and then stores a pointer to
// the (immutable) record with lock-free atomics, overwriting the oldest
// entry when the ring is full. Viewers read the ring at their own pace; one
// that falls behind skips records, which are counted (TapStats.Dropped)
// and reported to the WithOnDrop callback, never waited for.
//
// Memory is bounded by the capacity: the ring keeps at most that many
// records (with their payloads and events) alive.
//
// A Tap is safe for concurrent use and starts no goroutines.
type Tap struct {
	ring    []atomic.Pointer[Entry]
	seq     atomic.Uint64 // last sequence number handed out
	dropped atomic.Uint64
	clock   func() time.Time
	onDrop  func(TapDrop)

	mu   sync.Mutex                    // guards changes of subs
	subs atomic.Pointer[[]*subscriber] // copy on write
}

// subscriber is one viewer's wake-up signal.
type subscriber struct {
	wake chan struct{} // capacity 1: a pending wake-up
}

// TapOption configures a Tap.
type TapOption interface{ applyTap(*tapConfig) error }

type tapOptionFunc func(*tapConfig) error

func (f tapOptionFunc) applyTap(c *tapConfig) error { return f(c) }

type tapConfig struct {
	capacity int
	clock    func() time.Time
	onDrop   func(TapDrop)
}

// WithCapacity sets how many records the Tap keeps (default
// DefaultTapCapacity, at most MaxTapCapacity). A capacity below 1 or above
// the maximum gets a *ConfigError.
func WithCapacity(n int) TapOption {
	return tapOptionFunc(func(c *tapConfig) error {
		if n < 1 || n > MaxTapCapacity {
			return &ConfigError{Field: "WithCapacity", Reason: "must be 1 to 1048576"}
		}
		c.capacity = n
		return nil
	})
}

// WithTapClock sets the clock that stamps Entry.At (default time.Now).
func WithTapClock(now func() time.Time) TapOption {
	return tapOptionFunc(func(c *tapConfig) error {
		if now == nil {
			return &ConfigError{Field: "WithTapClock", Reason: "is nil"}
		}
		c.clock = now
		return nil
	})
}

// WithOnDrop sets a callback told of every record a viewer skipped, with
// the reason. It is called on the viewer's request goroutine, never on the
// pipeline's, and must not block for long.
func WithOnDrop(f func(TapDrop)) TapOption {
	return tapOptionFunc(func(c *tapConfig) error {
		c.onDrop = f
		return nil
	})
}

// NewTap returns a Tap, or a *ConfigError for an invalid option.
func NewTap(opts ...TapOption) (*Tap, error) {
	cfg := tapConfig{capacity: DefaultTapCapacity, clock: time.Now}
	for _, o := range opts {
		if o == nil {
			return nil, &ConfigError{Field: "TapOption", Reason: "is nil"}
		}
		if err := o.applyTap(&cfg); err != nil {
			return nil, err
		}
	}
	t := &Tap{ring: make([]atomic.Pointer[Entry], cfg.capacity), clock: cfg.clock, onDrop: cfg.onDrop}
	t.subs.Store(&[]*subscriber{})
	return t, nil
}

// Middleware returns middleware that records every record it passes on,
// labelled with point: the name of a destination when it wraps the
// handler of a consent.Destination (so that the inspector can filter by
// destination), or of a stage ("client", "after-identity") elsewhere. The
// same Tap may sit at several points.
//
// The record is stored after the next handler returns, with its error, so
// that the inspector shows what happened to it; the cost is one small
// allocation and a few atomic operations, and nothing waits on a viewer.
// The handler it returns passes Flush and Shutdown on to the next handler
// when that implements connected.Flusher or connected.Shutdowner, so that
// a Router or Client that owns the chain still reaches a Batcher behind
// the tap.
func (t *Tap) Middleware(point string) connected.Middleware {
	return func(next connected.Handler) connected.Handler {
		return &tapHandler{t: t, point: point, next: next}
	}
}

type tapHandler struct {
	t     *Tap
	point string
	next  connected.Handler
}

var (
	_ connected.Flusher    = (*tapHandler)(nil)
	_ connected.Shutdowner = (*tapHandler)(nil)
)

func (th *tapHandler) Handle(ctx context.Context, r *connected.Record) error {
	err := th.next.Handle(ctx, r)
	th.t.record(&Entry{Point: th.point, At: th.t.clock(), Record: r, Err: err})
	return err
}

func (th *tapHandler) Flush(ctx context.Context) error {
	if f, ok := th.next.(connected.Flusher); ok {
		return f.Flush(ctx)
	}
	return nil
}

func (th *tapHandler) Shutdown(ctx context.Context) error {
	if s, ok := th.next.(connected.Shutdowner); ok {
		return s.Shutdown(ctx)
	}
	return nil
}

func (t *Tap) record(e *Entry) {
	n := t.seq.Add(1)
	e.Seq = n
	t.ring[(n-1)%uint64(len(t.ring))].Store(e)
	for _, s := range *t.subs.Load() {
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
}

// Stats returns the Tap's counters.
func (t *Tap) Stats() TapStats {
	return TapStats{Capacity: len(t.ring), Recorded: t.seq.Load(), Dropped: t.dropped.Load(), Viewers: len(*t.subs.Load())}
}

// Recent returns up to n of the newest entries, oldest first. It
// allocates the returned slice; the entries are shared and must not be
// modified.
func (t *Tap) Recent(n int) []*Entry {
	last := t.seq.Load()
	if n <= 0 || last == 0 {
		return nil
	}
	n = min(n, len(t.ring))
	from := uint64(1)
	if last > uint64(n) {
		from = last - uint64(n) + 1
	}
	out, _, _ := t.read(nil, from, n)
	return out
}

// read appends to dst the entries from sequence number from on, at most
// limit of them, and returns the sequence number to read next and how many
// records were skipped because they had been overwritten. It stops early at
// an entry whose writer has not stored it yet.
func (t *Tap) read(dst []*Entry, from uint64, limit int) ([]*Entry, uint64, uint64) {
	last := t.seq.Load()
	capa := uint64(len(t.ring))
	var skipped uint64
	if last >= capa && from < last-capa+1 {
		skipped = last - capa + 1 - from
		from = last - capa + 1
	}
	for ; from <= last && limit > 0; from++ {
		e := t.ring[(from-1)%capa].Load()
		if e == nil || e.Seq < from {
			break // not stored yet: its writer wakes us when it is
		}
		if e.Seq > from {
			skipped++ // overwritten while we read
			continue
		}
		dst = append(dst, e)
		limit--
	}
	return dst, from, skipped
}

// subscribe registers a viewer; the returned function unregisters it.
func (t *Tap) subscribe() (*subscriber, func()) {
	s := &subscriber{wake: make(chan struct{}, 1)}
	t.mu.Lock()
	old := *t.subs.Load()
	next := make([]*subscriber, len(old), len(old)+1)
	copy(next, old)
	next = append(next, s)
	t.subs.Store(&next)
	t.mu.Unlock()
	return s, func() {
		t.mu.Lock()
		old := *t.subs.Load()
		next := make([]*subscriber, 0, len(old))
		for _, o := range old {
			if o != s {
				next = append(next, o)
			}
		}
		t.subs.Store(&next)
		t.mu.Unlock()
	}
}

// drop counts n records a viewer skipped and reports them.
func (t *Tap) drop(reason DropReason, n uint64) {
	if n == 0 {
		return
	}
	t.dropped.Add(n)
	if t.onDrop != nil {
		t.onDrop(TapDrop{Reason: reason, N: n})
	}
}
