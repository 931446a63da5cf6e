package transport_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport"
	"github.com/touchpoint-sdk/touchpoint/transport/spool"
)

// nilCtx is a nil context.Context, as a caller's zero value would be.
var nilCtx context.Context

// noPanic runs f, turning a panic into a test failure.
func noPanic(t *testing.T, name string, f func() error) (err error) {
	t.Helper()
	defer func() {
		if p := recover(); p != nil {
			t.Errorf("%s panicked: %v", name, p)
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return f()
}

// TestNilContext: every method of the package (and of transport/spool) that
// takes a context returns ErrNilContext for a nil one, naming itself,
// without a panic; nothing is sent, and the component still works and
// drains afterwards.
func TestNilContext(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	seg, _ := transport.NewSegment(srv.URL, "wk")
	rud, _ := transport.NewRudderStack(srv.URL, "wk")
	ce, _ := transport.NewCloudEvents(srv.URL, connected.CloudEventsOptions{Source: "urn:test"})
	sent := &recorder{}
	retry, _ := transport.NewRetry(sent)
	batcher, _ := transport.NewBatcher(&recorder{})
	file, _ := transport.NewFile(filepath.Join(t.TempDir(), "events.ndjson"))
	var buf bytes.Buffer
	writer, _ := transport.NewWriter(&buf)
	var inflight transport.InFlight
	var called atomic.Bool
	fn := transport.SenderFunc(func(context.Context, []*connected.Record) error { called.Store(true); return nil })
	sp, err := spool.Open(t.TempDir(), &recorder{})
	if err != nil {
		t.Fatal(err)
	}
	r := recs(2)
	calls := []struct {
		name string
		call func() error
	}{
		{"HTTP.Send", func() error { return seg.Send(nilCtx, r) }},
		{"HTTP.Send", func() error { return rud.Send(nilCtx, r) }},
		{"HTTP.Send", func() error { return ce.Send(nilCtx, r) }},
		{"HTTP.Shutdown", func() error { return seg.Shutdown(nilCtx) }},
		{"Retry.Send", func() error { return retry.Send(nilCtx, r) }},
		{"Retry.Shutdown", func() error { return retry.Shutdown(nilCtx) }},
		{"Batcher.Handle", func() error { return batcher.Handle(nilCtx, r[0]) }},
		{"Batcher.Flush", func() error { return batcher.Flush(nilCtx) }},
		{"Batcher.Shutdown", func() error { return batcher.Shutdown(nilCtx) }},
		{"File.Send", func() error { return file.Send(nilCtx, r) }},
		{"File.Shutdown", func() error { return file.Shutdown(nilCtx) }},
		{"Writer.Send", func() error { return writer.Send(nilCtx, r) }},
		{"Writer.Shutdown", func() error { return writer.Shutdown(nilCtx) }},
		{"InFlight.Close", func() error { return inflight.Close(nilCtx) }},
		{"SenderFunc.Send", func() error { return fn.Send(nilCtx, r) }},
		{"Spool.Send", func() error { return sp.Send(nilCtx, r) }},
		{"Spool.Shutdown", func() error { return sp.Shutdown(nilCtx) }},
	}
	for _, tc := range calls {
		err := noPanic(t, tc.name, tc.call)
		if !errors.Is(err, transport.ErrNilContext) || !strings.Contains(err.Error(), tc.name) {
			t.Errorf("%s(nil) = %v, want ErrNilContext naming %s", tc.name, err, tc.name)
		}
		if transport.IsRetryable(err) {
			t.Errorf("%s(nil): ErrNilContext must not be retryable", tc.name)
		}
	}
	if called.Load() || len(sent.all()) != 0 || buf.Len() != 0 || seg.Stats().Requests != 0 || sp.Pending() != 0 {
		t.Fatal("a nil-context call sent something")
	}
	if inflight.Closed() {
		t.Fatal("InFlight.Close(nil) closed it")
	}
	// Nothing was shut down by the refused calls: everything still works.
	ctx := shutdownCtx(t)
	if err := seg.Send(ctx, r); err != nil {
		t.Fatalf("HTTP.Send after Shutdown(nil) = %v", err)
	}
	if err := file.Send(ctx, r); err != nil {
		t.Fatalf("File.Send after Shutdown(nil) = %v", err)
	}
	if err := writer.Send(ctx, r); err != nil {
		t.Fatalf("Writer.Send after Shutdown(nil) = %v", err)
	}
	if err := sp.Send(ctx, r); err != nil {
		t.Fatalf("Spool.Send after Shutdown(nil) = %v", err)
	}
	if err := batcher.Handle(ctx, r[0]); err != nil {
		t.Fatalf("Batcher.Handle after Shutdown(nil) = %v", err)
	}
	for _, s := range []interface{ Shutdown(context.Context) error }{seg, rud, ce, retry, batcher, file, writer, sp} {
		if err := s.Shutdown(ctx); err != nil {
			t.Fatalf("%T.Shutdown = %v", s, err)
		}
	}
	if err := inflight.Close(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestShutdownDrainsAfterNilContext: a Batcher whose Shutdown was first
// called with a nil context (and a Client over it) still delivers
// everything pending on the next Shutdown.
func TestShutdownDrainsAfterNilContext(t *testing.T) {
	s := &recorder{}
	b, err := transport.NewBatcher(s, transport.WithFlushInterval(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	c, err := connected.New(b)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		if err := c.Track(t.Context(), connected.Event{UserID: "u", Event: fmt.Sprint("E", i)}); err != nil {
			t.Fatal(err)
		}
	}
	_ = noPanic(t, "Batcher.Flush(nil)", func() error { return b.Flush(nilCtx) })
	_ = noPanic(t, "Batcher.Shutdown(nil)", func() error { return b.Shutdown(nilCtx) })
	_ = noPanic(t, "Client.Shutdown(nil)", func() error { return c.Shutdown(nilCtx) })
	if got := len(s.all()); got != 0 {
		t.Fatalf("%d records sent before the real Shutdown (flush interval 1h)", got)
	}
	if err := c.Shutdown(shutdownCtx(t)); err != nil {
		t.Fatalf("Shutdown after Shutdown(nil) = %v", err)
	}
	if got := len(s.all()); got != 20 {
		t.Fatalf("Shutdown delivered %d of 20", got)
	}
}

// TestShutdownDrainsAfterFailures: a failed send (reported) and a Flush
// that gave up at its deadline leave the Batcher able to drain: the next
// Shutdown delivers everything still pending.
func TestShutdownDrainsAfterFailures(t *testing.T) {
	var mu sync.Mutex
	failing := true
	release := make(chan struct{})
	var sends atomic.Int64
	s := &recorder{fail: func(batch []*connected.Record) error {
		n := sends.Add(1)
		if n == 1 {
			return &transport.HTTPError{StatusCode: 400} // the first batch fails for good
		}
		mu.Lock()
		f := failing
		mu.Unlock()
		if f {
			<-release // the collector hangs until the test lets it answer
		}
		return nil
	}}
	var o outcomes
	b, err := transport.NewBatcher(s, transport.WithMaxBatchEvents(10), transport.WithConcurrency(1), transport.WithCallbacks(o.callbacks()))
	if err != nil {
		t.Fatal(err)
	}
	offer(t, b, 10) // batch 1: rejected
	if err := b.Flush(shutdownCtx(t)); err != nil {
		t.Fatal(err)
	}
	for i := 10; i < 50; i++ {
		if err := b.Handle(t.Context(), rec(i, "")); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	if err := b.Flush(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Flush against a hanging sender = %v", err)
	}
	cancel()
	mu.Lock()
	failing = false
	mu.Unlock()
	close(release)
	if err := b.Shutdown(shutdownCtx(t)); err != nil {
		t.Fatalf("Shutdown after a failed send and a failed Flush = %v", err)
	}
	if got := s.all(); len(got) != 40 {
		t.Fatalf("Shutdown delivered %d of the 40 pending", len(got))
	}
	if d, f := len(o.delivered()), len(o.failed(transport.ReasonRejected)); d != 40 || f != 10 {
		t.Fatalf("callbacks: %d delivered of 40, %d rejected of 10", d, f)
	}
}
