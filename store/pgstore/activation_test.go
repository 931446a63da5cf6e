package pgstore_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/activation"
	"github.com/touchpoint-sdk/touchpoint/activation/defs"
	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
)

// activationDefs: traits, audiences and journeys of every kind the engine
// keeps state for (windows, caps, waits, re-entry, quiet hours, holdout).
const activationDefs = `{"version": 1,
 "traits": [
  {"key": "visits", "kind": "count", "event": "Application Opened", "within": "30d", "purpose": "marketing"},
  {"key": "fav_zone", "kind": "most_frequent", "event": "Zone Entered", "property": "context.location.zone", "within": "30d"},
  {"key": "wished", "kind": "unique_list", "event": "Product Added to Wishlist", "property": "properties.product_id", "within": "30d", "limit": 3},
  {"key": "spend", "kind": "sum", "event": "Order Completed", "property": "properties.total", "within": "90d"},
  {"key": "last_zone", "kind": "last", "event": "Zone Entered", "property": "context.location.zone"},
  {"key": "since_order", "kind": "since_last", "event": "Order Completed"}
 ],
 "audiences": [
  {"key": "frequent", "where": {"event": {"event": "Application Opened", "within": "7d", "count": {"op": "gte", "value": 2}}}},
  {"key": "vip", "where": {"trait": {"key": "spend", "op": "gte", "value": 500}}},
  {"key": "lapsed", "where": {"all": [{"audience": "frequent"}, {"not": {"event": {"event": "Order Completed", "within": "30d"}}}]}}
 ],
 "journeys": [
  {"key": "wish_reminder", "trigger": {"event": "Zone Entered"},
   "related": {"event": "Product Added to Wishlist", "within": "30d", "match": [{"path": "properties.department", "trigger": "context.location.zone"}]},
   "action": {"emit": "Offer Triggered", "destination": "marketing", "properties": {"product_id": "$related.properties.product_id"}},
   "cap": {"max": 2, "per": "1d"}, "reentry": {"mode": "once", "key": "related"}},
  {"key": "cart_nudge", "trigger": {"event": "Product Added"},
   "wait": {"for": "2h", "unless": {"event": "Order Completed"}}, "exit": [{"event": "Store Closed"}],
   "action": {"emit": "Cart Reminder"}, "reentry": {"mode": "after", "after": "1d"}},
  {"key": "night", "trigger": {"event": "Night Ping"}, "quiet_hours": {"start": "22:00", "end": "07:00", "timezone": "UTC"},
   "action": {"emit": "Pinged"}},
  {"key": "half", "trigger": {"event": "Coin"}, "holdout": 50, "action": {"emit": "Heads"}}
 ]}`

// activationEvents makes n events for profiles a, b and c over three days,
// in time order.
func activationEvents(rng *rand.Rand, purposes activation.Purposes, n int) []activation.Input {
	t0 := time.Date(2026, 11, 24, 6, 0, 0, 0, time.UTC)
	zones := []string{"shoes", "coats", "bags"}
	var out []activation.Input
	for i := range n {
		ev := &connected.Event{}
		switch rng.IntN(9) {
		case 0:
			ev.Event = "Application Opened"
		case 1:
			ev.Event = "Zone Entered"
			ev.Context.Location.Zone = zones[rng.IntN(3)]
		case 2:
			ev.Event = "Product Added to Wishlist"
			ev.Properties = connected.Properties{"product_id": fmt.Sprint("sku-", rng.IntN(5)), "department": zones[rng.IntN(3)]}
		case 3:
			ev.Event = "Order Completed"
			ev.Properties = connected.Properties{"total": float64(50 + rng.IntN(400))}
		case 4:
			ev.Event = "Product Added"
		case 5:
			ev.Event = "Store Closed"
		case 6:
			ev.Event = "Night Ping"
		default:
			ev.Event = "Coin"
		}
		out = append(out, activation.Input{
			Profile:   []string{"p_a", "p_b", "p_c"}[rng.IntN(3)],
			MessageID: fmt.Sprint("m-", i),
			Time:      t0.Add(time.Duration(i) * 3 * 24 * time.Hour / time.Duration(n)),
			Purposes:  purposes,
			Event:     ev,
		})
	}
	return out
}

// TestActivationRestartGivesSameOutputs is activation's restart check
// (TestRestartGivesSameOutputs, there on the memory and file stores) on
// PostgreSQL: an engine restarted from the database every 97 events, and
// compacted every other time, announces exactly what an engine that never
// stopped announces and ends with the same profiles; replaying every event
// again fires nothing.
func TestActivationRestartGivesSameOutputs(t *testing.T) {
	db := openDB(t, poolIn(t, schema(t)))
	ctx := context.Background()
	set, err := defs.Decode([]byte(activationDefs))
	if err != nil {
		t.Fatal(err)
	}
	ref, err := activation.New(set)
	if err != nil {
		t.Fatal(err)
	}
	defer ref.Shutdown(context.Background())
	purposes := ref.PurposesOf(consent.PurposeMarketing, consent.PurposeAnalytics, consent.PurposePersonalization)
	events := activationEvents(rand.New(rand.NewPCG(7, 7)), purposes, 400)
	var want []activation.Output
	for _, in := range events {
		out, err := ref.Process(ctx, in, nil)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, out...)
	}
	open := func() *activation.Engine {
		st, err := db.ActivationStore(ctx, "engine")
		if err != nil {
			t.Fatal(err)
		}
		e, err := activation.New(set, activation.WithStore(st), activation.WithCompactEvery(0))
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	e := open()
	var got []activation.Output
	for i, in := range events {
		out, err := e.Process(ctx, in, nil)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, out...)
		if i%97 == 96 {
			if i%2 == 0 {
				if err := e.Compact(ctx); err != nil {
					t.Fatal(err)
				}
			}
			if err := e.Shutdown(context.Background()); err != nil {
				t.Fatal(err)
			}
			e = open()
		}
	}
	defer e.Shutdown(context.Background())
	fired := 0
	if len(got) != len(want) {
		t.Fatalf("got %d outputs, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i].ID != want[i].ID || got[i].Kind != want[i].Kind || got[i].Reason != want[i].Reason {
			t.Fatalf("output %d: got %s %s %q, want %s %s %q", i, got[i].Kind, got[i].ID, got[i].Reason, want[i].Kind, want[i].ID, want[i].Reason)
		}
		if got[i].Kind == activation.ActionFired {
			fired++
		}
	}
	if fired == 0 {
		t.Fatal("no action fired: the events exercise nothing")
	}
	for _, p := range []string{"p_a", "p_b", "p_c"} {
		a, _ := e.Profile(p)
		b, _ := ref.Profile(p)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("profile %s after restarts:\n%+v\nwant\n%+v", p, a, b)
		}
	}
	for _, in := range events {
		out, err := e.Process(ctx, in, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range out {
			if o.Kind == activation.ActionFired || o.Kind == activation.AudienceEntered {
				t.Fatalf("replay announced %s %s", o.Kind, o.ID)
			}
		}
	}
}
