package touchpoint_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/touchpoint-sdk/touchpoint"
	"github.com/touchpoint-sdk/touchpoint/beacon"
	"github.com/touchpoint-sdk/touchpoint/connected"
)

// A beacon.Tracker's zone events go out with device identifiers as keyed
// pseudonyms; without a secret they are refused, never sent in the clear.
func ExampleClient_TrackZones() {
	c := newCollector()
	defer c.close()
	ctx := context.Background()
	client, err := touchpoint.New(c.srv.URL, "k", touchpoint.WithSecret([]byte("a secret of 16 bytes or more")))
	if err != nil {
		fmt.Println(err)
		return
	}
	tracker, _ := beacon.NewTracker([]beacon.Zone{{Name: "shoes", Place: "store-12", Rooms: []string{"shoes"}}})
	t0 := time.Date(2026, 11, 24, 10, 30, 0, 0, time.UTC)
	phone := beacon.AddressID(beacon.Address{0xc0, 0xff, 0xee, 0, 0, 1})
	zones, err := tracker.Observe(nil, beacon.Sighting{Time: t0, Beacon: phone, Room: "shoes", Gateway: "node-shoes", RSSI: -60})
	fmt.Println(err, client.TrackZones(ctx, zones))
	fmt.Println(client.Shutdown(ctx))
	m := c.received()[0]
	fmt.Println(m.Event, m.Properties["zone"], strings.HasPrefix(m.AnonymousID, connected.PseudonymPrefix),
		strings.Contains(string(m.raw), "c0:ff:ee"))

	plain, err := touchpoint.New(c.srv.URL, "k")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer plain.Shutdown(ctx)
	fmt.Println(errors.Is(plain.TrackZones(ctx, zones), beacon.ErrNoHashKey))
	// Output:
	// <nil> <nil>
	// <nil>
	// Zone Entered shoes true false
	// true
}

// source stands for a producer such as an mqtttransport.Source.
type source struct{ name string }

func (s *source) Shutdown(context.Context) error {
	fmt.Println("stopped", s.name)
	return nil
}

// Attach makes Shutdown stop the producers first, the latest first, then
// drain the pipeline.
func ExampleClient_Attach() {
	ctx := context.Background()
	client, err := touchpoint.New("https://collector.example.com", "k")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(client.Attach(&source{"mqtt"}), client.Attach(&source{"webhooks"}))
	fmt.Println(client.Shutdown(ctx))
	fmt.Println(errors.Is(client.Attach(&source{"late"}), connected.ErrClosed))
	// Output:
	// <nil> <nil>
	// stopped webhooks
	// stopped mqtt
	// <nil>
	// stopped late
	// true
}
