package transport

import (
	"context"
	"runtime"
	"sync"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// Failure reports records that will not be delivered, and why.
type Failure struct {
	Records []*connected.Record
	Reason  Reason
	Err     error // the last error seen, nil for queue drops
	// Unreadable counts records lost whose contents could not be read, so
	// they are not in Records: a spool's damaged frames or deleted segment
	// files (ReasonCorrupt; Err is a *spool.LossError saying where).
	Unreadable int
}

// Callbacks are delivery outcome hooks. Either may be nil. They are called on
// the Dispatcher's own goroutine, one at a time, in the order the outcomes
// were reported, never on the goroutine that does I/O: a slow callback delays
// later callbacks, not delivery. The slices passed belong to the callback,
// which may keep them; the records are immutable.
type Callbacks struct {
	// OnSuccess receives records the destination acknowledged.
	OnSuccess func(recs []*connected.Record)
	// OnFailure receives records given up on, with the reason.
	OnFailure func(f Failure)
}

// Dispatcher runs Callbacks on one goroutine of its own, in order. It is
// exported so that Senders outside this package can report outcomes the
// same way. Its queue is unbounded in batches but holds only references to
// records already in memory. Shutdown waits for it to drain.
type Dispatcher struct {
	cb      Callbacks
	mu      sync.Mutex
	queue   []dispatchItem
	wake    chan struct{} // capacity 1: a pending wake-up
	stop    chan struct{}
	done    chan struct{}
	closing sync.Once
}

type dispatchItem struct {
	success []*connected.Record
	failure Failure
	isFail  bool
	// refused: failure holds refusals (Err nil) whose Records slice the
	// Dispatcher made, so later refusals of the same reason queued right
	// behind it join it instead of costing a report each.
	refused bool
}

// NewDispatcher starts a Dispatcher for cb. When both callbacks are nil it
// starts no goroutine and every report is discarded. Call Close when done.
func NewDispatcher(cb Callbacks) *Dispatcher {
	d := &Dispatcher{cb: cb, wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	if cb.OnSuccess == nil && cb.OnFailure == nil {
		close(d.done)
		return d
	}
	go d.run()
	return d
}

// WantsSuccess reports whether an OnSuccess callback is set, so that callers
// can skip building success reports.
func (d *Dispatcher) WantsSuccess() bool { return d.cb.OnSuccess != nil }

// Success queues recs for OnSuccess. It never blocks on the callback.
func (d *Dispatcher) Success(recs []*connected.Record) {
	if d.cb.OnSuccess == nil || len(recs) == 0 {
		return
	}
	d.push(dispatchItem{success: recs})
}

// Failure queues f for OnFailure. It never blocks on the callback.
func (d *Dispatcher) Failure(f Failure) {
	if d.cb.OnFailure == nil || (len(f.Records) == 0 && f.Unreadable == 0) {
		return
	}
	d.push(dispatchItem{failure: f, isFail: true})
}

// Refused queues r for OnFailure with reason and no error: a record the
// caller's queue turned away. Refusals that follow one another with the
// same reason, while the callback goroutine has not yet taken them, are
// reported together in one Failure, in order, so a burst of refusals costs
// no allocation per record. It never blocks on the callback; each time
// 1,024 refusals wait in one report it yields the processor
// (runtime.Gosched), so that on one core a producer that is refused
// without pause lets the callback run and the refused records it reports
// do not pile up in memory.
func (d *Dispatcher) Refused(r *connected.Record, reason Reason) {
	if d.cb.OnFailure == nil || r == nil {
		return
	}
	d.mu.Lock()
	if n := len(d.queue); n > 0 {
		if last := &d.queue[n-1]; last.refused && last.failure.Reason == reason {
			last.failure.Records = append(last.failure.Records, r)
			k := len(last.failure.Records)
			d.mu.Unlock()
			if k%refusedYield == 0 {
				// The callback goroutine has not run for a while (one
				// core, a producer that never blocks): let it, so that
				// the refused records it holds do not pile up in memory.
				runtime.Gosched()
			}
			return // the wake-up for last is pending or being served
		}
	}
	recs := make([]*connected.Record, 1, 16)
	recs[0] = r
	d.queue = append(d.queue, dispatchItem{failure: Failure{Records: recs, Reason: reason}, isFail: true, refused: true})
	d.mu.Unlock()
	d.wakeUp()
}

// refusedYield: Refused yields the processor each time this many refusals
// wait in one report.
const refusedYield = 1024

func (d *Dispatcher) push(it dispatchItem) {
	d.mu.Lock()
	d.queue = append(d.queue, it)
	d.mu.Unlock()
	d.wakeUp()
}

func (d *Dispatcher) wakeUp() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

func (d *Dispatcher) run() {
	defer close(d.done)
	var batch []dispatchItem
	for {
		d.mu.Lock()
		batch, d.queue = d.queue, batch[:0]
		d.mu.Unlock()
		for i := range batch {
			it := &batch[i]
			if it.isFail {
				d.cb.OnFailure(it.failure)
			} else {
				d.cb.OnSuccess(it.success)
			}
			*it = dispatchItem{}
		}
		if len(batch) > 0 {
			continue
		}
		select {
		case <-d.wake:
		case <-d.stop:
			d.mu.Lock()
			n := len(d.queue)
			d.mu.Unlock()
			if n == 0 {
				return
			}
		}
	}
}

// Close is Shutdown without a bound: it waits for every queued report.
//
// Deprecated: use Shutdown, the lifecycle verb of every Touchpoint
// component. Close will be removed in the next release.
func (d *Dispatcher) Close() { _ = d.Shutdown(context.Background()) }

// Shutdown delivers everything queued, then stops the goroutine. It waits
// for the callbacks to return, so callbacks must not block indefinitely,
// until ctx is done: it then returns ctx's error, and the goroutine still
// delivers what is queued and stops on its own. Reports made after
// Shutdown began are discarded. Shutdown is idempotent; a nil ctx returns
// ErrNilContext and stops nothing.
func (d *Dispatcher) Shutdown(ctx context.Context) error {
	if ctx == nil {
		return nilContext("Dispatcher.Shutdown")
	}
	d.closing.Do(func() { close(d.stop) })
	select {
	case <-d.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
