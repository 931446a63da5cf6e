package kafkatransport_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/connectedtest"
	"github.com/touchpoint-sdk/touchpoint/transport/kafkatransport"
)

// exampleRecords emits events through a connected.Client with a fixed clock
// and ids and returns the records it encoded. In production the Client's
// sink is a transport.Batcher in front of the Sender.
func exampleRecords() []*connected.Record {
	rec := &connectedtest.Recorder{}
	c, err := connected.New(rec,
		connected.WithClock(func() time.Time { return time.Date(2026, 11, 24, 10, 30, 0, 0, time.UTC) }),
		connected.WithIDGenerator(connectedtest.IDs("msg")),
		connected.WithPartitionKeySecret([]byte("example secret")),
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

// exampleConsume reads n records of topic from an in-process cluster.
func exampleConsume(c *kfake.Cluster, topic string, n int) []*kgo.Record {
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		panic(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var out []*kgo.Record
	for len(out) < n && ctx.Err() == nil {
		out = append(out, cl.PollFetches(ctx).Records()...)
	}
	return out
}

// New owns its franz-go client. Here it produces to kfake, franz-go's
// in-process Kafka cluster; in production the seeds are your brokers.
func ExampleNew() {
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "touchpoint-events"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer cluster.Close()

	sender, err := kafkatransport.New(cluster.ListenAddrs(), "touchpoint-events",
		connected.CloudEventsOptions{Source: "urn:touchpoint:store:12"})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	fmt.Println("send:", sender.Send(ctx, exampleRecords()))
	fmt.Println("shutdown:", sender.Shutdown(ctx)) // closes the client New opened

	for _, r := range exampleConsume(cluster, "touchpoint-events", 2) {
		h := map[string]string{}
		for _, kv := range r.Headers {
			h[kv.Key] = string(kv.Value)
		}
		fmt.Printf("key=%s… messageId=%s ce_type=%s ce_datacategory=%s\n",
			r.Key[:8], h[kafkatransport.MessageIDHeader], h["ce_type"], h["ce_datacategory"])
	}
	// Output:
	// send: <nil>
	// shutdown: <nil>
	// key=fe848656… messageId=msg-1 ce_type=dev.touchpoint.track ce_datacategory=location
	// key=fe848656… messageId=msg-2 ce_type=dev.touchpoint.track ce_datacategory=behavioral
}

// NewFromClient borrows a client the application already has; Shutdown
// leaves it open for the application to close.
func ExampleNewFromClient() {
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "touchpoint-events"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer cluster.Close()
	client, err := kgo.NewClient(kgo.SeedBrokers(cluster.ListenAddrs()...))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer client.Close() // the application's client: the application closes it

	sender, err := kafkatransport.NewFromClient(client, "touchpoint-events",
		connected.CloudEventsOptions{Source: "urn:touchpoint:store:12"})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	fmt.Println("send:", sender.Send(ctx, exampleRecords()[:1]))
	fmt.Println("shutdown:", sender.Shutdown(ctx))
	fmt.Println("client still usable:", client.Ping(ctx) == nil)
	// Output:
	// send: <nil>
	// shutdown: <nil>
	// client still usable: true
}

// ValidateTopic checks a topic name as New does, without a broker: a name
// read from configuration can be refused at start-up.
func ExampleValidateTopic() {
	fmt.Println(kafkatransport.ValidateTopic("touchpoint.events-v2"))
	err := kafkatransport.ValidateTopic("touchpoint events")
	fmt.Println(errors.Is(err, kafkatransport.ErrInvalidTopic), err)
	fmt.Println(errors.Is(kafkatransport.ValidateTopic(strings.Repeat("t", 250)), kafkatransport.ErrInvalidTopic))
	fmt.Println(errors.Is(kafkatransport.ValidateTopic(".."), kafkatransport.ErrInvalidTopic))
	// Output:
	// <nil>
	// true kafkatransport: invalid topic name: byte 0x20 at offset 10 (allowed: a-z A-Z 0-9 . _ -)
	// true
	// true
}
