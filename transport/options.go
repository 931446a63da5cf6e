package transport

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Defaults of the Batcher, chosen for Segment's HTTP API limits.
const (
	DefaultMaxBatchEvents  = 2500             // Segment: at most 2,500 events per /v1/batch
	DefaultMaxBatchBytes   = 500_000          // Segment: at most 500,000 bytes per request
	DefaultMaxEventBytes   = 32_000           // Segment: at most 32,000 bytes per event
	DefaultFlushInterval   = time.Second      // the longest a record waits for a batch to fill
	DefaultMaxQueueEvents  = 20_000           // records held in memory, queued or in flight (see WithQueueLimits)
	DefaultMaxQueueBytes   = 16 << 20         // payload bytes held in memory
	DefaultConcurrency     = 4                // batches in flight at once
	DefaultRequestTimeout  = 10 * time.Second // per HTTP request
	DefaultRetryInitial    = 100 * time.Millisecond
	DefaultRetryMax        = 30 * time.Second
	DefaultRetryBudget     = time.Minute
	DefaultMaxRetryAfter   = 30 * time.Second // Retry-After values above this are clamped; leaves room in DefaultRetryBudget
	batchEnvelopeReserve   = 64               // bytes kept free in a batch for the request envelope
	defaultFileMaxBytes    = 64 << 20
	defaultFileMaxBackups  = 5
	defaultResponseBodyCap = 64 << 10
)

// BatcherOption configures NewBatcher.
type BatcherOption interface{ applyBatcher(*batcherConfig) }

type batcherOptionFunc func(*batcherConfig)

func (f batcherOptionFunc) applyBatcher(c *batcherConfig) { f(c) }

type batcherConfig struct {
	maxBatchEvents, maxBatchBytes, maxEventBytes int
	maxQueueEvents, maxQueueBytes                int
	interval                                     time.Duration
	overflow                                     Overflow
	concurrency                                  int
	ordered                                      bool
	callbacks                                    Callbacks
	durable                                      bool
}

func newBatcherConfig(opts []BatcherOption) (batcherConfig, error) {
	c := batcherConfig{
		maxBatchEvents: DefaultMaxBatchEvents, maxBatchBytes: DefaultMaxBatchBytes,
		maxEventBytes: DefaultMaxEventBytes, maxQueueEvents: DefaultMaxQueueEvents,
		maxQueueBytes: DefaultMaxQueueBytes, interval: DefaultFlushInterval,
		concurrency: DefaultConcurrency,
	}
	for _, o := range opts {
		if o == nil {
			return c, errors.New("transport: nil BatcherOption")
		}
		o.applyBatcher(&c)
	}
	switch {
	case c.maxBatchEvents < 1:
		return c, fmt.Errorf("transport: WithMaxBatchEvents(%d): must be >= 1", c.maxBatchEvents)
	case c.maxBatchBytes < 2*batchEnvelopeReserve:
		return c, fmt.Errorf("transport: WithMaxBatchBytes(%d): must be >= %d", c.maxBatchBytes, 2*batchEnvelopeReserve)
	case c.maxEventBytes < 1:
		return c, fmt.Errorf("transport: WithMaxEventBytes(%d): must be >= 1", c.maxEventBytes)
	case c.interval <= 0:
		return c, fmt.Errorf("transport: WithFlushInterval(%v): must be > 0", c.interval)
	case c.maxQueueEvents < c.maxBatchEvents:
		return c, fmt.Errorf("transport: WithQueueLimits: %d events is less than one batch (%d)", c.maxQueueEvents, c.maxBatchEvents)
	case c.maxQueueBytes < c.maxBatchBytes:
		return c, fmt.Errorf("transport: WithQueueLimits: %d bytes is less than one batch (%d)", c.maxQueueBytes, c.maxBatchBytes)
	case !c.overflow.valid():
		return c, fmt.Errorf("transport: WithOverflow(%v): unknown policy", c.overflow)
	case c.concurrency < 1 || c.concurrency > 1024:
		return c, fmt.Errorf("transport: WithConcurrency(%d): must be in [1, 1024]", c.concurrency)
	case c.durable && c.overflow == OverflowDropOldest:
		return c, errors.New("transport: WithDurable with OverflowDropOldest: a durable Handle cannot have its record evicted while it waits; use OverflowBlock or OverflowDropNewest")
	}
	return c, nil
}

// WithMaxBatchEvents sets the most records in one batch. Default 2,500.
func WithMaxBatchEvents(n int) BatcherOption {
	return batcherOptionFunc(func(c *batcherConfig) { c.maxBatchEvents = n })
}

// WithMaxBatchBytes sets the largest batch, in bytes: the records' payloads
// plus one separator byte each, plus 64 bytes kept for the request envelope.
// Default 500,000. Must be at least 128.
func WithMaxBatchBytes(n int) BatcherOption {
	return batcherOptionFunc(func(c *batcherConfig) { c.maxBatchBytes = n })
}

// WithMaxEventBytes sets the largest accepted record payload; larger records
// are refused with ErrTooLarge. Default 32,000.
func WithMaxEventBytes(n int) BatcherOption {
	return batcherOptionFunc(func(c *batcherConfig) { c.maxEventBytes = n })
}

// WithFlushInterval sets how often a partly filled batch is sent. Default 1 s.
func WithFlushInterval(d time.Duration) BatcherOption {
	return batcherOptionFunc(func(c *batcherConfig) { c.interval = d })
}

// WithQueueLimits bounds the records the Batcher holds in memory (queued or
// being sent), in count and in payload bytes. Default 20,000 records and
// 16 MiB. Each must hold at least one full batch.
//
// The bound is the most memory a slow or unreachable collector can make the
// Batcher hold: 1.5-1.8 KB of process memory per record at the bound (the
// record, its payload and the garbage collector's headroom), so 30-35 MiB
// at the default (transport/benchmarks, stalled collector); past it,
// Handle refuses or waits (WithOverflow). It is not an outage buffer: at
// 10,000 events a second the default holds two seconds. Events that must
// survive an outage or a restart go through a spool.
func WithQueueLimits(events, bytes int) BatcherOption {
	return batcherOptionFunc(func(c *batcherConfig) { c.maxQueueEvents, c.maxQueueBytes = events, bytes })
}

// WithOverflow sets what Handle does when the queue is full. Default
// OverflowDropNewest.
func WithOverflow(o Overflow) BatcherOption {
	return batcherOptionFunc(func(c *batcherConfig) { c.overflow = o })
}

// WithConcurrency sets how many batches may be in flight at once. Default 4.
// Valid: 1 to 1024.
func WithConcurrency(n int) BatcherOption {
	return batcherOptionFunc(func(c *batcherConfig) { c.concurrency = n })
}

// WithOrderedPartitions, when true, preserves order per partition key:
// records of one key are sent in the order they were handled, one batch at
// a time, while different keys still go out concurrently (up to the
// concurrency). Default false: batches complete in any order.
func WithOrderedPartitions(on bool) BatcherOption {
	return batcherOptionFunc(func(c *batcherConfig) { c.ordered = on })
}

// WithDurable, when true, makes Handle (and so connected.Client.Track)
// return only once the Sender has accepted the batch holding the record: in
// front of a spool.Spool, once the record is written to the spool, so that
// a crash (kill -9) after Handle returned nil loses nothing. Batches are cut
// by group commit instead of the flush interval: when a send slot is free,
// everything waiting goes at once, and records arriving during a write form
// the next batch, so throughput grows with the number of concurrent callers.
// With WithConcurrency(1) the groups are largest. A record the Sender fails
// makes Handle return a *DurableError (ErrNotDurable) with the reason, and
// is reported to the failure callback too; if ctx ends first, Handle returns
// a *DurableError with InFlight set and the record goes on. Default false:
// Handle returns once the record is queued in memory. Not allowed with
// OverflowDropOldest.
func WithDurable(on bool) BatcherOption {
	return batcherOptionFunc(func(c *batcherConfig) { c.durable = on })
}

// WithCallbacks sets the success and failure callbacks. They run on the
// Batcher's dispatcher goroutine, in order. Default: none.
func WithCallbacks(cb Callbacks) BatcherOption {
	return batcherOptionFunc(func(c *batcherConfig) { c.callbacks = cb })
}

// HTTPOption configures the HTTP senders (NewSegment, NewRudderStack,
// NewCloudEvents).
type HTTPOption interface{ applyHTTP(*httpConfig) }

type httpOptionFunc func(*httpConfig)

func (f httpOptionFunc) applyHTTP(c *httpConfig) { f(c) }

type httpConfig struct {
	client      *http.Client
	timeout     time.Duration
	compression Compression
	headers     http.Header
	bodyCap     int64
	now         func() time.Time
}

func newHTTPConfig(opts []HTTPOption) (httpConfig, error) {
	c := httpConfig{timeout: DefaultRequestTimeout, compression: CompressionGzip, headers: http.Header{}, bodyCap: defaultResponseBodyCap, now: time.Now}
	for _, o := range opts {
		if o == nil {
			return c, errors.New("transport: nil HTTPOption")
		}
		o.applyHTTP(&c)
	}
	switch {
	case c.timeout <= 0:
		return c, fmt.Errorf("transport: WithRequestTimeout(%v): must be > 0", c.timeout)
	case c.bodyCap < 0:
		return c, fmt.Errorf("transport: WithResponseBodyLimit(%d): must be >= 0", c.bodyCap)
	case c.now == nil:
		return c, errors.New("transport: WithHTTPClock: nil clock")
	case !c.compression.valid():
		return c, fmt.Errorf("transport: WithCompression(%v): unknown compression", c.compression)
	}
	return c, nil
}

// WithHTTPClient sets the client used for requests. Default: a client of its
// own with a keep-alive transport sized for the Batcher's concurrency, whose
// idle connections Shutdown closes. A client given here is not closed.
// HTTP sends through a shallow copy of it whose CheckRedirect applies the
// redirect rules described on HTTP; c itself is not modified.
func WithHTTPClient(c *http.Client) HTTPOption {
	return httpOptionFunc(func(h *httpConfig) { h.client = c })
}

// WithRequestTimeout bounds each request, from dial to the end of the
// response. Default 10 s.
func WithRequestTimeout(d time.Duration) HTTPOption {
	return httpOptionFunc(func(h *httpConfig) { h.timeout = d })
}

// WithGzip turns gzip request bodies (Content-Encoding: gzip, fastest
// level, pooled writers) on or off: WithCompression(CompressionGzip) or
// WithCompression(CompressionNone). Default on for NewSegment and
// NewRudderStack, whose collectors inflate requests; default off for
// NewCloudEvents, because CloudEvents receivers (the CloudEvents SDKs among
// them) do not decode Content-Encoding and reject gzipped batches: turn it
// on there only for a receiver known to accept gzip.
func WithGzip(on bool) HTTPOption {
	return httpOptionFunc(func(h *httpConfig) {
		h.compression = CompressionNone
		if on {
			h.compression = CompressionGzip
		}
	})
}

// WithCompression sets the Content-Encoding of request bodies:
// CompressionGzip (the default for NewSegment and NewRudderStack),
// CompressionZstd (fewer bytes for less CPU, for a receiver known to accept
// zstd request bodies) or CompressionNone (the default for NewCloudEvents).
// The last of WithGzip and WithCompression wins. An unknown value makes the
// constructor fail.
func WithCompression(c Compression) HTTPOption {
	return httpOptionFunc(func(h *httpConfig) { h.compression = c })
}

// WithHeader adds a header to every request. Options accumulate.
func WithHeader(key, value string) HTTPOption {
	return httpOptionFunc(func(h *httpConfig) { h.headers.Add(key, value) })
}

// WithResponseBodyLimit caps how many bytes of a response body are read.
// Default 64 KiB; the rest is discarded with the connection.
func WithResponseBodyLimit(n int64) HTTPOption {
	return httpOptionFunc(func(h *httpConfig) { h.bodyCap = n })
}

// WithHTTPClock sets the clock that stamps sentAt and resolves HTTP-date
// Retry-After values. Default time.Now.
func WithHTTPClock(now func() time.Time) HTTPOption {
	return httpOptionFunc(func(h *httpConfig) { h.now = now })
}
