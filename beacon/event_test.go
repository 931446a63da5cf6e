package beacon_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/beacon"
	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/connectedtest"
)

func TestZoneEventToConnected(t *testing.T) {
	addr := beacon.Address{0xc0, 0xff, 0xee, 0, 0, 1}
	dev := beacon.AddressID(addr)
	e := beacon.ZoneEvent{Kind: beacon.ZoneExited, Time: at(100), Beacon: dev, Gateway: "gw-1", Zone: "shoes", Place: "store-1",
		EnteredAt: at(10), Dwell: 90 * time.Second, RSSI: -71.26, Confidence: 0.456,
		Distance: beacon.Estimate{Meters: 3.333, Min: 2, Max: 5, OK: true}, Switched: true}
	if _, err := e.Event(beacon.EventOptions{}); !errors.Is(err, beacon.ErrNoHashKey) {
		t.Fatalf("device subject without key: %v", err)
	}
	key := []byte("store-secret-of-16+")
	ev, err := e.Event(beacon.EventOptions{HashKey: key})
	if err != nil {
		t.Fatal(err)
	}
	hash := beacon.HashID(key, dev)
	if ev.Type != connected.TypeTrack || ev.Event != "Zone Exited" || ev.Category != connected.CategoryLocation ||
		ev.Context.Channel != connected.ChannelStore || ev.Context.Location.Zone != "shoes" || ev.Context.Location.PlaceID != "store-1" ||
		ev.AnonymousID != hash || ev.UserID != "" || !ev.OriginalTimestamp.Equal(at(100)) {
		t.Fatalf("event %+v", ev)
	}
	p := ev.Properties
	if p["dwell_seconds"] != 90.0 || p["distance_m"] != 3.33 || p["confidence"] != 0.46 || p["beacon_id"] != hash ||
		p["switched"] != true || p["gateway_id"] != "gw-1" {
		t.Fatalf("properties %v", p)
	}
	if len(hash) != connected.PseudonymLen || beacon.HashID([]byte("other key of 16+ bytes"), dev) == hash || beacon.HashID([]byte("short"), dev) != "" {
		t.Fatalf("hash %q", hash)
	}

	// The address never appears in the encoded event.
	rec := &connectedtest.Recorder{}
	c, err := connected.New(rec, connected.WithClock(connectedtest.Clock(at(200), time.Millisecond)), connected.WithIDGenerator(connectedtest.IDs("m")))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Track(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	payload := rec.Payloads()[0]
	for _, leak := range []string{"C0:FF:EE", "c0:ff:ee", "c0ffee"} {
		if strings.Contains(strings.ToLower(payload), strings.ToLower(leak)) {
			t.Fatalf("address leaked: %s", payload)
		}
	}
	if err := c.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}

	// A customer subject with a store iBeacon: userId, readable beacon id, no key needed.
	e2 := beacon.ZoneEvent{Kind: beacon.ZoneEntered, Time: at(5), Subject: "user-42", Beacon: ib(1, 7), Zone: "shoes", EnteredAt: at(5)}
	ev2, err := e2.Event(beacon.EventOptions{Channel: connected.ChannelMobile})
	if err != nil || ev2.UserID != "user-42" || ev2.Properties["beacon_id"] != ib(1, 7).String() ||
		ev2.Event != connected.EventZoneEntered || ev2.Context.Channel != connected.ChannelMobile {
		t.Fatalf("%+v %v", ev2, err)
	}
	if _, ok := ev2.Properties["dwell_seconds"]; ok {
		t.Fatal("entered events carry no dwell")
	}
}
