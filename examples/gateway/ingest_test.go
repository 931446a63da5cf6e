package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/beacon"
	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport/mqtttransport"
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
		"espresense/rooms/shoes":                                         formatESPresense,
		"home/presence/OMG_ESP32_BLE":                                    formatOpenMQTTGateway,
		"home/TheengsGateway/presence":                                   formatOpenMQTTGateway,
		"home/store12-gw-shoes/BTtoMQTT/C1D2E3F4A5B6/extra/levels/below": formatUnknown,
	} {
		if got := classify(topic); got != want {
			t.Errorf("classify(%q) = %d, want %d", topic, got, want)
		}
	}
}

// A device's pseudonym is the same whether the beacon package made it
// (a transmitter heard by OpenMQTTGateway, an ESPresense device id) or the
// consent file named it: both are the library's connected.Pseudonym.
func TestPseudonymsAgreeWithLibrary(t *testing.T) {
	k := deriveKeys(testSecret).device
	p := testPseudonymizer(t, k)
	for _, s := range []string{tagID, uidID, polarID, "address:c1:d2:e3:f4:a5:b6"} {
		id := mustBeaconID(t, s)
		if got, want := devicePseudonym(p, s), beacon.HashID(k, id); got != want {
			t.Errorf("%s: consent pseudonym %s, beacon.HashID %s", s, got, want)
		}
	}
	want, err := connected.Pseudonym(k, irkID)
	if a := devicePseudonym(p, irkID); err != nil || a != want || !strings.HasPrefix(a, connected.PseudonymPrefix) || len(a) != connected.PseudonymLen {
		t.Errorf("irk pseudonym %s, want %s (%v)", a, want, err)
	}
	other := testPseudonymizer(t, deriveKeys([]byte("another secret of 16+ bytes")).device)
	if devicePseudonym(other, tagID) == devicePseudonym(p, tagID) {
		t.Error("pseudonyms do not depend on the secret")
	}
}

func testPseudonymizer(t testing.TB, key []byte) *connected.Pseudonymizer {
	t.Helper()
	p, err := connected.NewPseudonymizer(key)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// A zone event of a named device (an ESPresense id, SubjectIsDevice from
// the decoder) carries the library pseudonym as anonymousId and device id,
// never the id itself and never as userId, like a transmitter's.
func TestZoneEventIdentities(t *testing.T) {
	g, _ := unconnectedGateway(t)
	k := g.keys.device
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	mac := mustBeaconID(t, "address:5a:1b:2c:3d:4e:5f")
	phone := devicePseudonym(g.pseud, irkID)
	for _, tc := range []struct {
		name   string
		ze     beacon.ZoneEvent
		anon   string
		beacon any
	}{
		{"device subject heard with its MAC", beacon.ZoneEvent{Subject: irkID, SubjectIsDevice: true, Beacon: mac}, phone, beacon.HashID(k, mac)},
		{"device subject without MAC", beacon.ZoneEvent{Subject: irkID, SubjectIsDevice: true}, phone, nil},
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
			if ev.Event != connected.EventZoneEntered || ev.Category != connected.CategoryLocation || !strings.HasPrefix(ev.AnonymousID, connected.PseudonymPrefix) {
				t.Errorf("event %+v", ev)
			}
			ev.MessageID = "m-1" // the client stamps it
			if err := ev.Validate(); err != nil {
				t.Error(err)
			}
		})
	}
}

// Current firmware with its default settings: OpenMQTTGateway publishes
// only decoded iBeacon fields (no manufacturerdata), ESPresense 4 an rssi
// with two decimals. Both are decoded, the beacon is placed by its
// identity (so its consent applies), and the ESPresense device id leaves
// only as the library pseudonym.
func TestCurrentFirmwareDefaults(t *testing.T) {
	g, out := unconnectedGateway(t)
	ctx := context.Background()
	t0 := time.Now().UTC().Truncate(time.Millisecond)
	msgs := []mqtttransport.Message{
		{Topic: "home/store12-gw-shoes/BTtoMQTT/C1D2E3F4A5B6", Received: t0, Payload: []byte(`{"id":"C1:D2:E3:F4:A5:B6","rssi":-62,` +
			`"brand":"GENERIC","model":"iBeacon","model_id":"IBEACON","type":"BCON","mfid":"4c00","uuid":"e2c56db5dffb48d2b060d0f5a71096e0","major":1,"minor":7,"txpower":-59}`)},
		{Topic: "espresense/devices/" + irkID + "/entrance", Received: t0, Payload: []byte(`{"mac":"5a1b2c3d4e5f","id":"` + irkID +
			`","name":"Ana's iPhone","rssi@1m":-65,"rssi":-61.10,"rxAdj":0,"rssiVar":4.37,"distance":1.12,"var":0.83,"int":1043}`)},
	}
	for _, m := range msgs {
		if err := g.handle(ctx, m); err != nil {
			t.Fatalf("%s: %v", m.Topic, err)
		}
	}
	if rep := g.report(); rep.ParseErrors != 0 || rep.Sightings != 2 || rep.ZoneEvents != 2 {
		t.Fatalf("parse errors %d, sightings %d, zone events %d; want 0, 2, 2", rep.ParseErrors, rep.Sightings, rep.ZoneEvents)
	}
	if _, err := g.shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	evs, raw := readEvents(t, out)
	tag := devicePseudonym(g.pseud, tagID)
	entered := false
	for _, ev := range evs {
		entered = entered || (ev.Event == connected.EventZoneEntered && ev.AnonymousID == tag)
	}
	if !entered {
		t.Errorf("no Zone Entered for the consented beacon %s among %d events", tag, len(evs))
	}
	for _, leak := range []string{"1a2b3c4d5e6f708192a3b4c5d6e7f809", "5a1b2c3d4e5f", "5A:1B:2C", "C1:D2:E3", "e2c56db5", "Ana's"} {
		if bytes.Contains(bytes.ToLower(raw), bytes.ToLower([]byte(leak))) {
			t.Errorf("%s reached the sink", leak)
		}
	}
	// The phone's decisions (denied) apply to its pseudonym: it is not there.
	if p := devicePseudonym(g.pseud, irkID); bytes.Contains(raw, []byte(p)) {
		t.Errorf("the denied phone %s reached the sink", p)
	}
}
