package consent_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/connectedtest"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
	"github.com/touchpoint-sdk/touchpoint/identity"
)

// byName counts a sink's records by event name.
func (s *sink) byName() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := map[string]int{}
	for _, r := range s.got {
		if r.Event != nil {
			n[r.Event.Event]++
		}
	}
	return n
}

// Identity-link facts go only where they are routed: behind identity
// middleware (whose facts go to the next handler, the router), a default
// destination receives the events and no fact — and refuses none — while a
// destination with LinkFacts is offered the facts, under its consent rules.
func TestLinkFactsOnlyToOptedInDestinations(t *testing.T) {
	ctx := context.Background()
	l := newLedger(t)
	grant(t, l, "user-1", consent.PurposeAnalytics, at(0))
	collector, graphSync := &sink{}, &sink{}
	rt, err := consent.NewRouter(l, auditKey, []consent.Destination{
		{Name: "collector", Purpose: consent.PurposeAnalytics, Categories: []connected.Category{C, I}, Handler: collector},
		{Name: "graph-sync", Purpose: consent.PurposeLinking, Categories: []connected.Category{I}, LinkFacts: true, Handler: graphSync},
	})
	noErr(t, err)
	shutdown(t, rt)
	g, err := identity.New([]byte("identity-key-0123456789"))
	noErr(t, err)
	t.Cleanup(func() { _ = g.Shutdown(context.Background()) })
	ids, err := identity.NewMiddleware(g)
	noErr(t, err)
	c, err := connected.New(rt, connected.WithMiddleware(ids.Middleware()), connected.WithClock(connectedtest.Clock(at(1), time.Second)))
	noErr(t, err)
	t.Cleanup(func() { _ = c.Shutdown(context.Background()) })

	noErr(t, c.Track(ctx, connected.Event{UserID: "user-1", AnonymousID: "anon-1", Event: "Product Viewed"}))
	// The facts' subject is the profile: graph-sync refused the first one
	// (no linking consent yet) and receives the next.
	prof, err := g.Profile(identity.Identifier{Type: identity.TypeUserID, Value: "user-1"})
	noErr(t, err)
	grant(t, l, prof.ID, consent.PurposeLinking, at(0))
	noErr(t, c.Track(ctx, connected.Event{UserID: "user-1", AnonymousID: "anon-2", Event: "Product Viewed"}))

	if got := collector.byName(); got["Product Viewed"] != 2 || got[connected.EventIdentityLinked] != 0 {
		t.Errorf("collector got %v, want the 2 events and no link fact", got)
	}
	facts := ids.Stats().Facts
	if facts == 0 {
		t.Fatal("the identity middleware emitted no link fact: nothing was tested")
	}
	if facts != 2 {
		t.Fatalf("%d link facts emitted, want 2 (one per new anonymous id)", facts)
	}
	if got := graphSync.byName(); got[connected.EventIdentityLinked] != 1 || len(got) != 1 {
		t.Errorf("graph-sync got %v, want the consented link fact only", got)
	}
	st := rt.Stats()
	if st[0].LinkFactsSkipped != uint64(facts) || len(st[0].Refusals) != 0 || len(st[0].Dropped) != 0 {
		t.Errorf("collector stats %+v: want %d link facts skipped, no refusal, no drop", st[0], facts)
	}
	if st[1].LinkFactsSkipped != 0 || st[1].Delivered != 1 || st[1].Dropped[consent.ReasonNoConsent] != 1 {
		t.Errorf("graph-sync stats %+v: want 1 delivered, 1 dropped for no consent", st[1])
	}
}

// A Gate (one destination) applies the same rule.
func TestGateLinkFacts(t *testing.T) {
	ctx := context.Background()
	l := newLedger(t)
	grant(t, l, "p-1", consent.PurposeAnalytics, at(0))
	fact, err := identity.EncodeLinkFact(identity.LinkFact{EventID: "e-1", ProfileID: "p-1", Time: at(1)}, "", nil)
	noErr(t, err)
	for _, opted := range []bool{false, true} {
		g, err := consent.NewGate(l, auditKey, consent.Destination{Name: "d", Purpose: consent.PurposeAnalytics, Categories: []connected.Category{I}, LinkFacts: opted})
		noErr(t, err)
		next := &sink{}
		noErr(t, g.Middleware()(next).Handle(ctx, fact))
		if got := len(next.ids()); got != map[bool]int{false: 0, true: 1}[opted] {
			t.Errorf("LinkFacts %v: the destination got %d facts", opted, got)
		}
		if st := g.Stats(); st.LinkFactsSkipped != map[bool]uint64{false: 1, true: 0}[opted] || len(st.Refusals) != 0 {
			t.Errorf("LinkFacts %v: stats %+v", opted, st)
		}
		noErr(t, g.Shutdown(ctx))
	}
}

func TestLinkFactsConfig(t *testing.T) {
	l := newLedger(t)
	for _, d := range []consent.Destination{
		{Name: "ads", Purpose: consent.PurposeMarketing, Categories: []connected.Category{I}, LinkFacts: true, Handler: &sink{}},
		{Name: "no-identity", Purpose: consent.PurposeLinking, Categories: []connected.Category{C}, LinkFacts: true, Handler: &sink{}},
	} {
		_, err := consent.NewRouter(l, auditKey, []consent.Destination{d})
		var ce *consent.ConfigError
		if !errors.As(err, &ce) || ce.Field != "LinkFacts" {
			t.Errorf("%s: error %v, want a ConfigError on LinkFacts", d.Name, err)
		}
	}
}
