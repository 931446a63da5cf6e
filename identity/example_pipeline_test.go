package identity_test

import (
	"context"
	"fmt"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/identity"
)

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
	c, _ := connected.New(sink, connected.WithMiddleware(mw.Middleware()),
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
	// {Events:2 Linked:1 Suppressed:0 Facts:1 FactErrors:0 Unchanged:0}
}

func ExampleMiddleware_Wrap() {
	g, _ := identity.New([]byte("example-secret-0123456789"))
	defer g.Close()
	mw, _ := identity.NewMiddleware(g, identity.WithoutLinkFacts(), identity.WithPartitionKeySecret([]byte("pk")))
	h := mw.Middleware()(connected.HandlerFunc(func(_ context.Context, r *connected.Record) error {
		fmt.Println(r.ProfileID[:2], r.PartitionKey == connected.PartitionKey([]byte("pk"), r.ProfileID))
		return nil
	}))
	e := connected.Event{Type: connected.TypeTrack, MessageID: "m-1", AnonymousID: "a-1", Event: "Zone Entered",
		OriginalTimestamp: at(1, 9), Context: connected.Context{Device: connected.Device{ID: "b-1", Type: "beacon"}}}
	payload, _ := connected.AppendSegment(nil, &e)
	h.Handle(context.Background(), &connected.Record{ID: e.MessageID, Type: e.Type, Time: e.OriginalTimestamp, AnonymousID: e.AnonymousID, Payload: payload, Event: &e})
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

func ExampleAppendLinkFact() {
	k, _ := identity.ParseKey("00112233445566778899aabbccddeeff")
	payload, id, _ := identity.AppendLinkFact(nil, identity.LinkFact{EventID: "e-1", Time: at(1, 9), ProfileID: "p_x",
		IDs: []identity.Ref{{Type: identity.TypeEmail, Key: k}}}, "store-12")
	fmt.Println(id)
	fmt.Println(string(payload[:60]))
	// Output:
	// e68ed7fe-9596-5be8-838c-e791efa5eb5a
	// {"type":"track","messageId":"e68ed7fe-9596-5be8-838c-e791efa
}

// A fact's message id follows from its event id, so a receiver can check
// it, and a fact sent twice is deduplicated.
func ExampleLinkFactID() {
	fmt.Println(identity.LinkFactID("e-1"))
	// Output: e68ed7fe-9596-5be8-838c-e791efa5eb5a
}

func ExampleDecodeLinkFact() {
	_, err := identity.DecodeLinkFact([]byte(`{"type":"track","event":"Page Viewed"}`))
	fmt.Println(err)
	// Output: identity: corrupt link fact at offset 0: not an "Identity Linked" track event
}
