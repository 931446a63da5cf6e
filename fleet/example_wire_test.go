package fleet_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected/consent"
	"github.com/touchpoint-sdk/touchpoint/fleet"
	"github.com/touchpoint-sdk/touchpoint/identity"
)

// Encode writes keys, never identifier values, even from a graph that keeps
// plaintext; a message that would not decode is refused with a *FieldError.
func ExampleEncode() {
	card := identity.Ref{Type: identity.TypeLoyaltyID, Key: identity.Key{0x4c, 0x77}, Value: "L-7731"}
	when := time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC)
	m := fleet.NewActionMessage("act-1", when, fleet.Action{Subject: []identity.Ref{card}, Journey: "wish_reminder",
		Destination: "push", Purpose: consent.PurposeMarketing}, "store-a/gw-1")
	b, err := fleet.Encode(m)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(b))
	fmt.Println(bytes.Contains(b, []byte(card.Value)))

	m.Action.Subject = nil
	_, err = fleet.Encode(m)
	var fe *fleet.FieldError
	fmt.Println(errors.As(err, &fe), fe.Field, errors.Is(err, fleet.ErrInvalid))
	// Output:
	// {"v":1,"kind":"action","id":"act-1","time":"2026-03-04T09:00:00.000Z","source":"store-a/gw-1","action":{"subject":[{"type":"loyalty_id","key":"4c770000000000000000000000000000"}],"journey":"wish_reminder","destination":"push","purpose":"marketing"}}
	// false
	// true Action.Subject true
}

// DeriveID is deterministic: the same kind and consumed id always give the
// same id, so a hub replaying a message publishes what followers already
// dropped as repeats; another kind gives another id.
func ExampleDeriveID() {
	consumed := "0196a1b2-0000-7000-8000-000000000001"
	id := fleet.DeriveID(fleet.KindConsentChange, consumed)
	fmt.Println(id)
	fmt.Println(id == fleet.DeriveID(fleet.KindConsentChange, consumed))
	fmt.Println(id == fleet.DeriveID(fleet.KindFleetMembership, consumed))
	// Output:
	// 377442bd-0b94-5374-a53a-c21ae609c7f3
	// true
	// false
}

// A consent message's id derives from the record id, so a kiosk that sends
// the same record again sends the same id.
func ExampleNewConsentMessage() {
	rec := fleet.ConsentRecord{RecordID: "0196a1b2-0000-7000-8000-000000000001",
		Subject: []identity.Ref{{Type: identity.TypeLoyaltyID, Key: identity.Key{0x4c, 0x77}}}, Purposes: []consent.Purpose{consent.PurposeMarketing},
		Granted: true, Time: time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC), Method: consent.SourceStoreKiosk, Notice: "privacy-2026-03", Store: "store-a"}
	m := fleet.NewConsentMessage(rec, "store-a/gw-1")
	again := fleet.NewConsentMessage(rec, "store-a/gw-1")
	fmt.Println(m.Kind, m.ID == again.ID, m.ID == fleet.DeriveID(fleet.KindConsent, rec.RecordID))
	b, err := fleet.Encode(m)
	if err != nil {
		panic(err)
	}
	back, err := fleet.Decode(b)
	if err != nil {
		panic(err)
	}
	fmt.Println(back.Consent.Granted, back.Consent.Purposes, back.Consent.Notice)
	// Output:
	// consent true true
	// true [marketing] privacy-2026-03
}

// A touchpoint travels under its event's messageId, reduced to keys, name,
// place and time.
func ExampleNewTouchpointMessage() {
	tp := fleet.Touchpoint{Subject: []identity.Ref{{Type: identity.TypeLoyaltyID, Key: identity.Key{0x4c, 0x77}}}, Type: "track",
		Event: "Product Viewed", Channel: "store", Store: "store-a", Zone: "shoes", Purposes: []consent.Purpose{consent.PurposeAnalytics}}
	m := fleet.NewTouchpointMessage("0196a1b2-0000-7000-8000-0000000000aa", time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC), tp, "store-a/gw-1")
	b, err := fleet.Encode(m)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(b))
	// Output:
	// {"v":1,"kind":"touchpoint","id":"0196a1b2-0000-7000-8000-0000000000aa","time":"2026-03-04T09:00:00.000Z","source":"store-a/gw-1","touchpoint":{"subject":[{"type":"loyalty_id","key":"4c770000000000000000000000000000"}],"type":"track","event":"Product Viewed","channel":"store","store":"store-a","zone":"shoes","purposes":["analytics"]}}
}

// A membership travels under the activation output id; the hub publishes it
// back to every store as a fleet membership whose id derives from it.
func ExampleNewMembershipMessage() {
	hub, err := fleet.NewHub(fleet.NewMemStore())
	if err != nil {
		panic(err)
	}
	ms := fleet.Membership{Subject: []identity.Ref{{Type: identity.TypeLoyaltyID, Key: identity.Key{0x4c, 0x77}}}, Audience: "boot_lovers",
		Entered: true, Purpose: consent.PurposeMarketing, Reason: "2 boot views in 7 days"}
	m := fleet.NewMembershipMessage("out-1", time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC), ms, "store-a/gw-1")
	res, err := hub.ApplyMessage(context.Background(), m)
	if err != nil {
		panic(err)
	}
	pub := res.Publish[0]
	fmt.Println(m.Kind, m.ID)
	fmt.Println(pub.Kind, pub.ID == fleet.DeriveID(fleet.KindFleetMembership, "out-1"), pub.Membership.Audience, pub.Membership.Entered)
	// Output:
	// membership out-1
	// fleet_membership true boot_lovers true
}

// A journey action travels under its action id and decodes back as it was.
func ExampleNewActionMessage() {
	a := fleet.Action{Subject: []identity.Ref{{Type: identity.TypeLoyaltyID, Key: identity.Key{0x4c, 0x77}}}, Journey: "wish_reminder",
		Destination: "push", Purpose: consent.PurposeMarketing, Trigger: "0196a1b2-0000-7000-8000-0000000000aa"}
	m := fleet.NewActionMessage("act-1", time.Date(2026, 3, 4, 9, 5, 0, 0, time.UTC), a, "store-a/gw-1")
	b, err := fleet.Encode(m)
	if err != nil {
		panic(err)
	}
	back, err := fleet.Decode(b)
	if err != nil {
		panic(err)
	}
	fmt.Println(back.Kind, back.ID, back.Time.Format(time.RFC3339))
	fmt.Println(back.Action.Journey, back.Action.Destination, back.Action.Trigger)
	// Output:
	// action act-1 2026-03-04T09:05:00Z
	// wish_reminder push 0196a1b2-0000-7000-8000-0000000000aa
}

// A link fact from the gateway's identity graph travels under the id
// identity derives from the event id, in identity's own format.
func ExampleNewLinkMessage() {
	ctx := context.Background()
	graph, err := identity.New([]byte("fleet-secret-0123456789"))
	if err != nil {
		panic(err)
	}
	defer graph.Shutdown(ctx)
	card := identity.Identifier{Type: identity.TypeLoyaltyID, Value: "L-7731"}
	kiosk := identity.Identifier{Type: identity.TypeAnonymousID, Value: "kiosk-session-1"}
	res, err := graph.Link(ctx, identity.Observation{EventID: "ev-1", Time: time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC),
		IDs: []identity.Identifier{card, kiosk}})
	if err != nil {
		panic(err)
	}
	m, err := fleet.NewLinkMessage(*res.Fact, "store-a/gw-1")
	if err != nil {
		panic(err)
	}
	fmt.Println(m.Kind, m.ID == identity.LinkFactID("ev-1"))
	b, err := fleet.Encode(m)
	if err != nil {
		panic(err)
	}
	back, err := fleet.Decode(b)
	if err != nil {
		panic(err)
	}
	fmt.Println(back.Kind, back.ID == m.ID, back.Link.EventID, len(back.Link.IDs), back.Source)
	// Output:
	// link true
	// link true ev-1 2 store-a/gw-1
}
