package mqtttransport_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eclipse/paho.golang/autopaho"
	"github.com/eclipse/paho.golang/paho"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport/mqtttransport"
)

// A gateway publishes raw frames; the Source hands them, with topic and
// receive time, to the handler, and only those matching its filters.
func TestSourceHandsMatchingMessagesToHandler(t *testing.T) {
	server := startBroker(t, nil)
	c := newCollector(2)
	at := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	src := newSource(t, server, []string{"gateways/+/ble", "gateways/store-7/wifi"}, c.handle,
		mqtttransport.WithClock(func() time.Time { return at }))
	gw := borrowed(t, server)
	for _, p := range []struct{ topic, payload string }{
		{"gateways/store-12/ble", "\x02\x01\x06"},
		{"gateways/store-12/temp", "21.5"}, // not subscribed
		{"gateways/store-7/wifi", "rssi=-60"},
	} {
		if _, err := gw.Publish(t.Context(), &paho.Publish{QoS: 1, Topic: p.topic, Payload: []byte(p.payload)}); err != nil {
			t.Fatal(err)
		}
	}
	got := c.wait(t)
	if got[0].Topic != "gateways/store-12/ble" || string(got[0].Payload) != "\x02\x01\x06" || !got[0].Received.Equal(at) {
		t.Errorf("first message %+v", got[0])
	}
	if got[1].Topic != "gateways/store-7/wifi" || string(got[1].Payload) != "rssi=-60" {
		t.Errorf("second message %+v", got[1])
	}
	// Handled is counted when the handler returns, just after the
	// collector has the message.
	st := src.Stats()
	for end := time.Now().Add(5 * time.Second); st.Handled < 2 && time.Now().Before(end); st = src.Stats() {
		time.Sleep(time.Millisecond)
	}
	if st.Received != 2 || st.Handled != 2 || st.Failed != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestSourceHandlerErrorsAreReportedAndCounted(t *testing.T) {
	server := startBroker(t, nil)
	reported := make(chan error, 1)
	src := newSource(t, server, []string{"g/#"}, func(context.Context, mqtttransport.Message) error {
		return errors.New("truncated frame")
	}, mqtttransport.WithErrorHandler(func(err error) { reported <- err }))
	gw := borrowed(t, server)
	if _, err := gw.Publish(t.Context(), &paho.Publish{QoS: 1, Topic: "g/1", Payload: []byte{0x02}}); err != nil {
		t.Fatal(err)
	}
	err := <-reported
	var he *mqtttransport.HandlerError
	if !errors.As(err, &he) || he.Topic != "g/1" || !strings.Contains(err.Error(), "truncated frame") {
		t.Fatalf("reported %v, want a HandlerError for g/1", err)
	}
	if st := src.Stats(); st.Failed != 1 || st.Handled != 0 || !strings.Contains(st.LastError, "truncated frame") {
		t.Errorf("stats %+v", st)
	}
}

// After the connection drops, an owned Source reconnects and subscribes
// again by itself.
func TestSourceResubscribesAfterReconnect(t *testing.T) {
	broker, server := startBrokerServer(t, nil)
	c := newCollector(1)
	ups := make(chan struct{}, 4)
	var dropped atomic.Bool
	src := newSource(t, server, []string{"r/#"}, c.handle, mqtttransport.WithClientConfig(func(cfg *autopaho.ClientConfig) {
		orig := cfg.OnConnectionUp
		cfg.OnConnectionUp = func(cm *autopaho.ConnectionManager, ca *paho.Connack) {
			orig(cm, ca) // subscribes
			ups <- struct{}{}
		}
		// Reconnect once the broker is done with the old connection.
		cfg.ReconnectBackoff = afterBrokerDropped(broker, cfg.ClientID, &dropped, cfg.ReconnectBackoff)
	}))
	<-ups // the first connection
	dropped.Store(true)
	src.ConnectionManager().TerminateConnectionForTest()
	select {
	case <-ups:
	case <-time.After(10 * time.Second):
		t.Fatal("no reconnection")
	}
	gw := borrowed(t, server)
	if _, err := gw.Publish(t.Context(), &paho.Publish{QoS: 1, Topic: "r/1", Payload: []byte("after")}); err != nil {
		t.Fatal(err)
	}
	if got := c.wait(t); string(got[0].Payload) != "after" {
		t.Errorf("received %q", got[0].Payload)
	}
}

// A borrowed Source ignores the owner's other subscriptions, is
// re-attached by Resubscribe after a reconnection, and on Shutdown leaves
// the connection up.
func TestSourceFromConnection(t *testing.T) {
	broker, server := startBrokerServer(t, nil)
	u, _ := url.Parse(server)
	var mu sync.Mutex
	var src *mqtttransport.Source
	ups := make(chan error, 4)
	var dropped atomic.Bool
	cm, err := autopaho.NewConnection(context.Background(), autopaho.ClientConfig{
		ServerUrls: []*url.URL{u}, KeepAlive: 30, CleanStartOnInitialConnection: true,
		ClientConfig: paho.ClientConfig{ClientID: "owner"},
		// Reconnect once the broker is done with the old connection.
		ReconnectBackoff: afterBrokerDropped(broker, "owner", &dropped, nil),
		OnConnectionUp: func(cm *autopaho.ConnectionManager, _ *paho.Connack) {
			mu.Lock()
			s := src
			mu.Unlock()
			if s != nil {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				ups <- s.Resubscribe(ctx)
				cancel()
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = cm.Disconnect(ctx)
	}()
	if err := cm.AwaitConnection(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := cm.Subscribe(t.Context(), &paho.Subscribe{Subscriptions: []paho.SubscribeOptions{{Topic: "owner/#", QoS: 1}}}); err != nil {
		t.Fatal(err)
	}
	msgs := make(chan mqtttransport.Message, 8)
	s, err := mqtttransport.NewSourceFromConnection(ctxT(t), cm, []string{"gw/#"}, func(_ context.Context, m mqtttransport.Message) error {
		msgs <- m
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	src = s
	mu.Unlock()

	gw := borrowed(t, server)
	publish := func(topic, payload string) {
		if _, err := gw.Publish(t.Context(), &paho.Publish{QoS: 1, Topic: topic, Payload: []byte(payload)}); err != nil {
			t.Fatal(err)
		}
	}
	receive := func(want string) {
		select {
		case m := <-msgs:
			if string(m.Payload) != want {
				t.Fatalf("received %q, want %q", m.Payload, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%q not received", want)
		}
	}
	publish("owner/x", "not for the source")
	publish("gw/1", "before")
	receive("before")
	dropped.Store(true)
	cm.TerminateConnectionForTest()
	// The owner resubscribes on every reconnection. Under -race the
	// in-process broker has dropped a fresh connection at once, now and
	// then (Resubscribe: "no connection available"); the next one must
	// succeed.
	for deadline := time.After(10 * time.Second); ; {
		var err error
		select {
		case err = <-ups:
		case <-deadline:
			t.Fatal("no Resubscribe succeeded after the reconnection")
		}
		if err == nil {
			break
		}
		t.Logf("Resubscribe after a reconnection: %v; waiting for the next one", err)
	}
	publish("gw/1", "after")
	// QoS 1 is at least once: "before" may come again if its
	// acknowledgement was lost with the terminated connection. "after" is
	// published again each second until one arrives: the in-process
	// broker lost the first one after a reconnection in about 1 of 40
	// runs under -race (mochi 2.7.9; the subscription was in place: a
	// later one arrives), which is not what this test is about.
	redelivered, republished := uint64(0), 0
	for deadline := time.Now().Add(10 * time.Second); ; {
		select {
		case m := <-msgs:
			if string(m.Payload) == "before" {
				redelivered++
				continue
			}
			if string(m.Payload) != "after" {
				t.Fatalf("received %q, want %q", m.Payload, "after")
			}
		case <-time.After(time.Second):
			if time.Now().After(deadline) {
				t.Fatal(`"after" not received`)
			}
			republished++
			t.Logf(`"after" not received within a second; publishing it again (%d)`, republished)
			publish("gw/1", "after")
			continue
		}
		break
	}
	// Exactly the messages of the source's filter, unless "after" was
	// published again (a copy may still be on its way).
	if st := s.Stats(); republished == 0 && st.Received != 2+redelivered || st.Received < 2+redelivered {
		t.Errorf("stats %+v: the owner's own topic reached the source", st)
	}
	if err := s.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := s.Shutdown(t.Context()); err != nil {
		t.Fatalf("second Shutdown: %v", err)
	}
	if err := s.Resubscribe(t.Context()); err == nil {
		t.Error("Resubscribe after Shutdown succeeded")
	}
	if _, err := cm.Publish(t.Context(), &paho.Publish{QoS: 1, Topic: "owner/y", Payload: []byte("up")}); err != nil {
		t.Fatalf("borrowed connection after Shutdown: %v", err)
	}
}

// Shutdown waits for a running handler until its context ends, then
// cancels the handler's context and still disconnects.
func TestSourceShutdownBoundedByContext(t *testing.T) {
	server := startBroker(t, nil)
	started := make(chan struct{})
	finished := make(chan error, 1)
	var once sync.Once
	src, err := mqtttransport.NewSource(ctxT(t), server, []string{"slow/#"}, func(ctx context.Context, m mqtttransport.Message) error {
		// QoS 1 may redeliver: only the first call signals, and no call
		// blocks on the channels (a blocked handler would hang Shutdown).
		once.Do(func() { close(started) })
		<-ctx.Done()
		select {
		case finished <- ctx.Err():
		default:
		}
		return ctx.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	gw := borrowed(t, server)
	go func() {
		// The publisher waits for the PUBACK, which the Source sends after
		// the handler returns; the result does not matter here.
		_, _ = gw.Publish(context.Background(), &paho.Publish{QoS: 1, Topic: "slow/1", Payload: []byte("x")})
	}()
	<-started
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	if err := src.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Shutdown with a blocked handler: %v", err)
	}
	if err := <-finished; !errors.Is(err, context.Canceled) {
		t.Errorf("handler context: %v, want canceled", err)
	}
	ctx2, cancel2 := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel2()
	if err := src.Shutdown(ctx2); err != nil {
		t.Errorf("second Shutdown: %v", err)
	}
	select {
	case <-src.ConnectionManager().Done():
	case <-time.After(10 * time.Second):
		t.Error("the owned connection is still running")
	}
}

func TestNewSourceRejectsBadConfiguration(t *testing.T) {
	server := startBroker(t, &refuseHook{})
	cm := borrowed(t, server)
	h := func(context.Context, mqtttransport.Message) error { return nil }
	for _, tc := range []struct {
		name string
		err  func() error
		is   error
		text string
	}{
		{"no filters", func() error { _, err := mqtttransport.NewSource(ctxT(t), server, nil, h); return err }, nil, "no topic filters"},
		{"bad filter", func() error { _, err := mqtttransport.NewSource(ctxT(t), server, []string{"a/#/b"}, h); return err }, mqtttransport.ErrInvalidFilter, "offset 2"},
		{"nil handler", func() error { _, err := mqtttransport.NewSource(ctxT(t), server, []string{"a"}, nil); return err }, nil, "nil MessageHandler"},
		{"nil option", func() error { _, err := mqtttransport.NewSource(ctxT(t), server, []string{"a"}, h, nil); return err }, nil, "nil SourceOption"},
		{"QoS 3", func() error {
			_, err := mqtttransport.NewSource(ctxT(t), server, []string{"a"}, h, mqtttransport.WithSubscribeQoS(3))
			return err
		}, nil, "WithSubscribeQoS(3)"},
		{"refused subscription", func() error {
			_, err := mqtttransport.NewSource(ctxT(t), server, []string{"ok/#", "secret/#"}, h)
			return err
		}, mqtttransport.ErrSubscribe, `"secret/#"`},
		{"refused subscription, borrowed", func() error {
			_, err := mqtttransport.NewSourceFromConnection(ctxT(t), cm, []string{"secret/x"}, h)
			return err
		}, mqtttransport.ErrSubscribe, "0x87"},
		{"nil connection", func() error {
			_, err := mqtttransport.NewSourceFromConnection(ctxT(t), nil, []string{"a"}, h)
			return err
		}, nil, "nil connection"},
		{"connection options on a borrowed connection", func() error {
			_, err := mqtttransport.NewSourceFromConnection(ctxT(t), cm, []string{"a"}, h, mqtttransport.WithCredentials("u", nil))
			return err
		}, mqtttransport.ErrConnectionOptionsBorrowed, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.err()
			if err == nil {
				t.Fatal("accepted")
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("%v does not match %v", err, tc.is)
			}
			if !strings.Contains(err.Error(), tc.text) {
				t.Errorf("%q does not say %q", err, tc.text)
			}
		})
	}
}

// The Sender and the Source can share one borrowed connection.
func TestSenderAndSourceShareAConnection(t *testing.T) {
	server := startBroker(t, nil)
	cm := borrowed(t, server)
	c := newCollector(1)
	src, err := mqtttransport.NewSourceFromConnection(ctxT(t), cm, []string{"touchpoint/#"}, c.handle)
	if err != nil {
		t.Fatal(err)
	}
	defer shutdown(t, src)
	s, err := mqtttransport.NewFromConnection(cm, mqtttransport.DefaultTopic, ce)
	if err != nil {
		t.Fatal(err)
	}
	defer shutdown(t, s)
	if err := s.Send(t.Context(), []*connected.Record{rec(0, "k")}); err != nil {
		t.Fatal(err)
	}
	if got := c.wait(t); got[0].UserProperties.Get("id") != "id-000000" {
		t.Errorf("received %+v", got[0])
	}
}

// The former name keeps compiling for one release: Handler is an alias of
// MessageHandler, so values move between them without conversion.
func TestHandlerIsDeprecatedAliasOfMessageHandler(t *testing.T) {
	var calls int
	var h mqtttransport.MessageHandler = func(context.Context, mqtttransport.Message) error { calls++; return nil }
	var old mqtttransport.Handler = h
	var back mqtttransport.MessageHandler = old
	if err := back(context.Background(), mqtttransport.Message{}); err != nil || calls != 1 {
		t.Fatalf("call through the alias: err %v, calls %d", err, calls)
	}
}
