package connected_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/connectedtest"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

var t0 = time.Date(2026, 11, 24, 10, 30, 0, 0, time.UTC)

// fixtures are one event of each type plus the physical vocabulary, covering
// every field of the model.
func fixtures() map[string]connected.Event {
	return map[string]connected.Event{
		"track_ecommerce": {
			Type: connected.TypeTrack, UserID: "user-42", AnonymousID: "anon-7f3a",
			Event: connected.EventOrderCompleted,
			Properties: connected.Properties{
				"order_id": "ord-1001", "total": 159.9, "currency": "EUR", "revenue": 129.95,
				"products": []any{
					map[string]any{"product_id": "boot-1207", "sku": "TB-44", "price": 129.95, "quantity": 1},
					map[string]any{"product_id": "sock-3", "price": 29.95, "quantity": 2},
				},
				"big":  json.Number("12345678901234567890"),
				"tags": []string{"loyalty", "in-store pickup"},
			},
			Integrations: map[string]any{"All": true, "Salesforce": false},
			Context: connected.Context{
				Channel: connected.ChannelWeb, IP: "203.0.113.9",
				UserAgent: "Mozilla/5.0 (X11; Linux x86_64)", Locale: "de-DE", Timezone: "Europe/Berlin",
				Consent:     connected.Consent{CategoryPreferences: map[string]bool{"Advertising": false, "Analytics": true}},
				ExternalIDs: []connected.ExternalID{{ID: "L-99812", Type: "loyalty_id", Collection: "users", Encoding: "none"}},
				Extra:       map[string]any{"app": map[string]any{"name": "Shop", "version": "4.2.0"}},
			},
			Category: connected.CategoryTransaction,
		},
		"track_zone_entered": {
			Type: connected.TypeTrack, AnonymousID: "phone-5c1e",
			Event:      connected.EventZoneEntered,
			Properties: connected.Properties{"zone": "shoes", "distance_m": 1.8, "confidence": 0.92},
			Context: connected.Context{
				Channel: connected.ChannelStore,
				Device:  connected.Device{ID: "gw-3", Type: "gateway", Manufacturer: "Acme", Model: "BLE-GW2", Extra: map[string]any{"name": "ceiling 3"}},
				Location: connected.Location{PlaceID: "store-12", Zone: "shoes",
					Geo: &connected.Geo{Latitude: 52.5200066, Longitude: 13.404954, Accuracy: 3.5}, Extra: map[string]any{"city": "Berlin"}},
			},
			Category: connected.CategoryLocation,
		},
		"identify":  {Type: connected.TypeIdentify, UserID: "user-42", Traits: connected.Traits{"email": "ana@example.com", "firstName": "Ana", "vip": true}},
		"page":      {Type: connected.TypePage, AnonymousID: "anon-7f3a", Name: "Trail boots", Properties: connected.Properties{"path": "/boots/trail", "url": "https://shop.example/boots/trail"}, Context: connected.Context{Channel: connected.ChannelWeb}},
		"screen":    {Type: connected.TypeScreen, UserID: "user-42", Name: "Wishlist", Context: connected.Context{Channel: connected.ChannelMobile}},
		"group":     {Type: connected.TypeGroup, UserID: "user-42", GroupID: "household-9", Traits: connected.Traits{"members": 3}},
		"alias":     {Type: connected.TypeAlias, UserID: "user-42", PreviousID: "anon-7f3a"},
		"escaping":  {Type: connected.TypeTrack, UserID: "u\"<&>\u2028\t", Event: "Quote \"me\" \\ ünïcödé 👟", Properties: connected.Properties{"ctl": "\x01\n", "tiny": 1e-7, "huge": 1e21, "neg": -0.5, "t": t0.Add(1500 * time.Millisecond)}},
		"timestamp": {Type: connected.TypeTrack, UserID: "user-42", Event: "Vehicle Approaching", Timestamp: t0.Add(2 * time.Second), Properties: connected.Properties{"eta_minutes": 20}, Context: connected.Context{Channel: connected.ChannelVehicle}},
	}
}

// newTestClient returns a client with a fixed clock and ids, recording into rec.
func newTestClient(t testing.TB, rec *connectedtest.Recorder, opts ...connected.Option) *connected.Client {
	t.Helper()
	opts = append([]connected.Option{
		connected.WithClock(func() time.Time { return t0 }),
		connected.WithIDGenerator(connectedtest.IDs("msg")),
	}, opts...)
	c, err := connected.New(rec, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = c.Shutdown(ctx)
	})
	return c
}

// record emits e through a fresh test client and returns its record.
func record(t *testing.T, e connected.Event) *connected.Record {
	t.Helper()
	rec := &connectedtest.Recorder{}
	c := newTestClient(t, rec)
	if err := c.Emit(context.Background(), e); err != nil {
		t.Fatalf("Emit: %v", err)
	}
	return rec.Records()[0]
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from golden file\n got: %s\nwant: %s", name, got, want)
	}
}

func TestSegmentGolden(t *testing.T) {
	for name, e := range fixtures() {
		t.Run(name, func(t *testing.T) {
			r := record(t, e)
			if !json.Valid(r.Payload) {
				t.Fatalf("payload is not valid JSON: %s", r.Payload)
			}
			golden(t, "segment_"+name+".json", append(append([]byte(nil), r.Payload...), '\n'))
		})
	}
}

func TestCloudEventsGolden(t *testing.T) {
	o := connected.CloudEventsOptions{Source: "urn:touchpoint:store:12:gateway:3", DataSchema: "https://touchpoint.dev/schemas/segment-message.json"}
	fx := fixtures()
	var recs []*connected.Record
	for _, name := range []string{"track_zone_entered", "identify", "alias"} {
		recs = append(recs, record(t, fx[name]))
	}
	one, err := connected.AppendCloudEvent(nil, recs[0], o)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "cloudevent_structured.json", append(one, '\n'))
	batch, err := connected.AppendCloudEventsBatch(nil, recs, o)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "cloudevents_batch.json", append(batch, '\n'))

	for _, b := range [][]byte{one, batch} {
		if !json.Valid(b) {
			t.Fatalf("not valid JSON: %s", b)
		}
	}
	var ce map[string]any
	if err := json.Unmarshal(one, &ce); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{"specversion": "1.0", "id": recs[0].ID, "type": "dev.touchpoint.track",
		"time": "2026-11-24T10:30:00.000Z", "datacontenttype": "application/json", "datacategory": "location"} {
		if ce[k] != want {
			t.Errorf("attribute %s = %v, want %v", k, ce[k], want)
		}
	}
}
