package activation

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

func TestWishReminderAndConsentLeak(t *testing.T) {
	h := newHarness(t, mustSet(t, storeDefs))
	// Ana wishes after consent; Bo wished before consenting.
	h.emit(ev{profile: "ana", name: "Product Added to Wishlist", purp: h.all,
		props: connected.Properties{"product_id": "boot-1", "department": "shoes"}})
	h.emit(ev{profile: "bo", name: "Product Added to Wishlist", purp: 0, at: time.Minute,
		props: connected.Properties{"product_id": "boot-2", "department": "shoes"}})
	out := h.emit(ev{profile: "ana", name: "Zone Entered", zone: "shoes", purp: h.all, at: time.Hour})
	if kinds(out) != "action_fired:wish_reminder" {
		t.Fatalf("ana: %s", kinds(out))
	}
	o := out[0]
	if o.Event == nil || o.Event.Event != "Offer Triggered" || o.Event.Properties["product_id"] != "boot-1" ||
		o.Event.Properties["zone"] != "shoes" || o.Event.UserID != "u-ana" || o.Event.MessageID != o.ID || !strings.HasPrefix(o.ID, "act_") {
		t.Errorf("offer %+v / %+v", o, o.Event)
	}
	if !strings.Contains(o.Reason, "Zone Entered") || o.Related != "m-0001" {
		t.Errorf("reason %q related %q", o.Reason, o.Related)
	}
	// The leak: Bo consents later, enters shoes; his pre-consent wish must not drive the offer.
	out = h.emit(ev{profile: "bo", name: "Zone Entered", zone: "shoes", purp: h.all, at: time.Hour + time.Minute})
	if kinds(out) != "action_refused:wish_reminder("+ReasonRelatedConsent+")" {
		t.Fatalf("bo: %s", kinds(out))
	}
	// One offer per wish.
	out = h.emit(ev{profile: "ana", name: "Zone Entered", zone: "shoes", purp: h.all, at: 2 * time.Hour})
	if kinds(out) != "action_refused:wish_reminder("+ReasonReentry+")" {
		t.Fatalf("second entry: %s", kinds(out))
	}
	// A trigger collected without marketing consent never fires.
	out = h.emit(ev{profile: "ana", name: "Zone Entered", zone: "shoes", purp: h.e.PurposesOf("analytics"), at: 3 * time.Hour})
	if kinds(out) != "action_refused:wish_reminder("+ReasonNoConsent+")" {
		t.Fatalf("no consent: %s", kinds(out))
	}
	// Wrong department: no related event.
	out = h.emit(ev{profile: "ana", name: "Zone Entered", zone: "toys", purp: h.all, at: 4 * time.Hour})
	if kinds(out) != "action_refused:wish_reminder("+ReasonNoRelated+")" {
		t.Fatalf("toys: %s", kinds(out))
	}
}

func TestAudienceWindowEnterExit(t *testing.T) {
	h := newHarness(t, mustSet(t, storeDefs))
	if out := h.emit(ev{profile: "p", name: "Application Opened", purp: h.all}); len(out) != 0 {
		t.Fatalf("one open: %s", kinds(out))
	}
	out := h.emit(ev{profile: "p", name: "Application Opened", purp: h.all, at: 24 * time.Hour})
	if kinds(out) != "audience_entered:frequent audience_entered:lapsed" {
		t.Fatalf("two opens: %s", kinds(out))
	}
	if ev := out[0].Emitted(); ev.Event != EventAudienceEntered || ev.Properties["audience_key"] != "frequent" || ev.Properties["frequent"] != true || ev.MessageID != out[0].ID {
		t.Errorf("entered event %+v", ev)
	}
	// An order: no longer lapsed.
	out = h.emit(ev{profile: "p", name: "Order Completed", purp: h.all, at: 25 * time.Hour, props: connected.Properties{"total": 600.0}})
	if kinds(out) != "audience_entered:vip audience_exited:lapsed" {
		t.Fatalf("order: %s", kinds(out))
	}
	// 7 days after the first open (+ lateness) the window drops it: exit with no new event of p.
	out = h.advance(7*24*time.Hour + 2*time.Minute)
	if kinds(out) != "audience_exited:frequent" || out[0].Reason != ReasonWindow {
		t.Fatalf("expiry: %s %+v", kinds(out), out)
	}
	ex, ok := h.e.Explain("p", "vip")
	if !ok || !ex.Member || !ex.Holds {
		t.Fatalf("explain %+v", ex)
	}
	found := false
	for _, c := range ex.Conditions {
		if strings.Contains(c.Condition, "spend") && c.Held && len(c.Events) == 1 && c.Events[0] == "m-0003" {
			found = true
		}
	}
	if !found {
		t.Errorf("explain does not list the order: %+v", ex.Conditions)
	}
}

func TestComputedTraits(t *testing.T) {
	h := newHarness(t, mustSet(t, storeDefs))
	for i, z := range []string{"shoes", "toys", "shoes", "garden"} {
		h.emit(ev{profile: "p", name: "Zone Entered", zone: z, purp: h.all, at: time.Duration(i) * time.Minute})
	}
	for i, tot := range []float64{10, 30, 20} {
		h.emit(ev{profile: "p", name: "Order Completed", purp: h.all, at: time.Hour + time.Duration(i)*time.Minute, props: connected.Properties{"total": tot}})
	}
	for i, pr := range []string{"d", "a", "c", "a", "b"} {
		h.emit(ev{profile: "p", name: "Product Added to Wishlist", purp: h.all, at: 2*time.Hour + time.Duration(i)*time.Second, props: connected.Properties{"product_id": pr}})
	}
	h.emit(ev{profile: "p", typ: connected.TypeIdentify, purp: h.all, at: 3 * time.Hour, traits: connected.Traits{"tier": "gold"}})
	v, ok := h.e.Profile("p")
	if !ok {
		t.Fatal("no profile")
	}
	got := map[string]any{}
	for _, tv := range v.Traits {
		got[tv.Key] = tv.Value
	}
	want := map[string]any{"fav_zone": "shoes", "wished": "a,b,c", "spend": 60.0, "avg_order": 20.0, "max_order": 30.0,
		"min_order": 10.0, "first_zone": "shoes", "last_zone": "garden", "zones_seen": 3.0, "since_order": 7080.0, "tier": "gold"}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s = %v, want %v", k, got[k], w)
		}
	}
	for _, tv := range v.Traits {
		if tv.Key == "tier" && (tv.Source != "m-0013" || len(tv.Purposes) == 0) {
			t.Errorf("tier provenance %+v", tv)
		}
	}
	if !v.hasAudience("vip") {
		t.Errorf("identify trait did not put p in vip: %v", v.Audiences)
	}
}

func (v ProfileView) hasAudience(k string) bool {
	for _, a := range v.Audiences {
		if a == k {
			return true
		}
	}
	return false
}

func TestPresenceAudience(t *testing.T) {
	h := newHarness(t, mustSet(t, storeDefs))
	for i := range 2 {
		h.emit(ev{profile: "p", name: "Product Viewed", purp: h.all, at: time.Duration(i) * time.Minute, props: connected.Properties{"category": "boots"}})
	}
	out := h.emit(ev{profile: "p", name: "Zone Dwelled", purp: h.all, at: 10 * time.Minute, props: connected.Properties{"zone": "shoes", "dwell_seconds": 90.0}})
	if len(out) != 0 {
		t.Fatalf("90 s: %s", kinds(out))
	}
	out = h.emit(ev{profile: "p", name: "Zone Exited", purp: h.all, at: 11 * time.Minute, props: connected.Properties{"zone": "shoes", "dwell_seconds": 150.0}})
	if kinds(out) != "audience_entered:boot_fan" {
		t.Fatalf("150 s: %s", kinds(out))
	}
}

func TestJourneyWaitCapQuietHoldout(t *testing.T) {
	var handled []string
	h := newHarness(t, mustSet(t, storeDefs), WithHandler("crm", func(_ context.Context, o Output) error {
		handled = append(handled, o.ID)
		return nil
	}))
	// wait 2h unless an order: p1 orders, p2 does not, p3's journey is exited.
	for _, p := range []string{"p1", "p2", "p3"} {
		if out := h.emit(ev{profile: p, name: "Product Added", purp: h.all}); len(out) != 0 {
			t.Fatalf("fired before the wait: %s", kinds(out))
		}
	}
	h.emit(ev{profile: "p1", name: "Order Completed", purp: h.all, at: time.Hour, props: connected.Properties{"total": 1.0}})
	if out := h.emit(ev{profile: "p3", name: "Store Closed", purp: h.all, at: time.Hour}); kinds(out) != "action_refused:cart_nudge("+ReasonExit+")" {
		t.Fatalf("exit: %s", kinds(out))
	}
	out := h.advance(2*time.Hour + 2*time.Minute)
	if kinds(out) != "action_refused:cart_nudge("+ReasonUnless+") action_fired:cart_nudge" &&
		kinds(out) != "action_fired:cart_nudge action_refused:cart_nudge("+ReasonUnless+")" {
		t.Fatalf("after the wait: %s", kinds(out))
	}
	if len(handled) != 1 {
		t.Errorf("handler calls %v", handled)
	}
	// re-entry after 1 day only
	if out := h.emit(ev{profile: "p2", name: "Product Added", purp: h.all, at: 3 * time.Hour}); kinds(out) != "action_refused:cart_nudge("+ReasonReentry+")" {
		t.Fatalf("reentry: %s", kinds(out))
	}
	// quiet hours: 23:00 UTC
	out = h.emit(ev{profile: "p2", name: "Night Ping", purp: h.all, at: 14 * time.Hour})
	if kinds(out) != "action_refused:night("+ReasonQuietHours+")" {
		t.Fatalf("quiet: %s", kinds(out))
	}
	out = h.advance(22*time.Hour + 2*time.Minute) // 07:00 next day + lateness
	if kinds(out) != "action_fired:night_defer" || !out[0].Time.Equal(time.Date(2026, 11, 25, 7, 0, 0, 0, time.UTC)) {
		t.Fatalf("deferred: %s %v", kinds(out), out)
	}
	// holdout: about half of 200 profiles
	held := 0
	for i := range 200 {
		out := h.emit(ev{profile: "c" + string(rune('a'+i%26)) + string(rune('a'+i/26)), name: "Coin", purp: h.all, at: 23 * time.Hour})
		if len(out) == 1 && out[0].Reason == ReasonHoldout {
			held++
		}
	}
	if held < 70 || held > 130 {
		t.Errorf("holdout kept %d of 200 out, want about 100", held)
	}
}

func TestFrequencyCap(t *testing.T) {
	h := newHarness(t, mustSet(t, storeDefs))
	for i := range 3 {
		h.emit(ev{profile: "p", name: "Product Added to Wishlist", purp: h.all, at: time.Duration(i) * time.Second,
			props: connected.Properties{"product_id": string(rune('a' + i)), "department": "shoes"}})
	}
	var got []string
	for i := range 3 {
		out := h.emit(ev{profile: "p", name: "Zone Entered", zone: "shoes", purp: h.all, at: time.Hour + time.Duration(i)*time.Minute})
		got = append(got, kinds(out))
	}
	want := []string{"action_fired:wish_reminder", "action_fired:wish_reminder", "action_refused:wish_reminder(" + ReasonCap + ")"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("got %v", got)
	}
}

func TestRevocationExitsAndCancels(t *testing.T) {
	h := newHarness(t, mustSet(t, storeDefs))
	h.emit(ev{profile: "p", name: "Application Opened", purp: h.all})
	h.emit(ev{profile: "p", name: "Application Opened", purp: h.all, at: time.Minute})
	h.emit(ev{profile: "p", name: "Product Added", purp: h.all, at: 2 * time.Minute})
	out, err := h.e.Revoke(context.Background(), "p", "marketing", t0.Add(3*time.Minute), nil)
	if err != nil {
		t.Fatal(err)
	}
	k := kinds(out)
	if !strings.Contains(k, "audience_exited:frequent") || !strings.Contains(k, "audience_exited:lapsed") ||
		!strings.Contains(k, "action_refused:cart_nudge("+ReasonRevoked+")") {
		t.Fatalf("revoke: %s", k)
	}
	for _, o := range out {
		if o.Kind == AudienceExited && o.Reason != ReasonRevoked {
			t.Errorf("exit reason %q", o.Reason)
		}
	}
	if out := h.advance(3 * time.Hour); len(out) != 0 {
		t.Errorf("a cancelled step fired: %s", kinds(out))
	}
	// Events collected before the revocation do not count again.
	if out := h.emit(ev{profile: "p", name: "Application Opened", purp: h.all, at: 4 * time.Hour}); len(out) != 0 {
		t.Errorf("old opens counted after revocation: %s", kinds(out))
	}
}

func TestLateDrop(t *testing.T) {
	var drops []Drop
	h := newHarness(t, mustSet(t, storeDefs), WithLateness(time.Minute), WithDropHandler(func(d Drop) { drops = append(drops, d) }))
	h.emit(ev{profile: "p", name: "Application Opened", purp: h.all, at: time.Hour})
	h.emit(ev{profile: "p", name: "Application Opened", purp: h.all, at: time.Hour - 30*time.Second}) // within the bound
	h.emit(ev{profile: "p", name: "Application Opened", purp: h.all, at: time.Hour - 2*time.Minute})  // too late
	if st := h.e.Stats(); st.Late != 1 || len(drops) != 1 || drops[0].Reason != ReasonLate {
		t.Fatalf("late %d drops %v", st.Late, drops)
	}
	_, err := h.e.Process(context.Background(), Input{Profile: "p", Time: t0}, nil)
	if !errorsIs(err, ErrInput) {
		t.Errorf("no message id: %v", err)
	}
}

// TestWindowExitNotDelayedByOtherEvent: an event that re-evaluates only
// its own audiences (b) must not postpone another audience's pending
// window expiry (a's, at 1h) to its own (2h01m). The exit of a comes when
// the watermark passes 1h, at the profile's clock (1h01m: the engine
// evaluates a profile at its latest time).
func TestWindowExitNotDelayedByOtherEvent(t *testing.T) {
	set := mustSet(t, `{"version":1,"audiences":[
	 {"key":"a","where":{"event":{"event":"X","within":"1h"}}},
	 {"key":"b","where":{"event":{"event":"Y","within":"1h"}}}]}`)
	h := newHarness(t, set, WithLateness(10*time.Minute))
	if got := kinds(h.emit(ev{profile: "p", name: "X", purp: h.all})); got != "audience_entered:a" {
		t.Fatalf("X: %s", got)
	}
	if got := kinds(h.emit(ev{profile: "p", name: "Y", purp: h.all, at: time.Hour + time.Minute})); got != "audience_entered:b" {
		t.Fatalf("Y: %s", got)
	}
	out := h.advance(time.Hour + 11*time.Minute) // watermark 1h01m
	if kinds(out) != "audience_exited:a" || out[0].Reason != ReasonWindow || out[0].Time.Sub(t0) != time.Hour+time.Minute {
		t.Fatalf("watermark past a's window: %s %+v", kinds(out), out)
	}
	out = h.advance(3 * time.Hour)
	if kinds(out) != "audience_exited:b" || out[0].Time.Sub(t0) != 2*time.Hour+time.Minute {
		t.Fatalf("watermark past b's window: %s %+v", kinds(out), out)
	}
}
