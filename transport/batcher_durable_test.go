package transport_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport"
)

// durableGate holds every Send until released, telling when one starts.
type durableGate struct {
	started chan int // the batch size, per Send
	release chan struct{}
	fail    error
	mu      sync.Mutex
	sizes   []int
}

func newDurableGate() *durableGate {
	return &durableGate{started: make(chan int, 100), release: make(chan struct{})}
}

func (g *durableGate) Send(ctx context.Context, batch []*connected.Record) error {
	g.mu.Lock()
	g.sizes = append(g.sizes, len(batch))
	g.mu.Unlock()
	g.started <- len(batch)
	select {
	case <-g.release:
	case <-ctx.Done():
		return ctx.Err()
	}
	return g.fail
}

// TestBatcherDurableHandleWaitsForSend: in durable mode Handle returns only
// after the Sender accepted the record's batch; by default it returns at
// once, before any Send.
func TestBatcherDurableHandleWaitsForSend(t *testing.T) {
	g := newDurableGate()
	b := newBatcher(t, g, transport.WithDurable(true), transport.WithConcurrency(1))
	done := make(chan error, 1)
	go func() { done <- b.Handle(context.Background(), rec(0, "")) }()
	if n := <-g.started; n != 1 {
		t.Fatalf("first batch holds %d records", n)
	}
	select {
	case err := <-done:
		t.Fatalf("Handle returned (%v) while its batch was still being sent", err)
	default:
	}
	close(g.release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	// The default returns before the Sender has seen the record.
	g2 := newDurableGate()
	b2 := newBatcher(t, g2, transport.WithFlushInterval(time.Hour))
	if err := b2.Handle(t.Context(), rec(1, "")); err != nil {
		t.Fatal(err)
	}
	select {
	case <-g2.started:
		t.Fatal("default mode sent before the flush interval")
	default:
	}
	close(g2.release)
}

// TestBatcherDurableGroupCommit: while one batch is being written, every
// Handle that arrives waits for the next one, which takes them all: 64
// concurrent records cost two Sends, not 64.
func TestBatcherDurableGroupCommit(t *testing.T) {
	g := newDurableGate()
	b := newBatcher(t, g, transport.WithDurable(true), transport.WithConcurrency(1))
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	wg.Go(func() { errs <- b.Handle(context.Background(), rec(0, "")) })
	<-g.started // the first record alone is being written
	for i := 1; i < 64; i++ {
		wg.Go(func() { errs <- b.Handle(context.Background(), rec(i, "")) })
	}
	deadline := time.Now().Add(10 * time.Second)
	for b.Stats().QueueDepth < 64 {
		if time.Now().After(deadline) {
			t.Fatalf("only %d records queued", b.Stats().QueueDepth)
		}
		time.Sleep(time.Millisecond)
	}
	close(g.release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.sizes) != 2 || g.sizes[0] != 1 || g.sizes[1] != 63 {
		t.Fatalf("batches %v, want [1 63]", g.sizes)
	}
}

// TestBatcherDurableFailure: a record the Sender fails makes Handle return
// a *DurableError with the reason; the failure callback and the counters
// see it too. A Handle whose context ends first says the record is still
// in flight.
func TestBatcherDurableFailure(t *testing.T) {
	g := newDurableGate()
	g.fail = &transport.HTTPError{StatusCode: 400}
	close(g.release)
	o := &outcomes{}
	b := newBatcher(t, g, transport.WithDurable(true), transport.WithCallbacks(o.callbacks()))
	err := b.Handle(t.Context(), rec(0, ""))
	var de *transport.DurableError
	if !errors.Is(err, transport.ErrNotDurable) || !errors.As(err, &de) || de.Reason != transport.ReasonRejected || de.InFlight {
		t.Fatalf("Handle = %v", err)
	}
	var he *transport.HTTPError
	if !errors.As(err, &he) || he.StatusCode != 400 || de.ID != rec(0, "").ID {
		t.Fatalf("cause not kept: %v", err)
	}
	if err := b.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	if st := b.Stats(); st.Dropped[transport.ReasonRejected] != 1 {
		t.Fatalf("stats %+v", st)
	}
	waitUntil(t, func() bool { return len(o.failed(transport.ReasonRejected)) == 1 })

	g2 := newDurableGate()
	b2 := newBatcher(t, g2, transport.WithDurable(true))
	ctx, cancel := context.WithCancel(t.Context())
	go func() { <-g2.started; cancel() }()
	err = b2.Handle(ctx, rec(1, ""))
	if !errors.As(err, &de) || !de.InFlight || !errors.Is(err, context.Canceled) {
		t.Fatalf("Handle with a cancelled ctx = %v", err)
	}
	close(g2.release)
}

// TestBatcherDurableShutdownFailsWaiters: records still queued when
// Shutdown's context ends fail their Handle with ReasonShutdown.
func TestBatcherDurableShutdownFailsWaiters(t *testing.T) {
	g := newDurableGate()
	b, err := transport.NewBatcher(g, transport.WithDurable(true), transport.WithConcurrency(1))
	if err != nil {
		t.Fatal(err)
	}
	first := make(chan error, 1)
	go func() { first <- b.Handle(context.Background(), rec(0, "")) }()
	<-g.started
	second := make(chan error, 1)
	go func() { second <- b.Handle(context.Background(), rec(1, "")) }()
	waitUntil(t, func() bool { return b.Stats().QueueDepth == 2 })
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	if err := b.Shutdown(ctx); !errors.Is(err, transport.ErrUndelivered) {
		t.Fatalf("Shutdown = %v", err)
	}
	for _, ch := range []chan error{first, second} {
		var de *transport.DurableError
		if err := <-ch; !errors.As(err, &de) || de.Reason != transport.ReasonShutdown {
			t.Fatalf("waiting Handle = %v", err)
		}
	}
}

func TestBatcherDurableRejectsDropOldest(t *testing.T) {
	if _, err := transport.NewBatcher(&recorder{}, transport.WithDurable(true), transport.WithOverflow(transport.OverflowDropOldest)); err == nil {
		t.Fatal("WithDurable with OverflowDropOldest accepted")
	}
}

func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(time.Millisecond)
	}
}
