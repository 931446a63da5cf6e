package transport_test

import (
	"context"
	"sync"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport"
)

// TestRefusalsCoalesced: records refused because the queue is full are all
// reported, in order, with ReasonQueueFull; refusals made while the
// callback goroutine is busy join one report, so a burst of them (a
// stalled collector) allocates nothing per record for its reports.
func TestRefusalsCoalesced(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	var calls int
	var got []string
	first := true
	cb := transport.Callbacks{OnFailure: func(f transport.Failure) {
		if f.Reason == transport.ReasonShutdown {
			return // the stuck send, cancelled by Shutdown
		}
		if f.Reason != transport.ReasonQueueFull || f.Err != nil {
			t.Errorf("failure %v (%v), want ReasonQueueFull without error", f.Reason, f.Err)
		}
		mu.Lock()
		calls++
		for _, r := range f.Records {
			got = append(got, r.ID)
		}
		mu.Unlock()
		if first {
			first = false
			<-release // the first report holds the callback goroutine
		}
	}}
	stuck := transport.SenderFunc(func(ctx context.Context, _ []*connected.Record) error { <-ctx.Done(); return ctx.Err() })
	b, err := transport.NewBatcher(stuck, transport.WithMaxBatchEvents(1), transport.WithQueueLimits(1, 1<<20), transport.WithOverflow(transport.OverflowDropNewest),
		transport.WithCallbacks(cb))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	const n = 1001
	for i := range n {
		if err := b.Handle(ctx, rec(i, "")); (i == 0) != (err == nil) {
			t.Fatalf("Handle %d: %v", i, err)
		}
	}
	close(release)
	sctx, cancel := context.WithTimeout(ctx, 0)
	defer cancel()
	_ = b.Shutdown(sctx) // the stuck send is cancelled: one more failure, ReasonShutdown
	mu.Lock()
	defer mu.Unlock()
	if len(got) != n-1 {
		t.Fatalf("%d refused records reported, want %d", len(got), n-1)
	}
	for i, id := range got {
		if want := rec(i+1, "").ID; id != want {
			t.Fatalf("report %d is %s, want %s (order)", i, id, want)
		}
	}
	// The callback goroutine may pick up the first refusal before the
	// rest arrive (two reports) or after all of them (one report); anything
	// more means refusals were reported one by one.
	if calls < 1 || calls > 2 {
		t.Errorf("%d failure callbacks for %d refusals made while the callback was busy, want 1 or 2 (coalesced)", calls, n-1)
	}
}

// TestRefusalAllocs: refusing a record (queue full, a failure callback
// set) costs no allocation per record in steady state.
func TestRefusalAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation budgets are checked without -race")
	}
	release := make(chan struct{})
	var once sync.Once
	cb := transport.Callbacks{OnFailure: func(transport.Failure) { once.Do(func() { <-release }) }}
	stuck := transport.SenderFunc(func(ctx context.Context, _ []*connected.Record) error { <-ctx.Done(); return ctx.Err() })
	b, err := transport.NewBatcher(stuck, transport.WithMaxBatchEvents(1), transport.WithQueueLimits(1, 1<<20), transport.WithOverflow(transport.OverflowDropNewest),
		transport.WithCallbacks(cb))
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		close(release)
		sctx, cancel := context.WithTimeout(context.Background(), 0)
		defer cancel()
		_ = b.Shutdown(sctx)
	}()
	ctx := context.Background()
	r := rec(1, "")
	_ = b.Handle(ctx, r)
	_ = b.Handle(ctx, r) // the first refusal: held by the callback
	if n := testing.AllocsPerRun(10000, func() { _ = b.Handle(ctx, r) }); n > 0.1 {
		t.Errorf("a refusal costs %.2f allocations, want at most 0.1 (amortised growth of the coalesced report)", n)
	}
}
