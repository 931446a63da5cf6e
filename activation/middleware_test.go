package activation_test

import (
	"context"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/activation"
	"github.com/touchpoint-sdk/touchpoint/activation/defs"
	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/connectedtest"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
	"github.com/touchpoint-sdk/touchpoint/identity"
)

const wishDefs = `{"version": 1,
 "audiences": [{"key": "shoe_visitor", "where": {"event": {"event": "Zone Entered", "where": [{"path": "context.location.zone", "op": "eq", "value": "shoes"}], "within": "1d"}}}],
 "journeys": [{"key": "wish_reminder", "trigger": {"event": "Zone Entered"},
   "related": {"event": "Product Added to Wishlist", "within": "30d", "match": [{"path": "properties.department", "trigger": "context.location.zone"}]},
   "action": {"emit": "Offer Triggered", "destination": "marketing", "properties": {"product_id": "$related.properties.product_id"}},
   "reentry": {"mode": "once", "key": "related"}}]}`

type pipe struct {
	t       *testing.T
	now     time.Time
	client  *connected.Client
	graph   *identity.Graph
	ledger  *consent.Ledger
	rec     *connectedtest.Recorder
	outputs []activation.Output
	mw      *activation.Middleware
}

func newPipe(t *testing.T, gopts ...identity.Option) *pipe {
	p := &pipe{t: t, now: time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC), rec: &connectedtest.Recorder{}}
	var err error
	if p.graph, err = identity.New([]byte("activation-test-graph-key"), gopts...); err != nil {
		t.Fatal(err)
	}
	if p.ledger, err = consent.NewLedger(); err != nil {
		t.Fatal(err)
	}
	set, err := defs.Decode([]byte(wishDefs))
	if err != nil {
		t.Fatal(err)
	}
	e, err := activation.New(set)
	if err != nil {
		t.Fatal(err)
	}
	p.mw, err = activation.NewMiddleware(e, p.ledger, activation.WithGraph(p.graph),
		activation.WithDecisionHandler(func(o activation.Output) { p.outputs = append(p.outputs, o) }))
	if err != nil {
		t.Fatal(err)
	}
	stitch, err := identity.NewMiddleware(p.graph, identity.WithoutLinkFacts())
	if err != nil {
		t.Fatal(err)
	}
	if p.client, err = connected.New(p.rec, connected.WithClock(func() time.Time { return p.now }),
		connected.WithMiddleware(stitch.Middleware(), p.mw.Middleware())); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.mw.Close(); p.client.Shutdown(context.Background()); p.graph.Shutdown(context.Background()) })
	return p
}

func (p *pipe) at(d time.Duration) { p.now = time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC).Add(d) }

func (p *pipe) track(e connected.Event) {
	p.t.Helper()
	e.OriginalTimestamp = p.now
	if err := p.client.Track(context.Background(), e); err != nil {
		p.t.Fatal(err)
	}
}

func (p *pipe) grant(id identity.Identifier, granted bool, purposes ...consent.Purpose) {
	p.t.Helper()
	res, err := p.graph.Resolve(context.Background(), []identity.Identifier{id}, p.now)
	if err != nil {
		p.t.Fatal(err)
	}
	for _, pur := range purposes {
		if _, err := p.ledger.Record(context.Background(), consent.Fact{Subject: res.ProfileID, Purpose: pur, Granted: granted,
			Effective: p.now, Source: consent.SourceAppSetting}); err != nil {
			p.t.Fatal(err)
		}
	}
}

func (p *pipe) count(name string) int {
	n := 0
	for _, e := range p.rec.Events() {
		if e.Event == name {
			n++
		}
	}
	return n
}

func (p *pipe) last() activation.Output { return p.outputs[len(p.outputs)-1] }

func wish(anon, user, product string) connected.Event {
	return connected.Event{AnonymousID: anon, UserID: user, Event: connected.EventProductAddedToWishlist,
		Properties: connected.Properties{"product_id": product, "department": "shoes"}}
}

func zone(user string) connected.Event {
	return connected.Event{UserID: user, Event: connected.EventZoneEntered, Category: connected.CategoryLocation,
		Context: connected.Context{Location: connected.Location{Zone: "shoes"}}}
}

// TestStorefrontLeakGone re-creates the storefront's leak: a wish made
// before the shopper consented drove the marketing offer. Now it is
// refused with its reason, and a wish made after consent fires.
func TestStorefrontLeakGone(t *testing.T) {
	p := newPipe(t)
	p.track(wish("web-7f3a", "", "boot-1207")) // anonymous, no consent
	p.at(5 * time.Minute)
	if err := p.client.Identify(context.Background(), connected.Event{UserID: "ana", AnonymousID: "web-7f3a", OriginalTimestamp: p.now}); err != nil {
		t.Fatal(err)
	}
	ana := identity.Identifier{Type: identity.TypeUserID, Value: "ana"}
	p.grant(ana, true, consent.PurposeMarketing, consent.PurposeLocation)
	p.at(2 * time.Hour)
	p.track(zone("ana"))
	if n := p.count("Offer Triggered"); n != 0 {
		t.Fatalf("the pre-consent wish triggered %d offers", n)
	}
	if o := p.last(); o.Kind != activation.ActionRefused || o.Reason != activation.ReasonRelatedConsent {
		t.Fatalf("last decision %+v", o)
	}
	// A wish after consent does fire, and reaches the pipeline as an event.
	p.at(3 * time.Hour)
	p.track(wish("", "ana", "boot-2000"))
	p.at(4 * time.Hour)
	p.track(zone("ana"))
	if n := p.count("Offer Triggered"); n != 1 {
		t.Fatalf("offers %d, want 1", n)
	}
	// Membership went out as a track and an identify with the trait.
	var entered, trait bool
	for _, e := range p.rec.Events() {
		entered = entered || e.Event == activation.EventAudienceEntered && e.Properties["audience_key"] == "shoe_visitor"
		trait = trait || e.Type == connected.TypeIdentify && e.Traits["shoe_visitor"] == true
	}
	if !entered || !trait {
		t.Errorf("membership events: entered %v identify %v", entered, trait)
	}
	// Revoking marketing in the ledger exits the audience through the pipeline.
	p.at(5 * time.Hour)
	p.grant(ana, false, consent.PurposeMarketing)
	if p.count(activation.EventAudienceExited) != 1 || p.last().Reason != activation.ReasonRevoked {
		t.Errorf("revocation: %d exits, last %+v", p.count(activation.EventAudienceExited), p.last())
	}
}

// TestNoLinkingConsentNoCrossActivation: without linking consent identity
// keeps the anonymous visitor apart, and so does activation: the visitor's
// consented wish never activates the signed-in profile.
func TestNoLinkingConsentNoCrossActivation(t *testing.T) {
	p := newPipe(t, identity.WithConsentMode(identity.ConsentOptIn))
	web := identity.Identifier{Type: identity.TypeAnonymousID, Value: "web-9"}
	p.track(connected.Event{AnonymousID: "web-9", Event: "Page Viewed"})
	p.grant(web, true, consent.PurposeMarketing)
	p.at(time.Minute)
	p.track(wish("web-9", "", "boot-9"))
	p.at(5 * time.Minute)
	// the same browser signs in, without a linking consent: the event carries both ids
	p.track(connected.Event{AnonymousID: "web-9", UserID: "ben", Event: "Signed In"})
	ben := identity.Identifier{Type: identity.TypeUserID, Value: "ben"}
	p.grant(ben, true, consent.PurposeMarketing, consent.PurposeLocation)
	p.at(time.Hour)
	p.track(zone("ben"))
	if n := p.count("Offer Triggered"); n != 0 {
		t.Fatalf("an unlinked identifier's wish activated another profile (%d offers)", n)
	}
	if o := p.last(); o.Reason != activation.ReasonNoRelated {
		t.Errorf("last decision %+v", o)
	}
}
