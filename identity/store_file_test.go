package identity_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/identity"
)

func entries(t *testing.T, st identity.Store) [][]byte {
	t.Helper()
	var out [][]byte
	if err := st.Load(context.Background(), func(e []byte) error { out = append(out, slices.Clone(e)); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

func fillStore(t *testing.T, dir string, n int) [][]byte {
	t.Helper()
	st, err := identity.OpenFileStore(dir, identity.WithoutSync())
	if err != nil {
		t.Fatal(err)
	}
	var want [][]byte
	for i := range n {
		e := bytes.Repeat([]byte{byte(i + 1)}, 10+i)
		if err := st.Append(context.Background(), e); err != nil {
			t.Fatal(err)
		}
		want = append(want, e)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	return want
}

func logFile(t *testing.T, dir string) string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "log-*.tpid"))
	if err != nil || len(m) != 1 {
		t.Fatalf("log files: %v %v", m, err)
	}
	return m[0]
}

func TestFileStoreRoundTrip(t *testing.T) {
	dir := t.TempDir()
	want := fillStore(t, dir, 5)
	st, err := identity.OpenFileStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if got := entries(t, st); !slices.EqualFunc(got, want, bytes.Equal) {
		t.Fatalf("entries after reopen: %d, want %d", len(got), len(want))
	}
	// compact into a snapshot, append more, reopen
	err = st.Compact(context.Background(), func(emit func([]byte) error) error {
		for _, e := range want[:3] {
			if err := emit(e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Append(context.Background(), []byte("after")); err != nil {
		t.Fatal(err)
	}
	st.Close()
	st2, err := identity.OpenFileStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	got := entries(t, st2)
	if len(got) != 4 || !bytes.Equal(got[3], []byte("after")) || !bytes.Equal(got[0], want[0]) {
		t.Fatalf("after compaction: %q", got)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(files) != 2 {
		t.Errorf("files after compaction: %v, want a snapshot and one log", files)
	}
}

// TestFileStoreTornTail cuts the log at every byte of its last frames: the
// store opens, keeps exactly the whole frames, reports what it cut, and
// appends after them.
func TestFileStoreTornTail(t *testing.T) {
	dir := t.TempDir()
	want := fillStore(t, dir, 4)
	path := logFile(t, dir)
	full, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	frame3 := len(full) - (8 + len(want[3]))
	for cut := frame3 - (8 + len(want[2])); cut < len(full); cut++ {
		if err := os.WriteFile(path, full[:cut], 0o600); err != nil {
			t.Fatal(err)
		}
		st, err := identity.OpenFileStore(dir, identity.WithoutSync())
		if err != nil {
			t.Fatalf("cut at %d: %v", cut, err)
		}
		got := entries(t, st)
		wantN := 2
		if cut >= frame3 {
			wantN = 3
		}
		if !slices.EqualFunc(got, want[:wantN], bytes.Equal) {
			t.Fatalf("cut at %d: %d entries, want %d", cut, len(got), wantN)
		}
		kept := 24 + 0
		for _, e := range want[:wantN] {
			kept += 8 + len(e)
		}
		if st.TruncatedBytes() != int64(cut-kept) {
			t.Fatalf("cut at %d: truncated %d, want %d", cut, st.TruncatedBytes(), cut-kept)
		}
		if err := st.Append(context.Background(), []byte("next")); err != nil {
			t.Fatal(err)
		}
		st.Close()
		st, _ = identity.OpenFileStore(dir, identity.WithoutSync())
		got = entries(t, st)
		if len(got) != wantN+1 || string(got[wantN]) != "next" {
			t.Fatalf("cut at %d: append after recovery lost: %d entries", cut, len(got))
		}
		st.Close()
	}
}

func TestFileStoreCorruption(t *testing.T) {
	t.Run("bad frame checksum truncates there", func(t *testing.T) {
		dir := t.TempDir()
		want := fillStore(t, dir, 3)
		path := logFile(t, dir)
		b, _ := os.ReadFile(path)
		b[24+8+len(want[0])+8+2] ^= 0xff // inside the second frame's payload
		os.WriteFile(path, b, 0o600)
		st, err := identity.OpenFileStore(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		if got := entries(t, st); len(got) != 1 || st.TruncatedBytes() == 0 {
			t.Fatalf("entries %d, truncated %d", len(got), st.TruncatedBytes())
		}
	})
	t.Run("corrupt snapshot is an error", func(t *testing.T) {
		dir := t.TempDir()
		fillStore(t, dir, 1)
		st, _ := identity.OpenFileStore(dir)
		st.Compact(context.Background(), func(emit func([]byte) error) error { return emit([]byte("snapshot entry")) })
		st.Close()
		path := filepath.Join(dir, "snapshot.tpid")
		b, _ := os.ReadFile(path)
		b[len(b)-3] ^= 0x01
		os.WriteFile(path, b, 0o600)
		st, err := identity.OpenFileStore(dir)
		if err != nil {
			t.Fatal(err) // the header is fine; the frame is checked on Load
		}
		defer st.Close()
		err = st.Load(context.Background(), func([]byte) error { return nil })
		var fe *identity.FormatError
		if !errors.Is(err, identity.ErrCorrupt) || !errors.Is(err, identity.ErrChecksum) || !errors.As(err, &fe) || fe.Source != "snapshot" || fe.Offset != 24 {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("unknown version", func(t *testing.T) {
		dir := t.TempDir()
		fillStore(t, dir, 1)
		path := logFile(t, dir)
		b, _ := os.ReadFile(path)
		b[9] = 2 // version 2, checksum now wrong too: fix it up
		fixHeaderCRC(b)
		os.WriteFile(path, b, 0o600)
		_, err := identity.OpenFileStore(dir)
		if !errors.Is(err, identity.ErrUnsupportedVersion) || !errors.Is(err, identity.ErrCorrupt) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("bad magic", func(t *testing.T) {
		dir := t.TempDir()
		fillStore(t, dir, 1)
		path := logFile(t, dir)
		b, _ := os.ReadFile(path)
		copy(b, "NOTTPID!")
		os.WriteFile(path, b, 0o600)
		if _, err := identity.OpenFileStore(dir); !errors.Is(err, identity.ErrCorrupt) {
			t.Fatalf("err = %v", err)
		}
	})
}

// TestFileStoreInterruptedCompaction recreates the states a crash during
// Compact can leave, and checks that open recovers a consistent store.
func TestFileStoreInterruptedCompaction(t *testing.T) {
	dir := t.TempDir()
	want := fillStore(t, dir, 3)
	oldLog := logFile(t, dir)
	oldBytes, _ := os.ReadFile(oldLog)

	// crash before the rename: a half-written snapshot.tmp
	os.WriteFile(filepath.Join(dir, "snapshot.tmp"), []byte("TPIDSNAP garbage"), 0o600)
	st, err := identity.OpenFileStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := entries(t, st); !slices.EqualFunc(got, want, bytes.Equal) {
		t.Fatalf("crash before rename: %d entries", len(got))
	}
	if _, err := os.Stat(filepath.Join(dir, "snapshot.tmp")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("snapshot.tmp not removed: %v", err)
	}
	// a real compaction, then put back the state of a crash after the
	// rename and before the new log: the old log is there, the new one not
	if err := st.Compact(context.Background(), func(emit func([]byte) error) error { return emit([]byte("snap")) }); err != nil {
		t.Fatal(err)
	}
	st.Close()
	os.Remove(logFile(t, dir))
	os.WriteFile(oldLog, oldBytes, 0o600)
	st, err = identity.OpenFileStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	got := entries(t, st)
	if len(got) != 1 || string(got[0]) != "snap" {
		t.Fatalf("crash after rename: %q, want only the snapshot", got)
	}
	if logFile(t, dir) == oldLog {
		t.Error("the obsolete log was kept")
	}
}

func TestFileStoreClosed(t *testing.T) {
	st, err := identity.OpenFileStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	ctx := context.Background()
	if err := st.Append(ctx, []byte("x")); !errors.Is(err, identity.ErrClosed) {
		t.Errorf("Append after Close: %v", err)
	}
	if err := st.Load(ctx, func([]byte) error { return nil }); !errors.Is(err, identity.ErrClosed) {
		t.Errorf("Load after Close: %v", err)
	}
	if err := st.Compact(ctx, func(func([]byte) error) error { return nil }); !errors.Is(err, identity.ErrClosed) {
		t.Errorf("Compact after Close: %v", err)
	}
}

// TestFileStorePartialHeader: a crash while creating the log leaves part of
// its header; open starts the log again and appends work.
func TestFileStorePartialHeader(t *testing.T) {
	for _, cut := range []int{0, 1, 10, 23} {
		dir := t.TempDir()
		fillStore(t, dir, 1)
		path := logFile(t, dir)
		b, _ := os.ReadFile(path)
		os.WriteFile(path, b[:cut], 0o600)
		st, err := identity.OpenFileStore(dir, identity.WithoutSync())
		if err != nil {
			t.Fatalf("cut %d: %v", cut, err)
		}
		if got := entries(t, st); len(got) != 0 {
			t.Fatalf("cut %d: %d entries", cut, len(got))
		}
		if err := st.Append(context.Background(), []byte("after")); err != nil {
			t.Fatal(err)
		}
		st.Close()
		st, err = identity.OpenFileStore(dir, identity.WithoutSync())
		if err != nil {
			t.Fatalf("cut %d, reopen: %v", cut, err)
		}
		if got := entries(t, st); len(got) != 1 || string(got[0]) != "after" {
			t.Fatalf("cut %d: after reopen %q", cut, got)
		}
		st.Close()
	}
}
