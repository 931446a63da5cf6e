package durable_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/internal/durable"
)

// frameEnds returns the offset after each record's frame in a log.
func frameEnds(recs [][]byte) []int64 {
	off := int64(durable.HeaderSize)
	var ends []int64
	for _, r := range recs {
		off += durable.FrameOverhead + int64(len(r))
		ends = append(ends, off)
	}
	return ends
}

// TestTornTail cuts the log at every byte after its header: the store opens,
// keeps exactly the whole frames, reports what it cut (Recovery and
// OnTruncate), and appends after them.
func TestTornTail(t *testing.T) {
	dir := t.TempDir()
	want := fill(t, dir, 6)
	path := logPath(t, dir)
	full := readFile(t, path)
	ends := frameEnds(want)
	for cut := durable.HeaderSize; cut < len(full); cut++ {
		writeFile(t, path, full[:cut])
		var told []durable.Recovery
		cfg := testCfg
		cfg.OnTruncate = func(r durable.Recovery) { told = append(told, r) }
		st := open(t, dir, cfg)
		_, got := all(t, st)
		keep := 0
		for keep < len(ends) && ends[keep] <= int64(cut) {
			keep++
		}
		if !slices.EqualFunc(got, want[:keep], bytes.Equal) {
			t.Fatalf("cut at %d: %d records, want %d", cut, len(got), keep)
		}
		kept := int64(durable.HeaderSize)
		if keep > 0 {
			kept = ends[keep-1]
		}
		rc := st.Recovery()
		if rc.Bytes != int64(cut)-kept || rc.Bytes > 0 && rc.Offset != kept {
			t.Fatalf("cut at %d: Recovery %+v, want offset %d", cut, rc, kept)
		}
		if rc.Bytes > 0 && (len(told) != 1 || told[0] != rc || !errors.Is(rc.Cause, durable.ErrCorrupt)) {
			t.Fatalf("cut at %d: OnTruncate got %+v", cut, told)
		}
		if rc.Bytes == 0 && (len(told) != 0 || rc.Cause != nil) {
			t.Fatalf("cut at a frame boundary %d: reported %+v %+v", cut, told, rc)
		}
		if err := st.Append(context.Background(), []byte("next")); err != nil {
			t.Fatal(err)
		}
		st.Close()
		st = open(t, dir, testCfg)
		_, got = all(t, st)
		if len(got) != keep+1 || string(got[keep]) != "next" || st.Recovery().Bytes != 0 {
			t.Fatalf("cut at %d: append after recovery: %d records, %+v", cut, len(got), st.Recovery())
		}
		st.Close()
	}
}

// TestFlippedBits flips every bit of a log, one at a time. A flip in the
// header is a typed error from Open; a flip in a frame keeps exactly the
// frames before it, never a changed record, and reports the cut.
func TestFlippedBits(t *testing.T) {
	dir := t.TempDir()
	want := fill(t, dir, 4)
	path := logPath(t, dir)
	full := readFile(t, path)
	ends := frameEnds(want)
	for i := range len(full) * 8 {
		b := slices.Clone(full)
		b[i/8] ^= 1 << (i % 8)
		writeFile(t, path, b)
		st, err := durable.Open(dir, testCfg)
		if i/8 < durable.HeaderSize {
			var fe *durable.FormatError
			if !errors.Is(err, durable.ErrCorrupt) || !errors.As(err, &fe) || fe.File != durable.FileLog {
				t.Fatalf("bit %d of the header: %v", i, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("bit %d: %v", i, err)
		}
		_, got := all(t, st)
		keep := 0
		for keep < len(ends) && ends[keep] <= int64(i/8) {
			keep++
		}
		if !slices.EqualFunc(got, want[:keep], bytes.Equal) {
			t.Fatalf("bit %d: %d records %q, want the first %d", i, len(got), got, keep)
		}
		if rc := st.Recovery(); rc.Offset != int64(len(full))-rc.Bytes || rc.Bytes == 0 || !errors.Is(rc.Cause, durable.ErrCorrupt) {
			t.Fatalf("bit %d: Recovery %+v", i, rc)
		}
		st.Close()
	}
}

func TestCorruptSnapshot(t *testing.T) {
	dir := t.TempDir()
	fill(t, dir, 1)
	st := open(t, dir, testCfg)
	if err := st.Compact(context.Background(), func(emit func([]byte) error) error {
		return errors.Join(emit([]byte("snapshot one")), emit([]byte("snapshot two")))
	}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	path := filepath.Join(dir, "snapshot.tst")
	good := readFile(t, path)

	b := slices.Clone(good)
	b[len(b)-3] ^= 0x04 // in the second record
	writeFile(t, path, b)
	st = open(t, dir, testCfg) // the header is fine; frames are checked on Replay
	err := st.Replay(context.Background(), func([]byte) error { return nil }, nil)
	var fe *durable.FormatError
	if !errors.Is(err, durable.ErrChecksum) || !errors.As(err, &fe) || fe.File != durable.FileSnapshot || fe.Offset != durable.HeaderSize+8+12 {
		t.Fatalf("Replay = %v", err)
	}
	st.Close()

	writeFile(t, path, good[:len(good)-1]) // torn: a snapshot is never torn, so this is corruption
	st = open(t, dir, testCfg)
	if err := st.Replay(context.Background(), func([]byte) error { return nil }, nil); !errors.Is(err, durable.ErrTruncated) {
		t.Fatalf("torn snapshot: %v", err)
	}
	st.Close()

	b = slices.Clone(good)
	b[3] ^= 0x20
	writeFile(t, path, b)
	if _, err := durable.Open(dir, testCfg); !errors.Is(err, durable.ErrBadMagic) || !errors.Is(err, durable.ErrCorrupt) {
		t.Fatalf("bad magic: %v", err)
	}
}

// fixCRC recomputes a header checksum after a test edited the header.
func fixCRC(b []byte) {
	binary.BigEndian.PutUint32(b[20:], crc32.Checksum(b[:20], crc32.MakeTable(crc32.Castagnoli)))
}

func TestVersions(t *testing.T) {
	t.Run("newer format version", func(t *testing.T) {
		dir := t.TempDir()
		fill(t, dir, 1)
		path := logPath(t, dir)
		b := readFile(t, path)
		b[9] = 2
		fixCRC(b)
		writeFile(t, path, b)
		if _, err := durable.Open(dir, testCfg); !errors.Is(err, durable.ErrUnsupportedVersion) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("newer schema", func(t *testing.T) {
		dir := t.TempDir()
		cfg := testCfg
		cfg.Schema = 3
		st := open(t, dir, cfg)
		st.Close()
		cfg.Schema = 2
		_, err := durable.Open(dir, cfg)
		var fe *durable.FormatError
		if !errors.Is(err, durable.ErrUnsupportedVersion) || !errors.As(err, &fe) || fe.Offset != 10 {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("older schema migrates by Compact", func(t *testing.T) {
		dir := t.TempDir()
		want := fill(t, dir, 3) // schema 0
		cfg := testCfg
		cfg.Schema = 1
		st := open(t, dir, cfg)
		defer st.Close()
		if st.Schema() != 0 {
			t.Fatalf("Schema = %d", st.Schema())
		}
		_, old := all(t, st)
		if !slices.EqualFunc(old, want, bytes.Equal) {
			t.Fatal("old records not replayed")
		}
		if err := st.Append(context.Background(), []byte("v1")); !errors.Is(err, durable.ErrSchemaMismatch) {
			t.Fatalf("Append before migration: %v", err)
		}
		if err := st.Compact(context.Background(), func(emit func([]byte) error) error {
			for _, r := range old {
				if err := emit(append([]byte("v1:"), r...)); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if err := st.Append(context.Background(), []byte("v1")); err != nil || st.Schema() != 1 {
			t.Fatalf("Append after migration: %v, schema %d", err, st.Schema())
		}
	})
}

// TestInterruptedCompaction recreates the states a crash during Compact
// can leave, and checks that open recovers a consistent store.
func TestInterruptedCompaction(t *testing.T) {
	dir := t.TempDir()
	want := fill(t, dir, 3)
	oldLog := logPath(t, dir)
	oldBytes := readFile(t, oldLog)

	writeFile(t, filepath.Join(dir, "snapshot.tmp"), []byte("TESTSNAP half-written"))
	st := open(t, dir, testCfg)
	if snap, log := all(t, st); len(snap) != 0 || !slices.EqualFunc(log, want, bytes.Equal) {
		t.Fatalf("crash before rename: %d+%d records", len(snap), len(log))
	}
	if _, err := os.Stat(filepath.Join(dir, "snapshot.tmp")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("snapshot.tmp not removed: %v", err)
	}
	if err := st.Compact(context.Background(), func(emit func([]byte) error) error { return emit([]byte("snap")) }); err != nil {
		t.Fatal(err)
	}
	st.Close()
	// crash after the rename, before the new log: the old log is back, the
	// new one missing
	os.Remove(logPath(t, dir))
	writeFile(t, oldLog, oldBytes)
	st = open(t, dir, testCfg)
	snap, log := all(t, st)
	if len(snap) != 1 || string(snap[0]) != "snap" || len(log) != 0 {
		t.Fatalf("crash after rename: %q %q, want only the snapshot", snap, log)
	}
	if logPath(t, dir) == oldLog {
		t.Error("the obsolete log was kept")
	}
	st.Close()
	// crash while creating the new log: part of its header
	for _, cut := range []int{0, 1, 23} {
		b := readFile(t, logPath(t, dir))
		writeFile(t, logPath(t, dir), b[:cut])
		st = open(t, dir, testCfg)
		if err := st.Append(context.Background(), []byte("after")); err != nil {
			t.Fatal(err)
		}
		st.Close()
		st = open(t, dir, testCfg)
		snap, log := all(t, st)
		if len(snap) != 1 || len(log) != 1 || string(log[0]) != "after" {
			t.Fatalf("partial log header %d: %q %q", cut, snap, log)
		}
		st.Close()
	}
	// a log of another generation than the snapshot
	b := readFile(t, logPath(t, dir))
	b[19]++
	fixCRC(b)
	writeFile(t, logPath(t, dir), b)
	if _, err := durable.Open(dir, testCfg); !errors.Is(err, durable.ErrGeneration) {
		t.Fatalf("generation mismatch: %v", err)
	}
}
