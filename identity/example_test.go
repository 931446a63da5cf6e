package identity_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/touchpoint-sdk/touchpoint/identity"
)

// at is a fixed clock for the examples.
func at(day, hour int) time.Time { return time.Date(2025, 5, day, hour, 0, 0, 0, time.UTC) }

func id(t identity.Type, v string) identity.Identifier { return identity.Identifier{Type: t, Value: v} }

// Web, app, store and wearable identifiers of one shopper become one
// profile; a store kiosk that several shoppers sign in on does not glue
// them together.
func Example() {
	g, err := identity.New([]byte("example-secret-0123456789"), identity.WithDefaultRegion("US"))
	if err != nil {
		panic(err)
	}
	defer g.Close()
	ctx := context.Background()
	link := func(ev string, when time.Time, ids ...identity.Identifier) {
		if _, err := g.Link(ctx, identity.Observation{EventID: ev, Time: when, IDs: ids}); err != nil {
			panic(err)
		}
	}
	// web sign-up, app login, in-store purchase, wearable pairing
	link("web-1", at(1, 9), id(identity.TypeAnonymousID, "w-3f1c"), id(identity.TypeEmail, "Alice@Mail.example"))
	link("app-1", at(2, 8), id(identity.TypeDeviceID, "ios-77"), id(identity.TypeUserID, "alice-42"), id(identity.TypeEmail, "alice@mail.example"))
	link("pos-1", at(3, 17), id(identity.TypeLoyaltyID, "SHOE 77"), id(identity.TypePhone, "(650) 555-0177"), id(identity.TypeUserID, "alice-42"))
	link("band-1", at(4, 7), id(identity.TypeWearableSerial, "C8:4F:0E:12:34:56"), id(identity.TypeDeviceID, "ios-77"))
	// a kiosk: three shoppers sign in with their loyalty cards
	link("kiosk-1", at(3, 10), id(identity.TypeDeviceID, "kiosk-7"), id(identity.TypeLoyaltyID, "SHOE 77"))
	link("kiosk-2", at(3, 11), id(identity.TypeDeviceID, "kiosk-7"), id(identity.TypeLoyaltyID, "SHOE 1001"))
	link("kiosk-3", at(3, 12), id(identity.TypeDeviceID, "kiosk-7"), id(identity.TypeLoyaltyID, "SHOE 2002"))

	alice, _ := g.Profile(id(identity.TypeUserID, "alice-42"))
	fmt.Println("alice's profile holds", len(alice.Members), "identifiers")
	for _, other := range []identity.Identifier{
		id(identity.TypeAnonymousID, "w-3f1c"),
		id(identity.TypeWearableSerial, "c8-4f-0e-12-34-56"),
		id(identity.TypePhone, "+1 650 555 0177"),
		id(identity.TypeLoyaltyID, "SHOE 1001"),
	} {
		ex, _ := g.Explain(id(identity.TypeUserID, "alice-42"), other)
		if ex.Linked {
			fmt.Printf("%s: linked in %d steps\n", other.Type, len(ex.Path))
		} else {
			fmt.Printf("%s %s: not linked: %s\n", other.Type, other.Value, ex.Reasons[0].Code)
		}
	}
	fmt.Println("profiles:", len(g.Profiles()), "quarantined:", g.Stats().Quarantined)
	// Output:
	// alice's profile holds 7 identifiers
	// anonymous_id: linked in 2 steps
	// wearable_serial: linked in 2 steps
	// phone: linked in 1 steps
	// loyalty_id SHOE 1001: not linked: quarantined_supernode
	// profiles: 4 quarantined: 1
}

func ExampleNew() {
	g, err := identity.New([]byte("example-secret-0123456789"),
		identity.WithDefaultRegion("GB"),
		identity.WithConsentMode(identity.ConsentOptIn),
		identity.WithRule(identity.TypeRule{Type: "pos_terminal", Scope: identity.ScopeSharedDevice, Priority: 40}))
	if err != nil {
		panic(err)
	}
	defer g.Close()
	fmt.Println(g.Stats().Identifiers)
	_, err = identity.New([]byte("short"))
	fmt.Println(err)
	// Output:
	// 0
	// identity: invalid configuration: New(secret): the secret must be at least 16 bytes
}

func ExampleGraph_Link() {
	g, _ := identity.New([]byte("example-secret-0123456789"))
	defer g.Close()
	res, err := g.Link(context.Background(), identity.Observation{
		EventID: "e-1",
		Time:    at(1, 9),
		IDs: []identity.Identifier{
			id(identity.TypeAnonymousID, "w-3f1c"),
			id(identity.TypeUserID, "alice-42"),
			id(identity.TypeEmail, "test@test.com"), // a placeholder
			id(identity.TypeEmail, "not an email"),  // invalid
		},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(len(res.ProfileID), res.ProfileID[:2])
	for _, r := range res.Refused {
		fmt.Println("refused", r.Index, r.Reason)
	}
	fmt.Println("changed:", res.Fact != nil, "identifiers:", len(res.Fact.IDs), "placeholders:", len(res.Fact.Blocked))
	// Output:
	// 34 p_
	// refused 2 blocked_value
	// refused 3 invalid_value
	// changed: true identifiers: 2 placeholders: 1
}

func ExampleGraph_Resolve() {
	g, _ := identity.New([]byte("example-secret-0123456789"))
	defer g.Close()
	ctx := context.Background()
	g.Link(ctx, identity.Observation{EventID: "e-1", Time: at(1, 9), IDs: []identity.Identifier{
		id(identity.TypeDeviceID, "ios-77"), id(identity.TypeUserID, "alice-42")}})
	byDevice, _ := g.Resolve(ctx, []identity.Identifier{id(identity.TypeDeviceID, "ios-77")}, at(2, 9))
	byUser, _ := g.Resolve(ctx, []identity.Identifier{id(identity.TypeUserID, "alice-42")}, at(2, 9))
	place, _ := g.Resolve(ctx, []identity.Identifier{id(identity.TypeBeaconID, "b-shoes")}, at(2, 9))
	fmt.Println(byDevice.ProfileID == byUser.ProfileID, place.ProfileID == "")
	// Output: true true
}

func ExampleGraph_Explain() {
	g, _ := identity.New([]byte("example-secret-0123456789"))
	defer g.Close()
	ctx := context.Background()
	g.Link(ctx, identity.Observation{EventID: "signup", Time: at(1, 9), IDs: []identity.Identifier{
		id(identity.TypeAnonymousID, "w-1"), id(identity.TypeUserID, "alice-42")}})
	g.Link(ctx, identity.Observation{EventID: "shared-login", Time: at(2, 9), IDs: []identity.Identifier{
		id(identity.TypeEmail, "alice@mail.example"), id(identity.TypeUserID, "bob-7")}})
	g.Link(ctx, identity.Observation{EventID: "newsletter", Time: at(1, 10), IDs: []identity.Identifier{
		id(identity.TypeEmail, "alice@mail.example"), id(identity.TypeAnonymousID, "w-1")}})

	ex, _ := g.Explain(id(identity.TypeAnonymousID, "w-1"), id(identity.TypeEmail, "alice@mail.example"))
	for _, st := range ex.Path {
		fmt.Println(st.EventID, st.Rule)
	}
	ex, _ = g.Explain(id(identity.TypeEmail, "alice@mail.example"), id(identity.TypeUserID, "bob-7"))
	fmt.Println(ex.Linked, ex.Reasons[0].Code, ex.Reasons[0].EventIDs, ex.Reasons[0].Detail)
	// Output:
	// newsletter device_attach
	// false limit_conflict [shared-login] user_id limit 1
}

func ExampleGraph_Erase() {
	g, _ := identity.New([]byte("example-secret-0123456789"))
	defer g.Close()
	ctx := context.Background()
	g.Link(ctx, identity.Observation{EventID: "e-1", Time: at(1, 9), IDs: []identity.Identifier{
		id(identity.TypeUserID, "alice-42"), id(identity.TypeEmail, "alice@mail.example"), id(identity.TypeAnonymousID, "w-1")}})
	g.Link(ctx, identity.Observation{EventID: "e-2", Time: at(1, 10), IDs: []identity.Identifier{
		id(identity.TypeDeviceID, "family-tablet"), id(identity.TypeEmail, "alice@mail.example")}})
	g.Link(ctx, identity.Observation{EventID: "e-3", Time: at(2, 10), IDs: []identity.Identifier{
		id(identity.TypeDeviceID, "family-tablet"), id(identity.TypeEmail, "bob@mail.example")}})

	rep, err := g.Erase(ctx, id(identity.TypeEmail, "alice@mail.example"), at(5, 0))
	if err != nil {
		panic(err)
	}
	fmt.Println("removed:", len(rep.Removed), "facts:", rep.FactsRemoved)
	for _, r := range rep.Retained {
		fmt.Println("retained:", r.Type, r.Reason)
	}
	fmt.Println("match keys to forward:", len(rep.MatchKeys))
	_, err = g.Link(ctx, identity.Observation{EventID: "e-1", Time: at(1, 9), IDs: []identity.Identifier{
		id(identity.TypeUserID, "alice-42"), id(identity.TypeAnonymousID, "w-1")}})
	fmt.Println(err)
	// Output:
	// removed: 3 facts: 2
	// retained: device_id shared_with_others
	// match keys to forward: 2
	// identity: suppressed: event "e-1": erased identifier
}

// A gateway applies an erasure it learns of as keys only (a fleet hub's
// tombstone): the person goes, the shared tablet stays, and a replay is
// suppressed.
func ExampleGraph_EraseKeys() {
	g, _ := identity.New([]byte("example-secret-0123456789"))
	defer g.Shutdown(context.Background())
	ctx := context.Background()
	g.Link(ctx, identity.Observation{EventID: "e-1", Time: at(1, 9), IDs: []identity.Identifier{
		id(identity.TypeLoyaltyID, "L-7731"), id(identity.TypeAnonymousID, "kiosk-session-1")}})
	g.Link(ctx, identity.Observation{EventID: "e-2", Time: at(1, 10), IDs: []identity.Identifier{
		id(identity.TypeDeviceID, "family-tablet"), id(identity.TypeLoyaltyID, "L-7731")}})
	g.Link(ctx, identity.Observation{EventID: "e-3", Time: at(2, 10), IDs: []identity.Identifier{
		id(identity.TypeDeviceID, "family-tablet"), id(identity.TypeLoyaltyID, "L-9000")}})

	// the keys the hub removed, as its tombstone carries them
	card, _ := g.Key(id(identity.TypeLoyaltyID, "L-7731"))
	email, _ := g.Key(id(identity.TypeEmail, "ana@mail.example")) // never seen here
	reps, err := g.EraseKeys(ctx, []identity.Ref{card, email}, at(5, 0))
	if err != nil {
		panic(err)
	}
	for _, r := range reps {
		fmt.Println(r.Subject.Type, "removed:", len(r.Removed), "retained:", len(r.Retained), "tombstones:", r.Tombstones)
	}
	_, err = g.Link(ctx, identity.Observation{EventID: "e-1", Time: at(1, 9), IDs: []identity.Identifier{
		id(identity.TypeLoyaltyID, "L-7731"), id(identity.TypeAnonymousID, "kiosk-session-1")}})
	fmt.Println(err)
	_, err = g.Profile(id(identity.TypeEmail, "ana@mail.example"))
	fmt.Println("ana's email suppressed:", errors.Is(err, identity.ErrSuppressed))
	// Output:
	// email removed: 0 retained: 0 tombstones: 1
	// loyalty_id removed: 2 retained: 1 tombstones: 2
	// identity: suppressed: event "e-1": erased identifier
	// ana's email suppressed: true
}

func ExampleGraph_Profile() {
	g, _ := identity.New([]byte("example-secret-0123456789"), identity.WithPlaintext())
	defer g.Close()
	ctx := context.Background()
	g.Link(ctx, identity.Observation{EventID: "e-1", Time: at(1, 9), IDs: []identity.Identifier{
		id(identity.TypeUserID, "alice-42"), id(identity.TypeEmail, "Alice@Mail.example")}})
	p, _ := g.Profile(id(identity.TypeEmail, "alice@mail.example"))
	for _, m := range p.Members {
		fmt.Println(m.Ref.String())
	}
	// Output:
	// user_id:alice-42
	// email:alice@mail.example
}

func ExampleGraph_Profiles() {
	g, _ := identity.New([]byte("example-secret-0123456789"))
	defer g.Close()
	ctx := context.Background()
	g.Link(ctx, identity.Observation{EventID: "e-1", Time: at(1, 9), IDs: []identity.Identifier{
		id(identity.TypeUserID, "u-1"), id(identity.TypeAnonymousID, "a-1")}})
	g.Link(ctx, identity.Observation{EventID: "e-2", Time: at(1, 9), IDs: []identity.Identifier{
		id(identity.TypeUserID, "u-2"), id(identity.TypeAnonymousID, "a-2"), id(identity.TypeDeviceID, "d-2")}})
	for _, p := range g.Profiles() {
		fmt.Println(len(p.Members))
	}
	// Unordered output:
	// 2
	// 3
}

func ExampleGraph_Household() {
	g, _ := identity.New([]byte("example-secret-0123456789"))
	defer g.Close()
	ctx := context.Background()
	car := id(identity.TypeVIN, "1HGCM82633A004352")
	g.Link(ctx, identity.Observation{EventID: "car-1", Time: at(1, 8), IDs: []identity.Identifier{car, id(identity.TypeUserID, "alice")}})
	g.Link(ctx, identity.Observation{EventID: "car-2", Time: at(2, 8), IDs: []identity.Identifier{car, id(identity.TypeUserID, "bob")}})
	hh, members, _ := g.Household(car)
	ex, _ := g.Explain(id(identity.TypeUserID, "alice"), id(identity.TypeUserID, "bob"))
	fmt.Println(hh[:2], len(members), ex.Linked, ex.Reasons[0].Code)
	// Output: h_ 2 false household_scope
}

func ExampleGraph_SetLinkConsent() {
	g, _ := identity.New([]byte("example-secret-0123456789"), identity.WithConsentMode(identity.ConsentOptIn))
	defer g.Close()
	ctx := context.Background()
	anon, user := id(identity.TypeAnonymousID, "a-1"), id(identity.TypeUserID, "carol")
	g.Link(ctx, identity.Observation{EventID: "login", Time: at(1, 9), IDs: []identity.Identifier{anon, user}})
	linked := func() bool { ex, _ := g.Explain(anon, user); return ex.Linked }
	fmt.Println("before consent:", linked())

	g.SetLinkConsent(ctx, identity.Consent{ID: user, Granted: true, At: at(1, 8), EventID: "cmp-1"})
	fmt.Println("granted before the event:", linked())

	g.SetLinkConsent(ctx, identity.Consent{ID: user, Granted: false, At: at(3, 8), EventID: "cmp-2"})
	fmt.Println("after withdrawal:", linked())
	// Output:
	// before consent: false
	// granted before the event: true
	// after withdrawal: false
}

func ExampleGraph_Key() {
	g, _ := identity.New([]byte("example-secret-0123456789"))
	defer g.Close()
	a, _ := g.Key(id(identity.TypeEmail, " Alice@Mail.example"))
	b, _ := g.Key(id(identity.TypeEmail, "alice@mail.example"))
	fmt.Println(a == b, len(a.Key.String()))
	// Output: true 32
}

func ExampleGraph_Stats() {
	g, _ := identity.New([]byte("example-secret-0123456789"))
	defer g.Close()
	g.Link(context.Background(), identity.Observation{EventID: "e-1", Time: at(1, 9), IDs: []identity.Identifier{
		id(identity.TypeUserID, "u-1"), id(identity.TypeAnonymousID, "a-1")}})
	fmt.Printf("%+v\n", g.Stats())
	// Output: {Identifiers:2 Facts:1 Quarantined:0 Epochs:0 Tombstones:0}
}

func ExampleGraph_Close() {
	g, _ := identity.New([]byte("example-secret-0123456789"))
	fmt.Println(g.Close(), g.Close())
	_, err := g.Resolve(context.Background(), nil, at(1, 1))
	fmt.Println(err)
	// Output:
	// <nil> <nil>
	// identity: graph closed
}
