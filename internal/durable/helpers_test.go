package durable_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/internal/durable"
)

var testCfg = durable.Config{Name: "TEST", Ext: "tst", Sync: durable.SyncNever}

func open(t testing.TB, dir string, cfg durable.Config) *durable.Store {
	t.Helper()
	st, err := durable.Open(dir, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// all replays st and returns the snapshot's and the log's records.
func all(t testing.TB, st *durable.Store) (snap, log [][]byte) {
	t.Helper()
	err := st.Replay(context.Background(),
		func(r []byte) error { snap = append(snap, slices.Clone(r)); return nil },
		func(r []byte) error { log = append(log, slices.Clone(r)); return nil })
	if err != nil {
		t.Fatal(err)
	}
	return snap, log
}

func rec(i int) []byte { return fmt.Appendf(nil, "record %d %s", i, bytes.Repeat([]byte{'x'}, i%7)) }

// fill appends n records, one per Append, and closes the store.
func fill(t testing.TB, dir string, n int) [][]byte {
	t.Helper()
	st := open(t, dir, testCfg)
	var want [][]byte
	for i := range n {
		r := rec(i)
		if err := st.Append(context.Background(), r); err != nil {
			t.Fatal(err)
		}
		want = append(want, r)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	return want
}

func logPath(t testing.TB, dir string) string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "log-*.tst"))
	if err != nil || len(m) != 1 {
		t.Fatalf("log files: %v %v", m, err)
	}
	return m[0]
}

func readFile(t testing.TB, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeFile(t testing.TB, p string, b []byte) {
	t.Helper()
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
