package spool_test

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport"
	"github.com/touchpoint-sdk/touchpoint/transport/spool"
)

// countFS is a memFS that counts the bytes read from segment files.
type countFS struct {
	*memFS
	segRead atomic.Int64
}

func (c *countFS) OpenFile(name string, flag int) (spool.File, error) {
	f, err := c.memFS.OpenFile(name, flag)
	if err != nil || !strings.HasSuffix(name, ".seg") {
		return f, err
	}
	return &countFile{File: f, n: &c.segRead}, nil
}

type countFile struct {
	spool.File
	n *atomic.Int64
}

func (f *countFile) ReadAt(b []byte, off int64) (int, error) {
	k, err := f.File.ReadAt(b, off)
	f.n.Add(int64(k))
	return k, err
}

// segBytes sums the sizes of the segment files.
func (m *memFS) segBytes() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	var n int64
	for name, d := range m.files {
		if strings.HasSuffix(name, ".seg") {
			n += int64(len(d.b))
		}
	}
	return n
}

// bigRec is record i with a payload of about n bytes.
func bigRec(i, n int) *connected.Record {
	r := rec(i)
	r.Payload = fmt.Appendf(nil, `{"messageId":%q,"pad":%q}`, r.ID, strings.Repeat("x", n))
	return r
}

// gateSender blocks every Send until open is closed, then records the ids
// (copies) and checks each payload names its record; it borrows when borrow
// is set (a transport.Borrower).
type gateSender struct {
	open   chan struct{}
	borrow bool
	mu     sync.Mutex
	ids    []string
	bad    int
}

func (g *gateSender) Send(ctx context.Context, batch []*connected.Record) error {
	select {
	case <-g.open:
	case <-ctx.Done():
		return ctx.Err()
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, r := range batch {
		if !bytes.Contains(r.Payload, []byte(r.ID)) {
			g.bad++
		}
		g.ids = append(g.ids, strings.Clone(r.ID))
	}
	return nil
}

func (g *gateSender) BorrowsRecords() bool { return g.borrow }

// keepingSender is a gateSender that keeps the records themselves, as the
// Sender contract allows; it is not a Borrower.
type keepingSender struct {
	gateSender
	kept []*connected.Record
}

func (k *keepingSender) Send(ctx context.Context, batch []*connected.Record) error {
	if err := k.gateSender.Send(ctx, batch); err != nil {
		return err
	}
	k.mu.Lock()
	k.kept = append(k.kept, batch...)
	k.mu.Unlock()
	return nil
}

func (g *gateSender) got() ([]string, int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.ids...), g.bad
}

// TestRecoveryReadsSegmentsOnce: Open scans a segment of many small frames
// reading each byte about once (it re-read a 1 MiB chunk per frame).
func TestRecoveryReadsSegmentsOnce(t *testing.T) {
	mem := newMemFS()
	s := &sink{}
	s.setFail(down)
	sp, err := spool.Open("", s, spool.WithFS(mem), spool.WithDrainOnShutdown(false), spool.WithDrainBackoff(time.Hour, time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3000; i += 500 { // 3.3 MB: past the scan's 1 MiB chunk
		batch := make([]*connected.Record, 500)
		for j := range batch {
			batch[j] = bigRec(i+j, 1000)
		}
		if err := sp.Send(context.Background(), batch); err != nil {
			t.Fatal(err)
		}
	}
	if err := sp.Shutdown(ctxTimeout(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	size := mem.segBytes()
	c := &countFS{memFS: mem}
	s2 := &sink{}
	sp2, err := spool.Open("", s2, spool.WithFS(c), spool.WithDrainBackoff(time.Millisecond, time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	atOpen := c.segRead.Load()
	waitFor(t, "the drain", func() bool { return sp2.Pending() == 0 })
	if err := sp2.Shutdown(ctxTimeout(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	if got := len(s2.ids()); got != 3000 {
		t.Fatalf("delivered %d of 3000 after reopening", got)
	}
	if atOpen > 2*size {
		t.Errorf("Open read %d bytes of segments holding %d (%.1fx): want at most 2x", atOpen, size, float64(atOpen)/float64(size))
	}
}

// TestHotCacheKeepsWhatTheDrainReachesNext: while the drain is stuck on its
// first batch, more than the hot cache's budget is appended; afterwards the
// drain reads from disk only what did not fit (it read nearly everything:
// the cache kept the newest batches and the drain's reads, cut at other
// boundaries, ran over them).
func TestHotCacheKeepsWhatTheDrainReachesNext(t *testing.T) {
	c := &countFS{memFS: newMemFS()}
	g := &gateSender{open: make(chan struct{})} // not a Borrower: the cache is on
	sp := open(t, "", g, spool.WithFS(c), spool.WithDrainBatch(173, 1<<20), spool.WithSegmentBytes(64<<20))
	const batches, per, size = 100, 100, 1000 // 10 MB of payload, past the 8 MiB budget
	for b := range batches {
		batch := make([]*connected.Record, per)
		for i := range batch {
			batch[i] = bigRec(b*per+i, size)
		}
		if err := sp.Send(context.Background(), batch); err != nil {
			t.Fatal(err)
		}
	}
	close(g.open)
	waitFor(t, "the drain", func() bool { return sp.Pending() == 0 })
	ids, bad := g.got()
	if len(ids) != batches*per || bad != 0 {
		t.Fatalf("delivered %d of %d, %d with a payload not their own", len(ids), batches*per, bad)
	}
	for i, id := range ids {
		if want := fmt.Sprintf("id-%06d", i); id != want {
			t.Fatalf("delivery %d is %s, want %s", i, id, want)
		}
	}
	total := c.segBytes()
	if read := c.segRead.Load(); read > total/3 {
		t.Errorf("the drain read %d of %d bytes back from disk: want at most a third (what did not fit in the cache)", read, total)
	}
}

// drainFromDisk appends n records in batches too large for the hot cache
// (so the drain reads every one back from disk) while next is stuck, then
// lets it go and returns the bytes allocated while the spool drained.
func drainFromDisk(t *testing.T, g *gateSender, cb transport.Callbacks, n int) uint64 {
	t.Helper()
	sp := open(t, t.TempDir(), g, spool.WithDrainBatch(100, 1<<20), spool.WithCallbacks(cb))
	for i := 0; i < n; i += 500 {
		if err := sp.Send(context.Background(), recs(i, 500)); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(20 * time.Millisecond) // the drain has read its first batch and waits
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	close(g.open)
	waitFor(t, "the drain", func() bool { return sp.Pending() == 0 })
	runtime.ReadMemStats(&after)
	ids, bad := g.got()
	if len(ids) != n || bad != 0 {
		t.Fatalf("delivered %d of %d, %d with a payload not their own", len(ids), n, bad)
	}
	for i, id := range ids {
		if want := fmt.Sprintf("id-%06d", i); id != want {
			t.Fatalf("delivery %d is %s, want %s", i, id, want)
		}
	}
	return after.TotalAlloc - before.TotalAlloc
}

// TestDrainReusesReadBuffers: reading batches back from disk for a
// transport.Borrower allocates little per record (every read allocated a
// buffer of about a megabyte and a slab of records); for a Sender that may
// keep records, or when a callback receives them, the memory is never
// reused: what was kept stays intact.
func TestDrainReusesReadBuffers(t *testing.T) {
	const n = 20000
	t.Run("borrower", func(t *testing.T) {
		if raceEnabled {
			t.Skip("allocation figures are not meaningful under -race")
		}
		alloc := drainFromDisk(t, &gateSender{open: make(chan struct{}), borrow: true}, transport.Callbacks{}, n)
		if per := float64(alloc) / n; per > 400 {
			t.Errorf("draining from disk allocated %.0f bytes per record, want at most 400", per)
		}
	})
	check := func(t *testing.T, kept []*connected.Record) {
		t.Helper()
		if len(kept) != n {
			t.Fatalf("kept %d records, want %d", len(kept), n)
		}
		for i, r := range kept {
			want := rec(i)
			if r.ID != want.ID || !bytes.Equal(r.Payload, want.Payload) || r.PartitionKey != want.PartitionKey {
				t.Fatalf("kept record %d changed after its batch: %q %s, want %q %s", i, r.ID, r.Payload, want.ID, want.Payload)
			}
		}
	}
	t.Run("keeping sender", func(t *testing.T) {
		ks := &keepingSender{gateSender: gateSender{open: make(chan struct{})}}
		sp := open(t, t.TempDir(), ks, spool.WithDrainBatch(100, 1<<20))
		for i := 0; i < n; i += 500 {
			if err := sp.Send(context.Background(), recs(i, 500)); err != nil {
				t.Fatal(err)
			}
		}
		close(ks.open)
		waitFor(t, "the drain", func() bool { return sp.Pending() == 0 })
		ks.mu.Lock()
		defer ks.mu.Unlock()
		check(t, ks.kept)
	})
	t.Run("success callback", func(t *testing.T) {
		var mu sync.Mutex
		var kept []*connected.Record
		done := make(chan struct{})
		cb := transport.Callbacks{OnSuccess: func(recs []*connected.Record) {
			mu.Lock()
			defer mu.Unlock()
			kept = append(kept, recs...)
			if len(kept) == n {
				close(done)
			}
		}}
		drainFromDisk(t, &gateSender{open: make(chan struct{}), borrow: true}, cb, n)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("OnSuccess did not receive every record")
		}
		mu.Lock()
		defer mu.Unlock()
		check(t, kept)
	})
}
