package transport_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport"
)

// A collector that moved answers 301: the batch is not delivered anywhere,
// and the error says where the collector points.
func ExampleRedirectError() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://collector.example/v1/batch", http.StatusMovedPermanently)
	}))
	defer srv.Close()
	h, _ := transport.NewSegment(srv.URL, "write-key")
	rec := &connected.Record{ID: "m1", Payload: []byte(`{"type":"track","messageId":"m1"}`)}
	err := h.Send(context.Background(), []*connected.Record{rec})
	var re *transport.RedirectError
	if errors.As(err, &re) {
		fmt.Println(re.StatusCode, re.Location)
		fmt.Println("matches ErrRedirect:", errors.Is(err, transport.ErrRedirect))
		fmt.Println("retryable, so a spool keeps the records:", transport.IsRetryable(err))
		fmt.Println("delivered:", h.Stats().Delivered)
	}
	// Output:
	// 301 https://collector.example/v1/batch
	// matches ErrRedirect: true
	// retryable, so a spool keeps the records: true
	// delivered: 0
}

// A server asking for a longer pause than the retry budget has left stops
// the retries at once, and the error says that this was the limit.
func ExampleRetryLimitError() {
	busy := transport.SenderFunc(func(context.Context, []*connected.Record) error {
		return &transport.HTTPError{StatusCode: http.StatusServiceUnavailable, RetryAfter: 2 * time.Minute}
	})
	r, _ := transport.NewRetry(busy, transport.WithRetryBudget(time.Minute), transport.WithMaxRetryAfter(5*time.Minute))
	err := r.Send(context.Background(), []*connected.Record{{ID: "m1", Payload: []byte(`{}`)}})
	var le *transport.RetryLimitError
	if errors.As(err, &le) {
		fmt.Println("attempts:", le.Attempts)
		fmt.Println("Retry-After", le.RetryAfter, "vs budget", le.Budget)
		fmt.Println(errors.Is(err, transport.ErrRetryAfterBeyondBudget), errors.Is(err, transport.ErrRetriesExhausted))
	}
	// Output:
	// attempts: 1
	// Retry-After 2m0s vs budget 1m0s
	// true true
}
