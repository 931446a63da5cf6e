package home_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
	"github.com/touchpoint-sdk/touchpoint/home"
)

func observeZ(t *testing.T, tr *home.Tracker, out []home.Occurrence, z zAt) []home.Occurrence {
	t.Helper()
	var c home.StateChange
	if err := home.DecodeZigbee("", "zigbee2mqtt/"+z.device, []byte(z.payload), z.at, &c); err != nil {
		t.Fatal(err)
	}
	out, err := tr.Observe(out, &c)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func kinds(o []home.Occurrence) []home.Kind {
	var k []home.Kind
	for _, x := range o {
		k = append(k, x.Kind)
	}
	return k
}

// The appliance state machine: a spike starts nothing, a pause does not end
// the cycle, the end is the time power dropped, with duration and energy.
func TestApplianceCycleFromPower(t *testing.T) {
	day := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var ignored []home.Ignore
	tr := newTracker(t, func(i home.Ignored) { ignored = append(ignored, i.Reason) })
	var out []home.Occurrence
	for _, z := range washerRun(day) {
		out = observeZ(t, tr, out, z)
	}
	if len(out) != 2 || out[0].Kind != home.KindApplianceCycleStarted || out[1].Kind != home.KindApplianceCycleCompleted {
		t.Fatalf("occurrences %v", kinds(out))
	}
	start, done := out[0], out[1]
	if !start.Time.Equal(day.Add(9*time.Hour+time.Minute)) || start.Appliance != "washer" || start.DeviceKind != "appliance" {
		t.Errorf("start %+v", start)
	}
	if !done.Time.Equal(day.Add(10*time.Hour+25*time.Minute)) || done.Duration != 84*time.Minute || !done.HasEnergy || done.Energy != 1.05 {
		t.Errorf("completed %+v", done)
	}
	if len(ignored) != 1 || ignored[0] != home.IgnoreSpike || tr.Stats().Ignored[home.IgnoreSpike] != 1 {
		t.Errorf("ignored %v, stats %+v", ignored, tr.Stats())
	}
}

// A plug that stops reporting once the power is low: Advance ends the
// cycle from the clock, not before EndAfter.
func TestApplianceCycleEndsOnAdvance(t *testing.T) {
	day := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tr := newTracker(t, nil)
	var out []home.Occurrence
	for _, z := range washerRun(day)[:6] { // up to the 10:25 drop
		out = observeZ(t, tr, out, z)
	}
	if len(out) != 1 {
		t.Fatalf("before Advance: %v", kinds(out))
	}
	out, _ = tr.Advance(out[:0], day.Add(10*time.Hour+29*time.Minute))
	if len(out) != 0 {
		t.Fatalf("completed before EndAfter: %v", kinds(out))
	}
	out, _ = tr.Advance(out, day.Add(10*time.Hour+30*time.Minute))
	if len(out) != 1 || out[0].Kind != home.KindApplianceCycleCompleted || !out[0].Time.Equal(day.Add(10*time.Hour+25*time.Minute)) {
		t.Fatalf("Advance: %+v", out)
	}
	if out, _ = tr.Advance(out[:0], day.Add(11*time.Hour)); len(out) != 0 {
		t.Fatalf("completed twice: %v", kinds(out))
	}
	if _, err := tr.Advance(nil, time.Time{}); !errors.Is(err, home.ErrInvalidTime) {
		t.Errorf("zero now: %v", err)
	}
}

// Programme states (a Home Assistant appliance sensor through statestream).
func TestApplianceCycleFromStates(t *testing.T) {
	s, _ := home.NewStatestream("homeassistant", time.Second)
	tr := newTracker(t, nil)
	t0 := time.Date(2026, 1, 1, 20, 0, 0, 0, time.UTC)
	var changes []home.StateChange
	for i, v := range []string{"ready", "run", "run", "finished", "ready", "run", "ready"} {
		changes, _ = s.Decode(changes, "homeassistant/sensor/dishwasher/state", []byte(v), t0.Add(time.Duration(i)*30*time.Minute))
	}
	changes = s.Flush(changes, t0.Add(5*time.Hour), true)
	var out []home.Occurrence
	for i := range changes {
		out, _ = tr.Observe(out, &changes[i])
	}
	want := []home.Kind{home.KindApplianceCycleStarted, home.KindApplianceCycleCompleted, home.KindApplianceCycleStarted}
	if got := kinds(out); len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Fatalf("kinds %v, want %v", got, want)
	}
	if out[1].Duration != time.Hour || out[1].Appliance != "dishwasher" {
		t.Errorf("completed %+v", out[1])
	}
	if tr.Stats().Ignored[home.IgnoreAborted] != 1 {
		t.Errorf("the last run was aborted: %+v", tr.Stats())
	}
}

// Stale changes are ignored and reported; unsupported devices too.
func TestTrackerIgnores(t *testing.T) {
	var got []home.Ignored
	tr := newTracker(t, func(i home.Ignored) { got = append(got, i) })
	var off, on home.StateChange
	if err := home.DecodeWebSocket(readFile(t, "testdata/ws/media_player_off.json"), &off); err != nil {
		t.Fatal(err)
	}
	if err := home.DecodeWebSocket(readFile(t, "testdata/ws/media_player_playing.json"), &on); err != nil {
		t.Fatal(err)
	}
	out, _ := tr.Observe(nil, &off)
	out, _ = tr.Observe(out, &on) // earlier than off: stale
	var sensor home.StateChange
	if err := home.DecodeWebSocket([]byte(wsMsg(`{"entity_id":"sensor.outdoor_temperature","old_state":null,"new_state":`+
		`{"entity_id":"sensor.outdoor_temperature","state":"3.5","attributes":{"unit_of_measurement":"°C"},"last_changed":"2026-01-01T10:00:00+00:00","last_updated":"2026-01-01T10:00:00+00:00"}}`)), &sensor); err != nil {
		t.Fatal(err)
	}
	out, _ = tr.Observe(out, &sensor)
	if len(got) != 2 || got[0].Reason != home.IgnoreStale || got[1].Reason != home.IgnoreUnsupported {
		t.Fatalf("ignored %+v", got)
	}
	if st := tr.Stats(); st.Observed != 3 || st.Ignored[home.IgnoreStale] != 1 || st.Occurrences != uint64(len(out)) {
		t.Errorf("stats %+v", st)
	}
	bad := on
	bad.Time = time.Time{}
	if _, err := tr.Observe(nil, &bad); !errors.Is(err, home.ErrInvalidTime) {
		t.Errorf("zero time: %v", err)
	}
	if _, err := home.NewTracker(home.Config{}); !errors.Is(err, home.ErrInvalidOption) {
		t.Errorf("no household: %v", err)
	}
	if _, err := home.NewTracker(home.Config{Household: "h", Appliances: map[string]home.Appliance{"p": {Name: "x", StartWatts: 3, EndWatts: 5}}}); !errors.Is(err, home.ErrInvalidOption) {
		t.Errorf("EndWatts above StartWatts: %v", err)
	}
}

// Presence: zone names never leave, only home/away.
func TestPresenceIsCoarse(t *testing.T) {
	tr := newTracker(t, nil)
	var c home.StateChange
	if err := home.DecodeWebSocket(readFile(t, "testdata/ws/person_left.json"), &c); err != nil {
		t.Fatal(err)
	}
	out, _ := tr.Observe(nil, &c)
	if len(out) != 1 || out[0].Kind != home.KindPresenceChanged || out[0].From != "home" || out[0].To != "away" {
		t.Fatalf("%+v", out)
	}
	e, err := out[0].Event(home.EventOptions{Pseudonymizer: pseudonymizer(t)})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := connected.AppendSegment(nil, &e)
	for _, leak := range []string{"Work", "anna", "Anna", "52.5", household, "8a4f6c2e"} {
		if containsFold(string(b), leak) {
			t.Errorf("event carries %q: %s", leak, b)
		}
	}
	if e.Category != connected.CategoryPresence {
		t.Errorf("category %q", e.Category)
	}
}

func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

// Without a pseudonymizer, no household or device id leaves; with RawIDs it
// does, as asked.
func TestEventIdentifiers(t *testing.T) {
	o := home.Occurrence{Kind: home.KindPresenceChanged, Source: home.SourceZigbee2MQTT, Household: household, Device: "hall/pir",
		DeviceKind: "presence_sensor", Time: recv, From: "occupied", To: "clear"}
	if _, err := o.Event(home.EventOptions{}); !errors.Is(err, home.ErrNoHashKey) {
		t.Fatalf("no pseudonymizer: %v", err)
	}
	p := pseudonymizer(t)
	e, err := o.Event(home.EventOptions{Pseudonymizer: p})
	if err != nil {
		t.Fatal(err)
	}
	if e.AnonymousID != home.HouseholdPseudonym(p, household) || e.Properties["device_id"] != home.DevicePseudonym(p, household, "hall/pir") {
		t.Errorf("pseudonyms: %+v", e)
	}
	other := home.DevicePseudonym(p, "another-household", "hall/pir")
	if other == e.Properties["device_id"] {
		t.Errorf("device pseudonyms are not household-scoped")
	}
	raw, _ := o.Event(home.EventOptions{RawIDs: true})
	if raw.AnonymousID != household || raw.Properties["device_id"] != "hall/pir" {
		t.Errorf("raw ids: %+v", raw)
	}
	again, _ := o.Event(home.EventOptions{Pseudonymizer: p})
	if again.MessageID != e.MessageID {
		t.Errorf("messageId not stable on replay")
	}
	o.Kind = 99
	if _, err := o.Event(home.EventOptions{Pseudonymizer: p}); !errors.Is(err, home.ErrUnknownKind) {
		t.Errorf("unknown kind: %v", err)
	}
}

// Presence at home never reaches an advertising (or marketing) destination
// through the real consent Router, even with every consent granted, while
// an analytics destination with location consent gets it. An advertising
// destination cannot even be configured to take it.
func TestPresenceNeverReachesAdvertising(t *testing.T) {
	ctx := context.Background()
	ledger, err := consent.NewLedger()
	if err != nil {
		t.Fatal(err)
	}
	p := pseudonymizer(t)
	subject := home.HouseholdPseudonym(p, household)
	for _, pu := range []consent.Purpose{consent.PurposeAnalytics, consent.PurposeAdvertising, consent.PurposeMarketing, consent.PurposeLocation} {
		if _, err := ledger.Record(ctx, consent.Fact{Subject: subject, Purpose: pu, Granted: true, Effective: recv.Add(-24 * time.Hour), Source: consent.SourceAppSetting}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := consent.NewRouter(ledger, testKey, []consent.Destination{{Name: "ads", Purpose: consent.PurposeAdvertising,
		Categories: []connected.Category{connected.CategoryPresence}, Handler: connected.HandlerFunc(func(context.Context, *connected.Record) error { return nil })}}); !errors.Is(err, consent.ErrSensitiveToAdTech) {
		t.Fatalf("advertising destination taking presence: %v", err)
	}
	var ads, crm, analytics []string
	sink := func(dst *[]string) connected.Handler {
		return connected.HandlerFunc(func(_ context.Context, r *connected.Record) error { *dst = append(*dst, r.ID); return nil })
	}
	everythingAllowed := []connected.Category{connected.CategoryBehavioral, connected.CategoryDevice, connected.CategoryLocation}
	router, err := consent.NewRouter(ledger, testKey, []consent.Destination{
		{Name: "ads", Purpose: consent.PurposeAdvertising, Categories: everythingAllowed, OnRefusal: consent.Strip, Handler: sink(&ads)},
		{Name: "crm", Purpose: consent.PurposeMarketing, Categories: everythingAllowed, Handler: sink(&crm)},
		{Name: "analytics", Purpose: consent.PurposeAnalytics, Categories: append(everythingAllowed, connected.CategoryPresence), Handler: sink(&analytics)},
	})
	if err != nil {
		t.Fatal(err)
	}
	client, err := connected.New(router, connected.WithClock(func() time.Time { return recv }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = client.Shutdown(ctx)
	})
	presence := 0
	for _, e := range timeline(t) {
		if e.Category == connected.CategoryPresence {
			presence++
		}
		if err := client.Track(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if err := client.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if presence < 3 {
		t.Fatalf("only %d presence events in the timeline", presence)
	}
	st := router.Stats()
	if st[0].Dropped[consent.ReasonSensitiveToAdTech] != uint64(presence) || st[0].Stripped != 0 {
		t.Errorf("ads: %+v, want %d presence records dropped", st[0], presence)
	}
	if st[1].Dropped[consent.ReasonSensitiveToAdTech] != uint64(presence) {
		t.Errorf("crm: %+v", st[1])
	}
	if len(analytics) != len(timeline(t)) || len(ads) != len(analytics)-presence {
		t.Errorf("analytics got %d, ads %d, presence %d", len(analytics), len(ads), presence)
	}
}
