package natstransport_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/nats-io/nats.go"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport"
	"github.com/touchpoint-sdk/touchpoint/transport/natstransport"
)

// TestNilContext: every function and method that takes a context returns
// transport.ErrNilContext for a nil one, naming itself, without a panic;
// nothing is published and the Sender still works afterwards.
func TestNilContext(t *testing.T) {
	ns := startServer(t)
	s := newSender(t, ns)
	nc, err := nats.Connect(ns.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	var nilCtx context.Context
	for _, tc := range []struct {
		name string
		call func() error
	}{
		{"natstransport.New", func() error {
			_, err := natstransport.New(nilCtx, ns.ClientURL(), natstransport.DefaultSubject, ce)
			return err
		}},
		{"natstransport.NewFromConn", func() error {
			_, err := natstransport.NewFromConn(nilCtx, nc, natstransport.DefaultSubject, ce)
			return err
		}},
		{"natstransport.Sender.Send", func() error { return s.Send(nilCtx, []*connected.Record{rec(0, "k")}) }},
		{"natstransport.Sender.Shutdown", func() error { return s.Shutdown(nilCtx) }},
	} {
		err := tc.call()
		if !errors.Is(err, transport.ErrNilContext) || !strings.Contains(err.Error(), tc.name) || transport.IsRetryable(err) {
			t.Errorf("%s(nil) = %v, want a permanent ErrNilContext naming it", tc.name, err)
		}
	}
	if n := len(stored(t, ns, stream.Name)); n != 0 {
		t.Fatalf("%d messages stored by nil-context calls", n)
	}
	if err := s.Send(ctxT(t), []*connected.Record{rec(1, "k")}); err != nil {
		t.Fatalf("Send after the nil-context calls = %v", err)
	}
	if n := len(stored(t, ns, stream.Name)); n != 1 {
		t.Fatalf("stored %d messages, want 1", n)
	}
}
