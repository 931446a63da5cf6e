package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// tagSample is the OpenMQTTGateway message of the consented iBeacon tag.
func tagSample(t testing.TB) []sample {
	t.Helper()
	for _, s := range loadSamples(t, "openmqttgateway") {
		if strings.Contains(string(s.Payload), "e2c56db5dffb48d2b060d0f5a71096e0") {
			return []sample{s}
		}
	}
	t.Fatal("no tag sample in testdata/openmqttgateway.jsonl")
	return nil
}

// runTagVisit runs a gateway with the given sink flags through one
// sighting of the tag, and returns the report of the stopped run.
func runTagVisit(t *testing.T, sinkArgs ...string) Report {
	t.Helper()
	broker := startBroker(t)
	r := startGateway(t, testConfig(t, broker, sinkArgs...))
	publish(t, publisher(t, broker), tagSample(t))
	waitFor(t, "the tag's sighting", func() bool { return r.g.report().Sightings == 1 })
	rep, err := r.stop(t)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	if rep.Gate.Delivered < 2 || rep.Delivered != rep.Gate.Delivered || rep.Undelivered != 0 {
		t.Fatalf("report %+v: want the tag's entry and exit delivered", rep)
	}
	return rep
}

// checkPayloads checks that the records a broker received are the
// delivered Segment events of the tag's visit.
func checkPayloads(t *testing.T, payloads [][]byte) {
	t.Helper()
	names := map[string]int{}
	for _, p := range payloads {
		ev, err := connected.DecodeSegment(p)
		if err != nil {
			t.Fatalf("not a Segment message: %v\n%s", err, p)
		}
		names[ev.Event]++
		if strings.Contains(strings.ToLower(string(p)), "e2c56db5") {
			t.Errorf("the tag's id in the clear: %s", p)
		}
	}
	if names[connected.EventZoneEntered] != 1 || names[connected.EventZoneExited] != 1 {
		t.Errorf("events by name %v: want one entry and one exit", names)
	}
}

func TestDeliverToKafka(t *testing.T) {
	const topic = "touchpoint.events"
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, topic))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	rep := runTagVisit(t, "-deliver", "kafka", "-brokers", strings.Join(c.ListenAddrs(), ","), "-kafka-topic", topic)

	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var payloads [][]byte
	for uint64(len(payloads)) < rep.Gate.Delivered {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("consumed %d of %d records", len(payloads), rep.Gate.Delivered)
		}
		fs.EachRecord(func(r *kgo.Record) {
			payloads = append(payloads, r.Value)
			h := map[string]string{}
			for _, x := range r.Headers {
				h[x.Key] = string(x.Value)
			}
			if h["ce_source"] != "urn:touchpoint:gateway:store-12" || h["ce_id"] == "" || len(r.Key) != 32 {
				t.Errorf("record headers %v, key %q", h, r.Key)
			}
		})
	}
	if uint64(len(payloads)) != rep.Gate.Delivered {
		t.Errorf("topic holds %d records, %d were delivered", len(payloads), rep.Gate.Delivered)
	}
	checkPayloads(t, payloads)
}

func TestDeliverToNATS(t *testing.T) {
	ns, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: server.RANDOM_PORT, JetStream: true,
		StoreDir: t.TempDir(), NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	go ns.Start()
	t.Cleanup(func() { ns.Shutdown(); ns.WaitForShutdown() })
	if !ns.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats-server not ready")
	}
	rep := runTagVisit(t, "-deliver", "nats", "-nats", ns.ClientURL(), "-nats-stream", "TOUCHPOINT")

	nc, err := nats.Connect(ns.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := js.Stream(ctx, "TOUCHPOINT")
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Msgs != rep.Gate.Delivered {
		t.Fatalf("stream holds %d messages, %d were delivered", info.State.Msgs, rep.Gate.Delivered)
	}
	var payloads [][]byte
	for seq := info.State.FirstSeq; seq <= info.State.LastSeq; seq++ {
		m, err := st.GetMsg(ctx, seq)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(m.Subject, "touchpoint.events.") || m.Header.Get("Nats-Msg-Id") == "" {
			t.Errorf("message %d: subject %q, headers %v", seq, m.Subject, m.Header)
		}
		payloads = append(payloads, m.Data)
	}
	checkPayloads(t, payloads)
}
