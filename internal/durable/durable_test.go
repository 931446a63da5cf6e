package durable_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/internal/durable"
)

func TestRoundTripAndCompact(t *testing.T) {
	dir := t.TempDir()
	want := fill(t, dir, 5)
	st := open(t, dir, testCfg)
	snap, log := all(t, st)
	if len(snap) != 0 || !slices.EqualFunc(log, want, bytes.Equal) {
		t.Fatalf("after reopen: snapshot %d, log %d records", len(snap), len(log))
	}
	if n, size := st.LogStats(); n != 5 || size <= durable.HeaderSize {
		t.Fatalf("LogStats = %d, %d", n, size)
	}
	ctx := context.Background()
	err := st.Compact(ctx, func(emit func([]byte) error) error {
		for _, r := range want[:3] {
			if err := emit(r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := st.LogStats(); n != 0 {
		t.Fatalf("log records after Compact: %d", n)
	}
	if err := st.Append(ctx, []byte("a"), []byte("b")); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st = open(t, dir, testCfg)
	defer st.Close()
	snap, log = all(t, st)
	if !slices.EqualFunc(snap, want[:3], bytes.Equal) || len(log) != 2 || string(log[0]) != "a" || string(log[1]) != "b" {
		t.Fatalf("after compaction and reopen: snapshot %q, log %q", snap, log)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(files) != 2 {
		t.Errorf("files: %v, want the snapshot and one log", files)
	}
}

func TestCompactFailureChangesNothing(t *testing.T) {
	dir := t.TempDir()
	want := fill(t, dir, 3)
	st := open(t, dir, testCfg)
	defer st.Close()
	boom := errors.New("boom")
	if err := st.Compact(context.Background(), func(emit func([]byte) error) error {
		emit([]byte("half"))
		return boom
	}); !errors.Is(err, boom) {
		t.Fatalf("Compact = %v", err)
	}
	if err := st.Compact(context.Background(), func(emit func([]byte) error) error { return emit(nil) }); !errors.Is(err, durable.ErrRecordSize) {
		t.Fatalf("Compact of an empty record = %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := st.Compact(ctx, func(emit func([]byte) error) error { return emit([]byte("x")) }); !errors.Is(err, context.Canceled) {
		t.Fatalf("Compact with a cancelled context = %v", err)
	}
	if snap, log := all(t, st); len(snap) != 0 || !slices.EqualFunc(log, want, bytes.Equal) {
		t.Fatalf("after failed compactions: snapshot %d, log %d", len(snap), len(log))
	}
	if _, err := os.Stat(filepath.Join(dir, "snapshot.tmp")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("snapshot.tmp left behind: %v", err)
	}
}

func TestAppendRejects(t *testing.T) {
	st := open(t, t.TempDir(), testCfg)
	ctx := context.Background()
	if err := st.Append(ctx, []byte("ok"), nil); !errors.Is(err, durable.ErrRecordSize) {
		t.Fatalf("empty record: %v", err)
	}
	if err := st.Append(ctx, make([]byte, durable.MaxRecord+1)); !errors.Is(err, durable.ErrRecordSize) {
		t.Fatalf("oversized record: %v", err)
	}
	if n, _ := st.LogStats(); n != 0 {
		t.Fatalf("a rejected Append wrote %d records", n)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := st.Append(cctx, []byte("x")); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
	st.Close()
	if err := st.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	for name, err := range map[string]error{
		"Append":  st.Append(ctx, []byte("x")),
		"Replay":  st.Replay(ctx, nil, nil),
		"Compact": st.Compact(ctx, func(func([]byte) error) error { return nil }),
		"Sync":    st.Sync(),
	} {
		if !errors.Is(err, durable.ErrClosed) {
			t.Errorf("%s after Close: %v", name, err)
		}
	}
}

func TestConfigValidation(t *testing.T) {
	for _, c := range []durable.Config{
		{Name: "ABC", Ext: "x"}, {Name: "ABCD", Ext: ""}, {Name: "AB D", Ext: "x"},
		{Name: "ABCD", Ext: "X"}, {Name: "ABCD", Ext: "toolongxx"}, {Name: "ABCD", Ext: "x", Sync: 7},
	} {
		_, err := durable.Open(t.TempDir(), c)
		var ce *durable.ConfigError
		if !errors.Is(err, durable.ErrConfig) || !errors.As(err, &ce) {
			t.Errorf("%+v: %v", c, err)
		}
	}
}

// TestReplayCallbackError: a callback's error comes back as it is and
// stops the replay.
func TestReplayCallbackError(t *testing.T) {
	dir := t.TempDir()
	fill(t, dir, 5)
	st := open(t, dir, testCfg)
	defer st.Close()
	stop := errors.New("stop")
	n := 0
	err := st.Replay(context.Background(), nil, func([]byte) error {
		if n++; n == 2 {
			return stop
		}
		return nil
	})
	if err != stop || n != 2 {
		t.Fatalf("Replay = %v after %d records", err, n)
	}
}

func TestLargeRecords(t *testing.T) {
	dir := t.TempDir()
	st := open(t, dir, testCfg)
	big := bytes.Repeat([]byte("0123456789abcdef"), 200_000) // 3.2 MB, over the read buffer
	if err := st.Append(context.Background(), []byte("small"), big, []byte("after")); err != nil {
		t.Fatal(err)
	}
	st.Close()
	st = open(t, dir, testCfg)
	defer st.Close()
	_, log := all(t, st)
	if len(log) != 3 || !bytes.Equal(log[1], big) || string(log[2]) != "after" {
		t.Fatalf("records: %d", len(log))
	}
}
