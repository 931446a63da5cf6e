package connected_test

import (
	"context"
	"fmt"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/connectedtest"
)

// The fast path: typed fields instead of a Properties map. Into a
// PayloadOnly sink (a transport.Batcher) it allocates nothing per event; the
// bytes are those Track writes for the same data (compare ExampleClient_Track).
func ExampleClient_TrackFields() {
	rec := &connectedtest.Recorder{}
	c := exampleClient(rec)
	ctx := context.Background()
	err := c.TrackFields(ctx, connected.EventProductAddedToWishlist,
		connected.UserID("user-42"),
		connected.String("product_id", "boot-1207"),
		connected.Float("price", 129.95),
	)
	fmt.Println(err)
	fmt.Println(rec.Payloads()[0])
	// The map path, for comparison: the same bytes (but for the messageId).
	_ = c.Track(ctx, connected.Event{
		UserID:     "user-42",
		Event:      connected.EventProductAddedToWishlist,
		Properties: connected.Properties{"product_id": "boot-1207", "price": 129.95},
	})
	fmt.Println(rec.Payloads()[1])
	// Output:
	// <nil>
	// {"type":"track","messageId":"msg-1","userId":"user-42","event":"Product Added to Wishlist","properties":{"price":129.95,"product_id":"boot-1207"},"originalTimestamp":"2026-11-24T10:30:00.000Z","context":{"dataCategory":"behavioral","library":{"name":"example","version":"1.0"}}}
	// {"type":"track","messageId":"msg-2","userId":"user-42","event":"Product Added to Wishlist","properties":{"price":129.95,"product_id":"boot-1207"},"originalTimestamp":"2026-11-24T10:30:00.000Z","context":{"dataCategory":"behavioral","library":{"name":"example","version":"1.0"}}}
}

// The event's own fields are fields too: where and when it happened, its
// data category, its device.
func ExampleField() {
	rec := &connectedtest.Recorder{}
	c := exampleClient(rec)
	err := c.TrackFields(context.Background(), connected.EventZoneEntered,
		connected.AnonymousID("device-pseudonym-7"),
		connected.OccurredAt(time.Date(2026, 11, 24, 10, 29, 58, 250e6, time.UTC)),
		connected.FromChannel(connected.ChannelStore),
		connected.DataCategory(connected.CategoryLocation),
		connected.PlaceID("store-12"), connected.Zone("shoes"),
		connected.Int("rssi", -71), connected.Bool("first_visit", true),
	)
	fmt.Println(err)
	fmt.Println(rec.Payloads()[0])
	// Output:
	// <nil>
	// {"type":"track","messageId":"msg-1","anonymousId":"device-pseudonym-7","event":"Zone Entered","properties":{"first_visit":true,"rssi":-71},"originalTimestamp":"2026-11-24T10:29:58.250Z","context":{"channel":"store","dataCategory":"location","library":{"name":"example","version":"1.0"},"location":{"placeId":"store-12","zone":"shoes"}}}
}
