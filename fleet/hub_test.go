package fleet_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/connected/consent"
	"github.com/touchpoint-sdk/touchpoint/fleet"
	"github.com/touchpoint-sdk/touchpoint/identity"
)

// The fleet scenario on memory stores: a shopper seen at two stores
// becomes one profile; her revocation at store A stops marketing at store
// B; her export lists both stores and the revocation with its receipt; her
// erasure removes her everywhere and a replay cannot bring her back.
func TestFleetScenario(t *testing.T) {
	ctx := context.Background()
	a, b := newGateway(t, "store-a"), newGateway(t, "store-b")
	hub, graph, _ := newHub(t)
	card := id(identity.TypeLoyaltyID, "L-7731")
	refsA, msgsA := a.see(at(1, 10), "Zone Entered", card, id(identity.TypeAnonymousID, "anon-a"))
	refsB, msgsB := b.see(at(2, 11), "Order Completed", card, id(identity.TypeAnonymousID, "anon-b"))
	grant := enc(t, consentMsg("rec-1", at(1, 10), true, "store-a", refsA...))
	all := append(append(append([][]byte{}, msgsA...), msgsB...), grant)
	pub := apply(t, hub, all...)
	follow(t, pub, a, b)

	// one profile
	pa, err := graph.Profile(id(identity.TypeAnonymousID, "anon-a"))
	if err != nil {
		t.Fatal(err)
	}
	pb, _ := graph.Profile(id(identity.TypeAnonymousID, "anon-b"))
	if pa.ID != pb.ID || len(pa.Members) != 3 {
		t.Fatalf("profiles %s and %s, %d members: want one profile of 3", pa.ID, pb.ID, len(pa.Members))
	}
	// store B, which never collected her consent, now permits marketing
	if d := b.decide(consent.PurposeMarketing, at(3, 9), refsB...); !d.Allowed {
		t.Fatalf("store B after the grant: %+v", d)
	}
	// revocation at A reaches B
	revoke := enc(t, consentMsg("rec-2", at(4, 9), false, "store-a", refsA...))
	pub = apply(t, hub, revoke)
	if len(pub) != 1 {
		t.Fatalf("revocation published %d messages, want 1", len(pub))
	}
	follow(t, pub, a, b)
	if d := b.decide(consent.PurposeMarketing, at(4, 10), refsB...); d.Allowed || d.Reason != fleet.DecisionWithdrawn {
		t.Fatalf("store B after the revocation: %+v", d)
	}
	// a duplicate applies nothing but republishes the same id
	res, err := hub.Apply(ctx, revoke)
	if err != nil || !res.Duplicate || len(res.Publish) != 1 {
		t.Fatalf("duplicate: %+v %v", res, err)
	}
	if got := enc(t, res.Publish[0]); string(got) != string(pub[0]) {
		t.Fatal("a duplicate republished a different message")
	}

	// export
	ex, err := hub.Export(ctx, card, id(identity.TypeAnonymousID, "anon-b"))
	if err != nil {
		t.Fatal(err)
	}
	stores := map[string]bool{}
	for _, tp := range ex.Touchpoints {
		stores[tp.Store] = true
	}
	if !stores["store-a"] || !stores["store-b"] || len(ex.Touchpoints) != 2 {
		t.Fatalf("export touchpoints %+v", ex.Touchpoints)
	}
	if len(ex.Consents) != 2 || ex.Consents[1].State != fleet.StateWithdrawn || ex.Consents[1].Receipt.ReceiptID == "" ||
		ex.Consents[1].Receipt.EventState != fleet.StateWithdrawn || ex.Consents[1].Receipt.Controller != "Acme Stores Ltd" {
		t.Fatalf("export consents %+v", ex.Consents)
	}
	if len(ex.Links) != 2 || len(ex.Explained) != 1 || !ex.Explained[0].Linked || len(ex.Identifiers) != 3 {
		t.Fatalf("export links %+v explained %+v ids %d", ex.Links, ex.Explained, len(ex.Identifiers))
	}
	doc, err := ex.JSON()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(doc), "L-7731") || strings.Contains(string(doc), "anon-a") {
		t.Fatal("the export holds an identifier value the graph does not keep")
	}
	if s := ex.Summary(); !strings.Contains(s, "store store-a: 1") || !strings.Contains(s, "withdrawn marketing") {
		t.Fatalf("summary:\n%s", s)
	}

	// erasure everywhere
	er, err := hub.Erase(ctx, card, "dsr-1", at(5, 9))
	if err != nil {
		t.Fatal(err)
	}
	if len(er.Keys) != 3 || er.ProofsKept != 2 || len(er.Publish) != 1 {
		t.Fatalf("erasure %+v", er)
	}
	follow(t, [][]byte{enc(t, er.Publish[0])}, a, b)
	for _, g := range []*gateway{a, b} {
		if d := g.decide(consent.PurposeMarketing, at(5, 10), refsB...); d.Allowed || d.Reason != fleet.DecisionErased {
			t.Fatalf("%s after erasure: %+v", g.name, d)
		}
	}
	if _, err := hub.Export(ctx, card); !errors.Is(err, fleet.ErrErased) {
		t.Fatalf("export after erasure: %v", err)
	}
	// replay with new message ids (a gateway re-sending under new ids is
	// the hard case: dedupe cannot help, tombstones must)
	_, again := a.see(at(1, 10), "Zone Entered", card, id(identity.TypeAnonymousID, "anon-a"))
	fresh := enc(t, consentMsg("rec-9", at(6, 9), true, "store-a", refsA...))
	for _, m := range append(again, fresh) {
		res, err := hub.Apply(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		if res.Dropped != fleet.DropErased || len(res.Publish) != 0 {
			t.Fatalf("replay after erasure: %+v", res)
		}
	}
	if _, err := hub.Export(ctx, card); !errors.Is(err, fleet.ErrErased) {
		t.Fatalf("export after replay: %v", err)
	}
	if st := hub.Stats(); st.Dropped < 2 || st.Erasures != 1 {
		t.Fatalf("stats %+v", st)
	}
	// erasing again (a retry) gives the same tombstone
	er2, err := hub.Erase(ctx, card, "dsr-1", at(5, 9))
	if err != nil {
		t.Fatal(err)
	}
	if string(enc(t, er2.Publish[0])) != string(enc(t, er.Publish[0])) {
		t.Fatalf("retried erasure published another tombstone:\n%s\n%s", enc(t, er2.Publish[0]), enc(t, er.Publish[0]))
	}
}

func TestHubErrors(t *testing.T) {
	ctx := context.Background()
	if _, err := fleet.NewHub(nil); !errors.Is(err, fleet.ErrInvalid) {
		t.Fatalf("nil store: %v", err)
	}
	noGraph, err := fleet.NewHub(fleet.NewMemStore())
	if err != nil {
		t.Fatal(err)
	}
	a := newGateway(t, "store-a")
	_, msgs := a.see(at(1, 10), "Zone Entered", id(identity.TypeEmail, "kim@mail.example"), id(identity.TypeAnonymousID, "x"))
	if _, err := noGraph.Apply(ctx, msgs[0]); !errors.Is(err, fleet.ErrNoGraph) {
		t.Fatalf("link without graph: %v", err)
	}
	if _, err := noGraph.Apply(ctx, msgs[1]); err != nil {
		t.Fatalf("touchpoint without graph: %v", err)
	}
	if _, err := noGraph.Export(ctx, id(identity.TypeEmail, "kim@mail.example")); !errors.Is(err, fleet.ErrNoGraph) {
		t.Fatalf("export without graph: %v", err)
	}
	var drops []fleet.Drop
	h, _, _ := newHub(t, fleet.WithDropHandler(func(d fleet.Drop) { drops = append(drops, d) }))
	var fe *fleet.FormatError
	if _, err := h.Apply(ctx, []byte(`{"v":1,"kind":"consent"`)); !errors.As(err, &fe) || !errors.Is(err, fleet.ErrCorrupt) {
		t.Fatalf("corrupt: %v", err)
	}
	tomb := enc(t, fleet.Message{Kind: fleet.KindTombstone, ID: "t1", Time: at(1, 1), Tombstone: &fleet.Tombstone{RequestID: "r", Keys: []identity.Ref{{Type: "email"}}}})
	if _, err := h.Apply(ctx, tomb); !errors.Is(err, fleet.ErrInvalid) {
		t.Fatalf("tombstone at the hub: %v", err)
	}
	if len(drops) != 2 || drops[0].Reason != fleet.DropCorrupt || drops[1].Reason != fleet.DropNotForHub || h.Stats().Dropped != 2 {
		t.Fatalf("drops %+v stats %+v", drops, h.Stats())
	}
	if _, err := h.Export(ctx, id(identity.TypeEmail, "nobody@mail.example")); !errors.Is(err, fleet.ErrNotFound) {
		t.Fatalf("export of nobody: %v", err)
	}
	if _, err := h.Erase(ctx, id(identity.TypeEmail, "kim@mail.example"), "", at(1, 1)); !errors.Is(err, fleet.ErrInvalid) {
		t.Fatalf("erase without request id: %v", err)
	}
	h.Close()
	if _, err := h.Apply(ctx, msgs[1]); !errors.Is(err, fleet.ErrClosed) {
		t.Fatalf("after close: %v", err)
	}
}

func TestDeferredMark(t *testing.T) {
	ctx := context.Background()
	h, _, _ := newHub(t, fleet.WithDeferredMark())
	m := enc(t, goldenMessages()["touchpoint"])
	for i := 0; i < 2; i++ {
		res, err := h.Apply(ctx, m)
		if err != nil || res.Duplicate {
			t.Fatalf("apply %d before marking: %+v %v", i, res, err)
		}
	}
	if err := h.MarkApplied(ctx, goldenMessages()["touchpoint"].ID); err != nil {
		t.Fatal(err)
	}
	if res, err := h.Apply(ctx, m); err != nil || !res.Duplicate {
		t.Fatalf("after marking: %+v %v", res, err)
	}
}
