package spool_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport"
	"github.com/touchpoint-sdk/touchpoint/transport/spool"
)

// The spool's fault suite: damage on disk, found at Open or by the drain.
// The rule: every frame whose checksum holds is delivered; every record
// that cannot be is counted in Stats.Dropped[ReasonCorrupt] and reported
// to the failure callback (Failure.Unreadable); nothing is reported twice.

func tiny(i int) *connected.Record {
	return &connected.Record{ID: fmt.Sprintf("r%d", i), Type: connected.TypeTrack, Payload: []byte(`{}`)}
}

func tinies(from, n int) []*connected.Record {
	out := make([]*connected.Record, n)
	for i := range out {
		out[i] = tiny(from + i)
	}
	return out
}

// held is a next Sender that never delivers: records stay on disk.
var held = transport.SenderFunc(func(ctx context.Context, _ []*connected.Record) error {
	<-ctx.Done()
	return ctx.Err()
})

// buildSegments writes one segment per session (every Open starts a new
// segment), each holding perSeg tiny records, none acknowledged.
func buildSegments(t *testing.T, m *memFS, sessions, perSeg int) {
	t.Helper()
	for s := range sessions {
		sp, err := spool.Open("", held, spool.WithFS(m), spool.WithDrainOnShutdown(false))
		if err != nil {
			t.Fatal(err)
		}
		if err := sp.Send(t.Context(), tinies(s*perSeg, perSeg)); err != nil {
			t.Fatal(err)
		}
		if err := sp.Shutdown(ctxTimeout(t, 5*time.Second)); err != nil {
			t.Fatal(err)
		}
	}
}

// frameOwner maps every byte of a version-2 segment to the index (within
// the segment) of the frame holding it; -1 for the header.
func frameOwner(t *testing.T, seg []byte) []int {
	t.Helper()
	own := make([]int, len(seg))
	for i := range 28 {
		own[i] = -1
	}
	for off, k := 28, 0; off < len(seg); k++ {
		n := 12 + int(binary.BigEndian.Uint32(seg[off+4:]))
		for i := off; i < off+n; i++ {
			own[i] = k
		}
		off += n
	}
	return own
}

// outcome is what one Open of a damaged spool did.
type outcome struct {
	lost       uint64 // Stats.Dropped[ReasonCorrupt]
	unreadable int    // sum of Failure.Unreadable reported
	pending    int
	delivered  []string
}

// openAndCount opens m, reads the counters, and (deliver) drains it.
func openAndCount(t *testing.T, m *memFS, deliver bool) outcome {
	t.Helper()
	var mu sync.Mutex
	var o outcome
	cb := transport.Callbacks{OnFailure: func(f transport.Failure) {
		mu.Lock()
		defer mu.Unlock()
		if f.Reason != transport.ReasonCorrupt || !errors.Is(f.Err, spool.ErrCorrupt) {
			t.Errorf("failure %v: %v", f.Reason, f.Err)
		}
		var le *spool.LossError
		if !errors.As(f.Err, &le) || le.Records() != f.Unreadable {
			t.Errorf("failure error %v does not say %d records", f.Err, f.Unreadable)
		}
		o.unreadable += f.Unreadable
	}}
	var next transport.Sender = held
	s := &sink{}
	if deliver {
		next = s
	}
	sp, err := spool.Open("", next, spool.WithFS(m), spool.WithDrainOnShutdown(deliver), spool.WithCallbacks(cb),
		spool.WithDrainBackoff(time.Millisecond, time.Millisecond))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	o.pending = sp.Pending()
	if err := sp.Shutdown(ctxTimeout(t, 10*time.Second)); err != nil {
		t.Fatal(err)
	}
	o.lost = sp.Stats().Dropped[transport.ReasonCorrupt]
	o.delivered = s.ids()
	return o
}

// TestFaultCorruptionAtEveryPosition damages a small spool (three
// segments of three records) at every byte, each bit and then the whole
// byte, and checks each time: Open succeeds; exactly the damaged record is
// lost (none for a header byte), counted and reported once; every other
// record is delivered, once; a second Open reports nothing new.
func TestFaultCorruptionAtEveryPosition(t *testing.T) {
	base := newMemFS()
	buildSegments(t, base, 3, 3)
	pristine := base.snapshot()
	segs := []string{"00000000000000000001.seg", "00000000000000000002.seg", "00000000000000000003.seg"}
	all := make([]string, 9)
	for i := range all {
		all[i] = tiny(i).ID
	}
	cases := 0
	for si, name := range segs {
		own := frameOwner(t, pristine[name])
		if len(own) < 28+3*20 || own[len(own)-1] != 2 {
			t.Fatalf("%s: unexpected layout (%d bytes)", name, len(own))
		}
		for pos := range own {
			for _, mask := range []byte{1, 2, 4, 8, 16, 32, 64, 128, 0xFF} {
				files := memFrom(pristine).snapshot()
				files[name][pos] ^= mask
				m := memFrom(files)
				wantLost, want := 0, all
				if k := own[pos]; k >= 0 {
					wantLost = 1
					want = slices.DeleteFunc(slices.Clone(all), func(id string) bool { return id == tiny(si*3+k).ID })
				}
				where := fmt.Sprintf("%s byte %d ^ %#02x", name, pos, mask)
				first := openAndCount(t, m, false)
				if first.lost != uint64(wantLost) || first.unreadable != wantLost || first.pending != len(want) {
					t.Fatalf("%s: lost %d (reported %d), pending %d; want %d lost, %d pending",
						where, first.lost, first.unreadable, first.pending, wantLost, len(want))
				}
				second := openAndCount(t, m, true)
				got := slices.Clone(second.delivered)
				slices.Sort(got)
				if second.lost != 0 || second.unreadable != 0 || !slices.Equal(got, want) {
					t.Fatalf("%s: second Open lost %d (reported %d), delivered %v; want %v",
						where, second.lost, second.unreadable, second.delivered, want)
				}
				cases++
			}
		}
	}
	t.Logf("%d damaged spools: every salvageable record delivered, every lost one counted once", cases)
}

// TestFaultMissingMiddleSegment: a deleted middle segment is a hole in the
// record numbers: its three records are counted and reported, exactly, and
// the rest delivered.
func TestFaultMissingMiddleSegment(t *testing.T) {
	for _, how := range []string{"deleted", "zero-length", "header only"} {
		t.Run(how, func(t *testing.T) {
			m := newMemFS()
			buildSegments(t, m, 3, 3)
			const mid = "00000000000000000002.seg"
			switch how {
			case "deleted":
				if err := m.Remove(mid); err != nil {
					t.Fatal(err)
				}
			case "zero-length":
				m.files[mid].b = nil
			case "header only":
				m.files[mid].b = m.files[mid].b[:28]
			}
			first := openAndCount(t, m, false)
			if first.lost != 3 || first.unreadable != 3 || first.pending != 6 {
				t.Fatalf("lost %d (reported %d), pending %d; want 3 lost, 6 pending", first.lost, first.unreadable, first.pending)
			}
			second := openAndCount(t, m, true)
			want := []string{"r0", "r1", "r2", "r6", "r7", "r8"}
			if second.lost != 0 || !slices.Equal(second.delivered, want) {
				t.Fatalf("second Open: lost %d, delivered %v", second.lost, second.delivered)
			}
		})
	}
}

// TestFaultDrainFindsCorruption: damage that appears after Open is found
// by the drain, which skips the bad frame, delivers the rest, and counts
// and reports exactly the one record.
func TestFaultDrainFindsCorruption(t *testing.T) {
	m := newMemFS()
	buildSegments(t, m, 3, 3)
	release := make(chan struct{})
	s := &sink{}
	var mu sync.Mutex
	unreadable := 0
	var first sync.Once
	next := transport.SenderFunc(func(ctx context.Context, b []*connected.Record) error {
		first.Do(func() { <-release }) // hold the first batch while the disk is damaged
		return s.Send(ctx, b)
	})
	sp := open(t, "", next, spool.WithFS(m), spool.WithDrainBatch(1, 1<<20),
		spool.WithCallbacks(transport.Callbacks{OnFailure: func(f transport.Failure) {
			mu.Lock()
			unreadable += f.Unreadable
			mu.Unlock()
		}}))
	seg := m.files["00000000000000000003.seg"].b
	own := frameOwner(t, seg)
	for i := range seg {
		if own[i] == 1 { // the middle record of the last segment: r7
			seg[i] ^= 0x10
			break
		}
	}
	close(release)
	waitFor(t, "drain", func() bool { return sp.Pending() == 0 })
	if err := sp.Shutdown(ctxTimeout(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	want := []string{"r0", "r1", "r2", "r3", "r4", "r5", "r6", "r8"}
	if got := s.ids(); !slices.Equal(got, want) {
		t.Fatalf("delivered %v", got)
	}
	if st := sp.Stats(); st.Dropped[transport.ReasonCorrupt] != 1 || unreadable != 1 {
		t.Fatalf("lost %d, reported %d; want 1", st.Dropped[transport.ReasonCorrupt], unreadable)
	}
}

// TestFaultSecondOpener: a second Spool on the same directory, in this
// process or another, gets a *LockError matching ErrLocked and touches
// nothing; once the first shuts down, the directory opens again.
func TestFaultSecondOpener(t *testing.T) {
	dir := t.TempDir()
	s := &sink{}
	s.setFail(down)
	sp := open(t, dir, s, spool.WithDrainOnShutdown(false))
	if err := sp.Send(t.Context(), recs(0, 10)); err != nil {
		t.Fatal(err)
	}
	before := dirFiles(t, dir)
	sp2, err := spool.Open(dir, &sink{})
	var le *spool.LockError
	if !errors.Is(err, spool.ErrLocked) || !errors.As(err, &le) || sp2 != nil {
		t.Fatalf("second Open = %v, %v", sp2, err)
	}
	if after := dirFiles(t, dir); !slices.Equal(before, after) {
		t.Fatalf("second Open changed the directory: %v -> %v", before, after)
	}
	if err := sp.Send(t.Context(), recs(10, 10)); err != nil {
		t.Fatalf("first spool after a refused second Open: %v", err)
	}
	if err := sp.Shutdown(ctxTimeout(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	s3 := &sink{}
	sp3 := open(t, dir, s3)
	waitFor(t, "replay", func() bool { return sp3.Pending() == 0 })
	if got := s3.ids(); !slices.Equal(got, wantIDs(0, 20)) {
		t.Fatalf("replayed %v", got)
	}
}

// TestFaultHostileNames: files whose names look like segments but are not
// names this spool writes (numbers that overflow or wrap, zero, letters),
// a directory and links where the next segment or the ack file goes: Open
// ignores or steps around all of them, changes none of them, never writes
// through a link, and numbering neither wraps nor collides.
func TestFaultHostileNames(t *testing.T) {
	dir := t.TempDir()
	outside := filepath.Join(t.TempDir(), "outside")
	if err := os.WriteFile(outside, []byte("not yours"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := &sink{}
	s.setFail(down)
	sp := open(t, dir, s, spool.WithDrainOnShutdown(false))
	if err := sp.Send(t.Context(), recs(0, 10)); err != nil {
		t.Fatal(err)
	}
	if err := sp.Shutdown(ctxTimeout(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	foreign := []string{
		"18446744073709551615.seg", // the largest uint64: the next number would wrap to 0
		"99999999999999999999.seg", // overflows uint64
		"09223372036854775808.seg", // 1<<63
		"00000000000000000000.seg", // zero
		"0000000000000000000x.seg",
		"+0000000000000000001.seg",
		"1.seg", ".seg", "00000000000000000001.seg.bak",
	}
	for _, n := range foreign {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("TPSP\x02 garbage "+n), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Where the next segment goes (2: Open rolls one), a directory; after
	// it, a link out of the spool; and a link in place of ack.tmp.
	if err := os.Mkdir(filepath.Join(dir, "00000000000000000002.seg"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"00000000000000000003.seg", "ack.tmp"} {
		if err := os.Symlink(outside, filepath.Join(dir, n)); err != nil {
			t.Fatal(err)
		}
	}
	before := dirFiles(t, dir)

	s2 := &sink{}
	sp2 := open(t, dir, s2)
	if err := sp2.Send(t.Context(), recs(10, 10)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "drain", func() bool { return sp2.Pending() == 0 })
	if err := sp2.Shutdown(ctxTimeout(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	if got := s2.ids(); !slices.Equal(got, wantIDs(0, 20)) {
		t.Fatalf("delivered %v", got)
	}
	st := sp2.Stats()
	if st.DroppedTotal() != 0 || !strings.Contains(st.LastError, `ignored "18446744073709551615.seg"`) {
		t.Fatalf("stats %+v", st)
	}
	if b, err := os.ReadFile(outside); err != nil || string(b) != "not yours" {
		t.Fatalf("wrote through a link: %q, %v", b, err)
	}
	after := dirFiles(t, dir)
	for _, f := range before {
		if strings.HasPrefix(f, "00000000000000000001.seg:") || strings.HasPrefix(f, "ack") {
			continue // ours
		}
		if !slices.Contains(after, f) {
			t.Errorf("%s was changed or removed; now %v", f, after)
		}
	}
	// Numbering went on past the taken names, without wrapping.
	if !slices.ContainsFunc(after, func(f string) bool { return strings.HasPrefix(f, "00000000000000000004.seg:") }) {
		t.Fatalf("no segment 4 after the taken 2 and 3: %v", after)
	}
	// And the directory opens again with nothing lost or re-reported.
	sp3 := open(t, dir, &sink{})
	if st := sp3.Stats(); st.DroppedTotal() != 0 || sp3.Pending() != 0 {
		t.Fatalf("reopened: pending %d, stats %+v", sp3.Pending(), st)
	}
}

// TestFaultDiskFull: the disk fills up (and frees up) at random moments
// under concurrent writers. Every Send either returns nil, and then its
// records are delivered after a restart, or returns a typed, retryable
// error naming ENOSPC (transport.ReasonSpoolError) and leaves nothing
// behind. An Open on a full disk fails the same typed way.
func TestFaultDiskFull(t *testing.T) {
	m := newMemFS()
	sp, err := spool.Open("", held, spool.WithFS(m), spool.WithDrainOnShutdown(false), spool.WithSegmentBytes(4096))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var acked []string
	refused := 0
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := w * 10000; i < w*10000+400; i += 4 {
				err := sp.Send(context.Background(), recs(i, 4))
				mu.Lock()
				if err == nil {
					acked = append(acked, wantIDs(i, 4)...)
				} else {
					refused++
					var re *transport.ReasonError
					if !errors.Is(err, syscall.ENOSPC) || !transport.IsRetryable(err) || !errors.As(err, &re) || re.Reason != transport.ReasonSpoolError {
						t.Errorf("disk full: %v", err)
					}
				}
				mu.Unlock()
			}
		})
	}
	for i := range 200 { // the disk fills and frees while they write
		m.setFull(i%3 == 0)
		time.Sleep(50 * time.Microsecond)
	}
	wg.Wait()
	m.setFull(false)
	if err := sp.Shutdown(ctxTimeout(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	if refused == 0 || len(acked) == 0 {
		t.Fatalf("the fault did not bite: %d refused, %d acknowledged", refused, len(acked))
	}

	m.setFull(true)
	if _, err := spool.Open("", held, spool.WithFS(m)); !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("Open on a full disk: %v", err)
	}
	m.setFull(false)
	out := openAndCount(t, m, true)
	got := slices.Clone(out.delivered)
	slices.Sort(got)
	slices.Sort(acked)
	if out.lost != 0 || !slices.Equal(got, acked) {
		t.Fatalf("delivered %d records, %d acknowledged, %d lost", len(got), len(acked), out.lost)
	}
	t.Logf("%d records acknowledged and delivered; %d Sends refused with ENOSPC", len(acked), refused)
}

// TestFaultVersion1Resync: old (version-1) segments have no frame marker;
// recovery still resynchronises after a bad frame, trying every offset, and
// salvages the frames after it. Without sequence numbers the loss is an
// estimate: at least one record.
func TestFaultVersion1Resync(t *testing.T) {
	seg := []byte{'T', 'P', 'S', 'P', 1, 0, 0, 0}
	var bad int
	for i := range 5 {
		if i == 2 {
			bad = len(seg) + 20
		}
		seg = append(seg, v1Frame(rec(i))...)
	}
	seg[bad] ^= 0x04
	m := memFrom(map[string][]byte{"00000000000000000001.seg": seg})
	o := openAndCount(t, m, true)
	want := []string{"id-000000", "id-000001", "id-000003", "id-000004"}
	if o.lost != 1 || o.unreadable != 1 || !slices.Equal(o.delivered, want) {
		t.Fatalf("lost %d (reported %d), delivered %v", o.lost, o.unreadable, o.delivered)
	}
}

// TestFaultDiskFullDurableTrack: with a durable Batcher in front, a full
// disk reaches the caller of Handle (Client.Track) as a typed error naming
// ENOSPC; records whose Handle returned nil are all kept.
func TestFaultDiskFullDurableTrack(t *testing.T) {
	m := newMemFS()
	sp, err := spool.Open("", held, spool.WithFS(m), spool.WithDrainOnShutdown(false))
	if err != nil {
		t.Fatal(err)
	}
	b, err := transport.NewBatcher(sp, transport.WithDurable(true))
	if err != nil {
		t.Fatal(err)
	}
	var kept []string
	for i := range 30 {
		m.setFull(i%3 == 1)
		err := b.Handle(t.Context(), rec(i))
		var de *transport.DurableError
		switch {
		case err == nil:
			kept = append(kept, rec(i).ID)
		case errors.As(err, &de) && de.Reason == transport.ReasonSpoolError && errors.Is(err, syscall.ENOSPC):
		default:
			t.Fatalf("record %d: %v", i, err)
		}
	}
	m.setFull(false)
	if err := b.Shutdown(ctxTimeout(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	if len(kept) != 20 {
		t.Fatalf("%d records kept, want 20", len(kept))
	}
	o := openAndCount(t, m, true)
	if o.lost != 0 || !slices.Equal(o.delivered, kept) {
		t.Fatalf("delivered %v, want %v", o.delivered, kept)
	}
}
