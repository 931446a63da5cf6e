package spool_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/transport"
	"github.com/touchpoint-sdk/touchpoint/transport/spool"
)

// writeStuck writes n records (in batches of per) to a spool in dir whose
// destination is down, and shuts it down leaving them all on disk.
func writeStuck(t *testing.T, dir string, n, per int, opts ...spool.Option) {
	t.Helper()
	opts = append([]spool.Option{spool.WithDrainOnShutdown(false), spool.WithDrainBackoff(time.Hour, time.Hour)}, opts...)
	sp, err := spool.Open(dir, &sink{fail: down}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i += per {
		if err := sp.Send(context.Background(), recs(i, min(per, n-i))); err != nil {
			t.Fatal(err)
		}
	}
	if err := sp.Shutdown(ctxTimeout(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
}

// snapshotDir returns every file's name and bytes, to prove nothing changed.
func snapshotDir(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = b
	}
	return out
}

func sameDir(t *testing.T, before, after map[string][]byte) {
	t.Helper()
	if len(before) != len(after) {
		t.Fatalf("files changed: %d before, %d after", len(before), len(after))
	}
	for n, b := range before {
		if !bytes.Equal(b, after[n]) {
			t.Fatalf("Inspect changed %s", n)
		}
	}
}

func walkIDs(t *testing.T, in *spool.Inventory) ([]string, []spool.Entry) {
	t.Helper()
	var ids []string
	var ents []spool.Entry
	if err := in.Walk(func(e spool.Entry) error {
		ids = append(ids, e.Record.ID)
		ents = append(ents, e)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return ids, ents
}

func TestInspectClean(t *testing.T) {
	dir := t.TempDir()
	writeStuck(t, dir, 10, 3)
	before := snapshotDir(t, dir)
	in, err := spool.Inspect(dir)
	if err != nil {
		t.Fatal(err)
	}
	sameDir(t, before, snapshotDir(t, dir))
	if in.Pending != 10 || len(in.Losses) != 0 || in.LostRecords() != 0 {
		t.Fatalf("Pending %d, Losses %v", in.Pending, in.Losses)
	}
	if len(in.Segments) != 1 || in.Segments[0].Records != 10 || in.Segments[0].Version != 3 || in.Segments[0].FirstSeq != 1 || in.Segments[0].Size == 0 {
		t.Fatalf("Segments %+v", in.Segments)
	}
	ids, ents := walkIDs(t, in)
	if !slices.Equal(ids, wantIDs(0, 10)) {
		t.Fatalf("Walk = %v", ids)
	}
	for i, e := range ents {
		if e.Seq != uint64(i+1) || e.Segment != in.Segments[0].Name || !bytes.Equal(e.Record.Payload, rec(i).Payload) || !e.Record.Time.Equal(rec(i).Time) {
			t.Fatalf("entry %d = %+v", i, e)
		}
	}
	stop := errors.New("stop")
	n := 0
	if err := in.Walk(func(spool.Entry) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
		t.Fatalf("Walk stop: %v after %d", err, n)
	}
}

// TestInspectCorruptMatchesOpen flips a byte in one frame: Inspect reports
// the loss that Open then reports, without touching the files.
func TestInspectCorruptMatchesOpen(t *testing.T) {
	dir := t.TempDir()
	writeStuck(t, dir, 10, 10)
	in, err := spool.Inspect(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, ents := walkIDs(t, in)
	seg := filepath.Join(dir, ents[4].Segment)
	b, err := os.ReadFile(seg)
	if err != nil {
		t.Fatal(err)
	}
	b[ents[4].Offset+30] ^= 0xFF
	if err := os.WriteFile(seg, b, 0o644); err != nil {
		t.Fatal(err)
	}
	before := snapshotDir(t, dir)
	in, err = spool.Inspect(dir)
	if err != nil {
		t.Fatal(err)
	}
	sameDir(t, before, snapshotDir(t, dir))
	want := fmt.Sprintf("%s offset %d", ents[4].Segment, ents[4].Offset)
	if len(in.Losses) != 1 || in.Losses[0].Records != 1 || in.Losses[0].Estimated || in.Losses[0].Where != want {
		t.Fatalf("Losses = %+v, want 1 exact at %s", in.Losses, want)
	}
	if in.Pending != 9 {
		t.Fatalf("Pending = %d", in.Pending)
	}
	ids, _ := walkIDs(t, in)
	if !slices.Equal(ids, slices.Delete(wantIDs(0, 10), 4, 5)) {
		t.Fatalf("Walk = %v", ids)
	}

	// Open reports the same loss, and afterwards Inspect finds none.
	var got []spool.Loss
	done := make(chan struct{})
	s := &sink{}
	sp, err := spool.Open(dir, s, spool.WithCallbacks(transport.Callbacks{OnFailure: func(f transport.Failure) {
		var le *spool.LossError
		if errors.As(f.Err, &le) {
			got = append(got, le.Losses...)
			close(done)
		}
	}}))
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "drain", func() bool { return sp.Pending() == 0 })
	if err := sp.Shutdown(ctxTimeout(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	<-done
	if !slices.Equal(got, in.Losses) {
		t.Fatalf("Open reported %+v, Inspect %+v", got, in.Losses)
	}
	if !slices.Equal(s.ids(), ids) {
		t.Fatalf("Open delivered %v, Inspect walked %v", s.ids(), ids)
	}
}

func TestInspectMissingSegment(t *testing.T) {
	dir := t.TempDir()
	writeStuck(t, dir, 120, 10, spool.WithSegmentBytes(4096))
	in, err := spool.Inspect(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Segments) < 3 {
		t.Fatalf("want at least 3 segments, got %+v", in.Segments)
	}
	victim := in.Segments[1]
	if err := os.Remove(filepath.Join(dir, victim.Name)); err != nil {
		t.Fatal(err)
	}
	in, err = spool.Inspect(dir)
	if err != nil {
		t.Fatal(err)
	}
	if in.LostRecords() != victim.Records || len(in.Losses) != 1 || !strings.Contains(in.Losses[0].Where, victim.Name+" missing") {
		t.Fatalf("Losses = %+v, want %d records of %s", in.Losses, victim.Records, victim.Name)
	}
	i := slices.IndexFunc(in.Segments, func(s spool.SegmentInfo) bool { return s.Name == victim.Name })
	if i < 0 || !in.Segments[i].Missing || !in.Segments[i].Tombstone {
		t.Fatalf("Segments = %+v", in.Segments)
	}
	if _, err := os.Stat(filepath.Join(dir, victim.Name)); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Inspect wrote the tombstone to disk: %v", err)
	}
	ids, _ := walkIDs(t, in)
	if len(ids) != 120-victim.Records || in.Pending != len(ids) {
		t.Fatalf("walked %d, pending %d", len(ids), in.Pending)
	}
}

func TestInspectUnreadableSegment(t *testing.T) {
	dir := t.TempDir()
	writeStuck(t, dir, 120, 10, spool.WithSegmentBytes(4096))
	in, err := spool.Inspect(dir)
	if err != nil {
		t.Fatal(err)
	}
	victim := in.Segments[1] // after a readable one: the count is exact
	garbage := bytes.Repeat([]byte{0x42}, int(victim.Size))
	if err := os.WriteFile(filepath.Join(dir, victim.Name), garbage, 0o644); err != nil {
		t.Fatal(err)
	}
	before := snapshotDir(t, dir)
	in, err = spool.Inspect(dir)
	if err != nil {
		t.Fatal(err)
	}
	sameDir(t, before, snapshotDir(t, dir))
	if in.LostRecords() != victim.Records || in.Losses[0].Estimated {
		t.Fatalf("lost %d, want %d: %+v", in.LostRecords(), victim.Records, in.Losses)
	}
	if !slices.ContainsFunc(in.Notes, func(n string) bool { return strings.Contains(n, victim.Name+".corrupt") }) {
		t.Fatalf("Notes = %q", in.Notes)
	}
}

func TestInspectErrors(t *testing.T) {
	if _, err := spool.Inspect(filepath.Join(t.TempDir(), "nope")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing dir: %v", err)
	}
	f := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(f, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := spool.Inspect(f); err == nil {
		t.Fatal("a file is not a spool")
	}
	// A frame of a newer version: ErrVersion, files untouched.
	dir := t.TempDir()
	writeStuck(t, dir, 3, 3)
	in, err := spool.Inspect(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, ents := walkIDs(t, in)
	seg := filepath.Join(dir, ents[1].Segment)
	b, _ := os.ReadFile(seg)
	fixNewerVersion(b[ents[1].Offset:])
	if err := os.WriteFile(seg, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := spool.Inspect(dir); !errors.Is(err, spool.ErrVersion) {
		t.Fatalf("newer version: %v", err)
	}
}

// fixNewerVersion gives the version-2 frame at the start of f a version
// byte this release does not know, under a valid checksum.
func fixNewerVersion(f []byte) {
	n := 12 + int(binary.BigEndian.Uint32(f[4:]))
	f[12] = 9
	binary.BigEndian.PutUint32(f[8:], crc32.Update(crc32.Checksum(f[4:8], castagnoli), castagnoli, f[12:n]))
}

// FuzzInspect: whatever a segment file holds, Inspect never panics, never
// writes, and Walk yields exactly the Pending records.
func FuzzInspect(f *testing.F) {
	seed := t0Spool(f)
	f.Add(seed)
	f.Add(seed[:len(seed)/2])
	flipped := bytes.Clone(seed)
	flipped[len(flipped)/2] ^= 0x55
	f.Add(flipped)
	f.Add([]byte("TPSP\x01\x00\x00\x00garbage"))
	f.Fuzz(func(t *testing.T, seg []byte) {
		dir := t.TempDir()
		name := filepath.Join(dir, "00000000000000000001.seg")
		if err := os.WriteFile(name, seg, 0o644); err != nil {
			t.Fatal(err)
		}
		in, err := spool.Inspect(dir)
		if err != nil {
			if !errors.Is(err, spool.ErrVersion) {
				t.Fatalf("Inspect: %v", err)
			}
			return
		}
		if got, _ := os.ReadFile(name); !bytes.Equal(got, seg) {
			t.Fatal("Inspect changed the segment")
		}
		ids, _ := walkIDs(t, in)
		if len(ids) != in.Pending {
			t.Fatalf("walked %d, Pending %d", len(ids), in.Pending)
		}
	})
}

// t0Spool returns the bytes of a segment holding five records.
func t0Spool(f *testing.F) []byte {
	dir := f.TempDir()
	sp, err := spool.Open(dir, &sink{fail: down}, spool.WithDrainOnShutdown(false), spool.WithDrainBackoff(time.Hour, time.Hour))
	if err != nil {
		f.Fatal(err)
	}
	if err := sp.Send(context.Background(), recs(0, 5)); err != nil {
		f.Fatal(err)
	}
	if err := sp.Shutdown(context.Background()); err != nil {
		f.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "00000000000000000001.seg"))
	if err != nil {
		f.Fatal(err)
	}
	return b
}

// BenchmarkInspectWalk: Inspect and Walk a spool of 10,000 records (about
// 1.2 MB), the work of "touchpoint spool stat" or "verify".
func BenchmarkInspectWalk(b *testing.B) {
	dir := b.TempDir()
	sp, err := spool.Open(dir, &sink{fail: down}, spool.WithDrainOnShutdown(false), spool.WithDrainBackoff(time.Hour, time.Hour))
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < 10_000; i += 500 {
		if err := sp.Send(context.Background(), recs(i, 500)); err != nil {
			b.Fatal(err)
		}
	}
	if err := sp.Shutdown(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		in, err := spool.Inspect(dir)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		if err := in.Walk(func(spool.Entry) error { n++; return nil }); err != nil || n != 10_000 {
			b.Fatalf("walked %d: %v", n, err)
		}
	}
}
