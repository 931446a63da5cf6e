package natstransport_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport/natstransport"
)

var (
	t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	ce = connected.CloudEventsOptions{Source: "urn:touchpoint:test"}
	// stream captures every subject of DefaultSubject.
	stream = jetstream.StreamConfig{Name: "TOUCHPOINT", Subjects: []string{"touchpoint.events.>"}, Storage: jetstream.MemoryStorage}
)

// rec builds a valid record "id-<i>" with partition key pk.
func rec(i int, pk string) *connected.Record {
	id := fmt.Sprintf("id-%06d", i)
	payload := fmt.Sprintf(`{"type":"track","messageId":%q,"event":"Product Viewed","originalTimestamp":"2026-03-01T12:00:00.000Z"}`, id)
	return &connected.Record{ID: id, Type: connected.TypeTrack, Time: t0.Add(time.Duration(i) * time.Millisecond),
		Category: connected.CategoryBehavioral, PartitionKey: pk, Payload: []byte(payload)}
}

// startServer starts an embedded nats-server with JetStream on a random
// loopback port, its store in a temporary directory, shut down at cleanup.
func startServer(t testing.TB, tune ...func(*server.Options)) *server.Server {
	t.Helper()
	ns := launch(t, tune...)
	t.Cleanup(func() {
		ns.Shutdown()
		ns.WaitForShutdown()
	})
	return ns
}

// launch starts the server; the caller shuts it down.
func launch(t testing.TB, tune ...func(*server.Options)) *server.Server {
	t.Helper()
	o := &server.Options{Host: "127.0.0.1", Port: server.RANDOM_PORT, JetStream: true, StoreDir: t.TempDir(),
		NoLog: true, NoSigs: true}
	for _, f := range tune {
		f(o)
	}
	ns, err := server.NewServer(o)
	if err != nil {
		t.Fatal(err)
	}
	go ns.Start()
	if !ns.ReadyForConnections(10 * time.Second) {
		ns.Shutdown()
		t.Fatal("nats-server not ready")
	}
	return ns
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// newSender returns a Sender that owns its connection and the stream,
// shut down at cleanup.
func newSender(t testing.TB, ns *server.Server, opts ...natstransport.Option) *natstransport.Sender {
	t.Helper()
	opts = append([]natstransport.Option{natstransport.WithStream(stream)}, opts...)
	s, err := natstransport.New(ctxT(t), ns.ClientURL(), natstransport.DefaultSubject, ce, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { shutdown(t, s) })
	return s
}

func shutdown(t testing.TB, s *natstransport.Sender) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Errorf("Shutdown: %v", err)
	}
}

// stored returns every message of the stream name, in stream order.
func stored(t testing.TB, ns *server.Server, name string) []*jetstream.RawStreamMsg {
	t.Helper()
	nc, err := nats.Connect(ns.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx := ctxT(t)
	st, err := js.Stream(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out []*jetstream.RawStreamMsg
	for seq := info.State.FirstSeq; seq <= info.State.LastSeq && info.State.Msgs > 0; seq++ {
		m, err := st.GetMsg(ctx, seq)
		if err != nil {
			t.Fatalf("get message %d: %v", seq, err)
		}
		out = append(out, m)
	}
	return out
}
