package transport_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport"
	"github.com/touchpoint-sdk/touchpoint/transport/spool"
)

// Fault tests: a loopback collector misbehaves in one way each, and every
// event must end up delivered or accounted for (failure callback + counter):
// zero silent loss.

// answer is what the fault collector does with one request.
type answer struct {
	status     int           // 0 means 200
	retryAfter string        // Retry-After header
	delay      time.Duration // before answering
	hang       bool          // never answer (until the client gives up)
	reset      bool          // close the connection without an answer
}

type faultCollector struct {
	mu       sync.Mutex
	requests int
	got      map[string]int // accepted messageIds
	behave   func(n int, ids []string) answer
	srv      *httptest.Server
	stop     chan struct{}
}

func newFaultCollector(t *testing.T, behave func(n int, ids []string) answer) *faultCollector {
	c := &faultCollector{got: map[string]int{}, behave: behave, stop: make(chan struct{})}
	c.srv = httptest.NewServer(c)
	t.Cleanup(func() { close(c.stop); c.srv.Close() })
	return c
}

func (c *faultCollector) setBehave(f func(n int, ids []string) answer) {
	c.mu.Lock()
	c.behave = f
	c.mu.Unlock()
}

func (c *faultCollector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	body := raw
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err == nil {
			body, err = io.ReadAll(zr)
		}
		if err != nil {
			w.WriteHeader(400)
			return
		}
	}
	var ids []string
	for _, m := range messageIDRE.FindAllSubmatch(body, -1) {
		ids = append(ids, string(m[1]))
	}
	c.mu.Lock()
	c.requests++
	n, behave := c.requests, c.behave
	c.mu.Unlock()
	a := answer{}
	if behave != nil {
		a = behave(n, ids)
	}
	if a.delay > 0 {
		select {
		case <-time.After(a.delay):
		case <-c.stop:
		}
	}
	switch {
	case a.hang:
		select {
		case <-r.Context().Done():
		case <-c.stop:
		}
		return
	case a.reset:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
			}
		}
		return
	case a.status != 0 && a.status != 200:
		if a.retryAfter != "" {
			w.Header().Set("Retry-After", a.retryAfter)
		}
		w.WriteHeader(a.status)
		return
	}
	c.mu.Lock()
	for _, id := range ids {
		c.got[id]++
	}
	c.mu.Unlock()
}

func (c *faultCollector) distinct() int { c.mu.Lock(); defer c.mu.Unlock(); return len(c.got) }

func (c *faultCollector) has(id string) bool { c.mu.Lock(); defer c.mu.Unlock(); return c.got[id] > 0 }

// instantSleep is a Retry clock that records the waits it is asked for and
// returns at once.
func instantSleep(waits *[]time.Duration, mu *sync.Mutex) transport.RetryOption {
	return transport.WithRetryClock(time.Now, func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		*waits = append(*waits, d)
		mu.Unlock()
		if err := ctx.Err(); err != nil {
			return err
		}
		time.Sleep(time.Millisecond)
		return nil
	})
}

// stack builds Batcher -> Retry -> Segment HTTP against c.
func stack(t *testing.T, c *faultCollector, o *outcomes, ropts []transport.RetryOption, hopts ...transport.HTTPOption) *transport.Batcher {
	h, err := transport.NewSegment(c.srv.URL, "wk", hopts...)
	if err != nil {
		t.Fatal(err)
	}
	r, err := transport.NewRetry(h, ropts...)
	if err != nil {
		t.Fatal(err)
	}
	b, err := transport.NewBatcher(r, transport.WithMaxBatchEvents(100), transport.WithOverflow(transport.OverflowBlock),
		transport.WithCallbacks(o.callbacks()))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func offer(t *testing.T, b *transport.Batcher, n int) {
	t.Helper()
	for i := range n {
		if err := b.Handle(t.Context(), rec(i, "")); err != nil {
			t.Fatalf("Handle %d: %v", i, err)
		}
	}
}

// accountFor checks that every one of n events was delivered or reported.
func accountFor(t *testing.T, c *faultCollector, o *outcomes, n int) (delivered, failed int) {
	t.Helper()
	o.mu.Lock()
	reported := map[string]bool{}
	for _, f := range o.failures {
		for _, r := range f.Records {
			reported[r.ID] = true
		}
	}
	o.mu.Unlock()
	for i := range n {
		id := rec(i, "").ID
		switch {
		case c.has(id):
			delivered++
		case reported[id]:
			failed++
		default:
			t.Fatalf("event %s was neither delivered nor reported: silent loss", id)
		}
	}
	return delivered, failed
}

func TestFaultCollectorDownDuringTraffic(t *testing.T) {
	// 503 with Retry-After: 1 for the first five requests, then up.
	c := newFaultCollector(t, func(n int, _ []string) answer {
		if n <= 5 {
			return answer{status: 503, retryAfter: "1"}
		}
		return answer{}
	})
	var mu sync.Mutex
	var waits []time.Duration
	var o outcomes
	b := stack(t, c, &o, []transport.RetryOption{instantSleep(&waits, &mu)})
	offer(t, b, 1000)
	if err := b.Shutdown(shutdownCtx(t)); err != nil {
		t.Fatal(err)
	}
	if d, f := accountFor(t, c, &o, 1000); d != 1000 || f != 0 {
		t.Fatalf("delivered %d, failed %d", d, f)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(waits) < 5 {
		t.Fatalf("only %d retries for five 503s", len(waits))
	}
	for _, w := range waits {
		if w < time.Second {
			t.Fatalf("waited %v, less than Retry-After: 1", w)
		}
	}
}

func TestFaultRetryAfterRealClock(t *testing.T) {
	// One real Retry-After: 1 end to end (about a second of wall time).
	c := newFaultCollector(t, func(n int, _ []string) answer {
		if n == 1 {
			return answer{status: 429, retryAfter: "1"}
		}
		return answer{}
	})
	var o outcomes
	b := stack(t, c, &o, nil)
	offer(t, b, 50)
	if err := b.Shutdown(shutdownCtx(t)); err != nil {
		t.Fatal(err)
	}
	if d, _ := accountFor(t, c, &o, 50); d != 50 {
		t.Fatalf("delivered %d of 50", d)
	}
	if st := b.Stats(); st.Delivered != 50 {
		t.Fatalf("stats %+v", st)
	}
}

func TestFaultCollectorDownDuringShutdownNoSpool(t *testing.T) {
	// Up for the first two requests, then down for good (503, Retry-After 1).
	c := newFaultCollector(t, func(n int, _ []string) answer {
		if n <= 2 {
			return answer{}
		}
		return answer{status: 503, retryAfter: "1"}
	})
	var o outcomes
	b := stack(t, c, &o, []transport.RetryOption{transport.WithMaxRetryAfter(20 * time.Millisecond)})
	offer(t, b, 1000)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	err := b.Shutdown(ctx)
	var ue *transport.UndeliveredError
	if !errors.As(err, &ue) {
		t.Fatalf("Shutdown during an outage = %v, want *UndeliveredError", err)
	}
	delivered, failed := accountFor(t, c, &o, 1000)
	if failed != ue.Count || delivered+ue.Count != 1000 || delivered != 200 {
		t.Fatalf("delivered %d + undelivered %d (reported %d) != 1000", delivered, ue.Count, failed)
	}
	if got := len(o.failed(transport.ReasonShutdown)); got != ue.Count {
		t.Fatalf("failure callback got %d records with ReasonShutdown, error says %d", got, ue.Count)
	}
	t.Logf("close during outage without spool: %d delivered, %d undelivered, all reported", delivered, ue.Count)
}

func TestFaultCollectorDownDuringShutdownWithSpool(t *testing.T) {
	down := atomic.Bool{}
	down.Store(true)
	c := newFaultCollector(t, func(n int, _ []string) answer {
		if down.Load() {
			return answer{status: 503, retryAfter: "1"}
		}
		return answer{}
	})
	dir := t.TempDir()
	open := func() (*transport.Batcher, *spool.Spool) {
		h, _ := transport.NewSegment(c.srv.URL, "wk")
		r, _ := transport.NewRetry(h, transport.WithMaxRetryAfter(20*time.Millisecond), transport.WithRetryBudget(50*time.Millisecond))
		sp, err := spool.Open(dir, r, spool.WithDrainBackoff(5*time.Millisecond, 20*time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := transport.NewBatcher(sp, transport.WithOverflow(transport.OverflowBlock))
		return b, sp
	}
	b, sp := open()
	offer(t, b, 1000)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if err := b.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown with a spool = %v", err)
	}
	if sp.Pending() != 1000 || c.distinct() != 0 {
		t.Fatalf("pending %d, delivered %d", sp.Pending(), c.distinct())
	}
	// Next start, collector back: everything goes out.
	down.Store(false)
	b2, sp2 := open()
	if err := b2.Shutdown(shutdownCtx(t)); err != nil {
		t.Fatal(err)
	}
	if c.distinct() != 1000 || sp2.Pending() != 0 {
		t.Fatalf("after restart: %d delivered, %d pending", c.distinct(), sp2.Pending())
	}
}

func TestFaultSlowCollector(t *testing.T) {
	c := newFaultCollector(t, func(int, []string) answer { return answer{delay: 30 * time.Millisecond} })
	var o outcomes
	b := stack(t, c, &o, nil)
	offer(t, b, 2000)
	if err := b.Shutdown(shutdownCtx(t)); err != nil {
		t.Fatal(err)
	}
	if d, _ := accountFor(t, c, &o, 2000); d != 2000 {
		t.Fatalf("delivered %d", d)
	}
}

func TestFaultHangingCollector(t *testing.T) {
	// The first three requests hang; the per-request timeout turns them into
	// retryable failures and the batch goes through on a later attempt.
	c := newFaultCollector(t, func(n int, _ []string) answer { return answer{hang: n <= 3} })
	var o outcomes
	b := stack(t, c, &o, []transport.RetryOption{transport.WithBackoff(time.Millisecond, 5*time.Millisecond)},
		transport.WithRequestTimeout(100*time.Millisecond))
	offer(t, b, 300)
	if err := b.Shutdown(shutdownCtx(t)); err != nil {
		t.Fatal(err)
	}
	if d, _ := accountFor(t, c, &o, 300); d != 300 {
		t.Fatalf("delivered %d", d)
	}
	// Hanging for good, then Shutdown: bounded, and accounted for.
	c.setBehave(func(int, []string) answer { return answer{hang: true} })
	var o2 outcomes
	b2 := stack(t, c, &o2, nil)
	for i := range 50 {
		_ = b2.Handle(t.Context(), rec(10000+i, ""))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	var ue *transport.UndeliveredError
	if err := b2.Shutdown(ctx); !errors.As(err, &ue) || ue.Count != 50 || len(o2.failed(transport.ReasonShutdown)) != 50 {
		t.Fatalf("Shutdown against a hanging collector = %v", err)
	}
}

func TestFaultResettingConnections(t *testing.T) {
	c := newFaultCollector(t, func(n int, _ []string) answer { return answer{reset: n%3 != 0} })
	var o outcomes
	b := stack(t, c, &o, []transport.RetryOption{transport.WithBackoff(time.Millisecond, 5*time.Millisecond)})
	offer(t, b, 500)
	if err := b.Shutdown(shutdownCtx(t)); err != nil {
		t.Fatal(err)
	}
	if d, _ := accountFor(t, c, &o, 500); d != 500 {
		t.Fatalf("delivered %d", d)
	}
	if st := b.Stats(); st.Delivered != 500 {
		t.Fatalf("stats %+v", st)
	}
}

func TestFaultPoisonBatch(t *testing.T) {
	// 400 for any request carrying the poison event; the others are fine.
	var poisonTries atomic.Int64
	c := newFaultCollector(t, func(n int, ids []string) answer {
		for _, id := range ids {
			if id == "id-000250" {
				poisonTries.Add(1)
				return answer{status: 400}
			}
		}
		return answer{}
	})
	var o outcomes
	b := stack(t, c, &o, nil)
	offer(t, b, 1000)
	if err := b.Shutdown(shutdownCtx(t)); err != nil {
		t.Fatal(err)
	}
	d, f := accountFor(t, c, &o, 1000)
	rejected := o.failed(transport.ReasonRejected)
	if poisonTries.Load() != 1 {
		t.Fatalf("the 400 batch was sent %d times, want once (no retry)", poisonTries.Load())
	}
	if f != 100 || d != 900 || len(rejected) != 100 || !strings.Contains(joinIDs(rejected), "id-000250") {
		t.Fatalf("delivered %d, failed %d, rejected %d", d, f, len(rejected))
	}
	if st := b.Stats(); st.Dropped[transport.ReasonRejected] != 100 || st.Delivered != 900 {
		t.Fatalf("stats %+v", st)
	}
}

func TestFaultPayloadTooLarge(t *testing.T) {
	// 413 for bodies of more than 20 events: Retry halves until they fit.
	c := newFaultCollector(t, func(n int, ids []string) answer {
		if len(ids) > 20 {
			return answer{status: 413}
		}
		return answer{}
	})
	var o outcomes
	b := stack(t, c, &o, nil)
	offer(t, b, 1000)
	if err := b.Shutdown(shutdownCtx(t)); err != nil {
		t.Fatal(err)
	}
	if d, _ := accountFor(t, c, &o, 1000); d != 1000 {
		t.Fatalf("delivered %d", d)
	}
}

func TestFaultBoundedMemoryUnderStall(t *testing.T) {
	// 1,000,000 events offered to a collector that never answers: the queue
	// stays within its bounds, every refused event is counted and reported,
	// and the heap does not grow with the offered load.
	c := newFaultCollector(t, func(int, []string) answer { return answer{hang: true} })
	h, _ := transport.NewSegment(c.srv.URL, "wk")
	var refused atomic.Int64
	b, _ := transport.NewBatcher(h, transport.WithQueueLimits(10_000, 4<<20),
		transport.WithCallbacks(transport.Callbacks{OnFailure: func(f transport.Failure) { refused.Add(int64(len(f.Records))) }}))
	pool := make([]*connected.Record, 20_000)
	for i := range pool {
		pool[i] = rec(i, "")
	}
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	var peak uint64
	full := 0
	for i := range 1_000_000 {
		if err := b.Handle(t.Context(), pool[i%len(pool)]); errors.Is(err, transport.ErrQueueFull) {
			full++
		}
		if i%100_000 == 0 {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			if st := b.Stats(); st.QueueDepth > 10_000 || st.QueueBytes > 4<<20 {
				t.Fatalf("queue past its bounds: %+v", st)
			}
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	var ue *transport.UndeliveredError
	if err := b.Shutdown(ctx); !errors.As(err, &ue) {
		t.Fatalf("Shutdown = %v", err)
	}
	st := b.Stats()
	// On a loaded machine the offering loop can outlast the request
	// timeout: the hanging batch then fails before Shutdown (no Retry
	// layer here, so its reason is retries_exhausted) and is not part of
	// the undelivered count. Every event still has exactly one outcome.
	failed := 0
	for r, n := range st.Dropped {
		if r != transport.ReasonQueueFull && r != transport.ReasonShutdown {
			failed += int(n)
		}
	}
	if int(st.Dropped[transport.ReasonQueueFull]) != full || full+failed+ue.Count != 1_000_000 {
		t.Fatalf("refused %d + failed %d + undelivered %d != 1,000,000 (stats %+v)", full, failed, ue.Count, st)
	}
	if refused.Load() != 1_000_000 {
		t.Fatalf("failure callback saw %d of 1,000,000", refused.Load())
	}
	growth := int64(peak) - int64(base)
	t.Logf("heap in use grew by %.1f MiB while 1,000,000 events were offered (queue bound 10,000 events / 4 MiB)", float64(growth)/(1<<20))
	if growth > 64<<20 {
		t.Fatalf("heap grew by %d bytes: not bounded", growth)
	}

}
