package main

import (
	"os"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/plan"
	"github.com/touchpoint-sdk/touchpoint/plan/cmd/plangen/testdata/segmentplan"
)

func ptr[T any](v T) *T { return &v }

// TestGeneratedEventsKeepThePlan builds events with the generated
// constructors and validates them against the plan they came from.
func TestGeneratedEventsKeepThePlan(t *testing.T) {
	b, err := os.ReadFile("../../testdata/segment_rules.json")
	if err != nil {
		t.Fatal(err)
	}
	spec, err := plan.FromSegment(b)
	if err != nil {
		t.Fatal(err)
	}
	p, err := plan.Compile(spec)
	if err != nil {
		t.Fatal(err)
	}
	base := connected.Event{UserID: "user-42", Context: connected.Context{Channel: connected.ChannelStore}}
	events := []connected.Event{
		segmentplan.OrderCompleted{
			OrderID: "ord_0a1b2c3d", Total: 129.9, Currency: segmentplan.OrderCompletedCurrencyEUR, Items: 3,
			CompletedAt: ptr(time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)), StoreID: ptr("berlin-01"),
			Products: []map[string]any{{"sku": "SHOE-1", "price": 129.9}},
		}.Event(base),
		segmentplan.OrderCompletedV2{OrderID: "ord_0a1b2c3d", Total: 10, Subtotal: 8}.Event(base),
		segmentplan.ZoneEntered{Zone: segmentplan.ZoneEnteredZoneShoes, RSSI: ptr(int64(-70))}.Event(base),
		segmentplan.Identify{Email: ptr("ann@example.com"), LoyaltyTier: ptr(segmentplan.IdentifyLoyaltyTierGold)}.Event(base),
		segmentplan.PageCheckout{Path: "/checkout/pay"}.Event(base),
	}
	for _, e := range events {
		vs, err := p.ValidateEvent(&e, nil)
		if err != nil || len(vs) != 0 {
			t.Errorf("%s %q: %v %v", e.Type, e.Event+e.Name, vs, err)
		}
	}
	if v := events[1].Context.Extra["protocols"].(map[string]any)["event_version"]; v != 2 {
		t.Errorf("V2 constructor sets event_version %v", v)
	}
	bad := segmentplan.OrderCompleted{OrderID: "ORD-1", Total: -5, Currency: "JPY", Items: 0}.Event(base)
	vs, err := p.ValidateEvent(&bad, nil)
	if err != nil || len(vs) != 4 {
		t.Fatalf("an event the types allow but the plan does not: %v %v", vs, err)
	}
}
