package main

import (
	"strings"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/beacon"
	"github.com/touchpoint-sdk/touchpoint/connected"
)

func TestClassifyTopics(t *testing.T) {
	for topic, want := range map[string]int{
		"home/store12-gw-shoes/BTtoMQTT/C1D2E3F4A5B6":                    formatOpenMQTTGateway,
		"home/store12-gw-shoes/BTtoMQTT":                                 formatOpenMQTTGateway,
		"espresense/devices/irk:1a2b/shoes":                              formatESPresense,
		"site/espresense/devices/iBeacon:e2c5-1-7/checkout":              formatESPresense,
		"touchpoint/gatt/strap-1":                                        formatGATT,
		"touchpoint/gatt/":                                               formatUnknown,
		"home/store12-gw-shoes/SYStoMQTT":                                formatUnknown,
		"BTtoMQTT":                                                       formatUnknown,
		"espresense/rooms/shoes/telemetry":                               formatUnknown,
		"home/store12-gw-shoes/BTtoMQTT/C1D2E3F4A5B6/extra/levels/below": formatUnknown,
	} {
		if got := classify(topic); got != want {
			t.Errorf("classify(%q) = %d, want %d", topic, got, want)
		}
	}
}

// A device's pseudonym is the same whether the beacon package hashed it
// (a transmitter heard by OpenMQTTGateway) or the consent file named it.
func TestPseudonymsAgreeWithBeaconHashID(t *testing.T) {
	k := deriveKeys(testSecret).device
	for _, s := range []string{tagID, uidID, polarID, "address:c1:d2:e3:f4:a5:b6"} {
		id := mustBeaconID(t, s)
		if got, want := devicePseudonym(k, s), pseudonym(k, id.String()); got != want {
			t.Errorf("%s: consent pseudonym %s, HashID %s", s, got, want)
		}
	}
	if a, b := devicePseudonym(k, irkID), pseudonym(k, irkID); a != b || !strings.HasPrefix(a, "ble_") || len(a) != 68 {
		t.Errorf("irk pseudonym %s / %s", a, b)
	}
	if other := devicePseudonym(deriveKeys([]byte("another secret of 16+ bytes")).device, tagID); other == devicePseudonym(k, tagID) {
		t.Error("pseudonyms do not depend on the secret")
	}
}

// A zone event of a named device (an ESPresense id, pseudonymised on
// ingest) carries the pseudonym as anonymousId and device id, never as
// userId, like a transmitter's.
func TestZoneEventIdentities(t *testing.T) {
	g, _ := unconnectedGateway(t)
	k := g.keys.device
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	mac := mustBeaconID(t, "address:5a:1b:2c:3d:4e:5f")
	phone := pseudonym(k, irkID)
	for _, tc := range []struct {
		name   string
		ze     beacon.ZoneEvent
		anon   string
		beacon any
	}{
		{"device subject heard with its MAC", beacon.ZoneEvent{Subject: phone, Beacon: mac}, phone, beacon.HashID(k, mac)},
		{"device subject without MAC", beacon.ZoneEvent{Subject: phone}, phone, nil},
		{"transmitter", beacon.ZoneEvent{Beacon: mustBeaconID(t, tagID)}, beacon.HashID(k, mustBeaconID(t, tagID)), beacon.HashID(k, mustBeaconID(t, tagID))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ze := tc.ze
			ze.Kind, ze.Time, ze.EnteredAt, ze.Zone, ze.Place = beacon.ZoneEntered, at, at, "entrance", "store-12"
			ev, err := g.zoneEvent(&ze)
			if err != nil {
				t.Fatal(err)
			}
			if ev.UserID != "" || ev.AnonymousID != tc.anon || ev.Context.Device.ID != tc.anon || ev.Context.Device.Type != "ble" {
				t.Errorf("identities: user %q, anonymous %q, device %+v; want anonymous and device %q", ev.UserID, ev.AnonymousID, ev.Context.Device, tc.anon)
			}
			if got, ok := ev.Properties["beacon_id"]; (tc.beacon == nil) == ok || (ok && got != tc.beacon) {
				t.Errorf("beacon_id %v (present %v), want %v", got, ok, tc.beacon)
			}
			if ev.Event != connected.EventZoneEntered || ev.Category != connected.CategoryLocation || !strings.HasPrefix(ev.AnonymousID, "ble_") {
				t.Errorf("event %+v", ev)
			}
			ev.MessageID = "m-1" // the client stamps it
			if err := ev.Validate(); err != nil {
				t.Error(err)
			}
		})
	}
}
