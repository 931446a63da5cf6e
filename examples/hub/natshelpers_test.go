package main

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// startNATS starts an embedded nats-server with JetStream on a random
// loopback port (as transport/natstransport's tests do), shut down at
// cleanup, and returns its URL.
func startNATS(t testing.TB) string {
	t.Helper()
	ns, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: server.RANDOM_PORT, JetStream: true,
		StoreDir: t.TempDir(), NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	go ns.Start()
	if !ns.ReadyForConnections(10 * time.Second) {
		ns.Shutdown()
		t.Fatal("nats-server not ready")
	}
	t.Cleanup(func() { ns.Shutdown(); ns.WaitForShutdown() })
	return ns.ClientURL()
}

// natsConfig is the tests' NATS configuration: memory streams, and an ack
// wait and lease short enough that a killed instance's messages and lease
// pass to the other within seconds.
func natsConfig(cfg Config) NATSConfig {
	c := NATSConfig{Config: cfg, Storage: jetstream.MemoryStorage, AckWait: 2 * time.Second, LeaseTTL: time.Second}
	c.defaults()
	return c
}

// natsLink is a gateway's NATS side: a connection, its publisher, and an
// ordered consumer of the hub's Out stream feeding the gateway's follower.
type natsLink struct {
	t  testing.TB
	nc *nats.Conn
	js jetstream.JetStream
	cc jetstream.ConsumeContext
}

func (e *env) natsGateway(gw *gateway) *natsLink {
	e.t.Helper()
	nc, err := nats.Connect(e.brokers[0])
	if err != nil {
		e.t.Fatal(err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		e.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cfg := natsConfig(Config{Control: topicControl, Data: topicData, Out: topicOut})
	if err := EnsureStreams(ctx, js, cfg); err != nil {
		nc.Close()
		e.t.Fatal(err)
	}
	cons, err := js.OrderedConsumer(ctx, cfg.OutStream(), jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverAllPolicy})
	if err != nil {
		nc.Close()
		e.t.Fatal(err)
	}
	cc, err := cons.Consume(func(m jetstream.Msg) {
		if err := gw.fol.Apply(context.Background(), m.Data()); err != nil {
			e.t.Errorf("%s follower: %v", gw.name, err)
		}
	})
	if err != nil {
		nc.Close()
		e.t.Fatal(err)
	}
	return &natsLink{t: e.t, nc: nc, js: js, cc: cc}
}

// send publishes b on subject with Nats-Msg-Id id and waits for the ack.
func (l *natsLink) send(subject, id string, b []byte) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := l.js.Publish(ctx, subject, b, jetstream.WithMsgID(id))
	return err
}

// close stops the follower (waiting for its goroutine) and the connection.
func (l *natsLink) close() {
	l.cc.Stop()
	<-l.cc.Closed()
	l.nc.Close()
}
