package brokersend

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport"
)

func TestBegin(t *testing.T) {
	c := &Core{Name: "x"}
	//lint:ignore SA1012 the nil context is the input under test
	if ok, err := c.Begin(nil, 1); ok || !errors.Is(err, transport.ErrNilContext) || !strings.Contains(err.Error(), "x.Sender.Send") {
		t.Errorf("Begin(nil) = %v, %v", ok, err)
	}
	if ok, err := c.Begin(context.Background(), 0); ok || err != nil {
		t.Errorf("Begin of an empty batch = %v, %v; want false, nil", ok, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if ok, err := c.Begin(ctx, 1); ok || !errors.Is(err, context.Canceled) {
		t.Errorf("Begin with a cancelled ctx = %v, %v", ok, err)
	}
	if n := c.Counters.Requests.Load(); n != 0 {
		t.Errorf("%d requests counted for Sends that did not send", n)
	}
	ok, err := c.Begin(context.Background(), 3)
	if !ok || err != nil {
		t.Fatalf("Begin = %v, %v", ok, err)
	}
	c.End()
	if n := c.Counters.Requests.Load(); n != 1 {
		t.Errorf("requests %d, want 1", n)
	}
	// The refused calls above must not have left an admission behind:
	// Shutdown returns at once.
	sctx, scancel := context.WithTimeout(context.Background(), time.Second)
	defer scancel()
	if err := c.Shutdown(sctx, nil); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if ok, err := c.Begin(context.Background(), 1); ok || !errors.Is(err, transport.ErrClosed) {
		t.Errorf("Begin after Shutdown = %v, %v; want ErrClosed", ok, err)
	}
}

func TestShutdownWaitsAndReleasesOnce(t *testing.T) {
	c := &Core{Name: "x"}
	if ok, _ := c.Begin(context.Background(), 1); !ok {
		t.Fatal("Begin refused")
	}
	released := 0
	release := func() error { released++; return errors.New("boom") }
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	err := c.Shutdown(ctx, release)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "sends still in flight") {
		t.Errorf("Shutdown with a Send in flight = %v", err)
	}
	if released != 1 {
		t.Errorf("released %d times, want 1", released)
	}
	c.End()
	if err := c.Shutdown(context.Background(), release); err != nil {
		t.Errorf("second Shutdown = %v, want nil (release ran already)", err)
	}
	if released != 1 {
		t.Errorf("released %d times after two Shutdowns, want 1", released)
	}
	//lint:ignore SA1012 the nil context is the input under test
	if err := c.Shutdown(nil, release); !errors.Is(err, transport.ErrNilContext) {
		t.Errorf("Shutdown(nil) = %v", err)
	}

	c2 := &Core{Name: "y"}
	if err := c2.Shutdown(context.Background(), func() error { return errors.New("disconnect failed") }); err == nil ||
		!strings.Contains(err.Error(), "y: shutdown: disconnect failed") {
		t.Errorf("release error not returned: %v", err)
	}
}

func batchOf(n int) []*connected.Record {
	b := make([]*connected.Record, n)
	for i := range b {
		b[i] = &connected.Record{ID: fmt.Sprint("id-", i), Payload: []byte("{}")}
	}
	return b
}

var (
	errPerm  = errors.New("perm")
	errRetry = errors.New("retry")
	errEcho  = errors.New("echo")
)

type recErr struct {
	id  string
	err error
}

func (e *recErr) Error() string { return e.id + ": " + e.err.Error() }
func (e *recErr) Unwrap() error { return e.err }

var testPolicy = Policy{
	Retryable: func(err error) bool { return errors.Is(err, errRetry) || errors.Is(err, errEcho) },
	Secondary: func(err error) bool { return errors.Is(err, errEcho) },
	Record:    func(id string, err error) error { return &recErr{id, err} },
}

func TestOutcome(t *testing.T) {
	c := &Core{Name: "x"}
	batch := batchOf(6)
	errs := []error{nil, errEcho, errPerm, errRetry, nil, errPerm}
	err := c.Outcome(context.Background(), batch, errs, testPolicy)
	perm, retry := transport.Outcome(err, len(batch))
	if fmt.Sprint(perm, retry) != "[2 5] [1 3]" {
		t.Fatalf("Outcome split %v %v, want [2 5] [1 3]", perm, retry)
	}
	var be *transport.BatchError
	for _, e := range []error{err} {
		if !errors.As(e, &be) {
			t.Fatalf("%v is not a BatchError", e)
		}
	}
	// The retryable class cites id-3 (a failure of its own), not id-1
	// (an echo), although id-1 came first.
	if !strings.Contains(err.Error(), "id-3: retry") || strings.Contains(err.Error(), "id-1") || !strings.Contains(err.Error(), "id-2: perm") {
		t.Errorf("causes: %v", err)
	}
	if st := c.Counters.Snapshot(); st.Delivered != 2 || st.Bytes != 4 || st.LastError == "" {
		t.Errorf("stats %+v: want 2 delivered, 4 bytes, a last error", st)
	}
	// With only echoes, an echo is cited.
	if err := c.Outcome(context.Background(), batchOf(2), []error{nil, errEcho}, testPolicy); !errors.Is(err, errEcho) {
		t.Errorf("echo only: %v", err)
	}
	if err := c.Outcome(context.Background(), batchOf(2), []error{nil, nil}, testPolicy); err != nil {
		t.Errorf("all delivered: %v", err)
	}
	// The caller gave up: its context's error, not the records'.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = c.Outcome(ctx, batch, errs, testPolicy)
	if !errors.Is(err, context.Canceled) || errors.Is(err, errPerm) || transport.IsRetryable(err) ||
		!strings.Contains(err.Error(), "4 of 6 records unacknowledged") {
		t.Errorf("Outcome after cancel: %v", err)
	}
	// ... unless every record made it.
	if err := c.Outcome(ctx, batchOf(1), []error{nil}, testPolicy); err != nil {
		t.Errorf("delivered after cancel: %v", err)
	}
}

func TestResults(t *testing.T) {
	r := NewResults(4)
	if !r.Set(1, errPerm) || r.Set(1, nil) {
		t.Fatal("Set must take the first outcome only")
	}
	select {
	case <-r.Done():
		t.Fatal("done with 3 records pending")
	default:
	}
	if r.Pending() != 3 {
		t.Errorf("pending %d, want 3", r.Pending())
	}
	r.Set(0, nil)
	r.SetFrom(1, errRetry) // 1 keeps errPerm
	select {
	case <-r.Done():
	default:
		t.Fatal("not done after SetFrom")
	}
	if got := r.Errors(); got[0] != nil || got[1] != errPerm || got[2] != errRetry || got[3] != errRetry {
		t.Errorf("errors %v", got)
	}
	if n := r.Count(errRetry); n != 2 {
		t.Errorf("Count(errRetry) = %d, want 2", n)
	}
	r.SetFrom(0, errPerm) // nothing left to set; must not close Done twice
}

// Results from many goroutines at once: each record once, Done once.
func TestResultsConcurrentSafe(t *testing.T) {
	const n = 200
	r := NewResults(n)
	var wg sync.WaitGroup
	for i := range n {
		for range 2 { // a late duplicate answer for every record
			wg.Go(func() { r.Set(i, nil) })
		}
	}
	wg.Go(func() { r.SetFrom(n/2, errRetry) })
	wg.Wait()
	<-r.Done()
	if r.Pending() != 0 {
		t.Errorf("pending %d", r.Pending())
	}
	if c := r.Count(errRetry); c > n/2 {
		t.Errorf("%d records failed by SetFrom(%d), more than it covers", c, n/2)
	}
}
