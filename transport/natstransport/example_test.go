package natstransport_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/connectedtest"
	"github.com/touchpoint-sdk/touchpoint/transport/natstransport"
)

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

// exampleServer starts an embedded nats-server with JetStream on a random
// loopback port. Call the returned function to stop it.
func exampleServer() (*server.Server, func()) {
	dir, err := os.MkdirTemp("", "natstransport-example")
	if err != nil {
		panic(err)
	}
	ns, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: server.RANDOM_PORT,
		JetStream: true, StoreDir: dir, NoLog: true, NoSigs: true})
	if err != nil {
		panic(err)
	}
	go ns.Start()
	if !ns.ReadyForConnections(10 * time.Second) {
		panic("nats-server not ready")
	}
	return ns, func() { ns.Shutdown(); ns.WaitForShutdown(); os.RemoveAll(dir) }
}

// New owns its connection. Here it publishes to an embedded nats-server;
// in production the URL is your cluster's. WithStream creates the stream
// that captures the subjects; a retried batch is stored once.
func ExampleNew() {
	ns, stop := exampleServer()
	defer stop()

	ctx := context.Background()
	sender, err := natstransport.New(ctx, ns.ClientURL(), natstransport.DefaultSubject,
		connected.CloudEventsOptions{Source: "urn:touchpoint:store:12"},
		natstransport.WithStream(jetstream.StreamConfig{Name: "TOUCHPOINT", Subjects: []string{"touchpoint.events.>"}}))
	if err != nil {
		fmt.Println(err)
		return
	}
	recs := exampleRecords()
	fmt.Println("send:", sender.Send(ctx, recs))
	fmt.Println("send again:", sender.Send(ctx, recs)) // e.g. a retry after a lost ack
	st := sender.Stats()
	fmt.Println("acknowledged:", st.Delivered, "duplicates:", st.Duplicates)
	fmt.Println("shutdown:", sender.Shutdown(ctx)) // closes the connection New opened

	nc, err := nats.Connect(ns.ClientURL())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	stream, _ := js.Stream(ctx, "TOUCHPOINT")
	for seq := uint64(1); ; seq++ {
		m, err := stream.GetMsg(ctx, seq)
		if err != nil {
			break
		}
		fmt.Println(m.Subject, m.Header.Get("Nats-Msg-Id"), m.Header.Get("ce-type"))
	}
	// Output:
	// send: <nil>
	// send again: <nil>
	// acknowledged: 4 duplicates: 2
	// shutdown: <nil>
	// touchpoint.events.location.track msg-1 dev.touchpoint.track
	// touchpoint.events.behavioral.track msg-2 dev.touchpoint.track
}

// NewFromConn borrows a connection the application already has; Shutdown
// leaves it open for the application to close.
func ExampleNewFromConn() {
	ns, stop := exampleServer()
	defer stop()
	nc, err := nats.Connect(ns.ClientURL())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer nc.Close() // the application's connection: the application closes it

	ctx := context.Background()
	sender, err := natstransport.NewFromConn(ctx, nc, "touchpoint.{category}",
		connected.CloudEventsOptions{Source: "urn:touchpoint:store:12"},
		natstransport.WithStream(jetstream.StreamConfig{Name: "TOUCHPOINT", Subjects: []string{"touchpoint.>"}}))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("send:", sender.Send(ctx, exampleRecords()))
	fmt.Println("shutdown:", sender.Shutdown(ctx))
	fmt.Println("connection still open:", !nc.IsClosed())
	// Output:
	// send: <nil>
	// shutdown: <nil>
	// connection still open: true
}

// ParseSubject checks a subject template before use; errors say what is
// wrong and where.
func ExampleParseSubject() {
	fmt.Println(natstransport.ParseSubject("touchpoint.{category}.{type}"))
	fmt.Println(natstransport.ParseSubject("touchpoint.{user}"))
	fmt.Println(natstransport.ParseSubject("touchpoint.*"))
	// Output:
	// <nil>
	// natstransport: subject template "touchpoint.{user}" at offset 11: natstransport: unknown placeholder: "{user}" (known: {category} {type} {partitionkey})
	// natstransport: subject template "touchpoint.*" at offset 11: natstransport: invalid subject: wildcard '*' cannot be published to
}
