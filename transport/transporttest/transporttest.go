package transporttest

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport"
)

// Mode is how the destination behind a Target answers.
type Mode int

const (
	// Up: the destination accepts everything.
	Up Mode = iota
	// Down: the destination fails every send transiently (503, a refused
	// connection): the Sender must report a retryable error.
	Down
	// Reject: the destination refuses every send permanently (400): the
	// Sender must report a non-retryable error.
	Reject
	// Hang: the destination never answers: the Sender must return when its
	// context is cancelled.
	Hang
)

func (m Mode) String() string {
	switch m {
	case Up:
		return "up"
	case Down:
		return "down"
	case Reject:
		return "reject"
	case Hang:
		return "hang"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// Target is one Sender under test with a view of its destination.
type Target struct {
	// Sender is the Sender under test. Required.
	Sender transport.Sender
	// Received returns the IDs of the records the destination has received,
	// in arrival order. Required. Run polls it for up to ten seconds, so a
	// Sender that delivers asynchronously (a spool) passes too.
	Received func() []string
	// SetMode switches the destination's behaviour for the sends that
	// follow and reports whether the mode is supported. Optional (nil means
	// only Up); subtests needing an unsupported mode are skipped with a
	// reason.
	SetMode func(Mode) bool
	// Close releases the destination after the Sender is shut down.
	// Optional.
	Close func()
}

// Run runs the conformance suite. newTarget is called once per subtest and
// must return a fresh Sender and destination.
func Run(t *testing.T, newTarget func(t *testing.T) Target) {
	t.Helper()
	subtests := []struct {
		name string
		f    func(t *testing.T, tg Target)
	}{
		{"Deliver", testDeliver},
		{"Order", testOrder},
		{"EmptyBatch", testEmpty},
		{"CanceledContext", testCanceled},
		{"CancelWhileHanging", testHang},
		{"Classification", testClassification},
		{"Shutdown", testShutdown},
	}
	for _, st := range subtests {
		t.Run(st.name, func(t *testing.T) {
			tg := newTarget(t)
			if tg.Sender == nil || tg.Received == nil {
				t.Fatal("transporttest: Target needs Sender and Received")
			}
			defer release(t, tg)
			st.f(t, tg)
		})
	}
	t.Run("NoGoroutineLeak", func(t *testing.T) {
		before := runtime.NumGoroutine()
		tg := newTarget(t)
		if err := tg.Sender.Send(t.Context(), Records("leak", 0, 10)); err != nil {
			t.Fatalf("Send: %v", err)
		}
		waitReceived(t, tg, ids("leak", 0, 10))
		release(t, tg)
		deadline := time.Now().Add(5 * time.Second)
		for runtime.NumGoroutine() > before {
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<20)
				buf = buf[:runtime.Stack(buf, true)]
				t.Fatalf("%d goroutines before the Sender, %d after Shutdown and Close:\n%s", before, runtime.NumGoroutine(), buf)
			}
			time.Sleep(5 * time.Millisecond)
		}
	})
}

func release(t *testing.T, tg Target) {
	if tg.SetMode != nil {
		tg.SetMode(Up)
	}
	if sd, ok := tg.Sender.(connected.Shutdowner); ok {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := sd.Shutdown(ctx); err != nil && !errors.Is(err, transport.ErrClosed) {
			t.Errorf("Shutdown: %v", err)
		}
	}
	if tg.Close != nil {
		tg.Close()
	}
}

// Records returns n valid records with IDs prefix-<from>..prefix-<from+n-1>.
func Records(prefix string, from, n int) []*connected.Record {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	out := make([]*connected.Record, n)
	for i := range out {
		id := fmt.Sprintf("%s-%05d", prefix, from+i)
		out[i] = &connected.Record{
			ID: id, Type: connected.TypeTrack, Time: t0.Add(time.Duration(from+i) * time.Millisecond),
			Category: connected.CategoryBehavioral, PartitionKey: fmt.Sprintf("%032x", (from+i)%5),
			Payload: fmt.Appendf(nil, `{"type":"track","messageId":%q,"userId":"u-%d","event":"Conformance","originalTimestamp":"2026-03-01T12:00:00.000Z","context":{"dataCategory":"behavioral"}}`, id, (from+i)%5),
		}
	}
	return out
}

func ids(prefix string, from, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s-%05d", prefix, from+i)
	}
	return out
}

// waitReceived polls until the destination received exactly want, in order.
func waitReceived(t *testing.T, tg Target, want []string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := tg.Received()
		if slices.Equal(got, want) {
			return
		}
		if len(got) > len(want) || time.Now().After(deadline) {
			t.Fatalf("destination received %d records %s, want %d %s", len(got), short(got), len(want), short(want))
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func short(s []string) string {
	if len(s) > 6 {
		return "[" + strings.Join(s[:3], " ") + " ... " + strings.Join(s[len(s)-3:], " ") + "]"
	}
	return fmt.Sprint(s)
}

func need(t *testing.T, tg Target, m Mode) {
	t.Helper()
	if tg.SetMode == nil || !tg.SetMode(m) {
		t.Skipf("transporttest: the target cannot simulate a %v destination", m)
	}
}

func testDeliver(t *testing.T, tg Target) {
	var want []string
	for b := range 3 {
		if err := tg.Sender.Send(t.Context(), Records("d", b*5, 5)); err != nil {
			t.Fatalf("Send batch %d: %v", b, err)
		}
		want = append(want, ids("d", b*5, 5)...)
	}
	waitReceived(t, tg, want)
}

func testOrder(t *testing.T, tg Target) {
	var want []string
	n := 0
	for b := range 20 {
		k := 1 + b%3
		batch := Records("o", n, k)
		// The caller owns the slice: scribbling on it after Send returns
		// must not change what was delivered.
		if err := tg.Sender.Send(t.Context(), batch); err != nil {
			t.Fatalf("Send batch %d: %v", b, err)
		}
		clear(batch)
		want = append(want, ids("o", n, k)...)
		n += k
	}
	waitReceived(t, tg, want)
}

func testEmpty(t *testing.T, tg Target) {
	if err := tg.Sender.Send(t.Context(), nil); err != nil {
		t.Fatalf("Send(nil) = %v", err)
	}
	if err := tg.Sender.Send(t.Context(), Records("e", 0, 1)); err != nil {
		t.Fatal(err)
	}
	waitReceived(t, tg, ids("e", 0, 1))
}

func testCanceled(t *testing.T, tg Target) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err := tg.Sender.Send(ctx, Records("c", 0, 3))
	if err == nil {
		t.Fatal("Send with a cancelled context returned nil")
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Send with a cancelled context = %v, want an error wrapping context.Canceled", err)
	}
	if transport.IsRetryable(err) {
		t.Fatalf("IsRetryable(%v) = true for a cancelled context", err)
	}
}

func testHang(t *testing.T, tg Target) {
	need(t, tg, Hang)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- tg.Sender.Send(ctx, Records("h", 0, 2)) }()
	time.Sleep(20 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Send cancelled while hanging = %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Send did not return within 10 s of its context being cancelled")
	}
}

func testClassification(t *testing.T, tg Target) {
	need(t, tg, Down)
	err := tg.Sender.Send(t.Context(), Records("x", 0, 2))
	if err == nil || !transport.IsRetryable(err) {
		t.Fatalf("destination down: Send = %v, want a retryable error", err)
	}
	need(t, tg, Reject)
	err = tg.Sender.Send(t.Context(), Records("x", 2, 2))
	if err == nil || transport.IsRetryable(err) {
		t.Fatalf("destination rejecting: Send = %v, want a permanent error", err)
	}
	need(t, tg, Up)
	if err := tg.Sender.Send(t.Context(), Records("x", 4, 2)); err != nil {
		t.Fatalf("destination back up: Send = %v", err)
	}
	// A broker may acknowledge before the consumer side sees the record:
	// poll, as waitReceived does.
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := tg.Received()
		if slices.Contains(got, "x-00004") && slices.Contains(got, "x-00005") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after recovery the destination received %v, want x-00004 and x-00005 among them", short(got))
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func testShutdown(t *testing.T, tg Target) {
	sd, ok := tg.Sender.(connected.Shutdowner)
	if !ok {
		t.Skip("transporttest: the Sender has no Shutdown method")
	}
	if err := tg.Sender.Send(t.Context(), Records("s", 0, 2)); err != nil {
		t.Fatal(err)
	}
	waitReceived(t, tg, ids("s", 0, 2))
	for i := range 2 {
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		err := sd.Shutdown(ctx)
		cancel()
		if err != nil {
			t.Fatalf("Shutdown call %d = %v", i+1, err)
		}
	}
	err := tg.Sender.Send(t.Context(), Records("s", 2, 1))
	if !errors.Is(err, transport.ErrClosed) || transport.IsRetryable(err) {
		t.Fatalf("Send after Shutdown = %v, want transport.ErrClosed", err)
	}
}
