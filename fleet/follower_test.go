package fleet_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
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

// graphGateway is a gateway whose follower erases from its graph too; its
// drops are collected.
func graphGateway(t *testing.T, name string) (*gateway, *[]fleet.Drop) {
	t.Helper()
	gw := newGateway(t, name)
	drops := &[]fleet.Drop{}
	f, err := fleet.NewFollower(gw.ledger, fleet.WithFollowerGraph(gw.graph), fleet.WithFollowerDrops(func(d fleet.Drop) { *drops = append(*drops, d) }))
	if err != nil {
		t.Fatal(err)
	}
	gw.fol = f
	return gw, drops
}

// TestFollowerErasesFromTheGraph: a tombstone from the hub erases the
// person from a gateway's identity graph, whether it arrives after the
// person's events at that store or before them: no member of her profile
// there is left (Profile says erased) but the tablet she shared, which
// joins its other user; her replayed events are refused by the gateway's
// pipeline (counted) and her replayed link fact by the hub (drop
// callback); the same tombstone again, after a follower restart, changes
// nothing.
func TestFollowerErasesFromTheGraph(t *testing.T) {
	ctx := context.Background()
	kim := []identity.Identifier{id(identity.TypeLoyaltyID, "K-1"), id(identity.TypeAnonymousID, "kiosk-1")}
	kimEmail := id(identity.TypeEmail, "kim@mail.example")
	tablet := id(identity.TypeDeviceID, "family-tablet")
	lee := id(identity.TypeLoyaltyID, "L-2")
	for _, order := range []string{"tombstone after the events", "tombstone before the events"} {
		t.Run(order, func(t *testing.T) {
			var hubDrops []fleet.Drop
			hub, _, _ := newHub(t, fleet.WithDropHandler(func(d fleet.Drop) { hubDrops = append(hubDrops, d) }))
			elsewhere := newGateway(t, "store-a") // where the hub learnt of her
			_, msgs := elsewhere.see(at(1, 9), "Order Completed", kim[0], kim[1], kimEmail)
			apply(t, hub, msgs...)
			er, err := hub.Erase(ctx, kimEmail, "dsr-16", at(10, 9))
			if err != nil {
				t.Fatal(err)
			}
			tomb := enc(t, er.Publish[0])

			gw, drops := graphGateway(t, "store-b")
			events := func() (published [][]byte) {
				_, m1 := gw.see(at(2, 9), "Zone Entered", kim...)
				_, m2 := gw.see(at(2, 10), "Zone Entered", tablet, kim[0])
				_, m3 := gw.see(at(3, 10), "Zone Entered", tablet, lee)
				return append(append(m1, m2...), m3...)
			}
			var published [][]byte
			if order == "tombstone after the events" {
				published = events()
				p, err := gw.graph.Profile(kim[0]) // the tablet, seen with two people, is quarantined
				if err != nil || len(p.Members) != 2 {
					t.Fatalf("her profile at the gateway: %+v %v", p, err)
				}
				follow(t, [][]byte{tomb}, gw)
				if st := gw.fol.Stats(); st.Erased != 2 || st.Applied != 1 {
					t.Fatalf("follower stats %+v", st)
				}
			} else {
				follow(t, [][]byte{tomb}, gw)
				for _, o := range []identity.Observation{
					{EventID: "b-1", Time: at(11, 9), IDs: kim},
					{EventID: "b-2", Time: at(11, 10), IDs: []identity.Identifier{tablet, kim[0]}},
				} {
					if _, err := gw.graph.Link(ctx, o); !errors.Is(err, identity.ErrSuppressed) {
						t.Fatalf("her event %s after the tombstone: %v", o.EventID, err)
					}
				}
				if _, err := gw.graph.Link(ctx, identity.Observation{EventID: "b-3", Time: at(11, 11), IDs: []identity.Identifier{tablet, lee}}); err != nil {
					t.Fatal(err)
				}
			}
			for _, x := range append(kim, kimEmail) {
				if _, err := gw.graph.Profile(x); !errors.Is(err, identity.ErrSuppressed) {
					t.Errorf("%s at the gateway after the tombstone: %v", x.Type, err)
				}
			}
			p, err := gw.graph.Profile(tablet)
			if err != nil || len(p.Members) != 2 || p.Members[0].Type != identity.TypeLoyaltyID {
				t.Fatalf("the shared tablet: %+v %v", p, err)
			}
			if lp, _ := gw.graph.Profile(lee); lp.ID != p.ID {
				t.Fatalf("the tablet is not with its other user: %s != %s", lp.ID, p.ID)
			}

			// her events replayed through the gateway's pipeline: refused, counted
			mw, err := identity.NewMiddleware(gw.graph, identity.WithoutLinkFacts())
			if err != nil {
				t.Fatal(err)
			}
			sink := connected.HandlerFunc(func(context.Context, *connected.Record) error { return nil })
			c, err := connected.New(sink, connected.WithMiddleware(mw.Middleware()))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Shutdown(ctx)
			err = c.Track(ctx, connected.Event{AnonymousID: "kiosk-1", Event: "Zone Entered", OriginalTimestamp: at(2, 9)})
			if !errors.Is(err, identity.ErrSuppressed) || mw.Stats().Suppressed != 1 {
				t.Fatalf("her replayed event at the gateway: %v, %+v", err, mw.Stats())
			}
			// her link facts replayed to the hub: refused, with the callback
			for _, b := range published {
				res, err := hub.Apply(ctx, b)
				if err != nil {
					t.Fatal(err)
				}
				if res.Dropped != "" && res.Dropped != fleet.DropErased {
					t.Fatalf("replay at the hub: %+v", res)
				}
			}
			if order == "tombstone after the events" && (len(hubDrops) < 2 || hubDrops[0].Reason != fleet.DropErased) {
				t.Fatalf("hub drops %+v", hubDrops)
			}

			// the same tombstone after a restart of the follower (its dedupe
			// window is gone): nothing changes, the tablet's user stays
			before := gw.graph.Stats()
			f, err := fleet.NewFollower(gw.ledger, fleet.WithFollowerGraph(gw.graph))
			if err != nil {
				t.Fatal(err)
			}
			gw.fol = f
			follow(t, [][]byte{tomb}, gw)
			if st := f.Stats(); st.Erased != 0 || st.Applied != 1 || gw.graph.Stats() != before {
				t.Fatalf("the tombstone again: %+v, graph %+v, was %+v", st, gw.graph.Stats(), before)
			}
			if len(*drops) != 0 {
				t.Fatalf("drops %+v", *drops)
			}
		})
	}
}

// failOnce is a graph whose first erasure fails.
type failOnce struct {
	fleet.FollowerGraph
	failed bool
}

var errDisk = errors.New("disk full")

func (f *failOnce) EraseKeys(ctx context.Context, keys []identity.Ref, at time.Time) ([]*identity.ErasureReport, error) {
	if !f.failed {
		f.failed = true
		return nil, errDisk
	}
	return f.FollowerGraph.EraseKeys(ctx, keys, at)
}

// TestFollowerGraphRefusals: a key the gateway's graph refuses is reported
// (DropKeyRefused) and the others are erased; a graph that fails makes
// Apply fail, so the message is delivered again and applied then.
func TestFollowerGraphRefusals(t *testing.T) {
	ctx := context.Background()
	gw, drops := graphGateway(t, "store-b")
	refs, _ := gw.see(at(1, 9), "Zone Entered", id(identity.TypeLoyaltyID, "K-1"), id(identity.TypeAnonymousID, "kiosk-1"))
	place, _ := gw.graph.Key(id(identity.TypeBeaconID, "door"))
	tomb := fleet.Message{Kind: fleet.KindTombstone, ID: "t1", Time: at(5, 9), Source: "hub",
		Tombstone: &fleet.Tombstone{RequestID: "dsr", Keys: []identity.Ref{place, {Type: "kiosk_id", Key: identity.Key{7}}, refs[0]}}}
	if err := gw.fol.ApplyMessage(ctx, tomb); err != nil {
		t.Fatal(err)
	}
	if len(*drops) != 2 || (*drops)[0].Reason != fleet.DropKeyRefused || !errors.Is((*drops)[1].Err, identity.ErrUnknownType) {
		t.Fatalf("drops %+v", *drops)
	}
	if st := gw.fol.Stats(); st.Erased != 2 || st.Dropped != 2 || st.Applied != 1 {
		t.Fatalf("stats %+v", st)
	}
	if _, err := gw.graph.Profile(id(identity.TypeAnonymousID, "kiosk-1")); !errors.Is(err, identity.ErrSuppressed) {
		t.Fatalf("the card's person after the tombstone: %v", err)
	}

	gw2 := newGateway(t, "store-c")
	gw2.see(at(1, 9), "Zone Entered", id(identity.TypeLoyaltyID, "K-1"), id(identity.TypeAnonymousID, "kiosk-1"))
	f, err := fleet.NewFollower(gw2.ledger, fleet.WithFollowerGraph(&failOnce{FollowerGraph: gw2.graph}))
	if err != nil {
		t.Fatal(err)
	}
	tomb.Tombstone.Keys = refs[:1]
	if err := f.ApplyMessage(ctx, tomb); !errors.Is(err, errDisk) || f.Stats().Applied != 0 {
		t.Fatalf("a failing graph: %v %+v", err, f.Stats())
	}
	if err := f.ApplyMessage(ctx, tomb); err != nil || f.Stats().Applied != 1 || f.Stats().Erased != 2 {
		t.Fatalf("delivered again: %v %+v", err, f.Stats())
	}
}
