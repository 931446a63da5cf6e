package identity_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/identity"
)

// recorder is a concurrency-safe sink.
type recorder struct {
	mu   sync.Mutex
	recs []*connected.Record
	fail error
}

func (r *recorder) Handle(_ context.Context, rec *connected.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return r.fail
	}
	r.recs = append(r.recs, rec)
	return nil
}

func (r *recorder) byName(name string) []*connected.Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []*connected.Record
	for _, rec := range r.recs {
		if name == "" || rec.Event != nil && rec.Event.Event == name {
			out = append(out, rec)
		}
	}
	return out
}

func newPipeline(t *testing.T, g *identity.Graph, sink connected.Handler, opts ...identity.MiddlewareOption) (*connected.Client, *identity.Middleware) {
	t.Helper()
	mw, err := identity.NewMiddleware(g, opts...)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	n := 0
	c, err := connected.New(sink, connected.WithMiddleware(mw.Middleware()), connected.WithPartitionKeySecret([]byte("pk-secret")),
		connected.WithClock(func() time.Time { return time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC) }),
		connected.WithIDGenerator(func() string { mu.Lock(); defer mu.Unlock(); n++; return fmt.Sprintf("ev-%04d", n) }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Shutdown(context.Background()) })
	return c, mw
}

func TestMiddlewareStitches(t *testing.T) {
	g, _ := identity.New(scenarioSecret, identity.WithDefaultRegion("US"))
	defer g.Close()
	sink := &recorder{}
	c, mw := newPipeline(t, g, sink, identity.WithPartitionKeySecret([]byte("pk-secret")), identity.WithSource("store-12"))
	ctx := context.Background()
	t0 := time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(c.Page(ctx, connected.Event{AnonymousID: "web-1", Name: "Home", OriginalTimestamp: t0}))
	must(c.Identify(ctx, connected.Event{AnonymousID: "web-1", UserID: "alice-42", OriginalTimestamp: t0.Add(time.Minute),
		Traits: connected.Traits{"email": "Alice@Mail.example", "phone": "(650) 555-0177"}}))
	must(c.Track(ctx, connected.Event{UserID: "alice-42", Event: connected.EventDeviceConnected, OriginalTimestamp: t0.Add(time.Hour),
		Context: connected.Context{Device: connected.Device{ID: "C8:4F:0E:12:34:56", Type: "wearable"}}}))
	must(c.Track(ctx, connected.Event{AnonymousID: "pos-anon", Event: connected.EventOrderCompleted, OriginalTimestamp: t0.Add(2 * time.Hour),
		Context: connected.Context{ExternalIDs: []connected.ExternalID{{ID: "SHOE-77", Type: "loyalty_id", Collection: "users", Encoding: "none"},
			{ID: "650.555.0177", Type: "phone"}, {ID: "0a1b", Type: "email", Encoding: "sha256"}},
			Extra: map[string]any{"traits": map[string]any{"email": "alice@mail.example"}}}}))
	must(c.Track(ctx, connected.Event{AnonymousID: "shopper-9", Event: connected.EventZoneEntered, OriginalTimestamp: t0.Add(3 * time.Hour),
		Context: connected.Context{Device: connected.Device{ID: "b-shoes", Type: "beacon"}}}))

	events := sink.byName("")
	for _, r := range events {
		if r.Event.Event == identity.EventIdentityLinked {
			continue
		}
		if r.ProfileID == "" || r.PartitionKey != connected.PartitionKey([]byte("pk-secret"), r.ProfileID) {
			t.Errorf("%s %s: profile %q, partition key %q", r.Type, r.Event.Event, r.ProfileID, r.PartitionKey)
		}
	}
	alice, err := g.Profile(identity.Identifier{Type: identity.TypeUserID, Value: "alice-42"})
	if err != nil {
		t.Fatal(err)
	}
	// web-1, alice-42, email, phone, wearable, loyalty, pos-anon
	if len(alice.Members) != 7 {
		t.Errorf("alice has %d identifiers, want 7", len(alice.Members))
	}
	for _, want := range []identity.Identifier{{Type: identity.TypeAnonymousID, Value: "pos-anon"}, {Type: identity.TypeWearableSerial, Value: "c84f0e123456"},
		{Type: identity.TypeLoyaltyID, Value: "shoe77"}, {Type: identity.TypePhone, Value: "6505550177"}} {
		ex, err := g.Explain(identity.Identifier{Type: identity.TypeUserID, Value: "alice-42"}, want)
		if err != nil || !ex.Linked {
			t.Errorf("%v not linked to alice: %v %+v", want, err, ex)
		}
	}
	stranger, _ := g.Resolve(ctx, []identity.Identifier{{Type: identity.TypeAnonymousID, Value: "shopper-9"}}, t0)
	if stranger.ProfileID == alice.ID {
		t.Error("the stranger at the beacon joined alice")
	}
	facts := sink.byName(identity.EventIdentityLinked)
	if len(facts) != 4 { // identify, wearable, POS, beacon
		t.Errorf("%d link facts, want 4", len(facts))
	}
	for _, f := range facts {
		if f.Category != connected.CategoryIdentity {
			t.Errorf("fact category %q", f.Category)
		}
		for _, v := range []string{"alice-42", "lice@mail", "650", "SHOE", "web-1", "pos-anon", "C8:4F"} {
			if bytes.Contains(f.Payload, []byte(v)) {
				t.Errorf("link fact payload holds %q: %s", v, f.Payload)
			}
		}
		lf, err := identity.DecodeLinkFact(f.Payload)
		if err != nil || lf.ProfileID != f.ProfileID || len(lf.IDs) < 2 && len(lf.Blocked) == 0 && len(lf.IDs) < 1 {
			t.Errorf("fact does not decode: %v %+v", err, lf)
		}
	}
	st := mw.Stats()
	if st.Events != 5 || st.Facts != 4 || st.Linked != 4 || st.FactErrors != 0 {
		t.Errorf("stats %+v", st)
	}
	// a replayed event (same message id and identifiers) emits no new fact
	must(c.Identify(ctx, connected.Event{MessageID: events[1].ID, AnonymousID: "web-1", UserID: "alice-42", OriginalTimestamp: t0.Add(time.Minute),
		Traits: connected.Traits{"email": "Alice@Mail.example", "phone": "(650) 555-0177"}}))
	if n := len(sink.byName(identity.EventIdentityLinked)); n != 4 {
		t.Errorf("replay emitted a fact: %d facts", n)
	}
}

func TestMiddlewareFactRouting(t *testing.T) {
	g, _ := identity.New(scenarioSecret)
	defer g.Close()
	events, facts := &recorder{}, &recorder{}
	c, _ := newPipeline(t, g, events, identity.WithLinkFactHandler(facts))
	ctx := context.Background()
	c.Identify(ctx, connected.Event{AnonymousID: "a-1", UserID: "u-1"})
	if len(events.byName("")) != 1 || len(facts.byName(identity.EventIdentityLinked)) != 1 {
		t.Fatalf("events %d, facts %d", len(events.byName("")), len(facts.byName("")))
	}

	// no facts at all
	g2, _ := identity.New(scenarioSecret)
	defer g2.Close()
	sink := &recorder{}
	c2, _ := newPipeline(t, g2, sink, identity.WithoutLinkFacts())
	c2.Identify(ctx, connected.Event{AnonymousID: "a-1", UserID: "u-1"})
	if n := len(sink.byName(identity.EventIdentityLinked)); n != 0 {
		t.Errorf("WithoutLinkFacts emitted %d facts", n)
	}

	// a failing fact handler: the event is delivered, the error says so
	boom := errors.New("queue full")
	g3, _ := identity.New(scenarioSecret)
	defer g3.Close()
	ev3, f3 := &recorder{}, &recorder{fail: boom}
	c3, mw3 := newPipeline(t, g3, ev3, identity.WithLinkFactHandler(f3))
	err := c3.Identify(ctx, connected.Event{AnonymousID: "a-1", UserID: "u-1"})
	var lfe *identity.LinkFactError
	if !errors.As(err, &lfe) || !errors.Is(err, boom) || len(ev3.byName("")) != 1 || mw3.Stats().FactErrors != 1 {
		t.Errorf("err = %v, events %d, stats %+v", err, len(ev3.byName("")), mw3.Stats())
	}

	// a failing next handler: its error, and no fact
	g4, _ := identity.New(scenarioSecret)
	defer g4.Close()
	ev4 := &recorder{fail: boom}
	f4 := &recorder{}
	c4, _ := newPipeline(t, g4, ev4, identity.WithLinkFactHandler(f4))
	if err := c4.Identify(ctx, connected.Event{AnonymousID: "a-1", UserID: "u-1"}); !errors.Is(err, boom) {
		t.Errorf("err = %v", err)
	}
	if len(f4.byName("")) != 0 {
		t.Error("a fact was emitted for an event that was not accepted")
	}
}

func TestMiddlewareSuppressesErased(t *testing.T) {
	g, _ := identity.New(scenarioSecret)
	defer g.Close()
	sink := &recorder{}
	c, mw := newPipeline(t, g, sink)
	ctx := context.Background()
	c.Identify(ctx, connected.Event{AnonymousID: "a-1", UserID: "u-1"})
	if _, err := g.Erase(ctx, identity.Identifier{Type: identity.TypeUserID, Value: "u-1"}, time.Date(2025, 6, 2, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	before := len(sink.byName(""))
	err := c.Track(ctx, connected.Event{UserID: "u-1", Event: "Product Viewed"})
	if !errors.Is(err, identity.ErrSuppressed) {
		t.Fatalf("err = %v, want ErrSuppressed", err)
	}
	if len(sink.byName("")) != before || mw.Stats().Suppressed != 1 {
		t.Errorf("suppressed event was passed on, or not counted: %+v", mw.Stats())
	}
}

func TestMiddlewareConsentCategory(t *testing.T) {
	g, _ := identity.New(scenarioSecret, identity.WithConsentMode(identity.ConsentOptIn))
	defer g.Close()
	sink := &recorder{}
	c, _ := newPipeline(t, g, sink, identity.WithLinkingConsentCategory("personalization"))
	ctx := context.Background()
	anon, user := identity.Identifier{Type: identity.TypeAnonymousID, Value: "a-1"}, identity.Identifier{Type: identity.TypeUserID, Value: "u-1"}
	linked := func() bool { ex, _ := g.Explain(anon, user); return ex.Linked }
	t0 := time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)
	c.Identify(ctx, connected.Event{AnonymousID: "a-1", UserID: "u-1", OriginalTimestamp: t0})
	if linked() {
		t.Fatal("linked without consent in opt-in mode")
	}
	consent := func(granted bool, at time.Time) {
		err := c.Track(ctx, connected.Event{AnonymousID: "a-1", UserID: "u-1", Event: connected.EventConsentUpdated, OriginalTimestamp: at,
			Context: connected.Context{Consent: connected.Consent{CategoryPreferences: map[string]bool{"personalization": granted, "ads": false}}}})
		if err != nil {
			t.Fatal(err)
		}
	}
	consent(true, t0.Add(time.Hour))
	if !linked() {
		t.Fatal("not linked after the consent event")
	}
	consent(false, t0.Add(2*time.Hour))
	if linked() {
		t.Fatal("still linked after withdrawal")
	}
}

// TestMiddlewareConcurrent drives the pipeline from many goroutines (run
// with -race).
func TestMiddlewareConcurrent(t *testing.T) {
	g, _ := identity.New(scenarioSecret)
	defer g.Close()
	sink := &recorder{}
	c, mw := newPipeline(t, g, sink)
	ctx := context.Background()
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := range 50 {
				p := (w*50 + i) % 40
				err := c.Identify(ctx, connected.Event{AnonymousID: fmt.Sprintf("a-%d-%d", p, i%3), UserID: fmt.Sprintf("u-%d", p)})
				if err != nil {
					t.Error(err)
				}
				g.Resolve(ctx, []identity.Identifier{{Type: identity.TypeUserID, Value: fmt.Sprintf("u-%d", p)}}, time.Now())
			}
		})
	}
	wg.Wait()
	if got := len(g.Profiles()); got != 40 {
		t.Errorf("%d profiles, want 40", got)
	}
	if mw.Stats().Events != 400 {
		t.Errorf("stats %+v", mw.Stats())
	}
}

func TestMiddlewareConfig(t *testing.T) {
	if _, err := identity.NewMiddleware(nil); !errors.Is(err, identity.ErrInvalidConfig) {
		t.Errorf("nil graph: %v", err)
	}
	g, _ := identity.New(scenarioSecret)
	defer g.Close()
	if _, err := identity.NewMiddleware(g, identity.WithPreviousIDType("nope")); !errors.Is(err, identity.ErrInvalidConfig) {
		t.Errorf("unknown previous id type: %v", err)
	}
	if _, err := identity.NewMiddleware(g, nil); !errors.Is(err, identity.ErrInvalidConfig) {
		t.Errorf("nil option: %v", err)
	}
	// alias: previousId links with userId
	sink := &recorder{}
	c, _ := newPipeline(t, g, sink)
	if err := c.Alias(context.Background(), connected.Event{PreviousID: "old-anon", UserID: "u-9"}); err != nil {
		t.Fatal(err)
	}
	ex, _ := g.Explain(identity.Identifier{Type: identity.TypeAnonymousID, Value: "old-anon"}, identity.Identifier{Type: identity.TypeUserID, Value: "u-9"})
	if !ex.Linked {
		t.Errorf("alias did not link: %+v", ex)
	}
}

// TestLinkFactGolden pins the identity-link fact's wire format.
func TestLinkFactGolden(t *testing.T) {
	k1, _ := identity.ParseKey("00112233445566778899aabbccddeeff")
	k2, _ := identity.ParseKey("ffeeddccbbaa99887766554433221100")
	rec, err := identity.EncodeLinkFact(identity.LinkFact{
		EventID: "0197a3c4-0000-7000-8000-000000000001", Time: time.Date(2025, 6, 1, 9, 30, 0, 250e6, time.UTC),
		IDs:       []identity.Ref{{Type: identity.TypeUserID, Key: k1}, {Type: identity.TypeEmail, Key: k2}},
		Blocked:   []identity.Ref{{Type: identity.TypeUserID, Key: k2}},
		ProfileID: "p_0123456789abcdef0123456789abcdef",
	}, "store-12", []byte("pk"))
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "link_fact.json", append(rec.Payload, '\n'))
	if rec.PartitionKey != connected.PartitionKey([]byte("pk"), rec.ProfileID) || rec.Time != time.Date(2025, 6, 1, 9, 30, 0, 250e6, time.UTC) {
		t.Errorf("record fields: %+v", rec)
	}
	lf, err := identity.DecodeLinkFact(rec.Payload)
	if err != nil || len(lf.IDs) != 2 || lf.IDs[1].Key != k2 || len(lf.Blocked) != 1 || lf.EventID != "0197a3c4-0000-7000-8000-000000000001" {
		t.Errorf("decode: %+v %v", lf, err)
	}
	bad := map[string]string{
		"not json":      `{"type":`,
		"wrong event":   `{"type":"track","event":"Order Completed","properties":{}}`,
		"no properties": `{"type":"track","event":"Identity Linked"}`,
		"version 2":     `{"type":"track","event":"Identity Linked","properties":{"keyVersion":2}}`,
		"bad key":       `{"type":"track","event":"Identity Linked","properties":{"keyVersion":1,"eventId":"e","time":"2025-01-01T00:00:00Z","identifiers":[{"type":"email","key":"xyz"}]}}`,
		"bad type":      `{"type":"track","event":"Identity Linked","properties":{"keyVersion":1,"eventId":"e","time":"2025-01-01T00:00:00Z","identifiers":[{"type":"E Mail","key":"00112233445566778899aabbccddeeff"}]}}`,
		"no ids":        `{"type":"track","event":"Identity Linked","properties":{"keyVersion":1,"eventId":"e","time":"2025-01-01T00:00:00Z"}}`,
		"bad time":      `{"type":"track","event":"Identity Linked","properties":{"keyVersion":1,"eventId":"e","time":"yesterday","identifiers":[{"type":"email","key":"00112233445566778899aabbccddeeff"}]}}`,
		"trailing":      `{"type":"track","event":"Identity Linked"} {}`,
	}
	for name, in := range bad {
		if _, err := identity.DecodeLinkFact([]byte(in)); !errors.Is(err, identity.ErrCorrupt) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

// TestMiddlewarePassThrough: a record rebuilt from bytes (zero Event) keeps
// its profile and partition key.
func TestMiddlewarePassThrough(t *testing.T) {
	g, _ := identity.New(scenarioSecret)
	defer g.Close()
	mw, _ := identity.NewMiddleware(g)
	sink := &recorder{}
	rec := &connected.Record{ID: "m-1", Payload: []byte(`{}`), ProfileID: "p_kept", PartitionKey: "pk-kept"}
	if err := mw.Middleware()(sink).Handle(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
	got := sink.byName("")
	if len(got) != 1 || got[0] != rec || mw.Stats().Unchanged != 1 {
		t.Errorf("record changed or not passed: %+v %+v", got, mw.Stats())
	}
}
