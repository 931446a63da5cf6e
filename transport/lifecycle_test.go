package transport_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport"
)

// Dispatcher.Shutdown is bounded by its context: a callback that does not
// return keeps it from draining, and Shutdown says so instead of hanging;
// once the callback returns, a second Shutdown finds the goroutine gone.
func TestDispatcherShutdownBoundedByContext(t *testing.T) {
	release := make(chan struct{})
	got := make(chan int, 4)
	d := transport.NewDispatcher(transport.Callbacks{OnSuccess: func(recs []*connected.Record) {
		got <- len(recs)
		<-release
	}})
	d.Success([]*connected.Record{{ID: "a"}})
	d.Success([]*connected.Record{{ID: "b"}, {ID: "c"}})
	<-got // the first callback runs and blocks
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := d.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Shutdown with a blocked callback = %v, want DeadlineExceeded", err)
	}
	close(release)
	if err := d.Shutdown(context.Background()); err != nil {
		t.Fatalf("second Shutdown: %v", err)
	}
	if n := <-got; n != 2 {
		t.Errorf("the queued report carried %d records, want 2: queued reports are delivered", n)
	}
	//lint:ignore SA1012 the nil context is the input under test
	if err := d.Shutdown(nil); !errors.Is(err, transport.ErrNilContext) {
		t.Errorf("Shutdown(nil) = %v", err)
	}
}
