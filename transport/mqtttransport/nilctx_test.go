package mqtttransport_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport"
	"github.com/touchpoint-sdk/touchpoint/transport/mqtttransport"
)

// TestNilContext: every function and method that takes a context returns
// transport.ErrNilContext for a nil one, naming itself, without a panic;
// the Sender and the Source still work afterwards.
func TestNilContext(t *testing.T) {
	server := startBroker(t, nil)
	got := newCollector(1)
	src := newSource(t, server, []string{"touchpoint/#"}, got.handle)
	s := newSender(t, server, "touchpoint/{type}")
	cm := borrowed(t, server)
	var nilCtx context.Context
	for _, tc := range []struct {
		name string
		call func() error
	}{
		{"mqtttransport.New", func() error {
			_, err := mqtttransport.New(nilCtx, server, "touchpoint/{type}", ce)
			return err
		}},
		{"mqtttransport.NewSource", func() error {
			_, err := mqtttransport.NewSource(nilCtx, server, []string{"x/#"}, got.handle)
			return err
		}},
		{"mqtttransport.NewSourceFromConnection", func() error {
			_, err := mqtttransport.NewSourceFromConnection(nilCtx, cm, []string{"x/#"}, got.handle)
			return err
		}},
		{"mqtttransport.Sender.Send", func() error { return s.Send(nilCtx, []*connected.Record{rec(0, "k")}) }},
		{"mqtttransport.Sender.Shutdown", func() error { return s.Shutdown(nilCtx) }},
		{"mqtttransport.Source.Resubscribe", func() error { return src.Resubscribe(nilCtx) }},
		{"mqtttransport.Source.Shutdown", func() error { return src.Shutdown(nilCtx) }},
	} {
		err := tc.call()
		if !errors.Is(err, transport.ErrNilContext) || !strings.Contains(err.Error(), tc.name) || transport.IsRetryable(err) {
			t.Errorf("%s(nil) = %v, want a permanent ErrNilContext naming it", tc.name, err)
		}
	}
	if err := s.Send(ctxT(t), []*connected.Record{rec(1, "k")}); err != nil {
		t.Fatalf("Send after the nil-context calls = %v", err)
	}
	if msgs := got.wait(t); len(msgs) != 1 {
		t.Fatalf("received %d messages", len(msgs))
	}
}
