package fleet_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected/consent"
	"github.com/touchpoint-sdk/touchpoint/fleet"
	"github.com/touchpoint-sdk/touchpoint/identity"
)

// A hub applies what gateways publish and says what to publish back.
func ExampleNewHub() {
	ctx := context.Background()
	graph, _ := identity.New([]byte("fleet-secret-0123456789"))
	defer graph.Shutdown(context.Background())
	hub, _ := fleet.NewHub(fleet.NewMemStore(), fleet.WithGraph(graph))
	card, _ := graph.Key(identity.Identifier{Type: identity.TypeLoyaltyID, Value: "L-7731"})
	rec := fleet.ConsentRecord{RecordID: "rec-1", Subject: []identity.Ref{card}, Purposes: []consent.Purpose{consent.PurposeMarketing},
		Time: time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC), Method: consent.SourceStoreKiosk, Store: "store-a"}
	payload, _ := fleet.Encode(fleet.NewConsentMessage(rec, "store-a/gw-1"))
	res, _ := hub.Apply(ctx, payload)
	fmt.Println(res.Publish[0].Kind, res.Publish[0].Consent.Granted)
	res, _ = hub.Apply(ctx, payload) // redelivered
	fmt.Println(res.Duplicate, len(res.Publish))
	// Output:
	// consent_change false
	// true 1
}

// A gateway's follower decides from local state: unknown means denied.
func ExampleFollower_Decide() {
	ledger, _ := consent.NewLedger()
	defer ledger.Shutdown(context.Background())
	f, _ := fleet.NewFollower(ledger)
	card := identity.Ref{Type: identity.TypeLoyaltyID, Key: identity.Key{1}}
	now := time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC)
	fmt.Println(f.Decide(consent.PurposeMarketing, now, card).Reason)
	rec := fleet.ConsentRecord{RecordID: "rec-1", Subject: []identity.Ref{card}, Purposes: []consent.Purpose{consent.PurposeMarketing},
		Granted: true, Time: now, Method: fleet.SourceForm}
	_ = f.ApplyMessage(context.Background(), fleet.Message{Kind: fleet.KindConsentChange, ID: "c-1", Time: now, Source: "hub", Consent: &rec})
	fmt.Println(f.Decide(consent.PurposeMarketing, now.Add(time.Minute), card).Reason)
	// Output:
	// unknown
	// granted
}

// A gateway's follower given the gateway's identity graph applies a
// hub's tombstone to the graph too: the person is erased there and her
// late events are suppressed.
func ExampleWithFollowerGraph() {
	ctx := context.Background()
	graph, _ := identity.New([]byte("fleet-secret-0123456789"))
	defer graph.Shutdown(ctx)
	ledger, _ := consent.NewLedger()
	defer ledger.Shutdown(ctx)
	f, _ := fleet.NewFollower(ledger, fleet.WithFollowerGraph(graph))
	card := identity.Identifier{Type: identity.TypeLoyaltyID, Value: "L-7731"}
	kiosk := identity.Identifier{Type: identity.TypeAnonymousID, Value: "kiosk-session-1"}
	when := time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC)
	graph.Link(ctx, identity.Observation{EventID: "ev-1", Time: when, IDs: []identity.Identifier{card, kiosk}})

	key, _ := graph.Key(card) // the hub's tombstone carries keys only
	tomb := fleet.Message{Kind: fleet.KindTombstone, ID: fleet.DeriveID(fleet.KindTombstone, "dsr-1"), Time: when.Add(24 * time.Hour),
		Source: "hub", Tombstone: &fleet.Tombstone{RequestID: "dsr-1", Keys: []identity.Ref{key}}}
	fmt.Println(f.ApplyMessage(ctx, tomb), f.Stats().Erased)
	_, err := graph.Profile(kiosk)
	fmt.Println(errors.Is(err, identity.ErrSuppressed))
	_, err = graph.Link(ctx, identity.Observation{EventID: "ev-1", Time: when, IDs: []identity.Identifier{card, kiosk}})
	fmt.Println(err)
	// Output:
	// <nil> 2
	// true
	// identity: suppressed: event "ev-1": erased identifier
}

// Export returns everything held about a person; Erase removes it and
// returns the tombstone for the gateways.
func ExampleHub_Export() {
	ctx := context.Background()
	graph, _ := identity.New([]byte("fleet-secret-0123456789"))
	defer graph.Shutdown(context.Background())
	hub, _ := fleet.NewHub(fleet.NewMemStore(), fleet.WithGraph(graph))
	email := identity.Identifier{Type: identity.TypeEmail, Value: "kim@mail.example"}
	key, _ := graph.Key(email)
	when := time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC)
	tp := fleet.NewTouchpointMessage("ev-1", when, fleet.Touchpoint{Subject: []identity.Ref{key}, Type: "track", Event: "Order Completed", Store: "store-a"}, "store-a/gw-1")
	_, _ = hub.ApplyMessage(ctx, tp)
	ex, _ := hub.Export(ctx, email)
	fmt.Println(len(ex.Touchpoints), ex.Touchpoints[0].Event)
	er, _ := hub.Erase(ctx, email, "dsr-1", when.Add(time.Hour))
	fmt.Println(er.RecordsRemoved, er.Publish[0].Kind)
	// Output:
	// 1 Order Completed
	// 1 tombstone
}

// Encode and Decode are the wire format; a link fact travels in
// identity's own format.
func ExampleDecode() {
	m := fleet.Message{Kind: fleet.KindTombstone, ID: fleet.DeriveID(fleet.KindTombstone, "dsr-1"), Time: time.Date(2026, 3, 5, 9, 0, 0, 0, time.UTC),
		Source: "hub", Tombstone: &fleet.Tombstone{RequestID: "dsr-1", Keys: []identity.Ref{{Type: identity.TypeEmail, Key: identity.Key{0xab}}}}}
	b, _ := fleet.Encode(m)
	fmt.Println(string(b))
	back, _ := fleet.Decode(b)
	fmt.Println(back.Kind, back.Tombstone.RequestID)
	// Output:
	// {"v":1,"kind":"tombstone","id":"08a636c1-c4e0-52d4-9a81-caba22034c6d","time":"2026-03-05T09:00:00.000Z","source":"hub","tombstone":{"requestId":"dsr-1","keys":[{"type":"email","key":"ab000000000000000000000000000000"}]}}
	// tombstone dsr-1
}

// A receipt is the customer's copy of a consent record.
func ExampleNewReceipt() {
	rec := fleet.ConsentRecord{RecordID: "rec-1", Subject: []identity.Ref{{Type: identity.TypeLoyaltyID, Key: identity.Key{1}}},
		Purposes: []consent.Purpose{consent.PurposeMarketing}, Granted: false, Time: time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC),
		Method: consent.SourceStoreKiosk, Store: "store-a"}
	fmt.Print(fleet.NewReceipt(rec, fleet.Controller{Name: "Acme Stores Ltd"}).Text())
	// Output:
	// Consent receipt 08cf205b-1712-58b9-8582-11186525070f
	// On 4 March 2026 09:00 UTC you withdrew consent to marketing (store_kiosk, at store-a).
	// Controller: Acme Stores Ltd.
}
