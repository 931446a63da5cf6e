package transport_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/transport"
)

func TestInFlight(t *testing.T) {
	var f transport.InFlight
	if !f.Enter() {
		t.Fatal("Enter refused before Close")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := f.Close(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Close with a call in progress and an expiring ctx = %v", err)
	}
	if f.Enter() || !f.Closed() {
		t.Fatal("Enter accepted after Close")
	}
	done := make(chan error)
	go func() { done <- f.Close(context.Background()) }()
	f.Exit()
	if err := <-done; err != nil {
		t.Fatalf("Close after the last Exit = %v", err)
	}
	if err := f.Close(context.Background()); err != nil {
		t.Fatalf("idempotent Close = %v", err)
	}
}

func TestBatchOutcome(t *testing.T) {
	if err := transport.BatchOutcome(nil, nil, nil, nil); err != nil {
		t.Fatal(err)
	}
	p, r := errors.New("bad"), errors.New("down")
	err := transport.BatchOutcome([]int{1}, []int{0, 2}, p, r)
	perm, retry := transport.Outcome(err, 3)
	if len(perm) != 1 || perm[0] != 1 || len(retry) != 2 || !errors.Is(err, p) || !errors.Is(err, r) {
		t.Fatalf("outcome %v %v from %v", perm, retry, err)
	}
	if !transport.IsRetryable(transport.BatchOutcome(nil, []int{0}, nil, r)) {
		t.Fatal("retryable-only outcome not retryable")
	}
}
