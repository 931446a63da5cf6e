package kafkatransport_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport"
)

// TestNilContext: Send and Shutdown given a nil context return
// transport.ErrNilContext naming themselves, without a panic; nothing is
// produced and the Sender still sends and shuts down afterwards.
func TestNilContext(t *testing.T) {
	c := cluster(t, 1)
	s := newSender(t, c)
	var nilCtx context.Context
	for _, tc := range []struct {
		name string
		call func() error
	}{
		{"kafkatransport.Sender.Send", func() error { return s.Send(nilCtx, []*connected.Record{rec(0, "k")}) }},
		{"kafkatransport.Sender.Shutdown", func() error { return s.Shutdown(nilCtx) }},
	} {
		err := tc.call()
		if !errors.Is(err, transport.ErrNilContext) || !strings.Contains(err.Error(), tc.name) || transport.IsRetryable(err) {
			t.Errorf("%s(nil) = %v, want a permanent ErrNilContext naming it", tc.name, err)
		}
	}
	if err := s.Send(t.Context(), []*connected.Record{rec(1, "k")}); err != nil {
		t.Fatalf("Send after the nil-context calls = %v", err)
	}
	if got := consume(t, c, 1); len(got) != 1 || string(got[0].Key) != "k" {
		t.Fatalf("consumed %v", got)
	}
}
