package identity_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
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

// A central service builds the fleet-wide graph from the link facts that
// gateways emit: keys only, no values.
func ExampleGraph_LinkKeys() {
	secret := []byte("fleet-secret-0123456789")
	gateway, _ := identity.New(secret)
	central, _ := identity.New(secret)
	defer gateway.Close()
	defer central.Close()
	ctx := context.Background()
	res, _ := gateway.Link(ctx, identity.Observation{EventID: "e-1", Time: at(1, 9), IDs: []identity.Identifier{
		id(identity.TypeUserID, "alice-42"), id(identity.TypeEmail, "alice@mail.example")}})

	rec, _ := identity.EncodeLinkFact(*res.Fact, "store-12", nil)
	fact, err := identity.DecodeLinkFact(rec.Payload)
	if err != nil {
		panic(err)
	}
	got, _ := central.LinkKeys(ctx, fact)
	fmt.Println(got.ProfileID == res.ProfileID)
	// Output: true
}

func ExampleGraph_Compact() {
	dir, _ := os.MkdirTemp("", "identity-example")
	defer os.RemoveAll(dir)
	st, _ := identity.OpenFileStore(dir)
	g, _ := identity.New([]byte("example-secret-0123456789"), identity.WithStore(st))
	g.Link(context.Background(), identity.Observation{EventID: "e-1", Time: at(1, 9), IDs: []identity.Identifier{
		id(identity.TypeUserID, "u-1"), id(identity.TypeAnonymousID, "a-1")}})
	fmt.Println(g.Compact(context.Background()))
	g.Close()
	// Output: <nil>
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

// A gateway restart keeps the graph: the file store is a snapshot plus an
// append-only log.
func ExampleOpenFileStore() {
	dir, _ := os.MkdirTemp("", "identity-example")
	defer os.RemoveAll(dir)
	secret := []byte("example-secret-0123456789")
	ctx := context.Background()

	st, _ := identity.OpenFileStore(dir)
	g, _ := identity.New(secret, identity.WithStore(st))
	res, _ := g.Link(ctx, identity.Observation{EventID: "e-1", Time: at(1, 9), IDs: []identity.Identifier{
		id(identity.TypeDeviceID, "ios-77"), id(identity.TypeUserID, "alice-42")}})
	g.Close()

	st, _ = identity.OpenFileStore(dir) // after a restart
	g, _ = identity.New(secret, identity.WithStore(st))
	defer g.Close()
	again, _ := g.Resolve(ctx, []identity.Identifier{id(identity.TypeDeviceID, "ios-77")}, at(2, 9))
	fmt.Println(again.ProfileID == res.ProfileID)
	// Output: true
}

func ExampleNewMemStore() {
	st := identity.NewMemStore()
	secret := []byte("example-secret-0123456789")
	g, _ := identity.New(secret, identity.WithStore(st))
	g.Link(context.Background(), identity.Observation{EventID: "e-1", Time: at(1, 9), IDs: []identity.Identifier{
		id(identity.TypeUserID, "u-1"), id(identity.TypeAnonymousID, "a-1")}})
	g.Close()
	snapshot, log := st.Len()
	fmt.Println(snapshot, log)
	g, _ = identity.New(secret, identity.WithStore(st)) // a simulated restart
	fmt.Println(g.Stats().Identifiers)
	// Output:
	// 0 2
	// 2
}

func ExampleNormalizer_MatchKey() {
	n, _ := identity.NewNormalizer(identity.WithDefaultRegion("US"))
	meta, _ := n.MatchKey(identity.DestinationMeta, id(identity.TypePhone, "(650) 555-1212"))
	google, _ := n.MatchKey(identity.DestinationGoogle, id(identity.TypePhone, "(650) 555-1212"))
	fmt.Println(meta.Field, meta.Value[:8])     // SHA-256 of 16505551212
	fmt.Println(google.Field, google.Value[:8]) // SHA-256 of +16505551212
	// Output:
	// ph e323ec62
	// hashed_phone_number 1e231c66
}

func ExampleNormalizer_MatchKeys() {
	n, _ := identity.NewNormalizer()
	keys, _ := n.MatchKeys(id(identity.TypeEmail, "Jane.Doe@gmail.com"))
	for _, k := range keys {
		fmt.Println(k.Destination, k.Field, k.Value[:8])
	}
	// Output:
	// meta em 831f6494
	// google hashed_email d6117306
}

func ExampleNormalizer_Normalize() {
	n, _ := identity.NewNormalizer(identity.WithDefaultRegion("GB"))
	for _, in := range []identity.Identifier{
		id(identity.TypePhone, "07911 123456"),
		id(identity.TypeEmail, " Jane.Doe@GMAIL.com "),
		id(identity.TypeVIN, "1hgcm82633a-004352"),
		id(identity.TypeAdvertisingID, "EA7583CD-A667-48BC-B806-42ECB2B48606"),
	} {
		out, _ := n.Normalize(in)
		fmt.Println(out.Value)
	}
	// Output:
	// +447911123456
	// jane.doe@gmail.com
	// 1HGCM82633A004352
	// ea7583cd-a667-48bc-b806-42ecb2b48606
}

func ExampleNormalizer_Blocked() {
	n, _ := identity.NewNormalizer(identity.WithBlockedValues("walk-in"))
	fmt.Println(n.Blocked(id(identity.TypeUserID, "undefined")), n.Blocked(id(identity.TypeEmail, "TEST@test.com")),
		n.Blocked(id(identity.TypeUserID, "Walk-In")), n.Blocked(id(identity.TypeUserID, "alice-42")))
	// Output: true true true false
}

func ExampleNormalizePhone() {
	for _, c := range []struct{ raw, region string }{
		{"+44 (0)7911 123456", ""},
		{"0049 (0)30 123456", "FR"},
		{"(650) 555-1212", "US"},
		{"555-1212", "US"},
	} {
		e164, err := identity.NormalizePhone(c.raw, c.region)
		fmt.Println(e164, err != nil)
	}
	// Output:
	// +447911123456 false
	// +4930123456 false
	// +16505551212 false
	//  true
}

func ExampleNormalizeEmail() {
	e, _ := identity.NormalizeEmail("  John_Smith@Gmail.com ")
	fmt.Println(e)
	_, err := identity.NormalizeEmail("john.smith")
	fmt.Println(err)
	// Output:
	// john_smith@gmail.com
	// identity: invalid identifier: email: no '@'
}

// Plugging in a full phone-number library: any function with this shape.
func ExamplePhoneNormalizerFunc() {
	lib := identity.PhoneNormalizerFunc(func(raw, region string) (string, error) {
		if region == "BR" && raw == "(11) 98765-4321" {
			return "+5511987654321", nil // what libphonenumber would answer
		}
		return identity.NormalizePhone(raw, region)
	})
	n, _ := identity.NewNormalizer(identity.WithPhoneNormalizer(lib), identity.WithDefaultRegion("BR"))
	out, _ := n.Normalize(id(identity.TypePhone, "(11) 98765-4321"))
	fmt.Println(out.Value)
	// Output: +5511987654321
}

func ExampleDefaultRules() {
	for _, r := range identity.DefaultRules()[:4] {
		fmt.Println(r.Type, r.Scope, r.Priority, r.Limit)
	}
	// Output:
	// user_id person 1 1
	// email person 2 5
	// phone person 3 3
	// loyalty_id person 4 1
}

func ExampleParseKey() {
	k, err := identity.ParseKey("00112233445566778899aabbccddeeff")
	fmt.Println(k.String(), err)
	_, err = identity.ParseKey("xyz")
	fmt.Println(err)
	// Output:
	// 00112233445566778899aabbccddeeff <nil>
	// identity: invalid identifier: key must be 32 hex characters
}

// The middleware stitches a connected pipeline: every record gets its
// canonical profile id and a partition key derived from it, and changes to
// the graph travel downstream as "Identity Linked" facts (keys only).
func ExampleNewMiddleware() {
	g, _ := identity.New([]byte("example-secret-0123456789"))
	defer g.Close()
	mw, _ := identity.NewMiddleware(g, identity.WithSource("store-12"))
	var got []*connected.Record
	sink := connected.HandlerFunc(func(_ context.Context, r *connected.Record) error {
		got = append(got, r)
		return nil
	})
	ids := 0
	c, _ := connected.New(sink, connected.WithMiddleware(mw.Wrap),
		connected.WithClock(func() time.Time { return at(1, 9) }),
		connected.WithIDGenerator(func() string { ids++; return fmt.Sprintf("ev-%d", ids) }))
	ctx := context.Background()
	c.Identify(ctx, connected.Event{AnonymousID: "a-1", UserID: "alice-42", Traits: connected.Traits{"email": "alice@mail.example"}})
	c.Track(ctx, connected.Event{AnonymousID: "a-1", Event: connected.EventProductViewed})
	c.Shutdown(ctx)
	for _, r := range got {
		fmt.Println(r.Type, r.Event.Event, r.ProfileID == got[0].ProfileID, r.Category)
	}
	fmt.Printf("%+v\n", mw.Stats())
	// Output:
	// identify  true behavioral
	// track Identity Linked true identity
	// track Product Viewed true behavioral
	// {Events:2 Linked:1 Suppressed:0 Facts:1 FactErrors:0}
}

func ExampleMiddleware_Wrap() {
	g, _ := identity.New([]byte("example-secret-0123456789"))
	defer g.Close()
	mw, _ := identity.NewMiddleware(g, identity.WithoutLinkFacts(), identity.WithPartitionKeySecret([]byte("pk")))
	h := mw.Wrap(connected.HandlerFunc(func(_ context.Context, r *connected.Record) error {
		fmt.Println(r.ProfileID[:2], r.PartitionKey == connected.PartitionKey([]byte("pk"), r.ProfileID))
		return nil
	}))
	e := connected.Event{Type: connected.TypeTrack, MessageID: "m-1", AnonymousID: "a-1", Event: "Zone Entered",
		OriginalTimestamp: at(1, 9), Context: connected.Context{Device: connected.Device{ID: "b-1", Type: "beacon"}}}
	payload, _ := connected.AppendSegment(nil, &e)
	h.Handle(context.Background(), &connected.Record{ID: e.MessageID, Type: e.Type, Time: e.OriginalTimestamp, Payload: payload, Event: e})
	// Output: p_ true
}

func ExampleEncodeLinkFact() {
	k, _ := identity.ParseKey("00112233445566778899aabbccddeeff")
	rec, _ := identity.EncodeLinkFact(identity.LinkFact{EventID: "e-1", Time: at(1, 9), ProfileID: "p_x",
		IDs: []identity.Ref{{Type: identity.TypeEmail, Key: k}}}, "store-12", nil)
	fmt.Println(rec.Event.Event, rec.Category)
	fmt.Println(string(rec.Payload[:60]))
	// Output:
	// Identity Linked identity
	// {"type":"track","messageId":"e68ed7fe-9596-5be8-838c-e791efa
}

func ExampleDecodeLinkFact() {
	_, err := identity.DecodeLinkFact([]byte(`{"type":"track","event":"Page Viewed"}`))
	fmt.Println(err)
	// Output: identity: corrupt link fact at offset 0: not an "Identity Linked" track event
}
