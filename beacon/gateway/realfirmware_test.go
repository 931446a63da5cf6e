package gateway_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/beacon"
	"github.com/touchpoint-sdk/touchpoint/beacon/gateway"
	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/connectedtest"
)

// espWant is what an ESPresense message must decode to.
type espWant struct {
	err      error // a sentinel, or nil
	room     string
	beacon   string // BeaconID text, "" for none
	subject  string
	device   bool
	rssi     beacon.RSSI
	tx       int8 // 0: no rssi@1m
	distance float64
}

var espresenseWant = map[string]espWant{
	"esp4-irk":                 {room: "shoes", beacon: "address:5A:1B:2C:3D:4E:5F", subject: "irk:1a2b3c4d5e6f708192a3b4c5d6e7f809", device: true, rssi: -81, tx: -65, distance: 4.62},
	"esp4-ibeacon":             {room: "shoes", beacon: "ibeacon:e2c56db5-dffb-48d2-b060-d0f5a71096e0:1:7", rssi: -70, tx: -59, distance: 2.71},
	"esp4-public-mac-close":    {room: "checkout", beacon: "address:F0:E1:D2:C3:B4:A5", subject: "f0e1d2c3b4a5", device: true, rssi: -45, tx: -65, distance: 0.24},
	"esp4-apple-distance-only": {room: "entrance", beacon: "address:71:A2:B3:C4:D5:E6", subject: "apple:1007:11", device: true, rssi: beacon.RSSIUnknown, tx: -65, distance: 6.30},
	"esp41-irk-field":          {room: "entrance", beacon: "address:6B:1C:2D:3E:4F:50", subject: "irk:0f1e2d3c4b5a69788796a5b4c3d2e1f0", device: true, rssi: -90, tx: -65, distance: 11.43},
	"esp4-sensor-tag":          {room: "shoes", beacon: "address:A4:C1:38:11:22:33", subject: "miTherm:a4c138112233", device: true, rssi: -78, tx: -59, distance: 5.02},
	"esp4-query-report":        {err: gateway.ErrTopic},
	"esp4-telemetry":           {err: gateway.ErrTopic},
	"esp30-rooms-ibeacon":      {room: "shoes", beacon: "ibeacon:e2c56db5-dffb-48d2-b060-d0f5a71096e0:1:7", rssi: -72, tx: -59, distance: 2.93},
	"esp30-devices-apple":      {room: "entrance", beacon: "address:7A:1B:2C:3D:4E:5F", subject: "apple:1005:9", device: true, rssi: -84, tx: -65, distance: 6.88},
	"esp335-rooms-irk":         {room: "entrance", beacon: "address:5A:1B:2C:3D:4E:5F", subject: "irk:1a2b3c4d5e6f708192a3b4c5d6e7f809", device: true, rssi: -79, tx: -65, distance: 3.96},
	"esp335-devices-ibeacon":   {room: "checkout", beacon: "ibeacon:e2c56db5-dffb-48d2-b060-d0f5a71096e0:40000:7", rssi: -66, tx: -59, distance: 1.77},
}

// omgWant is what an OpenMQTTGateway / Theengs Gateway message must decode
// to, through ParseOpenMQTTGateway, Frame and beacon.NewSighting.
type omgWant struct {
	err       error
	gateway   string
	address   string
	format    beacon.Format // FormatUnknown: Frame says ErrNotBeacon
	id        string        // frame identity, "" for none
	rssi      beacon.RSSI
	tx        int8 // sighting's 1 m power, 0 for none
	distance  float64
	warnings  gateway.Warnings
	frameWarn beacon.Warnings
}

var openMQTTGatewayWant = map[string]omgWant{
	"omg-default-ibeacon": {gateway: "OMG_ESP32_BLE", address: "58:78:20:76:BC:24", format: beacon.FormatIBeacon,
		id: "ibeacon:1de4b189-115e-45f6-b44e-509352269977:1:7", rssi: -79, tx: -66, warnings: gateway.WarnDecodedIdentity},
	"omg-default-ibeacon-major-over-32767": {gateway: "OMG_ESP32_BLE", address: "D4:5E:8A:11:22:33", format: beacon.FormatIBeacon,
		id: "ibeacon:e2c56db5-dffb-48d2-b060-d0f5a71096e0:40000:7", rssi: -71, tx: -59, warnings: gateway.WarnDecodedIdentity},
	"omg-default-ibeacon-volt": {gateway: "OMG_ESP32_BLE", address: "C3:D4:E5:F6:A7:B8", format: beacon.FormatIBeacon,
		id: "ibeacon:e2c56db5-dffb-48d2-b060-d0f5a71096e0:2:3", rssi: -80, warnings: gateway.WarnDecodedIdentity, frameWarn: beacon.WarnTxPowerRange},
	"omg-default-phone": {gateway: "OMG_ESP32_BLE", address: "0C:1D:2E:3F:4A:5B", rssi: -80},
	"omg-uuid-topic": {gateway: "OMG_ESP32_BLE", address: "52:10:A8:46:90:AC", format: beacon.FormatIBeacon,
		id: "ibeacon:1de4b189-115e-45f6-b44e-509352269977:1:7", rssi: -76, tx: -66, warnings: gateway.WarnDecodedIdentity},
	"omg-presence-use-uuid": {gateway: "OMG_ESP32_BLE", address: "60:87:57:4C:9B:C2", format: beacon.FormatIBeacon,
		id: "ibeacon:1de4b189-115e-45f6-b44e-509352269977:1:7", rssi: -78, tx: -66, distance: 7.85288, warnings: gateway.WarnDecodedIdentity},
	"omg-presence-use-uuid-bttomqtt": {gateway: "OMG_ESP32_BLE", address: "60:87:57:4C:9B:C2", format: beacon.FormatIBeacon,
		id: "ibeacon:1de4b189-115e-45f6-b44e-509352269977:1:7", rssi: -78, tx: -66, distance: 7.85288, warnings: gateway.WarnDecodedIdentity},
	"omg-presence": {gateway: "OMG_ESP32_BLE", address: "C1:D2:E3:F4:A5:B6", format: beacon.FormatIBeacon,
		id: "ibeacon:e2c56db5-dffb-48d2-b060-d0f5a71096e0:1:7", rssi: -71, tx: -59, distance: 2.846491, warnings: gateway.WarnDecodedIdentity},
	"omg-advdata-ibeacon": {gateway: "OMG_ESP32_BLE", address: "C1:D2:E3:F4:A5:B6", format: beacon.FormatIBeacon,
		id: "ibeacon:e2c56db5-dffb-48d2-b060-d0f5a71096e0:1:7", rssi: -71, tx: -59},
	"omg-advdata-eddystone-uid": {gateway: "OMG_ESP32_BLE", address: "F0:E1:D2:C3:B4:A5", format: beacon.FormatEddystoneUID,
		id: "eddystone-uid:edd1ebeac04e5defa0170123456789ab", rssi: -64, tx: -20 - beacon.EddystoneCorrection},
	"omg-advdata-ksensor":              {gateway: "OMG_ESP32_BLE", address: "DD:34:02:05:6A:1B", rssi: -68},
	"omg-old-servicedata-without-uuid": {gateway: "OpenMQTTGateway", address: "45:E1:74:12:6E:00", rssi: -89, distance: 21.51847, warnings: gateway.WarnServiceDataNoUUID},
	"tg-default-ibeacon": {gateway: "TheengsGateway", address: "C1:D2:E3:F4:A5:B6", format: beacon.FormatIBeacon,
		id: "ibeacon:e2c56db5-dffb-48d2-b060-d0f5a71096e0:1:7", rssi: -71, tx: -59, warnings: gateway.WarnDecodedIdentity},
	"tg-presence": {gateway: "TheengsGateway", address: "C1:D2:E3:F4:A5:B6", format: beacon.FormatIBeacon,
		id: "ibeacon:e2c56db5-dffb-48d2-b060-d0f5a71096e0:1:7", rssi: -71, tx: -59, distance: 2.8464913062290826, warnings: gateway.WarnDecodedIdentity},
	"tg-undecoded-eddystone-uid": {gateway: "TheengsGateway", address: "F0:E1:D2:C3:B4:A5", format: beacon.FormatEddystoneUID,
		id: "eddystone-uid:edd1ebeac04e5defa0170123456789ab", rssi: -64, tx: -20 - beacon.EddystoneCorrection},
	"tg-undecoded-apple-nearby": {gateway: "TheengsGateway", address: "7A:1B:2C:3D:4E:5F", rssi: -77},
	"tg-undecoded-ibeacon-vendor-byte": {gateway: "TheengsGateway", address: "E1:E2:E3:E4:E5:E6", format: beacon.FormatIBeacon,
		id: "ibeacon:e2c56db5-dffb-48d2-b060-d0f5a71096e0:3:9", rssi: -70, tx: -59, frameWarn: beacon.WarnVendorByte},
}

// TestRealFirmware runs every message of testdata in the shape current
// firmware publishes it (see testdata/README.md) through the decoders.
func TestRealFirmware(t *testing.T) {
	seen := map[string]bool{}
	for _, file := range []string{"testdata/espresense-v4.jsonl", "testdata/espresense-v3.jsonl"} {
		for _, s := range samples(t, file) {
			w, ok := espresenseWant[s.Name]
			if !ok {
				t.Fatalf("%s: no expectation for %q", file, s.Name)
			}
			seen[s.Name] = true
			m, err := gateway.ParseESPresense(s.Topic, s.Payload, received)
			if w.err != nil {
				if !errors.Is(err, w.err) {
					t.Errorf("%s: err %v, want %v", s.Name, err, w.err)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s: %v", s.Name, err)
				continue
			}
			g := m.Sighting
			bid := ""
			if !g.Beacon.IsZero() {
				bid = g.Beacon.String()
			}
			if m.Room != w.room || g.Room != w.room || g.Gateway != w.room || bid != w.beacon || g.Subject != w.subject ||
				g.SubjectIsDevice != w.device || g.RSSI != w.rssi || g.HasTxPower != (w.tx != 0) || g.TxPower1m != w.tx ||
				g.Distance != w.distance || !g.Time.Equal(received) {
				t.Errorf("%s: %+v beacon=%s\n want %+v", s.Name, g, bid, w)
			}
		}
	}
	for _, file := range []string{"testdata/openmqttgateway-current.jsonl", "testdata/theengs-gateway.jsonl"} {
		for _, s := range samples(t, file) {
			w, ok := openMQTTGatewayWant[s.Name]
			if !ok {
				t.Fatalf("%s: no expectation for %q", file, s.Name)
			}
			seen[s.Name] = true
			m, err := gateway.ParseOpenMQTTGateway(s.Topic, s.Payload, received)
			if w.err != nil {
				if !errors.Is(err, w.err) {
					t.Errorf("%s: err %v, want %v", s.Name, err, w.err)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s: %v", s.Name, err)
				continue
			}
			a := &m.Advertisement
			if m.Gateway != w.gateway || a.Observer != w.gateway || a.Address.String() != w.address || a.RSSI != w.rssi ||
				m.Distance != w.distance || m.Warnings != w.warnings || !a.Time.Equal(received) {
				t.Errorf("%s: %+v warnings=%v\n want %+v", s.Name, m, m.Warnings, w)
			}
			f, err := m.Frame()
			if w.format == beacon.FormatUnknown {
				if err != beacon.ErrNotBeacon {
					t.Errorf("%s: Frame = %v, %v; want ErrNotBeacon", s.Name, f.Format, err)
				}
				continue
			}
			if err != nil || f.Format != w.format || f.Warnings() != w.frameWarn {
				t.Errorf("%s: Frame = %v (%v), %v; want %v (%v)", s.Name, f.Format, f.Warnings(), err, w.format, w.frameWarn)
				continue
			}
			sg := beacon.NewSighting(a, &f, "")
			if sg.Beacon.String() != w.id || sg.HasTxPower != (w.tx != 0) || sg.TxPower1m != w.tx || sg.Gateway != w.gateway || sg.RSSI != w.rssi {
				t.Errorf("%s: sighting %+v (%s), want id %s tx %d", s.Name, sg, sg.Beacon, w.id, w.tx)
			}
		}
	}
	for name := range espresenseWant {
		if !seen[name] {
			t.Errorf("expectation %q has no sample", name)
		}
	}
	for name := range openMQTTGatewayWant {
		if !seen[name] {
			t.Errorf("expectation %q has no sample", name)
		}
	}
}

// TestESPresenseDeviceLeavesAsPseudonym follows the natural path of issue
// 14: ESPresense report -> Tracker -> ZoneEvent.Event -> encoded event. The
// device's IRK id and MAC never reach the wire; anonymousId is the library
// pseudonym.
func TestESPresenseDeviceLeavesAsPseudonym(t *testing.T) {
	var s sample
	for _, x := range samples(t, "testdata/espresense-v4.jsonl") {
		if x.Name == "esp4-irk" {
			s = x
		}
	}
	m, err := gateway.ParseESPresense(s.Topic, s.Payload, received)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := beacon.NewTracker([]beacon.Zone{{Name: "shoes", Rooms: []string{"shoes"}, Config: beacon.ZoneConfig{EnterRSSI: -85}}})
	if err != nil {
		t.Fatal(err)
	}
	evs, err := tr.Observe(nil, m.Sighting)
	if err != nil || len(evs) != 1 {
		t.Fatalf("%v %v", evs, err)
	}
	key := []byte("store-12 device pseudonym key")
	ev, err := evs[0].Event(beacon.EventOptions{HashKey: key})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := connected.Pseudonym(key, m.ID)
	if ev.UserID != "" || ev.AnonymousID != want {
		t.Fatalf("userId %q anonymousId %q, want anonymousId %q", ev.UserID, ev.AnonymousID, want)
	}
	rec := &connectedtest.Recorder{}
	c, err := connected.New(rec)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.Shutdown(context.Background()) }()
	if err := c.Track(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	out := strings.ToLower(rec.Payloads()[0])
	for _, leak := range []string{"1a2b3c4d5e6f708192a3b4c5d6e7f809", "5a1b2c3d4e5f", "5a:1b:2c:3d:4e:5f", "ana's iphone"} {
		if strings.Contains(out, leak) {
			t.Fatalf("%q leaked: %s", leak, out)
		}
	}
	if !strings.Contains(out, want) {
		t.Fatalf("pseudonym missing: %s", out)
	}
}
