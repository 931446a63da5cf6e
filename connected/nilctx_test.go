package connected_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/connectedtest"
)

// TestClientNilContext: every Client method that takes a context returns
// ErrNilContext for a nil one, naming the method, without a panic and
// without doing anything; a later Shutdown with a context still drains.
func TestClientNilContext(t *testing.T) {
	rec := &connectedtest.Recorder{}
	c := newTestClient(t, rec)
	ev := connected.Event{UserID: "u1", Event: "E", Name: "N", GroupID: "g1", PreviousID: "p1"}
	var nilCtx context.Context // a nil interface, as a caller's zero value would be
	calls := []struct {
		method string
		call   func() error
	}{
		{"Track", func() error { return c.Track(nilCtx, connected.Event{UserID: "u1", Event: "E"}) }},
		{"Identify", func() error { return c.Identify(nilCtx, connected.Event{UserID: "u1"}) }},
		{"Page", func() error { return c.Page(nilCtx, connected.Event{UserID: "u1", Name: "N"}) }},
		{"Screen", func() error { return c.Screen(nilCtx, connected.Event{UserID: "u1", Name: "N"}) }},
		{"Group", func() error { return c.Group(nilCtx, connected.Event{UserID: "u1", GroupID: "g1"}) }},
		{"Alias", func() error { return c.Alias(nilCtx, connected.Event{UserID: "u1", PreviousID: "p1"}) }},
		{"Emit", func() error { e := ev; e.Type = connected.TypeTrack; e.Name = ""; return c.Emit(nilCtx, e) }},
		{"Flush", func() error { return c.Flush(nilCtx) }},
		{"Shutdown", func() error { return c.Shutdown(nilCtx) }},
	}
	for _, tc := range calls {
		t.Run(tc.method, func(t *testing.T) {
			err := tc.call()
			if !errors.Is(err, connected.ErrNilContext) {
				t.Fatalf("Client.%s(nil) = %v, want ErrNilContext", tc.method, err)
			}
			if !strings.Contains(err.Error(), "Client."+tc.method) {
				t.Fatalf("error %q does not name Client.%s", err, tc.method)
			}
		})
	}
	if rec.Len() != 0 || rec.Flushes() != 0 || rec.Shutdowns() != 0 {
		t.Fatalf("nil-context calls reached the sink: %d records, %d flushes, %d shutdowns", rec.Len(), rec.Flushes(), rec.Shutdowns())
	}
	// The client is still open: the refused Shutdown changed nothing.
	if err := c.Track(t.Context(), connected.Event{UserID: "u1", Event: "After"}); err != nil {
		t.Fatalf("Track after Shutdown(nil) = %v", err)
	}
	if err := c.Shutdown(t.Context()); err != nil || rec.Shutdowns() != 1 || rec.Len() != 1 {
		t.Fatalf("Shutdown = %v; sink saw %d shutdowns, %d records", err, rec.Shutdowns(), rec.Len())
	}
}
