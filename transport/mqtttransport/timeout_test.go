package mqtttransport_test

import (
	"context"
	"errors"
	"net"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eclipse/paho.golang/autopaho"
	"github.com/eclipse/paho.golang/packets"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport"
	"github.com/touchpoint-sdk/touchpoint/transport/mqtttransport"
	"github.com/touchpoint-sdk/touchpoint/transport/transporttest"
)

// When the connection drops and cannot come back, Send fails retryably
// (at most WithConnectWait later) instead of holding the batch through the
// outage.
func TestSendConnectionDownIsRetryable(t *testing.T) {
	server := startBroker(t, nil)
	var reachable atomic.Bool
	reachable.Store(true)
	s := newSender(t, server, "t", mqtttransport.WithConnectWait(50*time.Millisecond),
		mqtttransport.WithClientConfig(func(c *autopaho.ClientConfig) {
			c.PacketTimeout = 200 * time.Millisecond
			c.AttemptConnection = func(ctx context.Context, _ autopaho.ClientConfig, u *url.URL) (net.Conn, error) {
				if !reachable.Load() {
					return nil, errors.New("broker unreachable (test)")
				}
				var d net.Dialer
				conn, err := d.DialContext(ctx, "tcp", u.Host)
				if err != nil {
					return nil, err
				}
				return packets.NewThreadSafeConn(conn), nil
			}
		}))
	if err := s.Send(t.Context(), []*connected.Record{rec(0, "k")}); err != nil {
		t.Fatal(err)
	}
	reachable.Store(false)
	s.ConnectionManager().TerminateConnectionForTest()
	// Until autopaho notices, a Send may fail on the dropped connection;
	// every failure must be retryable, and the connection-down one comes.
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := s.Send(t.Context(), []*connected.Record{rec(1, "k")})
		if err == nil || !transport.IsRetryable(err) {
			t.Fatalf("Send with the connection down: %v; want a retryable error", err)
		}
		if errors.Is(err, autopaho.ConnectionDownError) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no connection-down error within 10 s; last: %v", err)
		}
	}
}

// A PUBACK that never comes fails the record retryably after paho's packet
// timeout, not permanently as if the caller had given up.
func TestSendPubackTimeoutIsRetryable(t *testing.T) {
	hook := &modeHook{changed: make(chan struct{})}
	server := startBroker(t, nil, hook)
	t.Cleanup(func() { hook.set(transporttest.Up) }) // runs before the broker closes
	s := newSender(t, server, "t", mqtttransport.WithClientConfig(func(c *autopaho.ClientConfig) {
		c.PacketTimeout = 50 * time.Millisecond
	}))
	hook.set(transporttest.Hang)
	err := s.Send(t.Context(), []*connected.Record{rec(0, "k")})
	var be *transport.BatchError
	if !errors.As(err, &be) || !be.Retryable || !transport.IsRetryable(err) {
		t.Fatalf("Send without a PUBACK: %v; want a retryable BatchError", err)
	}
}
