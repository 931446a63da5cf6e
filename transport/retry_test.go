package transport_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport"
)

// fakeTime is a clock whose sleeps return at once and are recorded.
type fakeTime struct {
	mu    sync.Mutex
	now   time.Time
	waits []time.Duration
}

func (f *fakeTime) Now() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.now }

func (f *fakeTime) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	f.now = f.now.Add(d)
	f.waits = append(f.waits, d)
	f.mu.Unlock()
	return nil
}

func newRetry(t *testing.T, s transport.Sender, ft *fakeTime, opts ...transport.RetryOption) *transport.Retry {
	t.Helper()
	opts = append([]transport.RetryOption{transport.WithRetryClock(ft.Now, ft.Sleep)}, opts...)
	r, err := transport.NewRetry(s, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestRetryHonoursRetryAfterThenSucceeds(t *testing.T) {
	ft := &fakeTime{now: t0}
	calls := 0
	s := transport.SenderFunc(func(ctx context.Context, b []*connected.Record) error {
		calls++
		if calls <= 2 {
			return &transport.HTTPError{StatusCode: 503, RetryAfter: 3 * time.Second}
		}
		return nil
	})
	r := newRetry(t, s, ft)
	if err := r.Send(t.Context(), recs(4)); err != nil {
		t.Fatal(err)
	}
	if calls != 3 || len(ft.waits) != 2 {
		t.Fatalf("calls %d waits %v", calls, ft.waits)
	}
	for _, w := range ft.waits {
		if w < 3*time.Second {
			t.Fatalf("waited %v, less than Retry-After", w)
		}
	}
	if st := r.Stats(); st.Retried != 8 {
		t.Fatalf("Retried = %d, want 8", st.Retried)
	}
}

func TestRetryDoesNotRetryPermanent(t *testing.T) {
	ft := &fakeTime{now: t0}
	calls := 0
	s := transport.SenderFunc(func(ctx context.Context, b []*connected.Record) error {
		calls++
		return &transport.HTTPError{StatusCode: http.StatusBadRequest, Body: []byte("invalid")}
	})
	err := newRetry(t, s, ft).Send(t.Context(), recs(3))
	var be *transport.BatchError
	if !errors.As(err, &be) || be.Retryable || !slices.Equal(be.Failed, []int{0, 1, 2}) || transport.IsRetryable(err) {
		t.Fatalf("err = %v", err)
	}
	if calls != 1 || len(ft.waits) != 0 {
		t.Fatalf("400 was retried: %d calls", calls)
	}
}

func TestRetryResendsOnlyFailedRecords(t *testing.T) {
	ft := &fakeTime{now: t0}
	var sent [][]string
	s := transport.SenderFunc(func(ctx context.Context, b []*connected.Record) error {
		sent = append(sent, ids(b))
		if len(sent) == 1 {
			return errors.Join(&transport.BatchError{Failed: []int{1, 3}, Retryable: true, Err: errors.New("throttled")},
				&transport.BatchError{Failed: []int{2}, Err: errors.New("invalid")})
		}
		return nil
	})
	err := newRetry(t, s, ft).Send(t.Context(), recs(5))
	perm, retryable := transport.Outcome(err, 5)
	if !slices.Equal(perm, []int{2}) || retryable != nil {
		t.Fatalf("outcome perm=%v retry=%v (%v)", perm, retryable, err)
	}
	if len(sent) != 2 || joinIDs(sent[1]) != "id-000001,id-000003" {
		t.Fatalf("sent %v", sent)
	}
}

func TestRetrySplitsOn413(t *testing.T) {
	ft := &fakeTime{now: t0}
	var got []string
	s := transport.SenderFunc(func(ctx context.Context, b []*connected.Record) error {
		if len(b) > 2 {
			return &transport.HTTPError{StatusCode: http.StatusRequestEntityTooLarge}
		}
		for _, r := range b {
			if r.ID == "id-000004" { // too large even alone
				return &transport.HTTPError{StatusCode: http.StatusRequestEntityTooLarge}
			}
		}
		got = append(got, ids(b)...)
		return nil
	})
	err := newRetry(t, s, ft).Send(t.Context(), recs(7))
	perm, retryable := transport.Outcome(err, 7)
	if !slices.Equal(perm, []int{4}) || retryable != nil {
		t.Fatalf("perm=%v retry=%v err=%v", perm, retryable, err)
	}
	if joinIDs(got) != "id-000000,id-000001,id-000002,id-000003,id-000005,id-000006" {
		t.Fatalf("delivered %v", got)
	}
	if len(ft.waits) != 0 {
		t.Fatalf("413 split waited %v", ft.waits)
	}
}

func TestRetryBudgetExhausted(t *testing.T) {
	ft := &fakeTime{now: t0}
	s := transport.SenderFunc(func(ctx context.Context, b []*connected.Record) error {
		return &transport.NetworkError{Err: errors.New("connection refused")}
	})
	r := newRetry(t, s, ft, transport.WithRetryBudget(10*time.Second), transport.WithBackoff(time.Second, 4*time.Second), transport.WithJitter(0))
	err := r.Send(t.Context(), recs(2))
	if !errors.Is(err, transport.ErrRetriesExhausted) || !transport.IsRetryable(err) {
		t.Fatalf("err = %v", err)
	}
	// 1 + 2 + 4 = 7 s; the next 4 s wait would end past the 10 s budget.
	if !slices.Equal(ft.waits, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}) {
		t.Fatalf("waits %v", ft.waits)
	}
}

func TestRetryStopsWhenContextEnds(t *testing.T) {
	ft := &fakeTime{now: t0}
	ctx, cancel := context.WithCancel(t.Context())
	s := transport.SenderFunc(func(ctx context.Context, b []*connected.Record) error {
		cancel()
		return &transport.HTTPError{StatusCode: 503}
	})
	err := newRetry(t, s, ft).Send(ctx, recs(2))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if _, retryable := transport.Outcome(err, 2); len(retryable) != 2 {
		t.Fatalf("records not handed back: %v", err)
	}
}

func TestRetryClampsRetryAfter(t *testing.T) {
	ft := &fakeTime{now: t0}
	calls := 0
	s := transport.SenderFunc(func(ctx context.Context, b []*connected.Record) error {
		calls++
		if calls == 1 {
			return &transport.HTTPError{StatusCode: 429, RetryAfter: time.Hour}
		}
		return nil
	})
	if err := newRetry(t, s, ft, transport.WithMaxRetryAfter(5*time.Second), transport.WithJitter(0)).Send(t.Context(), recs(1)); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ft.waits, []time.Duration{5 * time.Second}) {
		t.Fatalf("waits %v", ft.waits)
	}
}

func TestNewRetryValidates(t *testing.T) {
	s := &recorder{}
	for i, o := range []transport.RetryOption{nil, transport.WithBackoff(0, 1), transport.WithJitter(3), transport.WithRetryBudget(-1), transport.WithMaxRetryAfter(-1), transport.WithRetryClock(nil, nil)} {
		if _, err := transport.NewRetry(s, o); err == nil {
			t.Errorf("option %d accepted", i)
		}
	}
	if _, err := transport.NewRetry(nil); err == nil {
		t.Error("nil sender accepted")
	}
}
