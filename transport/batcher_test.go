package transport_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport"
)

func newBatcher(t *testing.T, s transport.Sender, opts ...transport.BatcherOption) *transport.Batcher {
	t.Helper()
	b, err := transport.NewBatcher(s, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Shutdown(shutdownCtx(t)) })
	return b
}

func TestBatcherFlushesOnCountInOrder(t *testing.T) {
	s := &recorder{}
	b := newBatcher(t, s, transport.WithMaxBatchEvents(10), transport.WithConcurrency(1), transport.WithQueueLimits(100, 1<<20))
	for _, r := range recs(25) {
		if err := b.Handle(t.Context(), r); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	sizes := []int{}
	for _, bt := range s.batches {
		sizes = append(sizes, len(bt))
	}
	s.mu.Unlock()
	if !slices.Equal(sizes, []int{10, 10, 5}) {
		t.Fatalf("batch sizes %v, want [10 10 5]", sizes)
	}
	if got := s.all(); !slices.Equal(got, sortedIDs(25)) {
		t.Fatalf("order %v", got)
	}
	st := b.Stats()
	if st.Enqueued != 25 || st.Delivered != 25 || st.QueueDepth != 0 || st.DroppedTotal() != 0 {
		t.Fatalf("stats %+v", st)
	}
}

func TestBatcherFlushesOnBytes(t *testing.T) {
	s := &recorder{}
	one := len(rec(0, "").Payload) + 1
	limit := 64 + 3*one + 2 // room for three records, not four
	b := newBatcher(t, s, transport.WithMaxBatchBytes(limit), transport.WithConcurrency(1))
	for _, r := range recs(10) {
		if err := b.Handle(t.Context(), r); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.batches) != 4 {
		t.Fatalf("%d batches, want 4", len(s.batches))
	}
	for _, bt := range s.batches {
		if len(bt) > 3 {
			t.Fatalf("batch of %d exceeds the byte limit", len(bt))
		}
	}
}

func TestBatcherFlushesOnInterval(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := &recorder{}
		b, err := transport.NewBatcher(s, transport.WithFlushInterval(time.Second))
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs(3) {
			if err := b.Handle(t.Context(), r); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(999 * time.Millisecond)
		synctest.Wait()
		if n := s.nBatches(); n != 0 {
			t.Fatalf("%d batches before the interval", n)
		}
		time.Sleep(2 * time.Millisecond)
		synctest.Wait()
		if got := s.all(); len(got) != 3 {
			t.Fatalf("after the interval got %v", got)
		}
		if err := b.Shutdown(t.Context()); err != nil {
			t.Fatal(err)
		}
	})
}

// gate is a Sender that blocks every Send until released.
type gate struct {
	recorder
	open chan struct{}
}

func newGate() *gate { return &gate{open: make(chan struct{})} }

func (g *gate) Send(ctx context.Context, batch []*connected.Record) error {
	select {
	case <-g.open:
	case <-ctx.Done():
		return ctx.Err()
	}
	return g.recorder.Send(ctx, batch)
}

func TestBatcherOverflowDropNewest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newGate()
		var o outcomes
		b, _ := transport.NewBatcher(g, transport.WithMaxBatchEvents(5), transport.WithQueueLimits(10, 1<<20),
			transport.WithCallbacks(o.callbacks()))
		var full int
		for _, r := range recs(15) {
			if err := b.Handle(t.Context(), r); errors.Is(err, transport.ErrQueueFull) {
				full++
			} else if err != nil {
				t.Fatal(err)
			}
		}
		if full != 5 {
			t.Fatalf("%d ErrQueueFull, want 5", full)
		}
		if st := b.Stats(); st.QueueDepth != 10 || st.Dropped[transport.ReasonQueueFull] != 5 {
			t.Fatalf("stats %+v", st)
		}
		close(g.open)
		if err := b.Shutdown(t.Context()); err != nil {
			t.Fatal(err)
		}
		if got := o.failed(transport.ReasonQueueFull); joinIDs(got) != joinIDs(sortedIDs(15)[10:]) {
			t.Fatalf("dropped %v", got)
		}
		if got := o.delivered(); len(got) != 10 {
			t.Fatalf("delivered %v", got)
		}
	})
}

func TestBatcherOverflowDropOldest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newGate()
		var o outcomes
		b, _ := transport.NewBatcher(g, transport.WithMaxBatchEvents(5), transport.WithQueueLimits(10, 1<<20),
			transport.WithConcurrency(1), transport.WithOverflow(transport.OverflowDropOldest), transport.WithCallbacks(o.callbacks()))
		for _, r := range recs(20) {
			if err := b.Handle(t.Context(), r); err != nil {
				t.Fatal(err)
			}
		}
		synctest.Wait()
		// Batch 0-4 is in flight and cannot be evicted; of the rest only the
		// newest five fit.
		close(g.open)
		if err := b.Shutdown(t.Context()); err != nil {
			t.Fatal(err)
		}
		want := append(sortedIDs(5), sortedIDs(20)[15:]...)
		if got := g.all(); joinIDs(got) != joinIDs(want) {
			t.Fatalf("delivered %v, want %v", got, want)
		}
		if got := o.failed(transport.ReasonEvicted); joinIDs(got) != joinIDs(sortedIDs(15)[5:]) {
			t.Fatalf("evicted %v", got)
		}
		if st := b.Stats(); st.Dropped[transport.ReasonEvicted] != 10 || st.Delivered != 10 {
			t.Fatalf("stats %+v", st)
		}
	})
}

func TestBatcherOverflowBlock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newGate()
		b, _ := transport.NewBatcher(g, transport.WithMaxBatchEvents(5), transport.WithQueueLimits(10, 1<<20),
			transport.WithOverflow(transport.OverflowBlock), transport.WithConcurrency(1))
		all := recs(12)
		for _, r := range all[:10] {
			if err := b.Handle(t.Context(), r); err != nil {
				t.Fatal(err)
			}
		}
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		if err := b.Handle(ctx, all[10]); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("blocked Handle returned %v", err)
		}
		cancel()
		done := make(chan error)
		go func() { done <- b.Handle(t.Context(), all[11]) }()
		synctest.Wait()
		select {
		case err := <-done:
			t.Fatalf("Handle returned %v while the queue is full", err)
		default:
		}
		close(g.open)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if err := b.Shutdown(t.Context()); err != nil {
			t.Fatal(err)
		}
		if got := g.all(); len(got) != 11 || got[10] != all[11].ID {
			t.Fatalf("delivered %v", got)
		}
		if st := b.Stats(); st.DroppedTotal() != 0 {
			t.Fatalf("blocking dropped: %+v", st)
		}
	})
}

func TestBatcherOrderedPartitions(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// A sender that is slow for some keys: without per-key order, later
		// batches of a key would overtake earlier ones.
		var mu sync.Mutex
		seen := map[string][]string{}
		s := transport.SenderFunc(func(ctx context.Context, batch []*connected.Record) error {
			time.Sleep(time.Duration(len(batch[0].PartitionKey)%3) * time.Millisecond * time.Duration(1+len(batch)%2))
			mu.Lock()
			for _, r := range batch {
				seen[r.PartitionKey] = append(seen[r.PartitionKey], r.ID)
			}
			mu.Unlock()
			return nil
		})
		b, _ := transport.NewBatcher(s, transport.WithMaxBatchEvents(3), transport.WithConcurrency(4), transport.WithOrderedPartitions(true))
		want := map[string][]string{}
		for i := range 300 {
			pk := fmt.Sprintf("key-%d", i%11)
			r := rec(i, pk)
			want[pk] = append(want[pk], r.ID)
			if err := b.Handle(t.Context(), r); err != nil {
				t.Fatal(err)
			}
		}
		if err := b.Shutdown(t.Context()); err != nil {
			t.Fatal(err)
		}
		for pk, w := range want {
			if !slices.Equal(seen[pk], w) {
				t.Fatalf("key %s: order %v, want %v", pk, seen[pk], w)
			}
		}
	})
}

func TestBatcherReportsPermanentAndRetryableFailures(t *testing.T) {
	s := &recorder{fail: func(batch []*connected.Record) error {
		return errors.Join(
			&transport.BatchError{Failed: []int{1, 3}, Err: errors.New("bad record")},
			&transport.BatchError{Failed: []int{4}, Retryable: true, Err: errors.New("throttled")})
	}}
	var o outcomes
	b := newBatcher(t, s, transport.WithMaxBatchEvents(5), transport.WithCallbacks(o.callbacks()))
	for _, r := range recs(5) {
		if err := b.Handle(t.Context(), r); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Shutdown(shutdownCtx(t)); err != nil {
		t.Fatal(err)
	}
	if got := o.failed(transport.ReasonRejected); joinIDs(got) != "id-000001,id-000003" {
		t.Fatalf("rejected %v", got)
	}
	if got := o.failed(transport.ReasonRetriesExhausted); joinIDs(got) != "id-000004" {
		t.Fatalf("exhausted %v", got)
	}
	if got := o.delivered(); joinIDs(got) != "id-000000,id-000002" {
		t.Fatalf("delivered %v", got)
	}
	st := b.Stats()
	if st.Delivered != 2 || st.Dropped[transport.ReasonRejected] != 2 || st.LastError == "" {
		t.Fatalf("stats %+v", st)
	}
}

func TestBatcherShutdownAccountsForUndelivered(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newGate() // never opens: a hanging collector
		var o outcomes
		b, _ := transport.NewBatcher(g, transport.WithMaxBatchEvents(10), transport.WithConcurrency(2), transport.WithCallbacks(o.callbacks()))
		for _, r := range recs(45) {
			if err := b.Handle(t.Context(), r); err != nil {
				t.Fatal(err)
			}
		}
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()
		err := b.Shutdown(ctx)
		var ue *transport.UndeliveredError
		if !errors.As(err, &ue) || ue.Count != 45 || !errors.Is(err, transport.ErrUndelivered) {
			t.Fatalf("Shutdown = %v, want 45 undelivered", err)
		}
		if got := o.failed(transport.ReasonShutdown); joinIDs(got) != joinIDs(sortedIDs(45)) {
			t.Fatalf("failure callback got %d records", len(got))
		}
		if st := b.Stats(); st.Dropped[transport.ReasonShutdown] != 45 || st.QueueDepth != 0 {
			t.Fatalf("stats %+v", st)
		}
		// Idempotent: the same result, and the Batcher stays closed.
		if err2 := b.Shutdown(t.Context()); err2 != err {
			t.Fatalf("second Shutdown = %v", err2)
		}
		if err := b.Handle(t.Context(), rec(99, "")); !errors.Is(err, transport.ErrClosed) {
			t.Fatalf("Handle after Shutdown = %v", err)
		}
		if err := b.Flush(t.Context()); !errors.Is(err, transport.ErrClosed) {
			t.Fatalf("Flush after Shutdown = %v", err)
		}
	})
}

type shutdownRecorder struct {
	recorder
	calls int
}

func (s *shutdownRecorder) Shutdown(context.Context) error { s.calls++; return nil }

func TestBatcherShutdownCascadesAndRefusesTooLarge(t *testing.T) {
	s := &shutdownRecorder{}
	var o outcomes
	b, err := transport.NewBatcher(s, transport.WithMaxEventBytes(100), transport.WithCallbacks(o.callbacks()))
	if err != nil {
		t.Fatal(err)
	}
	big := rec(1, "")
	big.Payload = make([]byte, 101)
	if err := b.Handle(t.Context(), big); !errors.Is(err, transport.ErrTooLarge) {
		t.Fatalf("Handle(big) = %v", err)
	}
	if err := b.Shutdown(shutdownCtx(t)); err != nil {
		t.Fatal(err)
	}
	if err := b.Shutdown(shutdownCtx(t)); err != nil {
		t.Fatal(err)
	}
	if s.calls != 1 {
		t.Fatalf("sender shut down %d times", s.calls)
	}
	if got := o.failed(transport.ReasonTooLarge); len(got) != 1 {
		t.Fatalf("too large reported %v", got)
	}
}

func TestNewBatcherValidates(t *testing.T) {
	s := &recorder{}
	bad := [][]transport.BatcherOption{
		{nil},
		{transport.WithMaxBatchEvents(0)},
		{transport.WithMaxBatchBytes(10)},
		{transport.WithFlushInterval(0)},
		{transport.WithQueueLimits(10, 1<<30)},
		{transport.WithOverflow(transport.Overflow(9))},
		{transport.WithConcurrency(0)},
		{transport.WithMaxEventBytes(0)},
	}
	for i, opts := range bad {
		if _, err := transport.NewBatcher(s, opts...); err == nil {
			t.Errorf("options %d accepted", i)
		}
	}
	if _, err := transport.NewBatcher(nil); err == nil {
		t.Error("nil sender accepted")
	}
}
