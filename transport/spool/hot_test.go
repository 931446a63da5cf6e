package spool_test

import (
	"context"
	"sync"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport"
	"github.com/touchpoint-sdk/touchpoint/transport/spool"
)

// exactSender is a Borrower that compares every record it is given with
// rec(i), field by field, i counting from 0 in delivery order.
type exactSender struct {
	open chan struct{}
	mu   sync.Mutex
	n    int
	bad  []string
}

func (e *exactSender) Send(ctx context.Context, batch []*connected.Record) error {
	select {
	case <-e.open:
	case <-ctx.Done():
		return ctx.Err()
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, r := range batch {
		if want := rec(e.n); !equalRecords(r, want) && len(e.bad) < 5 {
			e.bad = append(e.bad, r.ID+" is not "+want.ID+" as sent")
		}
		e.n++
	}
	return nil
}

func (*exactSender) BorrowsRecords() bool { return true }

func (e *exactSender) count() (int, []string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.n, e.bad
}

// TestBorrowerDrainsCachedFrames: for a transport.Borrower, batches the
// drain reaches while they are still in the hot cache are decoded from
// the frames in memory: nothing is read back from disk, and every record
// arrives whole and in order.
func TestBorrowerDrainsCachedFrames(t *testing.T) {
	c := &countFS{memFS: newMemFS()}
	e := &exactSender{open: make(chan struct{})}
	sp := open(t, "", e, spool.WithFS(c), spool.WithDrainBatch(100, 1<<20))
	const n = 5000
	for i := 0; i < n; i += 100 { // batches the cache admits: up to the drain's batch
		if err := sp.Send(context.Background(), recs(i, 100)); err != nil {
			t.Fatal(err)
		}
	}
	close(e.open)
	waitFor(t, "the drain", func() bool { return sp.Pending() == 0 })
	got, bad := e.count()
	if got != n || len(bad) > 0 {
		t.Fatalf("delivered %d of %d; wrong: %v", got, n, bad)
	}
	if read := c.segRead.Load(); read != 0 {
		t.Errorf("the drain read %d bytes back from disk, want 0: every batch was cached", read)
	}
}

// TestCachedFramesKeptByCallback: records decoded from cached frames that
// a callback keeps (OnSuccess) stay intact while later batches reuse the
// spool's buffers; records nobody keeps let their buffers be reused.
func TestCachedFramesKeptByCallback(t *testing.T) {
	const n = 20000
	var mu sync.Mutex
	var kept []*connected.Record
	cb := transport.Callbacks{OnSuccess: func(recs []*connected.Record) {
		mu.Lock()
		defer mu.Unlock()
		kept = append(kept, recs...)
	}}
	c := &countFS{memFS: newMemFS()}
	e := &exactSender{open: make(chan struct{})}
	close(e.open) // batches come from the cache (checked below)
	sp := open(t, "", e, spool.WithFS(c), spool.WithDrainBatch(100, 1<<20), spool.WithCallbacks(cb))
	for i := 0; i < n; i += 100 {
		if err := sp.Send(context.Background(), recs(i, 100)); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "the drain and the callbacks", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return sp.Pending() == 0 && len(kept) == n
	})
	if got, bad := e.count(); got != n || len(bad) > 0 {
		t.Fatalf("delivered %d of %d; wrong: %v", got, n, bad)
	}
	if read := c.segRead.Load(); read != 0 {
		t.Fatalf("the drain read %d bytes back from disk: the records did not all come from cached frames", read)
	}
	mu.Lock()
	defer mu.Unlock()
	for i, r := range kept {
		if want := rec(i); !equalRecords(r, want) {
			t.Fatalf("kept record %d changed after its batch: %q %s, want %q %s", i, r.ID, r.Payload, want.ID, want.Payload)
		}
	}
}
