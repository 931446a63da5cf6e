package mqtttransport_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/eclipse/paho.golang/autopaho"
	"github.com/eclipse/paho.golang/paho"
	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/hooks/auth"
	"github.com/mochi-mqtt/server/v2/listeners"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/connectedtest"
	"github.com/touchpoint-sdk/touchpoint/transport/mqtttransport"
)

// exampleBroker starts an in-process mochi MQTT 5 broker on a random
// loopback port and returns its URL and a function that stops it.
func exampleBroker() (string, func()) {
	srv := mqtt.New(&mqtt.Options{Logger: slog.New(slog.DiscardHandler)})
	_ = srv.AddHook(new(auth.AllowHook), nil)
	tcp := listeners.NewTCP(listeners.Config{ID: "tcp", Address: "127.0.0.1:0"})
	if err := srv.AddListener(tcp); err != nil {
		panic(err)
	}
	if err := srv.Serve(); err != nil {
		panic(err)
	}
	return "mqtt://" + tcp.Address(), func() { closeBroker(srv) }
}

// exampleRecords emits events through a connected.Client with a fixed clock
// and ids and returns the records it encoded. In production the Client's
// sink is a transport.Batcher in front of the Sender.
func exampleRecords() []*connected.Record {
	rec := &connectedtest.Recorder{}
	c, err := connected.New(rec,
		connected.WithClock(func() time.Time { return time.Date(2026, 11, 24, 10, 30, 0, 0, time.UTC) }),
		connected.WithIDGenerator(connectedtest.IDs("msg")),
	)
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	_ = c.Track(ctx, connected.Event{UserID: "user-42", Event: connected.EventZoneEntered, Category: connected.CategoryLocation})
	_ = c.Track(ctx, connected.Event{UserID: "user-42", Event: connected.EventOrderCompleted})
	_ = c.Shutdown(ctx)
	return rec.Records()
}

// New owns its connection. A Source subscribed to "touchpoint/#" shows
// what a subscriber receives.
func ExampleNew() {
	broker, stop := exampleBroker()
	defer stop()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	got := make(chan mqtttransport.Message, 2)
	source, err := mqtttransport.NewSource(ctx, broker, []string{"touchpoint/#"},
		forwardOnce(got))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer source.Shutdown(ctx)

	sender, err := mqtttransport.New(ctx, broker, mqtttransport.DefaultTopic,
		connected.CloudEventsOptions{Source: "urn:touchpoint:store:12"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("send:", sender.Send(ctx, exampleRecords()))
	fmt.Println("shutdown:", sender.Shutdown(ctx)) // disconnects the connection New opened

	for range 2 {
		m := within(ctx, got)
		fmt.Println(m.Topic, m.ContentType, m.UserProperties.Get("id"), m.UserProperties.Get("type"))
	}
	// Output:
	// send: <nil>
	// shutdown: <nil>
	// touchpoint/location/track application/json msg-1 dev.touchpoint.track
	// touchpoint/behavioral/track application/json msg-2 dev.touchpoint.track
}

// NewSource hands what store gateways publish to a decoder; here the
// handler just prints the frame.
func ExampleNewSource() {
	broker, stop := exampleBroker()
	defer stop()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	frames := make(chan string, 1)
	at := time.Date(2026, 11, 24, 10, 30, 0, 0, time.UTC)
	source, err := mqtttransport.NewSource(ctx, broker, []string{"gateways/+/ble"},
		func(_ context.Context, m mqtttransport.Message) error {
			// A real handler decodes the frame (beacon.Parse, ...) and emits events.
			select { // QoS 1 is at-least-once: a redelivery must not block the handler
			case frames <- fmt.Sprintf("%s at %s: % x", m.Topic, m.Received.Format(time.RFC3339), m.Payload):
			default:
			}
			return nil
		},
		mqtttransport.WithClock(func() time.Time { return at }))
	if err != nil {
		fmt.Println(err)
		return
	}

	gateway := exampleConnection(broker)
	defer gateway.Disconnect(ctx)
	_, err = gateway.Publish(ctx, &paho.Publish{QoS: 1, Topic: "gateways/store-12/ble", Payload: []byte{0x02, 0x01, 0x06}})
	fmt.Println("gateway publish:", err)
	fmt.Println(within(ctx, frames))
	fmt.Println("shutdown:", source.Shutdown(ctx))
	fmt.Println("messages handled:", source.Stats().Handled)
	// Output:
	// gateway publish: <nil>
	// gateways/store-12/ble at 2026-11-24T10:30:00Z: 02 01 06
	// shutdown: <nil>
	// messages handled: 1
}

// exampleConnection opens an autopaho connection and waits until it is up.
func exampleConnection(broker string) *autopaho.ConnectionManager {
	u, _ := url.Parse(broker)
	cm, err := autopaho.NewConnection(context.Background(), autopaho.ClientConfig{
		ServerUrls: []*url.URL{u}, KeepAlive: 30, CleanStartOnInitialConnection: true,
		ClientConfig: paho.ClientConfig{ClientID: "example-gateway"},
	})
	if err != nil {
		panic(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := cm.AwaitConnection(ctx); err != nil {
		panic(err)
	}
	return cm
}

// within receives from ch, or panics (failing the example with a message,
// instead of hanging the test binary) when ctx ends first.
func within[T any](ctx context.Context, ch <-chan T) T {
	select {
	case v := <-ch:
		return v
	case <-ctx.Done():
		panic("example: nothing received: " + ctx.Err().Error())
	}
}

// forwardOnce returns a Handler that passes each message (by record id) to
// ch once and never blocks: QoS 1 is at-least-once, and a redelivered
// message must neither block the Source nor print twice.
func forwardOnce(ch chan<- mqtttransport.Message) mqtttransport.MessageHandler {
	var mu sync.Mutex
	seen := map[string]bool{}
	return func(_ context.Context, m mqtttransport.Message) error {
		mu.Lock()
		defer mu.Unlock()
		if id := m.UserProperties.Get("id"); !seen[id] {
			seen[id] = true
			select {
			case ch <- m:
			default:
			}
		}
		return nil
	}
}

// One connection, owned by the application, shared by a Sender and a
// Source that both borrow it.
func ExampleNewFromConnection() {
	broker, stop := exampleBroker()
	defer stop()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cm := exampleConnection(broker)
	defer cm.Disconnect(ctx) // the application's connection: the application disconnects it

	got := make(chan mqtttransport.Message, 1)
	source, err := mqtttransport.NewSourceFromConnection(ctx, cm, []string{"touchpoint/location/#"},
		forwardOnce(got))
	if err != nil {
		fmt.Println(err)
		return
	}
	sender, err := mqtttransport.NewFromConnection(cm, mqtttransport.DefaultTopic,
		connected.CloudEventsOptions{Source: "urn:touchpoint:store:12"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("send:", sender.Send(ctx, exampleRecords()))
	m := within(ctx, got) // only the location event matches the filter
	fmt.Println(m.Topic, m.UserProperties.Get("datacategory"))
	fmt.Println("shutdown:", sender.Shutdown(ctx), source.Shutdown(ctx))
	// Output:
	// send: <nil>
	// touchpoint/location/track location
	// shutdown: <nil> <nil>
}

// NewSourceFromConnection borrows the application's connection. autopaho
// attaches handlers to the current network connection only, so the
// application calls Resubscribe when it reconnects.
func ExampleNewSourceFromConnection() {
	broker, stop := exampleBroker()
	defer stop()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	var source atomic.Pointer[mqtttransport.Source] // set once subscribed
	resubscribed := make(chan error, 2)
	u, _ := url.Parse(broker)
	cm, err := autopaho.NewConnection(ctx, autopaho.ClientConfig{
		ServerUrls: []*url.URL{u}, KeepAlive: 30, CleanStartOnInitialConnection: true,
		ClientConfig: paho.ClientConfig{ClientID: "example-app"},
		OnConnectionUp: func(cm *autopaho.ConnectionManager, _ *paho.Connack) {
			if src := source.Load(); src != nil { // nil at first: NewSourceFromConnection subscribes
				resubscribed <- src.Resubscribe(ctx)
			}
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer cm.Disconnect(ctx)
	if err := cm.AwaitConnection(ctx); err != nil {
		fmt.Println(err)
		return
	}
	src, err := mqtttransport.NewSourceFromConnection(ctx, cm, []string{"gateways/#"},
		func(_ context.Context, m mqtttransport.Message) error { return nil })
	fmt.Println("subscribed:", err)
	source.Store(src)

	cm.TerminateConnectionForTest() // a network failure: autopaho reconnects
	fmt.Println("resubscribed:", <-resubscribed)
	fmt.Println("shutdown:", src.Shutdown(ctx))
	// Output:
	// subscribed: <nil>
	// resubscribed: <nil>
	// shutdown: <nil>
}

// ParseTopic checks a topic template before use; errors say what is wrong
// and where.
func ExampleParseTopic() {
	fmt.Println(mqtttransport.ParseTopic("touchpoint/{category}/{type}"))
	fmt.Println(mqtttransport.ParseTopic("touchpoint/+/{type}"))
	// Output:
	// <nil>
	// mqtttransport: topic template "touchpoint/+/{type}" at offset 11: mqtttransport: invalid topic: wildcard '+' cannot be published to
}

// ValidateFilter checks a subscription filter.
func ExampleValidateFilter() {
	fmt.Println(mqtttransport.ValidateFilter("gateways/+/ble/#"))
	fmt.Println(mqtttransport.ValidateFilter("gateways/#/ble"))
	// Output:
	// <nil>
	// mqtttransport: topic filter "gateways/#/ble" at offset 9: mqtttransport: invalid topic filter: '#' must be the whole last level
}
