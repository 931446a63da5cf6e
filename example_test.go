package touchpoint_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/touchpoint-sdk/touchpoint"
	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
	"github.com/touchpoint-sdk/touchpoint/transport"
)

// quickstart is the README's quickstart, as written there: the lines
// between the markers, one tab less indented (TestREADMESnippetsAreExamples
// checks that the texts are the same).
func quickstart(ctx context.Context, endpoint, writeKey string) error {
	// README snippet: begin
	client, err := touchpoint.New(endpoint, writeKey) // e.g. "https://api.segment.io"
	if err != nil {
		return err
	}
	defer client.Shutdown(ctx)

	// The map path: any properties, as in every Segment library.
	err = client.Track(ctx, touchpoint.Event{
		UserID:     "user-42",
		Event:      "Order Completed",
		Properties: touchpoint.Properties{"order_id": "o-1001", "revenue": 9.99},
	})
	if err != nil {
		return err
	}

	// The fast path: typed fields, the same JSON, no allocation per event.
	return client.TrackFields(ctx, "Order Completed",
		touchpoint.UserID("user-42"), touchpoint.String("order_id", "o-1002"), touchpoint.Float("revenue", 19.99))
	// README snippet: end
}

// send is the package documentation's snippet: the plain case, as short
// as Segment's analytics-go.
//
// README snippet: begin
func send(ctx context.Context, endpoint, writeKey string) error {
	client, err := touchpoint.New(endpoint, writeKey)
	if err != nil {
		return err
	}
	defer client.Shutdown(ctx)
	return client.Track(ctx, touchpoint.Event{UserID: "user-42", Event: "Order Completed",
		Properties: touchpoint.Properties{"order_id": "o-1", "revenue": 9.99}})
}

// README snippet: end

// One call, one event: what the package documentation shows, delivered to
// a loopback collector.
func Example() {
	c := newCollector()
	defer c.close()
	if err := send(context.Background(), c.srv.URL, "WRITE_KEY"); err != nil {
		fmt.Println(err)
		return
	}
	m := c.received()[0]
	fmt.Println(m.Type, m.Event, m.UserID, m.Properties["order_id"], m.Properties["revenue"])
	// Output: track Order Completed user-42 o-1 9.99
}

// New with an endpoint and a write key is the whole setup: retries on,
// gzip on, batches, and a Shutdown that delivers what is queued. Here the
// endpoint is a loopback collector that prints what it received.
func ExampleNew() {
	c := newCollector()
	defer c.close()
	if err := quickstart(context.Background(), c.srv.URL, "WRITE_KEY"); err != nil {
		fmt.Println(err)
		return
	}
	for _, m := range c.received() {
		fmt.Println(m.Type, m.Event, m.UserID, m.Properties["order_id"], m.Properties["revenue"])
	}
	fmt.Println("write key:", c.users[0], "content-encoding:", c.encodings[0])
	// Output:
	// track Order Completed user-42 o-1001 9.99
	// track Order Completed user-42 o-1002 19.99
	// write key: WRITE_KEY content-encoding: gzip
}

// TrackFields writes the same JSON as Track with a Properties map.
func ExampleClient_TrackFields() {
	c := newCollector()
	defer c.close()
	ctx := context.Background()
	at := time.Date(2026, 11, 24, 10, 30, 0, 0, time.UTC)
	client, err := touchpoint.New(c.srv.URL, "k", touchpoint.WithClientOptions(
		connected.WithClock(func() time.Time { return at }),
		connected.WithIDGenerator(func() string { return "evt-1" })))
	if err != nil {
		fmt.Println(err)
		return
	}
	err = client.TrackFields(ctx, "Zone Entered", touchpoint.UserID("user-42"),
		touchpoint.DataCategory(connected.CategoryLocation), touchpoint.PlaceID("store-12"), touchpoint.Zone("shoes"),
		touchpoint.String("zone", "shoes"), touchpoint.Float("distance_m", 1.8), touchpoint.Int("visits", 3),
		touchpoint.Bool("first_visit", false), touchpoint.Int64("points", 120), touchpoint.Uint64("tag", 7),
		touchpoint.Float32("ratio", 0.5), touchpoint.Time("entered_at", at), touchpoint.Any("tags", []string{"vip"}),
		touchpoint.AnonymousID("anon-7"), touchpoint.DeviceID("ps1_device"), touchpoint.FromChannel(connected.ChannelStore),
		touchpoint.OccurredAt(at), touchpoint.MessageID("evt-zone-1"))
	fmt.Println(err)
	if err := client.Shutdown(ctx); err != nil {
		fmt.Println(err)
	}
	fmt.Println(string(c.received()[0].raw))
	// Output:
	// <nil>
	// {"type":"track","messageId":"evt-zone-1","userId":"user-42","anonymousId":"anon-7","event":"Zone Entered","properties":{"distance_m":1.8,"entered_at":"2026-11-24T10:30:00.000Z","first_visit":false,"points":120,"ratio":0.5,"tag":7,"tags":["vip"],"visits":3,"zone":"shoes"},"timestamp":"2026-11-24T10:30:00.000Z","context":{"channel":"store","dataCategory":"location","library":{"name":"touchpoint-go","version":"0.1.0"},"device":{"id":"ps1_device"},"location":{"placeId":"store-12","zone":"shoes"}}}
}

// fullPipeline is the README's "whole pipeline" snippet.
func fullPipeline(dataPlaneURL, writeKey, spoolDir, marketingURL, marketingKey string, secret []byte) (*touchpoint.Client, error) {
	// README snippet: begin
	client, err := touchpoint.New(dataPlaneURL, writeKey,
		touchpoint.WithProtocol(touchpoint.RudderStack),
		touchpoint.WithSpool(spoolDir),
		touchpoint.WithSecret(secret), // every key (pseudonyms, partitions, audit) is derived from it
		touchpoint.WithIdentity(),
		touchpoint.WithConsent(map[string]consent.Purpose{"Marketing": consent.PurposeMarketing}),
		touchpoint.WithDestination(touchpoint.Destination{Name: "marketing", Purpose: consent.PurposeMarketing,
			Endpoint: marketingURL, WriteKey: marketingKey}))
	// README snippet: end
	return client, err
}

// The storefront-style pipeline is options of the same call: identity
// stitching, consent read from the events, a spool, and a marketing
// destination that receives only what its customers consented to.
func ExampleWithDestination() {
	primary, marketing := newCollector(), newCollector()
	defer primary.close()
	defer marketing.close()
	dir, err := os.MkdirTemp("", "touchpoint-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	client, err := fullPipeline(primary.srv.URL, "collector-key", dir, marketing.srv.URL, "marketing-key",
		[]byte("a secret of 16 bytes or more"))
	if err != nil {
		fmt.Println(err)
		return
	}
	login := func(user, anon string, yes bool) error {
		return client.Identify(ctx, touchpoint.Event{UserID: user, AnonymousID: anon, Context: connected.Context{
			Consent: connected.Consent{CategoryPreferences: map[string]bool{"Marketing": yes}}}})
	}
	fmt.Println(login("ana", "anon-a", true), login("ben", "anon-b", false))
	// Anonymous events after the login belong to the stitched person.
	for _, anon := range []string{"anon-a", "anon-b"} {
		if err := client.Track(ctx, touchpoint.Event{AnonymousID: anon, Event: "Product Viewed"}); err != nil {
			fmt.Println(err)
		}
	}
	if err := client.Shutdown(ctx); err != nil {
		fmt.Println(err)
	}
	show := func(name string, c *collector) {
		fmt.Print(name, ":")
		for _, m := range c.received() {
			fmt.Print(" ", m.Type, "/", m.UserID+m.AnonymousID)
		}
		fmt.Println()
	}
	show("collector", primary)
	show("marketing", marketing)
	for _, s := range client.Stats() {
		refused := uint64(0)
		for _, n := range s.Consent.Dropped {
			refused += n
		}
		fmt.Println(s.Name, s.Purpose, "delivered", s.HTTP.Delivered, "refused", refused)
	}
	// Output:
	// <nil> <nil>
	// collector: identify/anaanon-a identify/benanon-b track/anon-a track/anon-b
	// marketing: identify/anaanon-a track/anon-a
	// default  delivered 4 refused 0
	// marketing marketing delivered 2 refused 2
}

// With a spool, Track returns once the event is on disk, and what the
// collector did not take stays there for the next run.
func ExampleWithSpool() {
	down := newCollector()
	down.fail = func(int) int { return 503 } // an outage
	defer down.close()
	dir, err := os.MkdirTemp("", "touchpoint-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	endpoint, writeKey, spoolDir := down.srv.URL, "k", dir
	// README snippet: begin
	client, err := touchpoint.New(endpoint, writeKey, touchpoint.WithSpool(spoolDir)) // "/var/lib/touchpoint", say
	// README snippet: end
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(client.TrackFields(ctx, "Order Completed", touchpoint.UserID("user-42")))
	// Give up waiting at once: the event stays on disk.
	stop, cancel := context.WithCancel(ctx)
	cancel()
	err = client.Shutdown(stop)
	fmt.Println("left on disk:", errors.Is(err, context.Canceled) || err == nil)

	up := newCollector()
	defer up.close()
	client, err = touchpoint.New(up.srv.URL, "k", touchpoint.WithSpool(dir))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(client.Shutdown(ctx))
	for _, m := range up.received() {
		fmt.Println("delivered after restart:", m.Event, m.UserID)
	}
	entries, _ := os.ReadDir(filepath.Join(dir))
	for _, e := range entries {
		fmt.Println("spool directory:", e.Name())
	}
	// Output:
	// <nil>
	// left on disk: true
	// <nil>
	// delivered after restart: Order Completed user-42
	// spool directory: default
}

// Every configuration mistake is a *ConfigError saying where, matching
// ErrConfig.
func ExampleConfigError() {
	_, err := touchpoint.New("https://collector.example.com", "k", touchpoint.WithIdentity())
	var ce *touchpoint.ConfigError
	fmt.Println(errors.Is(err, touchpoint.ErrConfig), errors.As(err, &ce), ce.Where)
	fmt.Println(err)
	// Output:
	// true true WithSecret
	// touchpoint: WithSecret: required by WithIdentity, WithPurpose and WithDestination (keys are derived from it)
}

// Failures reach the callback with their reason, and are counted.
func ExampleWithCallbacks() {
	c := newCollector()
	c.fail = func(int) int { return 400 } // a permanent refusal: not retried
	defer c.close()
	failed := make(chan transport.Reason, 1)
	client, err := touchpoint.New(c.srv.URL, "k", touchpoint.WithCallbacks(transport.Callbacks{
		OnFailure: func(f transport.Failure) { failed <- f.Reason }}))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	fmt.Println(client.TrackFields(ctx, "Order Completed", touchpoint.UserID("user-42")))
	fmt.Println(client.Flush(ctx))
	fmt.Println(<-failed, client.Stats()[0].Batcher.Dropped[transport.ReasonRejected])
	fmt.Println(client.Shutdown(ctx))
	// Output:
	// <nil>
	// <nil>
	// rejected 1
	// <nil>
}

// Consent, Identity and Pseudonymizer give the parts New built.
func ExampleClient_Consent() {
	ctx := context.Background()
	client, err := touchpoint.New("https://collector.example.com", "k",
		touchpoint.WithSecret([]byte("a secret of 16 bytes or more")), touchpoint.WithIdentity(),
		touchpoint.WithPurpose(consent.PurposeAnalytics))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer client.Shutdown(ctx)
	at := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	_, err = client.Consent().Record(ctx, consent.Fact{Subject: "user-42", Purpose: consent.PurposeAnalytics,
		Granted: true, Effective: at, Source: consent.SourceCMP})
	fmt.Println(err, client.Consent().Permits("user-42", consent.PurposeAnalytics, at))
	fmt.Println(client.Identity() != nil, len(client.Pseudonymizer().Pseudonym("irk:1a2b")))
	names := []string{}
	for _, s := range client.Stats() {
		names = append(names, s.Name+"/"+string(s.Purpose))
	}
	sort.Strings(names)
	fmt.Println(names)
	// Output:
	// <nil> true
	// true 36
	// [default/analytics]
}
