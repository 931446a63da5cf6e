package touchpoint_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/touchpoint-sdk/touchpoint"
	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
	"github.com/touchpoint-sdk/touchpoint/transport"
)

// Page, Screen, Group, Alias and Emit emit the other Segment event types.
func ExampleClient_Page() {
	c := newCollector()
	defer c.close()
	ctx := context.Background()
	client, err := touchpoint.New(c.srv.URL, "k")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(
		client.Page(ctx, touchpoint.Event{AnonymousID: "anon-7", Name: "Trail boots"}),
		client.Screen(ctx, touchpoint.Event{UserID: "user-42", Name: "Basket"}),
		client.Group(ctx, touchpoint.Event{UserID: "user-42", GroupID: "household-9"}),
		client.Alias(ctx, touchpoint.Event{UserID: "user-42", PreviousID: "anon-7"}),
		client.Emit(ctx, touchpoint.Event{Type: connected.TypeIdentify, UserID: "user-42",
			Traits: touchpoint.Traits{"plan": "gold"}}))
	fmt.Println(client.Shutdown(ctx))
	for _, m := range c.received() {
		fmt.Println(strings.TrimSpace(m.Type + " " + m.Name))
	}
	// Output:
	// <nil> <nil> <nil> <nil> <nil>
	// <nil>
	// alias
	// group
	// identify
	// page Trail boots
	// screen Basket
}

// Tuning passes down to the lower layers: here one event per batch, no
// gzip, and a short retry schedule; Stats shows the effect.
func ExampleWithBatcherOptions() {
	c := newCollector()
	defer c.close()
	ctx := context.Background()
	client, err := touchpoint.New(c.srv.URL, "k", touchpoint.WithName("warehouse"),
		touchpoint.WithBatcherOptions(transport.WithMaxBatchEvents(1)),
		touchpoint.WithHTTPOptions(transport.WithGzip(false)),
		touchpoint.WithRetryOptions(transport.WithBackoff(10*time.Millisecond, time.Second)))
	if err != nil {
		fmt.Println(err)
		return
	}
	for i := range 3 {
		if err := client.TrackFields(ctx, "Order Completed", touchpoint.UserID("user-42"), touchpoint.Int("n", i)); err != nil {
			fmt.Println(err)
		}
	}
	fmt.Println(client.Shutdown(ctx))
	s := client.Stats()[0]
	fmt.Println(s.Name, "requests:", s.HTTP.Requests, "delivered:", s.HTTP.Delivered, "encoding:", fmt.Sprintf("%q", c.encodings[0]))
	// Output:
	// <nil>
	// warehouse requests: 3 delivered: 3 encoding: ""
}

// A durable consent ledger of your own survives restarts; the Client
// decides with it but does not close it.
func ExampleWithConsentLedger() {
	c := newCollector()
	defer c.close()
	dir, err := os.MkdirTemp("", "touchpoint-ledger")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	ledger, err := consent.OpenLedger(filepath.Join(dir, "consent"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer ledger.Shutdown(context.Background())
	ctx := context.Background()
	at := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	if _, err := ledger.Record(ctx, consent.Fact{Subject: "user-42", Purpose: consent.PurposeAnalytics,
		Granted: true, Effective: at, Source: consent.SourceCMP}); err != nil {
		fmt.Println(err)
		return
	}
	client, err := touchpoint.New(c.srv.URL, "k", touchpoint.WithSecret([]byte("a secret of 16 bytes or more")),
		touchpoint.WithPurpose(consent.PurposeAnalytics), touchpoint.WithConsentLedger(ledger),
		touchpoint.WithClientOptions(connected.WithClock(func() time.Time { return at.Add(time.Hour) })))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, user := range []string{"user-42", "user-7"} {
		if err := client.TrackFields(ctx, "Order Completed", touchpoint.UserID(user)); err != nil {
			fmt.Println(err)
		}
	}
	fmt.Println(client.Shutdown(ctx), client.Consent() == ledger, ledger.Durable())
	for _, m := range c.received() {
		fmt.Println("delivered:", m.UserID)
	}
	// Output:
	// <nil> true true
	// delivered: user-42
}

// WithDurable(false) trades the wait for the disk for speed: Track returns
// once the event is queued in memory, and Flush writes it to the spool.
func ExampleWithDurable() {
	c := newCollector()
	defer c.close()
	dir, err := os.MkdirTemp("", "touchpoint-durable")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	client, err := touchpoint.New(c.srv.URL, "k", touchpoint.WithSpool(dir), touchpoint.WithDurable(false))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(client.TrackFields(ctx, "Order Completed", touchpoint.UserID("user-42")))
	fmt.Println(client.Flush(ctx), client.Stats()[0].Spool.Enqueued)
	fmt.Println(client.Shutdown(ctx), len(c.received()))
	// Output:
	// <nil>
	// <nil> 1
	// <nil> 1
}

// byHand is the plain case composed from the lower layers, as New does it:
// what the layers offer to those who compose by hand.
func byHand(ctx context.Context, endpoint, writeKey string) error {
	sender, err := transport.NewSegment(endpoint, writeKey)
	if err != nil {
		return err
	}
	retry, err := transport.NewRetry(sender)
	if err != nil {
		return errors.Join(err, sender.Shutdown(ctx))
	}
	batcher, err := transport.NewBatcher(retry)
	if err != nil {
		return errors.Join(err, retry.Shutdown(ctx))
	}
	client, err := connected.New(batcher)
	if err != nil {
		return errors.Join(err, batcher.Shutdown(ctx))
	}
	defer client.Shutdown(ctx)
	return client.Track(ctx, connected.Event{UserID: "user-42", Event: "Order Completed",
		Properties: connected.Properties{"order_id": "o-1", "revenue": 9.99}})
}

// The lower layers stay available: the same delivery, composed by hand
// (4 constructors against New's 1).
func Example_lowerLayers() {
	c := newCollector()
	defer c.close()
	fmt.Println(byHand(context.Background(), c.srv.URL, "WRITE_KEY"))
	m := c.received()[0]
	fmt.Println(m.Type, m.Event, m.UserID, m.Properties["order_id"], c.encodings[0])
	// Output:
	// <nil>
	// track Order Completed user-42 o-1 gzip
}
