package transport_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/transport"
)

func TestFileRotatesBySize(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.ndjson")
	line := len(rec(0, "").Payload) + 1
	f, err := transport.NewFile(path, transport.WithFileMaxBytes(int64(3*line)), transport.WithFileMaxBackups(2), transport.WithFileSync(true))
	if err != nil {
		t.Fatal(err)
	}
	all := recs(10)
	for i := 0; i < 10; i += 2 { // five batches of two lines: a file holds one batch
		if err := f.Send(t.Context(), all[i:i+2]); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := f.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	read := func(p string) string {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			got = append(got, l[strings.Index(l, "id-"):][:9])
		}
		return strings.Join(got, ",")
	}
	if got := read(path); got != "id-000008,id-000009" {
		t.Fatalf("current file %s", got)
	}
	if got := read(path + ".1"); got != "id-000006,id-000007" {
		t.Fatalf(".1 %s", got)
	}
	if got := read(path + ".2"); got != "id-000004,id-000005" {
		t.Fatalf(".2 %s", got)
	}
	if _, err := os.Stat(path + ".3"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf(".3 kept beyond max backups: %v", err)
	}
	if err := f.Send(t.Context(), all[:1]); !errors.Is(err, transport.ErrClosed) {
		t.Fatalf("Send after Shutdown = %v", err)
	}
	if st := f.Stats(); st.Delivered != 10 || st.Requests != 5 {
		t.Fatalf("stats %+v", st)
	}
}

func TestFileUnwritableDirectory(t *testing.T) {
	if _, err := transport.NewFile(filepath.Join(t.TempDir(), "missing", "x.ndjson")); err == nil {
		t.Fatal("NewFile in a missing directory succeeded")
	}
	if _, err := transport.NewFile("x", transport.WithFileMaxBytes(0)); err == nil {
		t.Fatal("max bytes 0 accepted")
	}
}

type failingWriter struct{}

func (failingWriter) Write(p []byte) (int, error) { return 0, errors.New("disk full") }

func TestWriter(t *testing.T) {
	var buf bytes.Buffer
	w, err := transport.NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Send(t.Context(), recs(3)); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(buf.String(), "\n"); n != 3 {
		t.Fatalf("%d lines", n)
	}
	fw, _ := transport.NewWriter(failingWriter{})
	if err := fw.Send(t.Context(), recs(1)); err == nil || !transport.IsRetryable(err) {
		t.Fatalf("failing writer: %v", err)
	}
	_ = w.Shutdown(t.Context())
	if err := w.Send(t.Context(), recs(1)); !errors.Is(err, transport.ErrClosed) {
		t.Fatalf("after Shutdown: %v", err)
	}
	if _, err := transport.NewWriter(nil); err == nil {
		t.Fatal("nil writer accepted")
	}
}
