package kafkatransport_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport/kafkatransport"
)

const topic = "touchpoint-events"

var (
	t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	ce = connected.CloudEventsOptions{Source: "urn:touchpoint:test"}
)

// rec builds a valid record "id-<i>" with partition key pk.
func rec(i int, pk string) *connected.Record {
	id := fmt.Sprintf("id-%06d", i)
	payload := fmt.Sprintf(`{"type":"track","messageId":%q,"event":"Product Viewed","originalTimestamp":"2026-03-01T12:00:00.000Z"}`, id)
	return &connected.Record{ID: id, Type: connected.TypeTrack, Time: t0.Add(time.Duration(i) * time.Millisecond),
		Category: connected.CategoryBehavioral, PartitionKey: pk, Payload: []byte(payload)}
}

// cluster starts a one-broker kfake cluster with topic seeded on partitions
// partitions, closed at cleanup.
func cluster(t testing.TB, partitions int32, opts ...kfake.Opt) *kfake.Cluster {
	t.Helper()
	c, err := kfake.NewCluster(append([]kfake.Opt{kfake.NumBrokers(1), kfake.SeedTopics(partitions, topic)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// newSender returns a Sender owning its client, shut down at cleanup.
func newSender(t testing.TB, c *kfake.Cluster, opts ...kafkatransport.Option) *kafkatransport.Sender {
	t.Helper()
	s, err := kafkatransport.New(c.ListenAddrs(), topic, ce, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { shutdown(t, s) })
	return s
}

func shutdown(t testing.TB, s *kafkatransport.Sender) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Errorf("Shutdown: %v", err)
	}
}

// consume reads n records of topic from the beginning.
func consume(t testing.TB, c *kfake.Cluster, n int) []*kgo.Record {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var out []*kgo.Record
	for len(out) < n {
		fs := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			t.Fatalf("consumed %d of %d records: %v", len(out), n, err)
		}
		fs.EachError(func(topic string, p int32, err error) { t.Fatalf("fetch %s/%d: %v", topic, p, err) })
		out = append(out, fs.Records()...)
	}
	return out
}

func header(r *kgo.Record, key string) (string, bool) {
	for _, h := range r.Headers {
		if h.Key == key {
			return string(h.Value), true
		}
	}
	return "", false
}
