package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/beacon"
	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
	"github.com/touchpoint-sdk/touchpoint/identity"
)

// The Done-when of the issue: sample OpenMQTTGateway and ESPresense
// payloads (and raw GATT notifications) published to a local broker come
// out at the sink as Segment JSON, pseudonymised and consent-gated, and
// nothing is lost on shutdown.
func TestEndToEndSamplesToFileSink(t *testing.T) {
	broker := startBroker(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "events.ndjson")
	r := startGateway(t, testConfig(t, broker, "-deliver", "file", "-out", out, "-spool", filepath.Join(dir, "spool")))

	samples := append(loadSamples(t, "openmqttgateway"), loadSamples(t, "espresense")...)
	samples = append(samples, loadSamples(t, "gatt")...)
	malformed := sample{Topic: "home/store12-gw-shoes/BTtoMQTT", Payload: json.RawMessage(`{"id":"C1:D2:E3:F4:A5:B6","rssi":"loud"}`)}
	samples = append(samples, malformed)
	publish(t, publisher(t, broker), samples)
	waitFor(t, "every message handled", func() bool { return r.g.report().Messages == uint64(len(samples)) })

	rep, err := r.stop(t)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	evs, raw := readEvents(t, out)
	t.Logf("report: %+v", rep)

	// Input accounting.
	if rep.ParseErrors != 1 || rep.Source.Failed != 1 || rep.Source.Received != uint64(len(samples)) {
		t.Errorf("parse errors %d, source %+v: want exactly the malformed message refused", rep.ParseErrors, rep.Source)
	}
	if rep.Ignored != 1 { // the Eddystone-TLM frame: telemetry without identity
		t.Errorf("ignored %d, want 1 (the TLM frame)", rep.Ignored)
	}
	if rep.EmitErrors != 0 || rep.Emitted != rep.ZoneEvents+rep.WearableEvents+rep.HomeEvents {
		t.Errorf("emitted %d (errors %d) of %d zone + %d wearable events", rep.Emitted, rep.EmitErrors, rep.ZoneEvents, rep.WearableEvents)
	}

	// Nothing lost: everything offered to the gate was delivered or refused,
	// everything delivered went through batcher and spool into the file.
	offered := rep.Emitted + uint64(rep.Identity.Facts)
	if got := rep.Gate.Delivered + refused(rep) + rep.Gate.Stripped + rep.Gate.Errors + uint64(rep.Gate.Holding); got != offered {
		t.Errorf("gate accounted for %d records, %d were offered", got, offered)
	}
	n := uint64(len(evs))
	for name, v := range map[string]uint64{"gate delivered": rep.Gate.Delivered, "batcher enqueued": rep.Batcher.Enqueued,
		"batcher delivered": rep.Batcher.Delivered, "spool enqueued": rep.Spool.Enqueued, "spool delivered": rep.Spool.Delivered, "delivered": rep.Delivered} {
		if v != n {
			t.Errorf("%s = %d, file has %d records", name, v, n)
		}
	}
	if rep.Pending != 0 || rep.Undelivered != 0 || rep.Batcher.DroppedTotal() != 0 || rep.Spool.DroppedTotal() != 0 {
		t.Errorf("pending %d, undelivered %d, dropped %v / %v", rep.Pending, rep.Undelivered, rep.Batcher.Dropped, rep.Spool.Dropped)
	}

	// Consent: the denied ESPresense phone, the beacon without location
	// consent and the device without any decision were refused.
	if rep.Gate.Dropped[consent.ReasonDenied] == 0 || rep.Gate.Dropped[consent.ReasonNoConsent] == 0 {
		t.Errorf("gate drops %v: want denied (irk phone) and no_consent (UID beacon, Polar strap)", rep.Gate.Dropped)
	}
	k := deriveKeys(testSecret).device
	p := testPseudonymizer(t, k)
	tag, strap := devicePseudonym(p, tagID), devicePseudonym(p, strapID)
	for _, refusedDev := range []string{uidID, irkID, polarID} {
		if ps := devicePseudonym(p, refusedDev); bytes.Contains(raw, []byte(ps)) {
			t.Errorf("%s (%s) reached the sink without consent", refusedDev, ps)
		}
	}

	// Device ids never leave the gateway in the clear.
	lower := strings.ToLower(string(raw))
	for _, clear := range []string{"c1:d2:e3:f4:a5:b6", "c1d2e3f4a5b6", "e2c56db5", "f0:e1:d2", "0c:1d:2e", "1a2b3c4d5e6f",
		"5a1b2c3d4e5f", "strap-8e2a1f", "edd1ebeac04e", "irk:", "apple:"} {
		if strings.Contains(lower, clear) {
			t.Errorf("the sink received the identifier %q in the clear", clear)
		}
	}

	// What did arrive: the consented tag's visit to the shoe department,
	// the strap's workout, and the tag's identity-link fact.
	byName := map[string][]connected.Event{}
	for _, ev := range evs {
		byName[ev.Event] = append(byName[ev.Event], ev)
		switch ev.Event {
		case identity.EventIdentityLinked:
			if ev.Category != connected.CategoryIdentity || !strings.HasPrefix(ev.AnonymousID, "p_") {
				t.Errorf("link fact %+v", ev)
			}
		case connected.EventZoneEntered, connected.EventZoneExited, connected.EventZoneDwelled:
			if ev.AnonymousID != tag || ev.Context.Device.ID != tag || ev.UserID != "" {
				t.Errorf("zone event of %q (device %q), want only the consented tag %q", ev.AnonymousID, ev.Context.Device.ID, tag)
			}
			if ev.Category != connected.CategoryLocation || ev.Context.Channel != connected.ChannelStore ||
				ev.Context.Location.PlaceID != "store-12" || ev.Context.Location.Zone != "shoes" || ev.Properties["beacon_id"] != tag {
				t.Errorf("zone event %+v", ev)
			}
			if ev.Context.Library.Name != libraryName {
				t.Errorf("library %+v", ev.Context.Library)
			}
		default:
			if ev.AnonymousID != strap || ev.Context.Channel != connected.ChannelWearable || ev.Context.Location.PlaceID != "store-12" {
				t.Errorf("wearable event %+v", ev)
			}
		}
	}
	if len(byName[connected.EventZoneEntered]) != 1 || len(byName[connected.EventZoneExited]) != 1 {
		t.Errorf("tag zone events: %d entered, %d exited, want 1 and 1 (the exit on shutdown)",
			len(byName[connected.EventZoneEntered]), len(byName[connected.EventZoneExited]))
	}
	if w := byName[connected.EventWorkoutCompleted]; len(w) != 1 || w[0].Category != connected.CategoryHealth || fmt.Sprint(w[0].Properties["duration_s"]) != "120" {
		t.Errorf("workouts %+v, want one of 120 s in the health category", w)
	}
	for _, name := range []string{connected.EventDeviceConnected, connected.EventDeviceDisconnected, connected.EventBatteryLow} {
		if len(byName[name]) != 1 {
			t.Errorf("%d %q events, want 1", len(byName[name]), name)
		}
	}
	// Link facts are identity-category records of the device's profile:
	// those of consented devices pass, the others are refused.
	if got := len(byName[identity.EventIdentityLinked]); got == 0 || int64(got) >= rep.Identity.Facts {
		t.Errorf("%d link facts in the file, %d emitted: want some, not all", got, rep.Identity.Facts)
	}
	if bid := beacon.HashID(k, mustBeaconID(t, tagID)); bid != tag {
		t.Errorf("consent pseudonym %s != beacon.HashID %s", tag, bid)
	}
}

func mustBeaconID(t testing.TB, s string) beacon.BeaconID {
	t.Helper()
	id, err := beacon.ParseBeaconID(s)
	if err != nil {
		t.Fatal(err)
	}
	return id
}
