package transport_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport"
)

// slowly is a Sender failing with err whose every send takes 5 ms of the
// fake clock, as a real request takes time.
func slowly(ft *fakeTime, calls *int, err func(n int) error) transport.Sender {
	return transport.SenderFunc(func(ctx context.Context, _ []*connected.Record) error {
		*calls++
		ft.mu.Lock()
		ft.now = ft.now.Add(5 * time.Millisecond)
		ft.mu.Unlock()
		return err(*calls)
	})
}

// TestRetryAfterBeyondBudgetSaysWhichLimit: a Retry-After reaching past the
// budget ends the retries at once, and the error says it was the
// Retry-After, not an exhausted budget.
func TestRetryAfterBeyondBudgetSaysWhichLimit(t *testing.T) {
	for _, ra := range []time.Duration{time.Minute, 2 * time.Minute} {
		ft := &fakeTime{now: t0}
		calls := 0
		s := slowly(ft, &calls, func(int) error { return &transport.HTTPError{StatusCode: 503, RetryAfter: ra} })
		r := newRetry(t, s, ft, transport.WithRetryBudget(time.Minute), transport.WithMaxRetryAfter(5*time.Minute))
		err := r.Send(t.Context(), recs(3))
		var le *transport.RetryLimitError
		if !errors.As(err, &le) || !errors.Is(err, transport.ErrRetriesExhausted) || !errors.Is(err, transport.ErrRetryAfterBeyondBudget) {
			t.Fatalf("Retry-After %v, budget 1m: Send = %v, want a *RetryLimitError matching ErrRetryAfterBeyondBudget", ra, err)
		}
		if !transport.IsRetryable(err) {
			t.Fatal("the records are still retryable (a spool keeps them)")
		}
		if calls != 1 || len(ft.waits) != 0 {
			t.Fatalf("%d sends, waits %v: want one send and no wait", calls, ft.waits)
		}
		if le.RetryAfter != ra || le.Budget != time.Minute || le.Attempts != 1 {
			t.Fatalf("RetryLimitError %+v", le)
		}
		msg := err.Error()
		if !strings.Contains(msg, "Retry-After of "+ra.String()) || !strings.Contains(msg, "retry budget of 1m0s") || strings.Contains(msg, "exhausted") {
			t.Fatalf("message %q does not say the Retry-After ended it", msg)
		}
	}
}

// TestRetryBudgetExhaustedSaysBudget: when the backoff runs out of budget,
// the error says so and does not blame a Retry-After.
func TestRetryBudgetExhaustedSaysBudget(t *testing.T) {
	ft := &fakeTime{now: t0}
	calls := 0
	s := slowly(ft, &calls, func(int) error { return &transport.HTTPError{StatusCode: 500} })
	r := newRetry(t, s, ft, transport.WithRetryBudget(2*time.Second), transport.WithBackoff(100*time.Millisecond, time.Second), transport.WithJitter(0))
	err := r.Send(t.Context(), recs(2))
	var le *transport.RetryLimitError
	if !errors.As(err, &le) || !errors.Is(err, transport.ErrRetriesExhausted) || errors.Is(err, transport.ErrRetryAfterBeyondBudget) {
		t.Fatalf("Send = %v, want ErrRetriesExhausted only", err)
	}
	if le.Attempts < 4 || le.RetryAfter != 0 || !strings.Contains(err.Error(), "retry budget of 2s is exhausted") || !strings.Contains(err.Error(), "HTTP 500") {
		t.Fatalf("RetryLimitError %+v: %v", le, err)
	}
}

// TestRetryDefaultBudgetLeavesRoomForMaxRetryAfter: with the defaults, the
// largest Retry-After Retry honours (DefaultMaxRetryAfter, to which longer
// ones are clamped) fits in the budget, so a collector asking for an hour
// gets one clamped wait and a second attempt, not an instant give-up.
func TestRetryDefaultBudgetLeavesRoomForMaxRetryAfter(t *testing.T) {
	if transport.DefaultMaxRetryAfter >= transport.DefaultRetryBudget {
		t.Fatalf("DefaultMaxRetryAfter %v leaves no room in DefaultRetryBudget %v", transport.DefaultMaxRetryAfter, transport.DefaultRetryBudget)
	}
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "3600")
			w.WriteHeader(http.StatusTooManyRequests)
		}
	}))
	defer srv.Close()
	h, err := transport.NewSegment(srv.URL, "wk")
	if err != nil {
		t.Fatal(err)
	}
	ft := &fakeTime{now: t0}
	calls := 0
	s := slowly(ft, &calls, func(int) error { return h.Send(t.Context(), recs(2)) })
	r := newRetry(t, s, ft) // every limit at its default
	if err := r.Send(t.Context(), recs(2)); err != nil {
		t.Fatalf("Send with Retry-After: 3600 and default limits = %v", err)
	}
	if n.Load() != 2 || len(ft.waits) != 1 || ft.waits[0] != transport.DefaultMaxRetryAfter {
		t.Fatalf("%d requests, waits %v: want one wait of %v", n.Load(), ft.waits, transport.DefaultMaxRetryAfter)
	}
}
