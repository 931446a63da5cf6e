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

// A follower applies what the hub publishes to the gateway's consent
// ledger, once per message id; it needs a ledger.
func ExampleNewFollower() {
	ctx := context.Background()
	ledger, err := consent.NewLedger()
	if err != nil {
		panic(err)
	}
	defer ledger.Shutdown(ctx)
	f, err := fleet.NewFollower(ledger)
	if err != nil {
		panic(err)
	}
	when := time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC)
	rec := fleet.ConsentRecord{RecordID: "rec-1", Subject: []identity.Ref{{Type: identity.TypeLoyaltyID, Key: identity.Key{0x4c, 0x77}}},
		Purposes: []consent.Purpose{consent.PurposeMarketing}, Granted: true, Time: when, Method: consent.SourceStoreKiosk}
	payload, err := fleet.Encode(fleet.Message{Kind: fleet.KindConsentChange, ID: fleet.DeriveID(fleet.KindConsentChange, "c-1"),
		Time: when, Source: "hub", Consent: &rec})
	if err != nil {
		panic(err)
	}
	fmt.Println(f.Apply(ctx, payload), f.Apply(ctx, payload)) // the second is a redelivery
	st := f.Stats()
	fmt.Println(st.Applied, st.Duplicates)

	_, err = fleet.NewFollower(nil)
	fmt.Println(errors.Is(err, fleet.ErrInvalid))
	// Output:
	// <nil> <nil>
	// 1 1
	// true
}

// A MemStore files a record under each of its keys, once per id; after
// Erase it refuses new records under the erased keys.
func ExampleNewMemStore() {
	ctx := context.Background()
	st := fleet.NewMemStore()
	card := identity.Ref{Type: identity.TypeLoyaltyID, Key: identity.Key{0x4c, 0x77}}
	kiosk := identity.Ref{Type: identity.TypeAnonymousID, Key: identity.Key{0x6b, 0x31}}
	when := time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC)
	m := fleet.NewTouchpointMessage("ev-1", when, fleet.Touchpoint{Subject: []identity.Ref{card, kiosk}, Type: "track", Event: "Product Viewed", Store: "store-a"}, "store-a/gw-1")
	body, err := fleet.Encode(m)
	if err != nil {
		panic(err)
	}
	rec := fleet.Record{Keys: []identity.Key{card.Key, kiosk.Key}, ID: m.ID, Kind: m.Kind, Time: m.Time, Body: body}
	fmt.Println(st.Put(ctx, rec), st.Put(ctx, rec)) // the same id twice
	n := 0
	_ = st.Read(ctx, []identity.Key{card.Key, kiosk.Key}, func(fleet.Record) error { n++; return nil })
	fmt.Println(n)

	removed, err := st.Erase(ctx, []identity.Key{card.Key}, when.Add(24*time.Hour))
	fmt.Println(removed, err)
	err = st.Put(ctx, rec)
	fmt.Println(errors.Is(err, fleet.ErrErased))
	// Output:
	// <nil> <nil>
	// 1
	// 1 <nil>
	// true
}

// Erasure keeps the proof of consent under ProofKey tags of the person's
// keys: given the identifier again, the controller recomputes the tag and
// finds the proof, which no longer carries the person's key.
func ExampleProofKey() {
	ctx := context.Background()
	graph, err := identity.New([]byte("fleet-secret-0123456789"))
	if err != nil {
		panic(err)
	}
	defer graph.Shutdown(ctx)
	st := fleet.NewMemStore()
	hub, err := fleet.NewHub(st, fleet.WithGraph(graph))
	if err != nil {
		panic(err)
	}
	email := identity.Identifier{Type: identity.TypeEmail, Value: "kim@mail.example"}
	key, err := graph.Key(email)
	if err != nil {
		panic(err)
	}
	when := time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC)
	rec := fleet.ConsentRecord{RecordID: "rec-1", Subject: []identity.Ref{key}, Purposes: []consent.Purpose{consent.PurposeMarketing},
		Granted: true, Time: when, Method: fleet.SourceForm, Notice: "privacy-2026-03"}
	if _, err := hub.ApplyMessage(ctx, fleet.NewConsentMessage(rec, "store-a/gw-1")); err != nil {
		panic(err)
	}
	er, err := hub.Erase(ctx, email, "dsr-1", when.Add(48*time.Hour))
	if err != nil {
		panic(err)
	}
	fmt.Println(er.RecordsRemoved, er.ProofsKept)

	// a legal claim, later: the identifier is given again
	key, err = graph.Key(email)
	if err != nil {
		panic(err)
	}
	proof := fleet.ProofKey(key.Key)
	_ = st.Read(ctx, []identity.Key{proof}, func(r fleet.Record) error {
		if r.Kind != fleet.KindConsent {
			return nil // the request's tombstone is filed there too
		}
		m, err := fleet.Decode(r.Body)
		if err != nil {
			return err
		}
		c := m.Consent
		fmt.Println(c.RecordID, c.Granted, c.Notice, c.Subject[0].Key == proof, c.Subject[0].Key == key.Key)
		return nil
	})
	// Output:
	// 1 1
	// rec-1 true privacy-2026-03 true false
}

// A gateway records the consent it collects locally under SubjectOf(key),
// the subject the follower uses for the hub's facts, so both decide
// together.
func ExampleSubjectOf() {
	ctx := context.Background()
	ledger, err := consent.NewLedger()
	if err != nil {
		panic(err)
	}
	defer ledger.Shutdown(ctx)
	f, err := fleet.NewFollower(ledger)
	if err != nil {
		panic(err)
	}
	card := identity.Ref{Type: identity.TypeLoyaltyID, Key: identity.Key{0x4c, 0x77}}
	when := time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC)
	fmt.Println(fleet.SubjectOf(card))
	if _, err := ledger.Record(ctx, consent.Fact{Subject: fleet.SubjectOf(card), Purpose: consent.PurposeMarketing, Granted: true,
		Effective: when, Source: consent.SourceStoreKiosk}); err != nil {
		panic(err)
	}
	fmt.Println(f.Decide(consent.PurposeMarketing, when.Add(time.Minute), card).Reason)
	// Output:
	// 4c770000000000000000000000000000
	// granted
}
