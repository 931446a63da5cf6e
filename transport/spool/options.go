package spool

import (
	"errors"
	"fmt"
	"time"

	"github.com/touchpoint-sdk/touchpoint/transport"
)

// Defaults.
const (
	DefaultSegmentBytes    = 8 << 20                // segment file size before rolling
	DefaultMaxBytes        = 256 << 20              // disk bound over all segments
	DefaultSyncInterval    = 200 * time.Millisecond // group commit period
	DefaultDrainBatch      = transport.DefaultMaxBatchEvents
	DefaultDrainBatchBytes = transport.DefaultMaxBatchBytes
)

// Option configures Open.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	fs               FS
	segmentBytes     int64
	maxBytes         int64
	syncInterval     time.Duration // 0: fsync every batch
	overflow         transport.Overflow
	callbacks        transport.Callbacks
	drainEvents      int
	drainBytes       int
	drainOnShutdown  bool
	drainConcurrency int
	backoffInitial   time.Duration
	backoffMax       time.Duration
}

func newConfig(dir string, opts []Option) (config, error) {
	c := config{
		segmentBytes: DefaultSegmentBytes, maxBytes: DefaultMaxBytes, syncInterval: DefaultSyncInterval,
		drainEvents: DefaultDrainBatch, drainBytes: DefaultDrainBatchBytes, drainOnShutdown: true, drainConcurrency: 1,
		backoffInitial: 100 * time.Millisecond, backoffMax: 30 * time.Second,
	}
	for _, o := range opts {
		if o == nil {
			return c, errors.New("spool: nil Option")
		}
		o.apply(&c)
	}
	if c.fs == nil {
		if dir == "" {
			return c, errors.New("spool: Open: empty directory")
		}
		c.fs = DirFS(dir)
	}
	switch {
	case c.segmentBytes < 4096:
		return c, fmt.Errorf("spool: WithSegmentBytes(%d): must be >= 4096", c.segmentBytes)
	case c.maxBytes < 2*c.segmentBytes:
		return c, fmt.Errorf("spool: WithMaxBytes(%d): must be at least two segments (%d)", c.maxBytes, 2*c.segmentBytes)
	case c.syncInterval < 0:
		return c, fmt.Errorf("spool: WithSyncInterval(%v): must be >= 0", c.syncInterval)
	case c.drainEvents < 1 || c.drainBytes < 1:
		return c, fmt.Errorf("spool: WithDrainBatch(%d, %d): must be >= 1", c.drainEvents, c.drainBytes)
	case c.drainConcurrency < 1 || c.drainConcurrency > 64:
		return c, fmt.Errorf("spool: WithDrainConcurrency(%d): must be in [1, 64]", c.drainConcurrency)
	case c.backoffInitial <= 0 || c.backoffMax < c.backoffInitial:
		return c, fmt.Errorf("spool: WithDrainBackoff(%v, %v): need 0 < initial <= max", c.backoffInitial, c.backoffMax)
	}
	switch c.overflow {
	case transport.OverflowBlock, transport.OverflowDropNewest, transport.OverflowDropOldest:
	default:
		return c, fmt.Errorf("spool: WithOverflow(%v): unknown policy", c.overflow)
	}
	return c, nil
}

// WithFS replaces the operating system file system (the directory given to
// Open is then ignored). Tests use it to inject failures.
func WithFS(fs FS) Option { return optionFunc(func(c *config) { c.fs = fs }) }

// WithSegmentBytes sets the size at which a segment file is closed and a
// new one started; acknowledged segments are deleted whole. Default 8 MiB.
func WithSegmentBytes(n int64) Option { return optionFunc(func(c *config) { c.segmentBytes = n }) }

// WithMaxBytes bounds the disk used by segment files. Default 256 MiB; at
// least two segments.
func WithMaxBytes(n int64) Option { return optionFunc(func(c *config) { c.maxBytes = n }) }

// WithSyncInterval sets the group-commit period: appended frames are
// fsynced at most this long after Send returns. 0 fsyncs every batch before
// Send returns. Default 200 ms. Either way a process crash (SIGKILL) loses
// nothing Send accepted; the interval bounds what a power loss can take.
func WithSyncInterval(d time.Duration) Option {
	return optionFunc(func(c *config) { c.syncInterval = d })
}

// WithOverflow sets what Send does when the disk bound is reached:
// OverflowBlock waits for the drain to free space until ctx is done;
// OverflowDropNewest refuses the batch (a *transport.BatchError with
// ErrFull and transport.ReasonSpoolFull); OverflowDropOldest deletes the
// oldest segments not being drained and reports their records to the failure
// callback with transport.ReasonEvicted. Default OverflowDropNewest.
func WithOverflow(o transport.Overflow) Option {
	return optionFunc(func(c *config) { c.overflow = o })
}

// WithCallbacks sets the callbacks for records the drain delivers or gives
// up on (permanent failures, evictions). They run on the spool's
// dispatcher goroutine, in order.
func WithCallbacks(cb transport.Callbacks) Option {
	return optionFunc(func(c *config) { c.callbacks = cb })
}

// WithDrainBatch sets the largest batch the drain hands to the Sender, in
// records and payload bytes. Default 2,500 and 500,000 (Segment's limits).
func WithDrainBatch(events, bytes int) Option {
	return optionFunc(func(c *config) { c.drainEvents, c.drainBytes = events, bytes })
}

// WithDrainOnShutdown sets whether Shutdown keeps draining until the spool
// is empty or its context ends (true, the default) or stops at once,
// leaving everything on disk for the next Open.
func WithDrainOnShutdown(on bool) Option {
	return optionFunc(func(c *config) { c.drainOnShutdown = on })
}

// WithDrainBackoff sets the wait between drain attempts after a retryable
// failure: from initial, doubling, up to max, with jitter. The drain never
// gives up on a retryable failure: the records stay on disk. Default 100 ms
// to 30 s.
func WithDrainBackoff(initial, max time.Duration) Option {
	return optionFunc(func(c *config) { c.backoffInitial, c.backoffMax = initial, max })
}

// WithDrainConcurrency sets how many batches the drain has in flight at
// once. With 1 (the default) records reach the next Sender strictly in
// spool order, which transporttest.Run asks of every Sender. With n > 1 the
// drain keeps n consecutive batches in flight (a new one starts as soon as
// the oldest is acknowledged), so batches may arrive out of order, but
// acknowledgement stays in order: after a crash nothing is skipped. Behind
// the Batcher's default (unordered, DefaultConcurrency batches in flight),
// order is already per batch, and n = transport.DefaultConcurrency drains a
// backlog several times faster. Valid: 1 to 64.
func WithDrainConcurrency(n int) Option {
	return optionFunc(func(c *config) { c.drainConcurrency = n })
}
