package cloudeventsinterop_test

import (
	"context"
	"testing"
	"time"

	cejs "github.com/cloudevents/sdk-go/protocol/nats_jetstream/v2"
	"github.com/cloudevents/sdk-go/v2/binding"
	"github.com/cloudevents/sdk-go/v2/binding/spec"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/touchpoint-sdk/touchpoint/transport/natstransport"
)

// natsServer starts an embedded nats-server with JetStream on loopback.
func natsServer(t *testing.T) *server.Server {
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
	t.Cleanup(func() {
		ns.Shutdown()
		ns.WaitForShutdown()
	})
	return ns
}

// natstransport's messages (binary content mode of the NATS protocol
// binding), as a subscriber receives them, read by the SDK's JetStream
// binding: the event converts, and the SDK's metadata reader, which looks
// only at ce-<attribute> headers, finds every attribute there,
// datacontenttype included.
func TestSDKReadsNATSMessages(t *testing.T) {
	ns := natsServer(t)
	recs := records(t)
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()

	nc, err := nats.Connect(ns.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	sub, err := nc.SubscribeSync("touchpoint.events.>")
	if err != nil {
		t.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}

	s, err := natstransport.New(ctx, ns.ClientURL(), natstransport.DefaultSubject, ceOpts,
		natstransport.WithStream(jetstream.StreamConfig{Name: "TOUCHPOINT", Subjects: []string{"touchpoint.events.>"}, Storage: jetstream.MemoryStorage}))
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer scancel()
		if err := s.Shutdown(sctx); err != nil {
			t.Error(err)
		}
	}()
	if err := s.Send(ctx, recs); err != nil {
		t.Fatal(err)
	}
	for i, r := range recs {
		m, err := sub.NextMsg(10 * time.Second)
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		msg := cejs.NewMessage(m)
		if enc := msg.ReadEncoding(); enc != binding.EncodingBinary {
			t.Fatalf("message %d: SDK sees encoding %v, want binary", i, enc)
		}
		e, err := binding.ToEvent(ctx, msg)
		if err != nil {
			t.Fatalf("message %d: SDK cannot read it: %v", i, err)
		}
		checkEvent(t, e, r)
		for kind, want := range map[spec.Kind]string{
			spec.DataContentType: "application/json", spec.ID: r.ID, spec.Source: ceOpts.Source,
			spec.Type: "com.acme.omni." + string(r.Type), spec.DataSchema: ceOpts.DataSchema, spec.SpecVersion: "1.0",
		} {
			if _, v := msg.GetAttribute(kind); v != want {
				t.Errorf("message %d: SDK metadata reader: %v = %v, want %q (header ce-%s)", i, kind, v, want, kind)
			}
		}
		if v := msg.GetExtension("datacategory"); v != string(r.Category) {
			t.Errorf("message %d: datacategory %v", i, v)
		}
	}
}
