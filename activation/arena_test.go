package activation

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/activation/defs"
	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
	"github.com/touchpoint-sdk/touchpoint/internal/durable"
)

// TestRelatedAfterTrigger: the wish (related event) is delivered after the
// zone entry (trigger) although it happened before it, within the lateness
// bound. The trigger is decided again and fires the same action, with the
// same id, as in-order delivery.
func TestRelatedAfterTrigger(t *testing.T) {
	set := mustSet(t, storeDefs)
	wish := ev{profile: "ana", name: "Product Added to Wishlist", purp: 0, at: time.Hour - 30*time.Second, id: "wish",
		props: connected.Properties{"product_id": "boot-1", "department": "shoes"}}
	enter := ev{profile: "ana", name: "Zone Entered", zone: "shoes", at: time.Hour, id: "enter"}

	inOrder := newHarness(t, set)
	wish.purp, enter.purp = inOrder.all, inOrder.all
	inOrder.emit(wish)
	want := inOrder.emit(enter)
	if kinds(want) != "action_fired:wish_reminder" {
		t.Fatalf("in order: %s", kinds(want))
	}

	late := newHarness(t, set)
	if out := late.emit(enter); kinds(out) != "action_refused:wish_reminder("+ReasonNoRelated+")" {
		t.Fatalf("trigger first: %s", kinds(out))
	}
	got := late.emit(wish)
	if kinds(got) != "action_fired:wish_reminder" {
		t.Fatalf("related after its trigger: %s", kinds(got))
	}
	if got[0].ID != want[0].ID || got[0].Related != "wish" || got[0].Trigger != "enter" ||
		got[0].Event.Properties["product_id"] != "boot-1" || !got[0].Time.Equal(want[0].Time) {
		t.Errorf("late-completed action %+v, in order %+v", got[0], want[0])
	}
	// The kept trigger is used once.
	if out := late.emit(ev{profile: "ana", name: "Product Added to Wishlist", purp: late.all, at: time.Hour - 10*time.Second,
		props: connected.Properties{"product_id": "boot-2", "department": "shoes"}}); len(out) != 0 {
		t.Errorf("a second wish re-decided a completed trigger: %s", kinds(out))
	}

	// Past the watermark nothing can complete the trigger any more.
	old := newHarness(t, set)
	old.emit(ev{profile: "bo", name: "Zone Entered", zone: "shoes", purp: old.all, at: time.Hour})
	old.emit(ev{profile: "x", name: "Application Opened", purp: old.all, at: time.Hour + 2*time.Minute}) // watermark > 1h
	if out := old.emit(ev{profile: "bo", name: "Product Added to Wishlist", purp: old.all, at: time.Hour + 90*time.Second,
		props: connected.Properties{"product_id": "boot-3", "department": "shoes"}}); len(out) != 0 {
		t.Errorf("a wish after the trigger's time completed it: %s", kinds(out))
	}
	// A related event without consent still refuses nothing twice, fires nothing.
	nc := newHarness(t, set)
	nc.emit(ev{profile: "cy", name: "Zone Entered", zone: "shoes", purp: nc.all, at: time.Hour})
	if out := nc.emit(ev{profile: "cy", name: "Product Added to Wishlist", purp: 0, at: time.Hour - time.Second,
		props: connected.Properties{"product_id": "boot-4", "department": "shoes"}}); len(out) != 0 {
		t.Errorf("a pre-consent wish completed the trigger: %s", kinds(out))
	}
}

// TestRelatedAfterTriggerSurvivesRestart: the kept trigger is in the
// snapshot, so a restart between trigger and late related event still
// fires.
func TestRelatedAfterTriggerSurvivesRestart(t *testing.T) {
	set := mustSet(t, storeDefs)
	ms := NewMemStore()
	h := newHarness(t, set, WithStore(ms))
	h.emit(ev{profile: "ana", name: "Zone Entered", zone: "shoes", purp: h.all, at: time.Hour, id: "enter"})
	if err := h.e.Compact(context.Background()); err != nil {
		t.Fatal(err)
	}
	h2 := newHarness(t, set, WithStore(ms))
	out := h2.emit(ev{profile: "ana", name: "Product Added to Wishlist", purp: h2.all, at: time.Hour - time.Second, id: "wish",
		props: connected.Properties{"product_id": "boot-1", "department": "shoes"}})
	if kinds(out) != "action_fired:wish_reminder" || out[0].Trigger != "enter" {
		t.Fatalf("after restart: %s", kinds(out))
	}
}

// TestAttentionIsBuiltin: attention is a built-in purpose (bit 7), not a
// custom one; biometric events count only with attention consent and
// never for marketing.
func TestAttentionIsBuiltin(t *testing.T) {
	set := mustSet(t, `{"version":1,"audiences":[
	 {"key":"looked","purpose":"attention","where":{"event":{"event":"Product Viewed in AR"}}},
	 {"key":"looked_mkt","where":{"event":{"event":"Product Viewed in AR"}}}]}`)
	e, err := New(set)
	if err != nil {
		t.Fatal(err)
	}
	if ps := e.Purposes(); len(ps) != 8 || ps[7] != consent.PurposeAttention {
		t.Fatalf("purposes %v", ps)
	}
	if !consent.PurposeAttention.Builtin() || e.PurposesOf(consent.PurposeAttention) != 1<<7 {
		t.Fatalf("attention bit %b", e.PurposesOf(consent.PurposeAttention))
	}
	ar := func(id string, p Purposes) []Output {
		out, err := e.Process(context.Background(), Input{Profile: "p", MessageID: id, Time: t0, Purposes: p,
			Event: &connected.Event{Type: connected.TypeTrack, Event: "Product Viewed in AR", Category: connected.CategoryBiometric}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	mkt := e.PurposesOf(consent.PurposeMarketing)
	if out := ar("m1", mkt); len(out) != 0 {
		t.Fatalf("biometric without attention consent: %s", kinds(out))
	}
	if out := ar("m2", mkt|e.PurposesOf(consent.PurposeAttention)); kinds(out) != "audience_entered:looked" {
		t.Fatalf("biometric with attention consent: %s", kinds(out))
	}
}

// TestManyAudiences: memberships past the 64 kept inline follow their
// keys across a reload that reorders them.
func TestManyAudiences(t *testing.T) {
	mk := func(order []int) *defs.Set {
		s := &defs.Set{Version: 1}
		for _, i := range order {
			s.Audiences = append(s.Audiences, defs.Audience{Key: fmt.Sprint("a", i),
				Where: defs.Cond{Event: &defs.EventCond{Event: fmt.Sprint("E", i)}}})
		}
		return s
	}
	var fwd, rev []int
	for i := range 70 {
		fwd = append(fwd, i)
		rev = append(rev, 69-i)
	}
	h := newHarness(t, mk(fwd))
	for _, i := range []int{3, 66, 68} {
		if out := h.emit(ev{profile: "p", name: fmt.Sprint("E", i), purp: h.all}); kinds(out) != fmt.Sprint("audience_entered:a", i) {
			t.Fatalf("E%d: %s", i, kinds(out))
		}
	}
	out, err := h.e.Reload(context.Background(), mk(rev[:69]), nil) // a66 moves to 3, a3 to 66; a0 goes
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 0 {
		t.Fatalf("reordering announced %s", kinds(out))
	}
	v, _ := h.e.Profile("p")
	if !reflect.DeepEqual(v.Audiences, []string{"a3", "a66", "a68"}) {
		t.Fatalf("after reload %v", v.Audiences)
	}
	out, _ = h.e.Reload(context.Background(), mk(fwd[:67]), nil)
	if kinds(out) != "audience_exited:a68" || out[0].Reason != ReasonRemoved {
		t.Fatalf("removal: %s", kinds(out))
	}
}

// TestFactWithManyValues: a fact with more values than fit inline keeps
// them all, through a snapshot too.
func TestFactWithManyValues(t *testing.T) {
	set := mustSet(t, `{"version":1,"traits":[
	 {"key":"a","kind":"last","event":"Big","property":"properties.a","purpose":"marketing"},
	 {"key":"b","kind":"sum","event":"Big","property":"properties.b","purpose":"marketing"},
	 {"key":"c","kind":"last","event":"Big","property":"properties.c","purpose":"marketing"},
	 {"key":"d","kind":"max","event":"Big","property":"properties.n.d","purpose":"marketing"}]}`)
	ms := NewMemStore()
	h := newHarness(t, set, WithStore(ms))
	for i := range 3 {
		h.emit(ev{profile: "p", name: "Big", purp: h.all, at: time.Duration(i) * time.Minute,
			props: connected.Properties{"a": fmt.Sprint("x", i), "b": float64(i), "c": i%2 == 0, "n": map[string]any{"d": float64(10 - i)}}})
	}
	want := map[string]any{"a": "x2", "b": 3.0, "c": true, "d": 10.0}
	check := func(e *Engine) {
		t.Helper()
		v, _ := e.Profile("p")
		got := map[string]any{}
		for _, tv := range v.Traits {
			got[tv.Key] = tv.Value
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("traits %v, want %v", got, want)
		}
	}
	check(h.e)
	if err := h.e.Compact(context.Background()); err != nil {
		t.Fatal(err)
	}
	check(newHarness(t, set, WithStore(ms)).e)
}

// TestSchemaOneSnapshotRefused: a snapshot of the old format is refused
// with an error saying so, never read as something else.
func TestSchemaOneSnapshotRefused(t *testing.T) {
	ms := NewMemStore()
	ms.Compact(context.Background(), func(emit func([]byte) error) error { return emit([]byte{'H', 1, 2, 3}) })
	_, err := New(mustSet(t, storeDefs), crm, WithStore(ms))
	if !errorsIs(err, ErrCorrupt) || !strings.Contains(err.Error(), "schema 1") {
		t.Fatalf("old snapshot: %v", err)
	}
}

// TestSteadyStateAllocs: processing an event (facts kept, audiences and
// journeys evaluated, refusals and membership changes announced) does not
// allocate. Output ids and strings come from shared 16 KiB chunks and the
// arenas grow by doubling: amortized, they stay well under one allocation
// per event. Fired actions allocate their event and properties.
func TestSteadyStateAllocs(t *testing.T) {
	if raceEnabled || testing.CoverMode() != "" {
		t.Skip("race and coverage instrumentation allocate by themselves; run without -race/-cover to check the budget")
	}
	e, g := warmEngine(t, 2000, 20)
	// kind "c": no journey triggers on it, so nothing fires
	for i := range g.events {
		if g.events[i].Properties["kind"] == "a" {
			g.events[i].Properties["kind"] = "c"
		}
	}
	ctx := context.Background()
	out := make([]Output, 0, 64)
	n := 0
	allocs := testing.AllocsPerRun(5000, func() {
		var err error
		out, err = e.Process(ctx, g.next(), out[:0])
		if err != nil {
			t.Fatal(err)
		}
		n += len(out)
	})
	if allocs != 0 {
		t.Errorf("%.2f allocations per event, want 0", allocs)
	}
	if n == 0 {
		t.Errorf("the measured events announced nothing: the test measures too little")
	}
}

// TestSchemaOneLogUpgraded: a file store of schema 1 holding only a log
// (its records are unchanged) is replayed, compacted into schema 2 and
// written to again.
func TestSchemaOneLogUpgraded(t *testing.T) {
	dir := t.TempDir()
	cfg := durable.Config{Name: "TPAC", Ext: "tpac", Schema: 1, Sync: durable.SyncNever}
	old, err := durable.Open(dir, cfg)
	if err != nil {
		t.Fatal(err)
	}
	set := mustSet(t, killDefs)
	e, err := New(set, WithStore(NewMemStore()))
	if err != nil {
		t.Fatal(err)
	}
	in := killEvents()[0]
	e.mu.Lock()
	r := e.reduce(&in)
	e.logRec(&r)
	recs := e.wal
	e.mu.Unlock()
	if err := old.Append(context.Background(), recs...); err != nil {
		t.Fatal(err)
	}
	old.Close()
	st, err := OpenFileStore(dir, WithoutSync())
	if err != nil {
		t.Fatal(err)
	}
	e2, err := New(set, WithStore(st))
	if err != nil {
		t.Fatal(err)
	}
	defer e2.Close()
	out, err := e2.Process(context.Background(), in, nil)
	if err != nil {
		t.Fatalf("process after the upgrade: %v", err)
	}
	if len(out) != 1 || out[0].Reason != ReasonDuplicate {
		t.Fatalf("the action of the schema 1 log fired again: %s", kinds(out))
	}
}
