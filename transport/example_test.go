package transport_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport"
)

// exampleClient returns a Client with a fixed clock and sequential ids, so
// that examples print the same bytes every run.
func exampleClient(sink connected.Handler) *connected.Client {
	var n atomic.Int64
	c, err := connected.New(sink,
		connected.WithClock(func() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) }),
		connected.WithIDGenerator(func() string { return fmt.Sprintf("msg-%d", n.Add(1)) }))
	if err != nil {
		panic(err)
	}
	return c
}

// countingCollector is a loopback collector that counts the events it gets.
func countingCollector(status int, events *atomic.Int64) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body io.Reader = r.Body
		if r.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(r.Body)
			if err != nil {
				w.WriteHeader(400)
				return
			}
			body = zr
		}
		b, _ := io.ReadAll(body)
		if status == 200 {
			events.Add(int64(bytes.Count(b, []byte(`"messageId"`))))
		}
		w.WriteHeader(status)
	}))
}

// The whole pipeline: Client -> Batcher -> Retry -> Segment HTTP.
func Example() {
	var got atomic.Int64
	srv := countingCollector(200, &got)
	defer srv.Close()

	h, _ := transport.NewSegment(srv.URL, "write-key")
	r, _ := transport.NewRetry(h)
	b, _ := transport.NewBatcher(r, transport.WithFlushInterval(time.Second))
	c := exampleClient(b)

	ctx := context.Background()
	for i := range 3 {
		_ = c.Track(ctx, connected.Event{UserID: fmt.Sprint("u-", i), Event: connected.EventProductViewed})
	}
	// Shutdown delivers what is queued, then shuts down b, r and h.
	if err := c.Shutdown(ctx); err != nil {
		fmt.Println("shutdown:", err)
	}
	fmt.Println("collector received", got.Load(), "events")
	fmt.Println("delivered", b.Stats().Delivered)
	// Output:
	// collector received 3 events
	// delivered 3
}

func ExampleNewBatcher() {
	w, _ := transport.NewWriter(os.Stdout)
	b, _ := transport.NewBatcher(w, transport.WithMaxBatchEvents(100), transport.WithOverflow(transport.OverflowBlock))
	c := exampleClient(b)
	_ = c.Track(context.Background(), connected.Event{UserID: "u-1", Event: "Zone Entered"})
	_ = c.Shutdown(context.Background())
	// Output:
	// {"type":"track","messageId":"msg-1","userId":"u-1","event":"Zone Entered","originalTimestamp":"2026-03-01T12:00:00.000Z","context":{"dataCategory":"behavioral","library":{"name":"touchpoint-go","version":"0.1.0"}}}
}

// Shutdown during an outage: nothing is lost silently.
func ExampleBatcher_Shutdown() {
	var got atomic.Int64
	srv := countingCollector(503, &got) // the collector is down
	defer srv.Close()

	h, _ := transport.NewSegment(srv.URL, "write-key")
	r, _ := transport.NewRetry(h, transport.WithBackoff(time.Millisecond, 10*time.Millisecond))
	var failed atomic.Int64
	b, _ := transport.NewBatcher(r, transport.WithCallbacks(transport.Callbacks{
		OnFailure: func(f transport.Failure) { failed.Add(int64(len(f.Records))) },
	}))
	c := exampleClient(b)
	for range 5 {
		_ = c.Track(context.Background(), connected.Event{UserID: "u-1", Event: "Order Completed"})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := c.Shutdown(ctx)
	var ue *transport.UndeliveredError
	if errors.As(err, &ue) {
		fmt.Println("undelivered:", ue.Count, errors.Is(err, transport.ErrUndelivered))
	}
	fmt.Println("handed to the failure callback:", failed.Load())
	// Output:
	// undelivered: 5 true
	// handed to the failure callback: 5
}

func ExampleNewRetry() {
	calls := 0
	flaky := transport.SenderFunc(func(ctx context.Context, batch []*connected.Record) error {
		calls++
		if calls < 3 {
			return &transport.HTTPError{StatusCode: http.StatusServiceUnavailable}
		}
		return nil
	})
	r, _ := transport.NewRetry(flaky, transport.WithBackoff(time.Millisecond, 5*time.Millisecond))
	err := r.Send(context.Background(), []*connected.Record{{ID: "a"}})
	fmt.Println(err, calls, r.Stats().Retried)
	// Output: <nil> 3 2
}

func ExampleNewSegment() {
	var got atomic.Int64
	srv := countingCollector(200, &got)
	defer srv.Close()
	h, _ := transport.NewSegment(srv.URL, "write-key", transport.WithRequestTimeout(5*time.Second))
	defer h.Shutdown(context.Background())
	rec := &connected.Record{ID: "m1", Payload: []byte(`{"type":"track","messageId":"m1","userId":"u","event":"e"}`)}
	fmt.Println(h.Send(context.Background(), []*connected.Record{rec}), got.Load())
	// Output: <nil> 1
}

func ExampleNewRudderStack() {
	var body []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ = io.ReadAll(r.Body)
	}))
	defer srv.Close()
	h, _ := transport.NewRudderStack(srv.URL, "write-key", transport.WithGzip(false),
		transport.WithHTTPClock(func() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) }))
	defer h.Shutdown(context.Background())
	rec := &connected.Record{ID: "m1", Payload: []byte(`{"type":"track","messageId":"m1"}`)}
	_ = h.Send(context.Background(), []*connected.Record{rec})
	fmt.Println(string(body))
	// Output: {"batch":[{"channel":"server","sentAt":"2026-03-01T12:00:00.000Z","type":"track","messageId":"m1"}]}
}

func ExampleNewCloudEvents() {
	var ctype string
	var got atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctype = r.Header.Get("Content-Type")
		b, _ := io.ReadAll(r.Body) // not gzipped: CloudEvents receivers do not inflate
		got.Add(int64(strings.Count(string(b), `"specversion"`)))
	}))
	defer srv.Close()
	h, _ := transport.NewCloudEvents(srv.URL, connected.CloudEventsOptions{Source: "urn:touchpoint:store:12"})
	defer h.Shutdown(context.Background())
	rec := &connected.Record{ID: "m1", Type: connected.TypeTrack, Time: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
		Payload: []byte(`{"type":"track","messageId":"m1"}`)}
	fmt.Println(h.Send(context.Background(), []*connected.Record{rec}), ctype, got.Load())
	// Output: <nil> application/cloudevents-batch+json 1
}

func ExampleNewFile() {
	dir, _ := os.MkdirTemp("", "touchpoint-example")
	defer os.RemoveAll(dir)
	f, _ := transport.NewFile(filepath.Join(dir, "events.ndjson"), transport.WithFileMaxBytes(1<<20))
	rec := &connected.Record{ID: "m1", Payload: []byte(`{"type":"track","messageId":"m1"}`)}
	_ = f.Send(context.Background(), []*connected.Record{rec, rec})
	_ = f.Shutdown(context.Background())
	b, _ := os.ReadFile(filepath.Join(dir, "events.ndjson"))
	fmt.Print(string(b))
	// Output:
	// {"type":"track","messageId":"m1"}
	// {"type":"track","messageId":"m1"}
}

func ExampleNewWriter() {
	w, _ := transport.NewWriter(os.Stdout)
	_ = w.Send(context.Background(), []*connected.Record{{ID: "m1", Payload: []byte(`{"messageId":"m1"}`)}})
	// Output: {"messageId":"m1"}
}

func ExampleSenderFunc() {
	s := transport.SenderFunc(func(ctx context.Context, batch []*connected.Record) error {
		fmt.Println("sending", len(batch))
		return nil
	})
	_ = s.Send(context.Background(), make([]*connected.Record, 2))
	// Output: sending 2
}

func ExampleBorrows() {
	h, _ := transport.NewSegment("https://collector.example/v1/batch", "write-key")
	r, _ := transport.NewRetry(h)
	keeps := transport.SenderFunc(func(context.Context, []*connected.Record) error { return nil })
	fmt.Println(transport.Borrows(h), transport.Borrows(r), transport.Borrows(keeps))
	// Output: true true false
}

func ExampleIsRetryable() {
	fmt.Println(transport.IsRetryable(&transport.HTTPError{StatusCode: 503}))
	fmt.Println(transport.IsRetryable(&transport.HTTPError{StatusCode: 400}))
	fmt.Println(transport.IsRetryable(transport.Permanent(errors.New("bad config"))))
	// Output:
	// true
	// false
	// false
}

func ExampleOutcome() {
	err := &transport.BatchError{Failed: []int{1}, Retryable: true, Err: errors.New("throttled")}
	perm, retry := transport.Outcome(err, 3)
	fmt.Println(perm, retry)
	// Output: [] [1]
}

func ExampleParseRetryAfter() {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	d1, _ := transport.ParseRetryAfter("120", now)
	d2, _ := transport.ParseRetryAfter("Sun, 01 Mar 2026 12:00:30 GMT", now)
	_, err := transport.ParseRetryAfter("soon", now)
	fmt.Println(d1, d2, errors.Is(err, transport.ErrInvalidRetryAfter))
	// Output: 2m0s 30s true
}

func ExampleNewDispatcher() {
	d := transport.NewDispatcher(transport.Callbacks{
		OnFailure: func(f transport.Failure) { fmt.Println(len(f.Records), f.Reason) },
	})
	d.Failure(transport.Failure{Records: make([]*connected.Record, 2), Reason: transport.ReasonRejected})
	d.Close()
	// Output: 2 rejected
}

func ExampleCounters() {
	var c transport.Counters
	c.Delivered.Add(2)
	c.Drop(transport.ReasonQueueFull, 1)
	s := c.Snapshot()
	fmt.Println(s.Delivered, s.Dropped[transport.ReasonQueueFull], s.DroppedTotal())
	// Output: 2 1 1
}

func ExampleRetryAfter() {
	err := fmt.Errorf("send: %w", &transport.HTTPError{StatusCode: 429, RetryAfter: 3 * time.Second})
	fmt.Println(transport.RetryAfter(err))
	// Output: 3s
}
