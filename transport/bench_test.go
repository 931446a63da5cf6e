package transport_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport"
)

// discardCollector answers 200 after reading the body.
func discardCollector(tb testing.TB) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
	}))
	tb.Cleanup(srv.Close)
	return srv
}

// pipeline builds Client -> Batcher -> Retry -> Segment HTTP (gzip).
func pipeline(tb testing.TB, url string) (*connected.Client, *transport.Batcher) {
	h, err := transport.NewSegment(url, "wk")
	if err != nil {
		tb.Fatal(err)
	}
	r, _ := transport.NewRetry(h)
	b, err := transport.NewBatcher(r, transport.WithOverflow(transport.OverflowBlock))
	if err != nil {
		tb.Fatal(err)
	}
	c, err := connected.New(b)
	if err != nil {
		tb.Fatal(err)
	}
	return c, b
}

func benchEvent() connected.Event {
	return connected.Event{UserID: "user-42", Event: "bench_evt", Properties: connected.Properties{
		"n": 42, "sku": "sku-123", "color": "blue", "price": 19.99}}
}

// TestPipelineAllocsPerEvent enforces the target: at most 3 allocations per
// event, amortized, from Track to the wire (the collector's own allocations
// in this process included).
func TestPipelineAllocsPerEvent(t *testing.T) {
	srv := discardCollector(t)
	c, b := pipeline(t, srv.URL)
	defer c.Shutdown(context.Background())
	e := benchEvent()
	ctx := context.Background()
	const perRun = 5000
	allocs := testing.AllocsPerRun(5, func() {
		for range perRun {
			if err := c.Track(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		if err := b.Flush(ctx); err != nil {
			t.Fatal(err)
		}
	})
	perEvent := allocs / perRun
	t.Logf("%.3f allocations per event", perEvent)
	if perEvent > 3 {
		t.Fatalf("%.3f allocations per event, budget 3", perEvent)
	}
}

// BenchmarkPipeline: Track through Batcher, Retry and gzipped Segment HTTP to
// a loopback collector; one op is one event.
func BenchmarkPipeline(b *testing.B) {
	srv := discardCollector(b)
	c, bt := pipeline(b, srv.URL)
	e := benchEvent()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := c.Track(ctx, e); err != nil {
			b.Fatal(err)
		}
	}
	if err := bt.Flush(ctx); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	_ = c.Shutdown(ctx)
}

// BenchmarkBatcherHandle: the enqueue path alone, with a sender that does
// nothing.
func BenchmarkBatcherHandle(b *testing.B) {
	bt, _ := transport.NewBatcher(transport.SenderFunc(func(context.Context, []*connected.Record) error { return nil }),
		transport.WithOverflow(transport.OverflowBlock))
	r := rec(1, "pk")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := bt.Handle(ctx, r); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	_ = bt.Shutdown(ctx)
}

// BenchmarkHTTPSend: one 2,500-record gzipped Segment batch per op.
func BenchmarkHTTPSend(b *testing.B) {
	srv := discardCollector(b)
	h, _ := transport.NewSegment(srv.URL, "wk")
	batch := recs(2500)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := h.Send(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	ctx2, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	_ = h.Shutdown(ctx2)
}
