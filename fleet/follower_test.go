package fleet_test

import (
	"context"
	"errors"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/connected/consent"
	"github.com/touchpoint-sdk/touchpoint/fleet"
	"github.com/touchpoint-sdk/touchpoint/identity"
)

func change(recID string, when int, granted bool, subject ...identity.Ref) fleet.Message {
	m := consentMsg(recID, at(when, 9), granted, "store-a", subject...)
	return fleet.Message{Kind: fleet.KindConsentChange, ID: fleet.DeriveID(fleet.KindConsentChange, m.ID), Time: m.Time, Source: "hub", Consent: m.Consent}
}

func TestFollowerDecisions(t *testing.T) {
	ctx := context.Background()
	g := newGateway(t, "store-b")
	var drops []fleet.Drop
	f, err := fleet.NewFollower(g.ledger, fleet.WithFollowerDrops(func(d fleet.Drop) { drops = append(drops, d) }), fleet.WithDedupeWindow(2))
	if err != nil {
		t.Fatal(err)
	}
	// unknown means denied
	if d := f.Decide(consent.PurposeMarketing, at(1, 9), card, anon); d.Allowed || d.Reason != fleet.DecisionUnknown {
		t.Fatalf("nothing known: %+v", d)
	}
	// grant under the card, withdrawal later under the anonymous id: the
	// latest fact across the keys wins
	for _, m := range []fleet.Message{change("r1", 2, true, card), change("r2", 4, false, anon)} {
		if err := f.ApplyMessage(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	if d := f.Decide(consent.PurposeMarketing, at(3, 9), card, anon); !d.Allowed {
		t.Fatalf("between grant and withdrawal: %+v", d)
	}
	if d := f.Decide(consent.PurposeMarketing, at(5, 9), card, anon); d.Allowed || d.Reason != fleet.DecisionWithdrawn {
		t.Fatalf("after the withdrawal: %+v", d)
	}
	if d := f.Decide(consent.PurposeAnalytics, at(5, 9), card); d.Allowed {
		t.Fatalf("another purpose: %+v", d)
	}
	// duplicates are skipped within the window
	if err := f.ApplyMessage(ctx, change("r2", 4, false, anon)); err != nil || f.Stats().Duplicates != 1 {
		t.Fatalf("duplicate: %v %+v", err, f.Stats())
	}
	// memberships
	ms := fleet.Membership{Subject: []identity.Ref{card}, Audience: "vip", Entered: true}
	if err := f.ApplyMessage(ctx, fleet.Message{Kind: fleet.KindFleetMembership, ID: "m1", Time: at(3, 9), Source: "hub", Membership: &ms}); err != nil {
		t.Fatal(err)
	}
	if got := f.Memberships(anon, card); len(got) != 1 || got[0] != "vip" {
		t.Fatalf("memberships %v", got)
	}
	// a tombstone erases; later facts about the keys are refused
	tomb := fleet.Message{Kind: fleet.KindTombstone, ID: "t1", Time: at(6, 9), Source: "hub", Tombstone: &fleet.Tombstone{RequestID: "dsr", Keys: []identity.Ref{card, anon}}}
	if err := f.ApplyMessage(ctx, tomb); err != nil {
		t.Fatal(err)
	}
	if d := f.Decide(consent.PurposeMarketing, at(7, 9), card); d.Reason != fleet.DecisionErased {
		t.Fatalf("after the tombstone: %+v", d)
	}
	if got := f.Memberships(card); len(got) != 0 {
		t.Fatalf("memberships after the tombstone: %v", got)
	}
	if err := f.ApplyMessage(ctx, change("r3", 8, true, card)); err != nil {
		t.Fatal(err)
	}
	if d := f.Decide(consent.PurposeMarketing, at(9, 9), card); d.Allowed {
		t.Fatalf("a replayed grant brought an erased person back: %+v", d)
	}
	if len(drops) != 1 || drops[0].Reason != fleet.DropErased {
		t.Fatalf("drops %+v", drops)
	}
	// kinds a follower does not follow
	if err := f.ApplyMessage(ctx, goldenMessages()["touchpoint"]); !errors.Is(err, fleet.ErrInvalid) || len(drops) != 2 {
		t.Fatalf("touchpoint at a follower: %v, drops %+v", err, drops)
	}
	if err := f.Apply(ctx, []byte("nope")); !errors.Is(err, fleet.ErrCorrupt) || f.Stats().Dropped != 3 {
		t.Fatalf("corrupt: %v %+v", err, f.Stats())
	}
	if _, err := fleet.NewFollower(nil); !errors.Is(err, fleet.ErrInvalid) {
		t.Fatalf("nil ledger: %v", err)
	}
}

func TestReceipt(t *testing.T) {
	m := goldenMessages()["consent"]
	r := fleet.NewReceipt(*m.Consent, fleet.Controller{Name: "Acme Stores Ltd", Contact: "privacy@acme.example", WithdrawalMethod: "at any till"})
	if r.ReceiptID != fleet.NewReceipt(*m.Consent, fleet.Controller{}).ReceiptID || r.SchemaVersion != fleet.ReceiptSchema ||
		r.EventState != fleet.StateGiven || r.PIIPrincipalID != "loyalty_id:"+card.Key.String() || r.CollectedAt != "store-a / store-a/kiosk-1" {
		t.Fatalf("receipt %+v", r)
	}
	want := "Consent receipt " + r.ReceiptID + "\nOn 1 March 2026 10:00 UTC you gave consent to marketing, personalization (cmp, at store-a / store-a/kiosk-1).\n" +
		"Notice: privacy-2026-03 (en-GB).\nController: Acme Stores Ltd, privacy@acme.example.\nValid: until withdrawn.\nTo withdraw: at any till.\n"
	if got := r.Text(); got != want {
		t.Fatalf("text:\n%s\nwant:\n%s", got, want)
	}
}
