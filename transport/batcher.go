package transport

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// Batcher collects records into batches and hands them to a Sender. It
// implements connected.Handler, connected.Flusher and connected.Shutdowner,
// so it is the sink a connected.Client emits into.
//
// A batch is sent when it holds WithMaxBatchEvents records, when the next
// record would push it past WithMaxBatchBytes, or when WithFlushInterval
// passes. The Batcher holds at most WithQueueLimits records and bytes in
// memory, counting batches being sent; what happens beyond that is the
// WithOverflow policy. Up to WithConcurrency batches are in flight at once.
//
// The Batcher does not retry: wrap the Sender in Retry (and, to survive
// restarts and long outages, put a spool.Spool between them). A batch whose
// Send fails is reported to the failure callback with the reason, and
// counted; nothing is dropped silently.
type Batcher struct {
	cfg    batcherConfig
	sender Sender
	disp   *Dispatcher
	ctr    Counters

	sendCtx     context.Context
	cancelSends context.CancelFunc
	sends       sync.WaitGroup
	stop        chan struct{}
	loopDone    chan struct{}

	mu          sync.Mutex
	closed      bool
	aborted     bool // Shutdown's context ended: no new sends
	lanes       []lane
	events      int // records held: queued and in flight
	bytes       int // their payload bytes
	inflight    int // batches in flight
	nextID      uint64
	lowWater    uint64              // every batch id below it is finished
	done        map[uint64]struct{} // finished ids at or above lowWater
	changed     chan struct{}       // closed on every state change someone waits for
	lastFill    int
	undelivered int // records failed with ReasonShutdown

	shutOnce sync.Once
	shutDone chan struct{}
	shutErr  error
}

var (
	_ connected.PayloadOnly = (*Batcher)(nil)
	_ connected.Handler     = (*Batcher)(nil)
	_ connected.Flusher     = (*Batcher)(nil)
	_ connected.Shutdowner  = (*Batcher)(nil)
)

// NewBatcher returns a Batcher sending to s. It starts a flush-interval
// goroutine and a callback dispatcher goroutine; sends run on goroutines of
// their own. Call Shutdown to deliver what is queued and stop them all;
// Shutdown also shuts down s if it implements connected.Shutdowner.
func NewBatcher(s Sender, opts ...BatcherOption) (*Batcher, error) {
	if s == nil {
		return nil, errors.New("transport: NewBatcher: nil Sender")
	}
	cfg, err := newBatcherConfig(opts)
	if err != nil {
		return nil, err
	}
	b := &Batcher{cfg: cfg, sender: s, lowWater: 1, stop: make(chan struct{}), loopDone: make(chan struct{}), shutDone: make(chan struct{})}
	nl, limit := 1, cfg.concurrency
	if cfg.ordered {
		nl, limit = cfg.concurrency, 1
	}
	b.lanes = make([]lane, nl)
	for i := range b.lanes {
		b.lanes[i].limit = limit
	}
	b.sendCtx, b.cancelSends = context.WithCancel(context.Background())
	b.disp = NewDispatcher(cfg.callbacks)
	go b.loop()
	return b, nil
}

// Handle queues r for delivery. It returns ErrTooLarge for a record over the
// per-event or batch limit, ErrClosed after Shutdown, and, when the queue is
// full, ErrQueueFull (OverflowDropNewest) or ctx's error once ctx is done
// (OverflowBlock). Refused records are counted and reported to the failure
// callback. Once accepted, cancelling ctx does not affect r's delivery.
// Handle never waits on network I/O unless the policy is OverflowBlock. A
// nil ctx returns ErrNilContext and r is not accepted.
func (b *Batcher) Handle(ctx context.Context, r *connected.Record) error {
	if ctx == nil {
		return nilContext("Batcher.Handle")
	}
	if r == nil {
		return errors.New("transport: Handle: nil record")
	}
	n := len(r.Payload)
	if n > b.cfg.maxEventBytes || n+1+batchEnvelopeReserve > b.cfg.maxBatchBytes {
		err := fmt.Errorf("%w: record %s is %d bytes, limit %d", ErrTooLarge, r.ID, n, min(b.cfg.maxEventBytes, b.cfg.maxBatchBytes-1-batchEnvelopeReserve))
		b.refuse(r, ReasonTooLarge, err)
		return err
	}
	b.mu.Lock()
	for {
		if b.closed {
			b.mu.Unlock()
			return ErrClosed
		}
		if b.events+1 <= b.cfg.maxQueueEvents && b.bytes+n <= b.cfg.maxQueueBytes {
			break
		}
		switch b.cfg.overflow {
		case OverflowBlock:
			ch := b.waitChLocked()
			b.mu.Unlock()
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-ch:
			}
			b.mu.Lock()
			continue
		case OverflowDropOldest:
			if ev := b.evictOldestLocked(n); ev != nil {
				b.mu.Unlock()
				b.ctr.Drop(ReasonEvicted, len(ev))
				b.disp.Failure(Failure{Records: ev, Reason: ReasonEvicted})
				b.mu.Lock()
				continue
			}
		}
		b.mu.Unlock()
		b.refuse(r, ReasonQueueFull, nil)
		return ErrQueueFull
	}
	bt, idx := b.addLocked(r)
	b.ctr.Enqueued.Add(1)
	b.dispatchLocked()
	b.mu.Unlock()
	if b.cfg.durable {
		return b.awaitDurable(ctx, bt, idx, r.ID)
	}
	return nil
}

func (b *Batcher) refuse(r *connected.Record, reason Reason, err error) {
	b.ctr.Drop(reason, 1)
	if err == nil {
		b.disp.Refused(r, reason)
		return
	}
	b.disp.Failure(Failure{Records: []*connected.Record{r}, Reason: reason, Err: err})
}

// loop cuts partly filled batches every flush interval.
func (b *Batcher) loop() {
	defer close(b.loopDone)
	t := time.NewTicker(b.cfg.interval)
	defer t.Stop()
	for {
		select {
		case <-b.stop:
			return
		case <-t.C:
			b.mu.Lock()
			b.cutAllLocked()
			b.dispatchLocked()
			b.mu.Unlock()
		}
	}
}

// send delivers one batch and settles its records.
func (b *Batcher) send(bt *batch) {
	err := b.sender.Send(b.sendCtx, bt.recs)
	perm, retry := Outcome(err, len(bt.recs))
	failed := len(perm) + len(retry)
	if failed == 0 {
		b.ctr.Delivered.Add(uint64(len(bt.recs)))
		b.ctr.Bytes.Add(uint64(bt.bytes))
		b.disp.Success(bt.recs)
	} else {
		b.settlePartial(bt, err, perm, retry)
	}
	b.durableResult(bt, err, perm, retry)
	b.mu.Lock()
	if failed > 0 && b.aborted && errors.Is(err, context.Canceled) {
		b.undelivered += failed
	}
	b.events -= len(bt.recs)
	b.bytes -= bt.bytes
	b.lanes[bt.lane].inflight--
	b.inflight--
	b.completeLocked(bt.id)
	b.dispatchLocked()
	b.mu.Unlock()
}

func (b *Batcher) settlePartial(bt *batch, err error, perm, retry []int) {
	b.ctr.Fail(err, time.Now())
	failed := make([]bool, len(bt.recs))
	pick := func(idx []int) []*connected.Record {
		out := make([]*connected.Record, len(idx))
		for j, i := range idx {
			out[j] = bt.recs[i]
			failed[i] = true
		}
		return out
	}
	aborted := b.sendCtx.Err() != nil && errors.Is(err, context.Canceled)
	override, hasReason := reasonOf(err)
	if len(perm) > 0 {
		reason := ReasonRejected
		if aborted {
			reason = ReasonShutdown
		} else if hasReason {
			reason = override
		}
		b.ctr.Drop(reason, len(perm))
		b.disp.Failure(Failure{Records: pick(perm), Reason: reason, Err: err})
	}
	if len(retry) > 0 {
		reason := ReasonRetriesExhausted
		if aborted {
			reason = ReasonShutdown
		} else if hasReason {
			reason = override
		}
		b.ctr.Drop(reason, len(retry))
		b.disp.Failure(Failure{Records: pick(retry), Reason: reason, Err: err})
	}
	var ok []*connected.Record
	okBytes := 0
	for i, r := range bt.recs {
		if !failed[i] {
			okBytes += len(r.Payload)
			if b.disp.WantsSuccess() {
				ok = append(ok, r)
			}
		}
	}
	b.ctr.Delivered.Add(uint64(len(bt.recs) - len(perm) - len(retry)))
	b.ctr.Bytes.Add(uint64(okBytes))
	b.disp.Success(ok)
}

// Flush sends every record handled before the call and waits until each is
// delivered or has failed (and been reported), or until ctx is done. The
// Batcher stays usable. It returns ErrClosed after Shutdown, and
// ErrNilContext (doing nothing) for a nil ctx. A Flush that returns early
// (ctx done) leaves the batches it cut in flight: a later Flush or
// Shutdown waits for them again.
func (b *Batcher) Flush(ctx context.Context) error {
	if ctx == nil {
		return nilContext("Batcher.Flush")
	}
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return ErrClosed
	}
	b.cutAllLocked()
	target := b.nextID
	b.dispatchLocked()
	b.mu.Unlock()
	return b.waitFor(ctx, target)
}

// waitFor waits until every batch with an id up to target is finished.
func (b *Batcher) waitFor(ctx context.Context, target uint64) error {
	b.mu.Lock()
	for b.lowWater <= target {
		ch := b.waitChLocked()
		b.mu.Unlock()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ch:
		}
		b.mu.Lock()
	}
	b.mu.Unlock()
	return nil
}

// Shutdown stops accepting records (Handle then returns ErrClosed), sends
// everything queued and waits for it, until ctx is done. If ctx ends first,
// sends in flight are cancelled and every record not delivered is handed to
// the failure callback with ReasonShutdown; Shutdown then returns an
// *UndeliveredError (ErrUndelivered) saying how many. Then it shuts down the
// Sender (if it implements connected.Shutdowner) and waits for the callbacks
// queued so far to run. It is idempotent: later calls wait for the first to
// finish (or their own ctx) and return its result. A nil ctx returns
// ErrNilContext and starts nothing, so a later Shutdown with a context
// still drains everything.
func (b *Batcher) Shutdown(ctx context.Context) error {
	if ctx == nil {
		return nilContext("Batcher.Shutdown")
	}
	b.shutOnce.Do(func() {
		defer close(b.shutDone)
		b.shutErr = b.shutdown(ctx)
	})
	select {
	case <-b.shutDone:
		return b.shutErr
	default:
	}
	select {
	case <-b.shutDone:
		return b.shutErr
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (b *Batcher) shutdown(ctx context.Context) error {
	b.mu.Lock()
	b.closed = true
	b.cutAllLocked()
	target := b.nextID
	b.dispatchLocked()
	b.broadcastLocked() // blocked Handle calls return ErrClosed
	b.mu.Unlock()
	close(b.stop)
	<-b.loopDone

	werr := b.waitFor(ctx, target)
	if werr != nil {
		b.mu.Lock()
		b.aborted = true
		var left []*connected.Record
		for i := range b.lanes {
			l := &b.lanes[i]
			for _, bt := range l.ready {
				durableAbort(bt, werr)
				left = append(left, bt.recs...)
				b.events -= len(bt.recs)
				b.bytes -= bt.bytes
				b.completeLocked(bt.id)
			}
			l.ready = nil
		}
		b.undelivered += len(left)
		b.mu.Unlock()
		if len(left) > 0 {
			b.ctr.Drop(ReasonShutdown, len(left))
			b.disp.Failure(Failure{Records: left, Reason: ReasonShutdown, Err: werr})
		}
		b.cancelSends()
	}
	b.sends.Wait()
	b.cancelSends()
	var errs []error
	b.mu.Lock()
	if b.undelivered > 0 {
		errs = append(errs, &UndeliveredError{Count: b.undelivered, Err: werr})
	}
	b.mu.Unlock()
	if err := shutdown(ctx, b.sender); err != nil {
		errs = append(errs, err)
	}
	b.disp.Close()
	return errors.Join(errs...)
}

// PayloadOnly marks the Batcher as a connected.PayloadOnly sink: it reads
// only a record's encoded fields. A Client emitting straight into it (no
// middleware) therefore hands it records without an Event, and those are
// the records its callbacks see.
func (b *Batcher) PayloadOnly() {}

// Stats returns the Batcher's counters and queue depth.
func (b *Batcher) Stats() Stats {
	s := b.ctr.Snapshot()
	b.mu.Lock()
	s.QueueDepth, s.QueueBytes, s.InFlight = b.events, b.bytes, b.inflight
	b.mu.Unlock()
	return s
}
