package identity_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/identity"
)

// TestFamilyTabletThreeProfiles: three people on one family tablet. The
// tablet's device id is seen with two user ids and is quarantined; later
// each person browses logged out, with the tablet's device id (priority 11)
// and their own browser's anonymous id (priority 13). The quarantined
// tablet identifies nobody, so it must not win: the events go to three
// profiles with three partition keys, each the person's own. (Before, all
// three went to the tablet's profile and shared one partition.)
func TestFamilyTabletThreeProfiles(t *testing.T) {
	g := newGraph(t, identity.WithDefaultRegion("US"))
	sink := &recorder{}
	c, _ := newPipeline(t, g, sink, identity.WithPartitionKeySecret([]byte("pk-secret")), identity.WithoutLinkFacts())
	ctx := context.Background()
	t0 := time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)
	tablet := connected.Context{Device: connected.Device{ID: "tablet-fam", Type: "tablet"}}
	people := []struct{ user, anon string }{{"mom", "anon-mom"}, {"dad", "anon-dad"}, {"teen", "anon-teen"}}
	for i, p := range people { // each logs in once on the tablet
		if err := c.Identify(ctx, connected.Event{UserID: p.user, AnonymousID: p.anon, OriginalTimestamp: t0.Add(time.Duration(i) * time.Hour), Context: tablet}); err != nil {
			t.Fatal(err)
		}
	}
	if st := g.Stats(); st.Quarantined != 1 {
		t.Fatalf("quarantined = %d, want the tablet", st.Quarantined)
	}
	for i, p := range people { // and browses logged out
		if err := c.Track(ctx, connected.Event{AnonymousID: p.anon, Event: "Product Viewed", OriginalTimestamp: t0.Add(24*time.Hour + time.Duration(i)*time.Hour), Context: tablet}); err != nil {
			t.Fatal(err)
		}
	}
	recs := sink.byName("")
	if len(recs) != 6 {
		t.Fatalf("%d records", len(recs))
	}
	keys := map[string]bool{}
	for i, p := range people {
		login, browse := recs[i], recs[3+i]
		if browse.ProfileID != login.ProfileID || browse.PartitionKey != login.PartitionKey {
			t.Errorf("%s's logged-out event went to %s, not their profile %s", p.user, browse.ProfileID, login.ProfileID)
		}
		keys[browse.PartitionKey] = true
	}
	if len(keys) != 3 {
		t.Fatalf("three people on one tablet share %d partition keys, want 3", len(keys))
	}
	tabletOnly, err := g.Resolve(ctx, []identity.Identifier{{Type: identity.TypeDeviceID, Value: "tablet-fam"}}, t0.Add(48*time.Hour))
	if err != nil || tabletOnly.ProfileID == "" || keys[connected.PartitionKey([]byte("pk-secret"), tabletOnly.ProfileID)] {
		t.Fatalf("an event with only the tablet resolves to %q (%v): its own profile, nobody's", tabletOnly.ProfileID, err)
	}
}

// TestSharedDeviceNeverWinsAttribution: a declared shared-device type with
// a strong priority (a store kiosk) links nothing and must not take the
// events of the shoppers who use it.
func TestSharedDeviceNeverWinsAttribution(t *testing.T) {
	g := newGraph(t, identity.WithRule(identity.TypeRule{Type: "kiosk_id", Scope: identity.ScopeSharedDevice, Priority: 5}))
	kiosk := identity.Identifier{Type: "kiosk_id", Value: "kiosk-7"}
	day := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	seen := map[string]string{}
	for i, shopper := range []string{"sess-a", "sess-b", "sess-c"} {
		res := mustLink(t, g, fmt.Sprint("k", i), day.Add(time.Duration(i)*time.Minute), kiosk, anon(shopper))
		alone, err := g.Resolve(context.Background(), []identity.Identifier{anon(shopper)}, day)
		if err != nil {
			t.Fatal(err)
		}
		if res.ProfileID != alone.ProfileID {
			t.Errorf("%s at the kiosk resolved to %s, not the shopper's %s", shopper, res.ProfileID, alone.ProfileID)
		}
		seen[res.ProfileID] = shopper
	}
	if len(seen) != 3 {
		t.Fatalf("three shoppers, %d profiles", len(seen))
	}
	only, _ := g.Resolve(context.Background(), []identity.Identifier{kiosk}, day)
	if only.ProfileID == "" || seen[only.ProfileID] != "" {
		t.Fatalf("kiosk alone: %q", only.ProfileID)
	}
}

// TestLimitRefusedNotASecondPerson: a customer of five years adds a sixth
// email, and a fourth phone while still using the other three. Both are
// refused by the limit (limit_conflict, as documented) and the customer
// stays one unquarantined profile. (Before, ceil(6/5) and ceil(4/3) counted
// the customer as two people: their user id was quarantined and the profile
// split.)
func TestLimitRefusedNotASecondPerson(t *testing.T) {
	for _, c := range []struct {
		name  string
		typ   identity.Type
		vals  []string
		extra string
	}{
		{"sixth email", identity.TypeEmail, []string{"c1@mail.example", "c2@mail.example", "c3@mail.example", "c4@mail.example", "c5@mail.example"}, "c6@mail.example"},
		{"fourth phone", identity.TypePhone, []string{"+1 650 555 0111", "+1 650 555 0122", "+1 650 555 0133"}, "+1 650 555 0144"},
	} {
		t.Run(c.name, func(t *testing.T) {
			g := newGraph(t, identity.WithDefaultRegion("US"))
			user := identity.Identifier{Type: identity.TypeUserID, Value: "cust-9"}
			phoneApp := identity.Identifier{Type: identity.TypeDeviceID, Value: "phone-cust-9"}
			start := time.Date(2020, 1, 1, 9, 0, 0, 0, time.UTC)
			ev := 0
			link := func(when time.Time, ids ...identity.Identifier) {
				ev++
				mustLink(t, g, fmt.Sprint("e", ev), when, ids...)
			}
			for i, v := range c.vals { // acquired over the years...
				link(start.AddDate(i, 0, 0), user, phoneApp, identity.Identifier{Type: c.typ, Value: v})
			}
			for m := range 12 { // ...and all still in use in the last year
				for _, v := range c.vals {
					link(start.AddDate(5, m, 0), user, identity.Identifier{Type: c.typ, Value: v})
				}
			}
			extra := identity.Identifier{Type: c.typ, Value: c.extra}
			link(start.AddDate(5, 11, 15), user, phoneApp, extra)
			if st := g.Stats(); st.Quarantined != 0 {
				t.Fatalf("%d identifiers quarantined: the customer was counted as two people", st.Quarantined)
			}
			p, err := g.Profile(user)
			if err != nil {
				t.Fatal(err)
			}
			if want := 2 + len(c.vals); len(p.Members) != want {
				t.Fatalf("customer profile has %d members, want %d (user, app, %d %s)", len(p.Members), want, len(c.vals), c.typ)
			}
			x, err := g.Explain(user, extra)
			if err != nil {
				t.Fatal(err)
			}
			if x.Linked || len(x.Reasons) == 0 || x.Reasons[0].Code != identity.ReasonLimitConflict {
				t.Fatalf("the extra %s: linked %v, reasons %v; want refused with limit_conflict", c.typ, x.Linked, x.Reasons)
			}
		})
	}
}

// TestFrontDeskStillCounted: the anchor rule does not weaken supernode
// detection where no person's unique id vouches for the values: a
// front-desk email typed in with four strangers' phones is quarantined.
func TestFrontDeskStillCounted(t *testing.T) {
	g := newGraph(t, identity.WithDefaultRegion("US"))
	desk := email("frontdesk@shoestore.example")
	day := time.Date(2025, 4, 1, 10, 0, 0, 0, time.UTC)
	for i := range 4 {
		mustLink(t, g, fmt.Sprint("d", i), day.Add(time.Duration(i)*time.Hour), desk, identity.Identifier{Type: identity.TypePhone, Value: fmt.Sprintf("+1 650 555 01%02d", i+1)})
	}
	if st := g.Stats(); st.Quarantined != 1 {
		t.Fatalf("quarantined = %d, want the front-desk email", st.Quarantined)
	}
}

// TestExplainCitesConsentEvent: in opt-in mode a link's path cites the
// consent record whose grant allowed it, and after a withdrawal the
// no_consent reason cites the withdrawal, as Consent.EventID promises.
func TestExplainCitesConsentEvent(t *testing.T) {
	g := newGraph(t, identity.WithConsentMode(identity.ConsentOptIn))
	ctx := context.Background()
	user := identity.Identifier{Type: identity.TypeUserID, Value: "carol-1"}
	a := anon("a-carol")
	day := time.Date(2025, 6, 10, 9, 0, 0, 0, time.UTC)
	for _, c := range []identity.Consent{{ID: a, Granted: true, At: day, EventID: "consent-grant-a"}, {ID: user, Granted: true, At: day.Add(time.Minute), EventID: "consent-grant-u"}} {
		if err := g.SetLinkConsent(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	mustLink(t, g, "e1", day.Add(time.Hour), a, user)
	x, err := g.Explain(a, user)
	if err != nil || !x.Linked || len(x.Path) != 1 {
		t.Fatalf("explain: %+v, %v", x, err)
	}
	if got := x.Path[0].ConsentEventID; got != "consent-grant-u" {
		t.Errorf("the link cites consent %q, want the grant in force for it (consent-grant-u, the later of the two)", got)
	}
	if err := g.SetLinkConsent(ctx, identity.Consent{ID: user, Granted: false, At: day.Add(48 * time.Hour), EventID: "consent-withdraw-u"}); err != nil {
		t.Fatal(err)
	}
	x, err = g.Explain(a, user)
	if err != nil || x.Linked || len(x.Reasons) != 1 {
		t.Fatalf("after withdrawal: %+v, %v", x, err)
	}
	r := x.Reasons[0]
	if r.Code != identity.ReasonNoConsent || r.ConsentEventID != "consent-withdraw-u" || r.EventIDs[0] != "e1" {
		t.Errorf("reason %v cites consent %q, want no_consent for e1 citing consent-withdraw-u", r, r.ConsentEventID)
	}
	// an event before a grant: the reason cites the grant that came too late
	b := anon("a-bob")
	bob := identity.Identifier{Type: identity.TypeUserID, Value: "bob-1"}
	mustLink(t, g, "e2", day, b, bob)
	if err := g.SetLinkConsent(ctx, identity.Consent{ID: bob, Granted: true, At: day.Add(time.Hour), EventID: "consent-late-bob"}); err != nil {
		t.Fatal(err)
	}
	x, _ = g.Explain(b, bob)
	if x.Linked || len(x.Reasons) != 1 || x.Reasons[0].ConsentEventID != "consent-late-bob" {
		t.Errorf("late grant: %+v", x.Reasons)
	}
}

// TestMatchKeysNeverHashPlaceholders: a blocked placeholder has no match
// key: hashing test@test.com or "undefined" would match every customer who
// typed it at the destination.
func TestMatchKeysNeverHashPlaceholders(t *testing.T) {
	n, err := identity.NewNormalizer(identity.WithDefaultRegion("US"), identity.WithBlockedValues("nobody@shoestore.example"))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []identity.Identifier{
		{Type: identity.TypeEmail, Value: "test@test.com"},
		{Type: identity.TypeEmail, Value: " Test@Example.com "},
		{Type: identity.TypeEmail, Value: "nobody@shoestore.example"},
		{Type: identity.TypeUserID, Value: "undefined"},
		{Type: identity.TypeUserID, Value: "0"},
		{Type: identity.TypePhone, Value: "+1 555 555 5555"},
	} {
		if !n.Blocked(id) {
			t.Fatalf("%v is not blocked: the test needs a placeholder", id)
		}
		for _, d := range []identity.Destination{identity.DestinationMeta, identity.DestinationGoogle} {
			mk, err := n.MatchKey(d, id)
			if id.Type == identity.TypeUserID && d == identity.DestinationGoogle {
				if !errors.Is(err, identity.ErrNoMatchKey) {
					t.Errorf("%s %v: %v", d, id, err)
				}
				continue
			}
			var ie *identity.IdentifierError
			if mk.Value != "" || !errors.Is(err, identity.ErrBlockedValue) || !errors.As(err, &ie) || ie.Type != id.Type {
				t.Errorf("MatchKey(%s, %v) = %+v, %v; want no key, ErrBlockedValue", d, id, mk, err)
			}
		}
		if keys, err := n.MatchKeys(id); len(keys) != 0 || !errors.Is(err, identity.ErrBlockedValue) {
			t.Errorf("MatchKeys(%v) = %v, %v", id, keys, err)
		}
	}
	if keys, err := n.MatchKeys(identity.Identifier{Type: identity.TypeEmail, Value: "real.person@mail.example"}); err != nil || len(keys) != 2 {
		t.Errorf("a real email: %v, %v", keys, err)
	}
}
