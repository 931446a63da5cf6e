package vehicle_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/connectedtest"
	"github.com/touchpoint-sdk/touchpoint/identity"
	"github.com/touchpoint-sdk/touchpoint/vehicle"
)

var testKey = []byte("0123456789abcdef-test-key")

func approachEvents(t *testing.T) []vehicle.TripEvent {
	s := newSim("WVGZZZE2ZPP000042", 20000, 0).drive(10*time.Second, 0, 270)
	s.toward(15, 60).park(10 * time.Minute)
	return run(t, newTracker(t), s.out, s.now)
}

// TestEventNoVINInTheClear: no field of any event, nor its encoded
// bytes, carries the vehicle id; without a key the mapping refuses.
func TestEventNoVINInTheClear(t *testing.T) {
	evs := approachEvents(t)
	p, err := connected.NewPseudonymizer(testKey)
	if err != nil {
		t.Fatal(err)
	}
	rec := &connectedtest.Recorder{}
	c, err := connected.New(rec, connected.WithClock(connectedtest.Clock(t0, time.Millisecond)))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Shutdown(context.Background())
	for _, e := range evs {
		if _, err := e.Event(vehicle.EventOptions{}); !errors.Is(err, vehicle.ErrNoHashKey) {
			t.Fatalf("no key: %v, want ErrNoHashKey", err)
		}
		if _, err := e.Event(vehicle.EventOptions{HashKey: []byte("short")}); !errors.Is(err, vehicle.ErrNoHashKey) || !errors.Is(err, connected.ErrPseudonymKey) {
			t.Fatalf("short key: %v", err)
		}
		ev, err := e.Event(vehicle.EventOptions{Pseudonymizer: p})
		if err != nil {
			t.Fatal(err)
		}
		if ev.Category != connected.CategoryLocation || ev.Context.Channel != connected.ChannelVehicle {
			t.Fatalf("category %q channel %q", ev.Category, ev.Context.Channel)
		}
		if ev.AnonymousID != p.Pseudonym(e.VehicleID) || ev.Context.Device.ID != ev.AnonymousID || ev.Context.Location.Geo != nil {
			t.Fatalf("identity fields %+v", ev)
		}
		if err := c.Track(context.Background(), ev); err != nil {
			t.Fatalf("Track(%s): %v", ev.Event, err)
		}
	}
	for _, payload := range rec.Payloads() {
		if strings.Contains(payload, "WVGZZZE2ZPP000042") {
			t.Fatalf("vehicle id in the clear: %s", payload)
		}
	}
	var approaching connected.Event
	for _, ev := range rec.Events() {
		if ev.Event == vehicle.EventVehicleApproaching {
			approaching = ev
			break
		}
	}
	for _, k := range []string{"eta_minutes", "place_id", "confidence", "ring_minutes", "trip_id"} {
		if _, ok := approaching.Properties[k]; !ok {
			t.Fatalf("Vehicle Approaching lacks %s: %v", k, approaching.Properties)
		}
	}
	if approaching.Properties["place_id"] != store.ID || approaching.Properties["ring_minutes"] != 20.0 {
		t.Fatalf("properties %v", approaching.Properties)
	}
	raw, err := evs[0].Event(vehicle.EventOptions{RawVehicleIDs: true, UserID: "u-1", Coordinates: true})
	if err != nil || raw.Context.Device.ID != "WVGZZZE2ZPP000042" || raw.AnonymousID != "" || raw.UserID != "u-1" || raw.Context.Location.Geo == nil {
		t.Fatalf("raw ids: %+v %v", raw, err)
	}
}

// TestEventIDsStable: a replay of the same stream yields the same
// messageIds and trip ids; different events get different ones.
func TestEventIDsStable(t *testing.T) {
	a, b := approachEvents(t), approachEvents(t)
	o := vehicle.EventOptions{HashKey: testKey}
	seen := map[string]bool{}
	for i := range a {
		ea, _ := a[i].Event(o)
		eb, _ := b[i].Event(o)
		if ea.MessageID == "" || ea.MessageID != eb.MessageID || seen[ea.MessageID] {
			t.Fatalf("event %d: ids %q / %q (seen %v)", i, ea.MessageID, eb.MessageID, seen[ea.MessageID])
		}
		seen[ea.MessageID] = true
		if ea.Properties["trip_id"] != eb.Properties["trip_id"] {
			t.Fatalf("trip ids differ")
		}
	}
}

// TestHouseholdLinking: two people who drive the same car are linked
// into one household by identity, not merged into one person, although
// the car only ever appears as its pseudonym.
func TestHouseholdLinking(t *testing.T) {
	g, err := identity.New([]byte("graph-secret-0123456789"),
		identity.WithRule(identity.TypeRule{Type: vehicle.IdentifierType, Scope: identity.ScopeHousehold, Priority: 20}))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = g.Shutdown(context.Background()) }()
	mw, err := identity.NewMiddleware(g, identity.WithoutLinkFacts())
	if err != nil {
		t.Fatal(err)
	}
	rec := &connectedtest.Recorder{}
	c, err := connected.New(rec, connected.WithMiddleware(mw.Middleware()), connected.WithClock(connectedtest.Clock(t0, time.Second)))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Shutdown(context.Background())
	evs := approachEvents(t)
	for i, user := range []string{"alice", "bob"} {
		ev, err := evs[i].Event(vehicle.EventOptions{HashKey: testKey, UserID: user})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Track(context.Background(), ev); err != nil {
			t.Fatalf("Track: %v", err)
		}
	}
	recs := rec.Records()
	if len(recs) != 2 {
		t.Fatalf("%d records", len(recs))
	}
	if recs[0].ProfileID == "" || recs[0].ProfileID == recs[1].ProfileID {
		t.Fatalf("alice and bob: profiles %q and %q: merged or unresolved", recs[0].ProfileID, recs[1].ProfileID)
	}
	ctx := context.Background()
	at := t0.Add(24 * time.Hour)
	car := identity.Identifier{Type: vehicle.IdentifierType, Value: recs[0].Event.Context.Device.ID}
	ra, err := g.Resolve(ctx, []identity.Identifier{{Type: identity.TypeUserID, Value: "alice"}, car}, at)
	if err != nil {
		t.Fatal(err)
	}
	rb, err := g.Resolve(ctx, []identity.Identifier{{Type: identity.TypeUserID, Value: "bob"}, car}, at)
	if err != nil {
		t.Fatal(err)
	}
	if len(ra.Households) != 1 || !slices.Equal(ra.Households, rb.Households) || ra.ProfileID == rb.ProfileID {
		t.Fatalf("alice %+v, bob %+v: want one shared household and two people", ra, rb)
	}
	rc, err := g.Resolve(ctx, []identity.Identifier{car}, at)
	if err != nil || rc.ProfileID != "" {
		t.Fatalf("the car alone resolves to person %q (%v): a household is not a person", rc.ProfileID, err)
	}
}
