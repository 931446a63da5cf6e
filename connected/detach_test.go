package connected_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// TestTrackMapLiteralAllocs: Track keeps nothing the caller's Event points
// to, so a Properties literal written in the call stays on the caller's
// stack: the map path costs the values the map boxes (one int here) and
// nothing else in steady state (the Record and its bytes come from slabs).
// Before, the literal escaped: 3 allocations (map, group, boxed int) plus
// the SDK's.
func TestTrackMapLiteralAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation budgets are checked without -race: the race detector's sync.Pool drops items on purpose")
	}
	c, err := connected.New(discardPayload{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	i := 1000
	n := testing.AllocsPerRun(2000, func() {
		i++
		if err := c.Track(ctx, connected.Event{UserID: "user-1", Event: "bench_evt", Properties: connected.Properties{
			"n": i, "plan": "pro", "color": "blue", "price": 9.99}}); err != nil {
			t.Fatal(err)
		}
	})
	if n > 1.1 {
		t.Errorf("Track with a 4-key map literal: %.2f allocations per event, want at most 1.1 (the boxed int)", n)
	}
}

// TestRecordEventDetached: the Event a Record carries for middleware does
// not share the caller's maps or strings' memory, and its times keep the
// instant (UTC unless the caller's time was local).
func TestRecordEventDetached(t *testing.T) {
	var got *connected.Record
	keep := connected.HandlerFunc(func(_ context.Context, r *connected.Record) error { got = r; return nil })
	c, err := connected.New(keep)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	uid := []byte("user-77")
	props := connected.Properties{"plan": "pro"}
	at := time.Date(2026, 12, 5, 10, 0, 0, 123e6, time.FixedZone("CET", 3600))
	e := connected.Event{UserID: string(uid), Event: "Order Completed", Properties: props, OriginalTimestamp: at,
		Context: connected.Context{Location: connected.Location{PlaceID: "store-1", Geo: &connected.Geo{Latitude: 1, Longitude: 2}},
			ExternalIDs: []connected.ExternalID{{ID: "x-" + strconv.Itoa(7), Type: "crm", Collection: "users", Encoding: "none"}}}}
	if err := c.Track(ctx, e); err != nil {
		t.Fatal(err)
	}
	props["plan"] = "free"
	props["added"] = true
	e.Context.Location.Geo.Latitude = 9
	e.Context.ExternalIDs[0].ID = "changed"
	ev := got.Event
	if ev == nil {
		t.Fatal("record without its Event for a sink that is not PayloadOnly")
	}
	if len(ev.Properties) != 1 || ev.Properties["plan"] != "pro" {
		t.Errorf("Record.Event.Properties = %v after the caller changed its map, want map[plan:pro]", ev.Properties)
	}
	if ev.Context.Location.Geo.Latitude != 1 || ev.Context.ExternalIDs[0].ID != "x-7" {
		t.Errorf("Record.Event shares the caller's Geo or ExternalIDs: %+v %+v", ev.Context.Location.Geo, ev.Context.ExternalIDs)
	}
	if got.UserID != "user-77" || ev.UserID != "user-77" || ev.Event != "Order Completed" || ev.Context.Location.PlaceID != "store-1" {
		t.Errorf("strings not copied intact: %q %q %q %q", got.UserID, ev.UserID, ev.Event, ev.Context.Location.PlaceID)
	}
	if !got.Time.Equal(at) || got.Time.Location() != time.UTC || !ev.OriginalTimestamp.Equal(at) {
		t.Errorf("Record.Time = %v (%v), Event time %v, want the instant %v in UTC", got.Time, got.Time.Location(), ev.OriginalTimestamp, at)
	}
	if got.Category != connected.CategoryBehavioral || got.Type != connected.TypeTrack || got.ID == "" || got.ID != ev.MessageID {
		t.Errorf("record header: %q %q %q %q", got.Category, got.Type, got.ID, ev.MessageID)
	}
	local := time.Now().Add(-time.Minute)
	if err := c.Track(ctx, connected.Event{UserID: "u", Event: "x", OriginalTimestamp: local}); err != nil {
		t.Fatal(err)
	}
	if got.Time.Location() != time.Local || !got.Time.Equal(local) {
		t.Errorf("a local time became %v (%v)", got.Time, got.Time.Location())
	}
	if err := c.Track(ctx, connected.Event{UserID: "u", MessageID: "mine-" + strconv.Itoa(1), Event: "x"}); err != nil {
		t.Fatal(err)
	}
	if got.ID != "mine-1" || got.Event.MessageID != "mine-1" {
		t.Errorf("caller's message id: record %q, event %q", got.ID, got.Event.MessageID)
	}
}
