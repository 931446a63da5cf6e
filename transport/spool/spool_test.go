package spool_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport"
	"github.com/touchpoint-sdk/touchpoint/transport/spool"
)

func TestSpoolDeliversInOrderAndDeletesSegments(t *testing.T) {
	dir := t.TempDir()
	s := &sink{}
	var delivered []string
	sp := open(t, dir, s, spool.WithSegmentBytes(4096), spool.WithDrainBatch(7, 1<<20),
		spool.WithCallbacks(transport.Callbacks{OnSuccess: func(rs []*connected.Record) {
			for _, r := range rs {
				delivered = append(delivered, r.ID)
			}
		}}))
	for i := 0; i < 200; i += 20 {
		if err := sp.Send(t.Context(), recs(i, 20)); err != nil {
			t.Fatal(err)
		}
	}
	if err := sp.Shutdown(ctxTimeout(t, 10*time.Second)); err != nil {
		t.Fatal(err)
	}
	if got := s.ids(); !slices.Equal(got, wantIDs(0, 200)) {
		t.Fatalf("delivered %d records, out of order or missing: %v", len(got), got[:min(len(got), 10)])
	}
	if !slices.Equal(delivered, wantIDs(0, 200)) {
		t.Fatalf("success callback saw %d", len(delivered))
	}
	// Replayed records carry every stored field.
	r := s.recs[5]
	w := rec(5)
	if r.ID != w.ID || r.Type != w.Type || !r.Time.Equal(w.Time) || r.Category != w.Category ||
		r.PartitionKey != w.PartitionKey || r.ProfileID != w.ProfileID || string(r.Payload) != string(w.Payload) {
		t.Fatalf("record changed on the way through: %+v", r)
	}
	st := sp.Stats()
	if st.Enqueued != 200 || st.Delivered != 200 || st.SpoolDepth != 0 {
		t.Fatalf("stats %+v", st)
	}
	segs, _ := filepath.Glob(filepath.Join(dir, "*.seg"))
	if len(segs) != 1 {
		t.Fatalf("acknowledged segments not deleted: %v", segs)
	}
	if err := sp.Send(t.Context(), recs(0, 1)); !errors.Is(err, transport.ErrClosed) {
		t.Fatalf("Send after Shutdown = %v", err)
	}
}

func TestSpoolKeepsRecordsAcrossRestart(t *testing.T) {
	dir := t.TempDir()
	s := &sink{}
	s.setFail(down) // the collector is down
	sp, err := spool.Open(dir, s, spool.WithSegmentBytes(4096), spool.WithDrainBackoff(time.Millisecond, 2*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 100; i += 10 {
		if err := sp.Send(t.Context(), recs(i, 10)); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := sp.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if sp.Pending() != 100 || len(s.ids()) != 0 {
		t.Fatalf("pending %d delivered %d", sp.Pending(), len(s.ids()))
	}
	if st := sp.Stats(); st.Retried == 0 || st.DroppedTotal() != 0 {
		t.Fatalf("stats %+v", st)
	}

	s2 := &sink{}
	s2.setFail(down)
	sp2 := open(t, dir, s2)
	if sp2.Pending() != 100 {
		t.Fatalf("reopened spool has %d pending; first %+v second %+v", sp2.Pending(), sp.Stats(), sp2.Stats())
	}
	s2.setFail(nil)
	waitFor(t, "replay", func() bool { return sp2.Pending() == 0 })
	if got := s2.ids(); !slices.Equal(got, wantIDs(0, 100)) {
		t.Fatalf("replayed %v", got)
	}
}

func TestSpoolAckSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	s := &sink{}
	sp, err := spool.Open(dir, s, spool.WithDrainBatch(10, 1<<20), spool.WithDrainOnShutdown(false))
	if err != nil {
		t.Fatal(err)
	}
	if err := sp.Send(t.Context(), recs(0, 30)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "drain", func() bool { return sp.Pending() == 0 })
	s.setFail(down)
	if err := sp.Send(t.Context(), recs(30, 30)); err != nil {
		t.Fatal(err)
	}
	if err := sp.Shutdown(ctxTimeout(t, time.Second)); err != nil {
		t.Fatal(err)
	}
	s2 := &sink{}
	sp2 := open(t, dir, s2)
	waitFor(t, "replay", func() bool { return sp2.Pending() == 0 })
	if got := s2.ids(); !slices.Equal(got, wantIDs(30, 30)) {
		t.Fatalf("after restart got %v, want only the unacknowledged 30", got)
	}
}

func TestSpoolRecoversTornTail(t *testing.T) {
	dir := t.TempDir()
	s := &sink{}
	s.setFail(down)
	sp, _ := spool.Open(dir, s, spool.WithDrainOnShutdown(false))
	for i := 0; i < 50; i += 10 {
		if err := sp.Send(t.Context(), recs(i, 10)); err != nil {
			t.Fatal(err)
		}
	}
	_ = sp.Shutdown(ctxTimeout(t, time.Second))
	segs, _ := filepath.Glob(filepath.Join(dir, "*.seg"))
	last := segs[len(segs)-1]
	// A crash mid-write: half a frame at the end.
	frame, _ := spool.AppendFrame(nil, rec(50))
	f, err := os.OpenFile(last, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.Write(frame[:len(frame)/2])
	f.Close()
	before, _ := os.Stat(last)

	s2 := &sink{}
	hold := make(chan struct{})
	s2.setFail(func([]*connected.Record) error { <-hold; return nil })
	sp2 := open(t, dir, s2)
	after, err := os.Stat(last)
	if err != nil {
		t.Fatal(err)
	}
	if after.Size() != before.Size()-int64(len(frame)/2) {
		t.Fatalf("torn tail not truncated: %d -> %d", before.Size(), after.Size())
	}
	// The torn record cannot be recovered: it is counted and reported.
	if st := sp2.Stats(); st.Dropped[transport.ReasonCorrupt] != 1 || !strings.Contains(st.LastError, "unrecoverable") {
		close(hold)
		t.Fatalf("recovery not reported: %+v", st)
	}
	close(hold)
	waitFor(t, "replay", func() bool { return sp2.Pending() == 0 })
	if got := s2.ids(); !slices.Equal(got, wantIDs(0, 50)) {
		t.Fatalf("got %d records", len(got))
	}
}

func TestSpoolPermanentFailureIsReportedAndAcked(t *testing.T) {
	s := &sink{}
	s.setFail(func(b []*connected.Record) error {
		for i, r := range b {
			if r.ID == "id-000003" {
				return &transport.BatchError{Failed: []int{i}, Err: &transport.HTTPError{StatusCode: 400}}
			}
		}
		return nil
	})
	var rejected []string
	sp := open(t, t.TempDir(), s, spool.WithCallbacks(transport.Callbacks{OnFailure: func(f transport.Failure) {
		if f.Reason == transport.ReasonRejected {
			for _, r := range f.Records {
				rejected = append(rejected, r.ID)
			}
		}
	}}))
	if err := sp.Send(t.Context(), recs(0, 6)); err != nil {
		t.Fatal(err)
	}
	if err := sp.Shutdown(ctxTimeout(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rejected, []string{"id-000003"}) || sp.Pending() != 0 {
		t.Fatalf("rejected %v pending %d", rejected, sp.Pending())
	}
	if st := sp.Stats(); st.Delivered != 5 || st.Dropped[transport.ReasonRejected] != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func fillUntilFull(t *testing.T, sp *spool.Spool) (accepted int, err error) {
	for i := 0; i < 10000; i += 10 {
		if err = sp.Send(t.Context(), recs(i, 10)); err != nil {
			return i, err
		}
	}
	t.Fatal("spool never filled")
	return 0, nil
}

func TestSpoolOverflowDropNewest(t *testing.T) {
	s := &sink{}
	s.setFail(down)
	sp := open(t, t.TempDir(), s, spool.WithSegmentBytes(4096), spool.WithMaxBytes(8192), spool.WithDrainOnShutdown(false))
	accepted, err := fillUntilFull(t, sp)
	if !errors.Is(err, spool.ErrFull) || transport.IsRetryable(err) {
		t.Fatalf("full spool returned %v", err)
	}
	var re *transport.ReasonError
	if !errors.As(err, &re) || re.Reason != transport.ReasonSpoolFull {
		t.Fatalf("no ReasonSpoolFull in %v", err)
	}
	st := sp.Stats()
	if st.SpoolBytes > 8192 || st.Dropped[transport.ReasonSpoolFull] != 10 || st.SpoolDepth != accepted {
		t.Fatalf("stats %+v (accepted %d)", st, accepted)
	}
}

func TestSpoolOverflowDropOldest(t *testing.T) {
	s := &sink{}
	s.setFail(down)
	var evicted []string
	sp := open(t, t.TempDir(), s, spool.WithSegmentBytes(4096), spool.WithMaxBytes(3*4096),
		spool.WithOverflow(transport.OverflowDropOldest),
		spool.WithCallbacks(transport.Callbacks{OnFailure: func(f transport.Failure) {
			if f.Reason == transport.ReasonEvicted {
				for _, r := range f.Records {
					evicted = append(evicted, r.ID)
				}
			}
		}}))
	for i := 0; i < 600; i += 10 {
		if err := sp.Send(t.Context(), recs(i, 10)); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}
	st := sp.Stats()
	s.setFail(nil)
	if err := sp.Shutdown(ctxTimeout(t, 10*time.Second)); err != nil {
		t.Fatal(err)
	}
	if st.SpoolBytes > 3*4096 || st.Dropped[transport.ReasonEvicted] == 0 {
		t.Fatalf("stats %+v", st)
	}
	// Every record is accounted for exactly once: delivered or evicted.
	got := append(s.ids(), evicted...)
	slices.Sort(got)
	if !slices.Equal(got, wantIDs(0, 600)) {
		t.Fatalf("delivered+evicted = %d records, want 600 distinct", len(got))
	}
	if int(st.Dropped[transport.ReasonEvicted]) != len(evicted) {
		t.Fatalf("counted %d evicted, reported %d", st.Dropped[transport.ReasonEvicted], len(evicted))
	}
}

func TestSpoolOverflowBlock(t *testing.T) {
	s := &sink{}
	s.setFail(down)
	sp := open(t, t.TempDir(), s, spool.WithSegmentBytes(4096), spool.WithMaxBytes(8192), spool.WithOverflow(transport.OverflowBlock))
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	var err error
	for i := 0; err == nil; i += 10 {
		err = sp.Send(ctx, recs(i, 10))
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("blocked Send returned %v", err)
	}
	// Space frees up when the collector comes back: a blocked Send proceeds.
	done := make(chan error, 1)
	go func() { done <- sp.Send(t.Context(), recs(90000, 10)) }()
	s.setFail(nil)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestSpoolDiskFullIsAClearErrorNotAHang(t *testing.T) {
	dir := t.TempDir()
	ffs := &faultFS{FS: spool.DirFS(dir)}
	s := &sink{}
	s.setFail(down)
	sp := open(t, "", s, spool.WithFS(ffs), spool.WithDrainOnShutdown(false))
	if err := sp.Send(t.Context(), recs(0, 10)); err != nil {
		t.Fatal(err)
	}
	ffs.set(true)
	err := sp.Send(t.Context(), recs(10, 10))
	if !errors.Is(err, syscall.ENOSPC) || !transport.IsRetryable(err) {
		t.Fatalf("disk full returned %v", err)
	}
	var re *transport.ReasonError
	if !errors.As(err, &re) || re.Reason != transport.ReasonSpoolError {
		t.Fatalf("no ReasonSpoolError in %v", err)
	}
	ffs.set(false)
	if err := sp.Send(t.Context(), recs(20, 10)); err != nil {
		t.Fatalf("after space came back: %v", err)
	}
	if err := sp.Shutdown(ctxTimeout(t, time.Second)); err != nil {
		t.Fatal(err)
	}
	// The half-written batch left no garbage: a reopened spool replays
	// exactly the two accepted batches.
	s2 := &sink{}
	sp2 := open(t, dir, s2)
	waitFor(t, "replay", func() bool { return sp2.Pending() == 0 })
	want := append(wantIDs(0, 10), wantIDs(20, 10)...)
	if got := s2.ids(); !slices.Equal(got, want) {
		t.Fatalf("replayed %v", got)
	}
}

func TestSpoolUnwritableDirectory(t *testing.T) {
	// A path under a regular file cannot be a directory.
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := spool.Open(filepath.Join(file, "spool"), &sink{}); err == nil || !strings.Contains(err.Error(), "spool: create directory") {
		t.Fatalf("Open under a file: %v", err)
	}
	// Permission denied (injected: tests may run as root).
	ffs := &faultFS{FS: spool.DirFS(t.TempDir()), denyOpen: true}
	_, err := spool.Open("", &sink{}, spool.WithFS(ffs))
	if !errors.Is(err, fs.ErrPermission) {
		t.Fatalf("Open in an unwritable directory: %v", err)
	}
}

func TestSpoolRefusesNewerFormat(t *testing.T) {
	dir := t.TempDir()
	seg := append([]byte("TPSP"), 9, 0, 0, 0)
	if err := os.WriteFile(filepath.Join(dir, "00000000000000000001.seg"), seg, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := spool.Open(dir, &sink{})
	var fe *spool.FormatError
	if !errors.Is(err, spool.ErrVersion) || !errors.As(err, &fe) {
		t.Fatalf("Open = %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "00000000000000000001.seg")); err != nil {
		t.Fatal("newer-format segment was removed")
	}
}

func TestSpoolSyncEveryBatch(t *testing.T) {
	s := &sink{}
	sp := open(t, t.TempDir(), s, spool.WithSyncInterval(0))
	if err := sp.Send(t.Context(), recs(0, 5)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "drain", func() bool { return sp.Pending() == 0 })
	if len(s.ids()) != 5 {
		t.Fatalf("got %v", s.ids())
	}
}

func TestOpenValidates(t *testing.T) {
	bad := []spool.Option{nil, spool.WithSegmentBytes(10), spool.WithMaxBytes(1), spool.WithSyncInterval(-1),
		spool.WithDrainBatch(0, 1), spool.WithDrainBackoff(0, 0), spool.WithOverflow(transport.Overflow(7))}
	for i, o := range bad {
		if _, err := spool.Open(t.TempDir(), &sink{}, o); err == nil {
			t.Errorf("option %d accepted", i)
		}
	}
	if _, err := spool.Open(t.TempDir(), nil); err == nil {
		t.Error("nil sender accepted")
	}
	if _, err := spool.Open("", &sink{}); err == nil {
		t.Error("empty dir accepted")
	}
}

func TestSpoolConcurrentDrainAcksInOrder(t *testing.T) {
	dir := t.TempDir()
	s := &sink{}
	var calls atomic.Int64
	s.setFail(func(b []*connected.Record) error {
		if calls.Add(1)%3 == 0 { // every third send fails transiently
			return &transport.HTTPError{StatusCode: 503}
		}
		return nil
	})
	sp := open(t, dir, s, spool.WithDrainConcurrency(4), spool.WithDrainBatch(10, 1<<20), spool.WithSegmentBytes(4096))
	for i := 0; i < 500; i += 25 {
		if err := sp.Send(t.Context(), recs(i, 25)); err != nil {
			t.Fatal(err)
		}
	}
	if err := sp.Shutdown(ctxTimeout(t, 10*time.Second)); err != nil {
		t.Fatal(err)
	}
	got := s.ids()
	slices.Sort(got)
	if !slices.Equal(slices.Compact(got), wantIDs(0, 500)) || len(got) != 500 {
		t.Fatalf("delivered %d records (%d distinct)", len(got), len(slices.Compact(got)))
	}
	// Everything was acknowledged: a reopened spool has nothing to replay.
	sp2 := open(t, dir, &sink{})
	if n := sp2.Pending(); n != 0 {
		t.Fatalf("%d records pending after a clean shutdown", n)
	}
}

// TestSpoolDrainWindowSlides: with WithDrainConcurrency(k), the drain keeps
// up to k batches in flight and never more; while the oldest is stuck, the
// ones behind it are still sent, and nothing is acknowledged past it.
func TestSpoolDrainWindowSlides(t *testing.T) {
	const k = 3
	dir := t.TempDir()
	release := make(chan struct{})
	full := make(chan struct{}) // closed once k sends are in flight together
	var fullOnce sync.Once
	var inflight, peak atomic.Int64
	var mu sync.Mutex
	var sent []string
	next := transport.SenderFunc(func(ctx context.Context, b []*connected.Record) error {
		n := inflight.Add(1)
		defer inflight.Add(-1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		if n == k {
			fullOnce.Do(func() { close(full) })
		}
		wait := full // every send waits until the window has been full once
		if b[0].ID == "id-000000" {
			wait = release // the head is stuck until released
		}
		select {
		case <-wait:
		case <-ctx.Done():
			return ctx.Err()
		}
		mu.Lock()
		sent = append(sent, b[0].ID)
		mu.Unlock()
		return nil
	})
	sp := open(t, dir, next, spool.WithDrainConcurrency(k), spool.WithDrainBatch(10, 1<<20))
	for i := 0; i < 100; i += 10 {
		if err := sp.Send(t.Context(), recs(i, 10)); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		n := len(sent)
		mu.Unlock()
		if n == k-1 {
			break
		}
		if n > k-1 || time.Now().After(deadline) {
			t.Fatalf("%d batches sent behind a stuck head, want %d", n, k-1)
		}
		time.Sleep(time.Millisecond)
	}
	if p := sp.Pending(); p != 100 {
		t.Fatalf("Pending = %d while the head is stuck, want 100 (nothing acknowledged past it)", p)
	}
	close(release)
	if err := sp.Shutdown(ctxTimeout(t, 10*time.Second)); err != nil {
		t.Fatal(err)
	}
	if len(sent) != 10 || peak.Load() != k {
		t.Fatalf("sent %d batches, peak in flight %d (limit %d)", len(sent), peak.Load(), k)
	}
}
