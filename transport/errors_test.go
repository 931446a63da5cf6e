package transport_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/transport"
)

func TestIsRetryable(t *testing.T) {
	cases := []struct {
		err  error
		want bool
	}{
		{nil, false},
		{errors.New("io"), true},
		{&transport.HTTPError{StatusCode: 408}, true},
		{&transport.HTTPError{StatusCode: 429}, true},
		{&transport.HTTPError{StatusCode: 500}, true},
		{&transport.HTTPError{StatusCode: 503}, true},
		{&transport.HTTPError{StatusCode: 400}, false},
		{&transport.HTTPError{StatusCode: 401}, false},
		{&transport.HTTPError{StatusCode: 413}, false},
		{fmt.Errorf("wrapped: %w", &transport.HTTPError{StatusCode: 502}), true},
		{&transport.NetworkError{Err: context.DeadlineExceeded}, true},
		{context.Canceled, false},
		{fmt.Errorf("x: %w", context.DeadlineExceeded), false},
		{transport.ErrClosed, false},
		{transport.Permanent(errors.New("bad")), false},
		{&transport.BatchError{Retryable: true, Err: context.Canceled}, true},
		{&transport.BatchError{Err: errors.New("x")}, false},
		{errors.Join(errors.New("io"), &transport.HTTPError{StatusCode: 400}), false},
		{nilUnwrap{}, true}, // a leaf whose Unwrap returns nil (nats.go's ErrAsyncPublishTimeout)
		{fmt.Errorf("publish: %w", nilUnwrap{}), true},
	}
	for i, c := range cases {
		if got := transport.IsRetryable(c.err); got != c.want {
			t.Errorf("case %d: IsRetryable(%v) = %v, want %v", i, c.err, got, c.want)
		}
	}
}

// nilUnwrap is an error type with an Unwrap method that returns nil.
type nilUnwrap struct{}

func (nilUnwrap) Error() string { return "timeout" }
func (nilUnwrap) Unwrap() error { return nil }

func TestOutcomeIgnoresNestedAndOutOfRange(t *testing.T) {
	inner := &transport.BatchError{Failed: []int{0}, Retryable: true, Err: errors.New("inner")}
	outer := &transport.BatchError{Failed: []int{2, 9, -1}, Err: inner}
	perm, retry := transport.Outcome(outer, 3)
	if fmt.Sprint(perm, retry) != "[2] []" {
		t.Fatalf("perm %v retry %v", perm, retry)
	}
	perm, retry = transport.Outcome(errors.New("io"), 2)
	if fmt.Sprint(perm, retry) != "[] [0 1]" {
		t.Fatalf("perm %v retry %v", perm, retry)
	}
}

func TestErrorMessages(t *testing.T) {
	e := &transport.HTTPError{StatusCode: 503, RetryAfter: 2e9, Body: []byte("down")}
	if e.Error() != `transport: HTTP 503 Service Unavailable (retry after 2s): "down"` {
		t.Fatal(e.Error())
	}
	u := &transport.UndeliveredError{Count: 3, Err: context.DeadlineExceeded}
	if !errors.Is(u, transport.ErrUndelivered) || !errors.Is(u, context.DeadlineExceeded) || u.Error() == "" {
		t.Fatal(u)
	}
}
