// Command quickstart emits a few touchpoints — a web page view, a wishlist
// add, a store zone entry and a workout — through a Touchpoint client and
// prints the records it encoded: the Segment JSON that a collector would
// receive and the CloudEvent a broker would carry. It needs no network.
//
//	go run ./examples/quickstart
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run() error {
	ctx := context.Background()

	// The sink: in production a transport.Batcher sending to your collector.
	// Here, a handler that prints each record as it arrives.
	var records []*connected.Record
	sink := connected.HandlerFunc(func(_ context.Context, r *connected.Record) error {
		records = append(records, r)
		fmt.Printf("%-10s %-26s category=%-11s key=%s… %d bytes\n",
			r.Type, r.Event.Event+r.Event.Name, r.Category, r.PartitionKey[:8], r.Size())
		return nil
	})

	// A fixed clock makes the output the same on every run.
	start := time.Date(2026, 11, 24, 10, 30, 0, 0, time.UTC)
	tick := 0
	client, err := connected.New(sink,
		connected.WithLibrary("quickstart", connected.Version),
		connected.WithClock(func() time.Time { tick++; return start.Add(time.Duration(tick) * time.Minute) }),
	)
	if err != nil {
		return err
	}
	defer client.Shutdown(ctx)

	fmt.Println("Emitting four touchpoints of one customer:")
	steps := []func() error{
		func() error {
			return client.Page(ctx, connected.Event{AnonymousID: "anon-7f3a", Name: "Trail boots",
				Context: connected.Context{Channel: connected.ChannelWeb}})
		},
		func() error {
			return client.Track(ctx, connected.Event{UserID: "user-42", AnonymousID: "anon-7f3a",
				Event:      connected.EventProductAddedToWishlist,
				Properties: connected.Properties{"product_id": "boot-1207", "name": "Trail boot", "price": 129.95},
				Context:    connected.Context{Channel: connected.ChannelWeb}})
		},
		func() error {
			return client.Track(ctx, connected.Event{UserID: "user-42", Event: connected.EventZoneEntered,
				Properties: connected.Properties{"zone": "shoes", "distance_m": 1.8},
				Context: connected.Context{Channel: connected.ChannelStore,
					Location: connected.Location{PlaceID: "store-12", Zone: "shoes"}},
				Category: connected.CategoryLocation})
		},
		func() error {
			return client.Track(ctx, connected.Event{UserID: "user-42", Event: connected.EventWorkoutCompleted,
				Properties: connected.Properties{"activity": "running", "duration_minutes": 32, "avg_heart_rate_bpm": 148},
				Context:    connected.Context{Channel: connected.ChannelWearable},
				Category:   connected.CategoryHealth})
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}

	fmt.Println("\nAn invalid event is refused with the field named, never fixed silently:")
	err = client.Track(ctx, connected.Event{Event: connected.EventOrderCompleted})
	fmt.Println(" ", err)

	fmt.Println("\nThe zone entry as Segment JSON (what /v1/batch carries):")
	fmt.Println(" ", string(records[2].Payload))

	ce, err := connected.AppendCloudEvent(nil, records[2], connected.CloudEventsOptions{Source: "urn:touchpoint:store:12"})
	if err != nil {
		return err
	}
	fmt.Println("\nThe same record as a CloudEvent (what Kafka, NATS or MQTT carry):")
	fmt.Println(" ", string(ce))
	return nil
}
