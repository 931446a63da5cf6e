package main

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected/consent"
	"github.com/touchpoint-sdk/touchpoint/fleet"
	"github.com/touchpoint-sdk/touchpoint/identity"
)

func TestFleetMemory(t *testing.T)     { testFleet(t, false, false) }
func TestFleetPostgreSQL(t *testing.T) { testFleet(t, true, false) }

// The same on embedded NATS JetStream: durable pull consumers shared by
// both instances, link facts read by the holder of the KV lease.
func TestFleetNATSMemory(t *testing.T)     { testFleet(t, false, true) }
func TestFleetNATSPostgreSQL(t *testing.T) { testFleet(t, true, true) }

func day(d, h int) time.Time { return time.Date(2026, 3, d, h, 0, 0, 0, time.UTC) }

// testFleet is the fleet's done-when: two stores, two hub instances on
// Kafka (kfake) or NATS JetStream (embedded) and a shared database. A shopper seen at both stores
// becomes one profile in the database; her revocation at store A stops
// marketing at store B; her export lists both stores' touchpoints and the
// revocation with its receipt; her erasure removes her everywhere and a
// replay cannot bring her back; a hub instance killed mid-stream loses and
// duplicates nothing.
func testFleet(t *testing.T, pg, onNATS bool) {
	e := newEnvOn(t, pg, onNATS)
	ctx := context.Background()
	a, b := e.gateway("store-a"), e.gateway("store-b")

	// hub 1 crashes after applying its 10th record, mid-poll, before the
	// commit; hub 2 must take over its partitions without loss or repeat
	var n1 atomic.Int64
	var crashed atomic.Bool
	h1 := e.startHub("hub-1", func() bool {
		if n1.Add(1) == 10 {
			crashed.Store(true)
			return true
		}
		return false
	})
	if onNATS {
		// hub 1 holds the control lease before hub 2 starts, so every link
		// fact goes to hub 1 until it crashes: it has records to crash on,
		// and hub 2 must take the lease over once the lease expires
		eventually(t, "hub 1 holds the control lease", func() bool { return h1.ctl.Load() > 0 })
	}
	h2 := e.startHub("hub-2", nil)
	// both instances hold data partitions before anything is sent, so hub 1
	// has records to crash on (otherwise hub 2 may drain everything first)
	eventually(t, "both hubs assigned data partitions", func() bool { return h1.data.Load() > 0 && h2.data.Load() > 0 })

	// background shoppers at both stores: 30 shoppers, 4 visits each
	type shopper struct {
		card   identity.Identifier
		visits int
	}
	var crowd []shopper
	for i := 0; i < 30; i++ {
		s := shopper{card: identity.Identifier{Type: identity.TypeLoyaltyID, Value: fmt.Sprintf("C-%s-%d", e.run, i)}}
		for v := 0; v < 4; v++ {
			gw := a
			if v%2 == 1 {
				gw = b
			}
			gw.see(day(1, 8).Add(time.Duration(i*10+v)*time.Minute), "Zone Entered", s.card,
				identity.Identifier{Type: identity.TypeAnonymousID, Value: fmt.Sprintf("anon-%s-%d-%d", e.run, i, v)})
			s.visits++
		}
		crowd = append(crowd, s)
	}

	// the shopper
	card := identity.Identifier{Type: identity.TypeLoyaltyID, Value: "L-7731-" + e.run}
	anonA := identity.Identifier{Type: identity.TypeAnonymousID, Value: "anon-a-" + e.run}
	anonB := identity.Identifier{Type: identity.TypeAnonymousID, Value: "anon-b-" + e.run}
	refsA := a.see(day(2, 10), "Zone Entered", card, anonA)
	a.consent("rec-grant-"+e.run, day(2, 10), true, refsA...)
	refsB := b.see(day(3, 11), "Order Completed", card, anonB)

	all := func() []string {
		a.mu.Lock()
		defer a.mu.Unlock()
		b.mu.Lock()
		defer b.mu.Unlock()
		return append(append([]string(nil), a.sent...), b.sent...)
	}
	eventually(t, "every message applied", func() bool { return allApplied(e.store, all()) })
	if !crashed.Load() {
		t.Fatal("hub 1 never crashed: the test did not exercise a takeover")
	}
	if err := h1.stop(); !errors.Is(err, errCrashed) {
		t.Fatalf("hub 1 ended with %v", err)
	}
	if onNATS && h2.ctl.Load() == 0 {
		t.Fatal("hub 2 never took the control lease over from the crashed hub 1")
	}

	// one profile in the database: a graph loaded afresh from the store
	g, err := e.open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pa, errA := g.Profile(anonA)
	pb, errB := g.Profile(anonB)
	g.Shutdown(context.Background())
	if errA != nil || errB != nil || pa.ID != pb.ID || len(pa.Members) != 3 {
		t.Fatalf("profiles %v %v, %v %v: want one profile of three identifiers", pa, pb, errA, errB)
	}

	// the grant at A reached B; the revocation at A stops marketing at B
	eventually(t, "the grant at store B", func() bool { return b.fol.Decide(consent.PurposeMarketing, day(3, 12), refsB...).Allowed })
	a.consent("rec-revoke-"+e.run, day(4, 9), false, refsA...)
	eventually(t, "the revocation at store B", func() bool {
		d := b.fol.Decide(consent.PurposeMarketing, day(4, 10), refsB...)
		return !d.Allowed && d.Reason == fleet.DecisionWithdrawn
	})
	eventually(t, "the revocation applied", func() bool { return allApplied(e.store, all()) })

	// export: both stores' touchpoints, the revocation and its receipt
	ex, err := h2.Export(ctx, card, anonB)
	if err != nil {
		t.Fatal(err)
	}
	stores := map[string]int{}
	for _, tp := range ex.Touchpoints {
		stores[tp.Store]++
	}
	if stores["store-a"] != 1 || stores["store-b"] != 1 {
		t.Fatalf("export touchpoints by store %v", stores)
	}
	var revoked *fleet.ConsentEntry
	for i := range ex.Consents {
		if ex.Consents[i].State == fleet.StateWithdrawn {
			revoked = &ex.Consents[i]
		}
	}
	if len(ex.Consents) != 2 || revoked == nil || revoked.Receipt.ReceiptID == "" || revoked.Receipt.EventState != fleet.StateWithdrawn ||
		revoked.Receipt.Controller != "Acme Stores Ltd" || revoked.Store != "store-a" {
		t.Fatalf("export consents %+v", ex.Consents)
	}
	if len(ex.Explained) != 1 || !ex.Explained[0].Linked {
		t.Fatalf("export explanation %+v", ex.Explained)
	}
	t.Logf("export summary:\n%s", ex.Summary())

	// no loss, no repeat: every background shopper has exactly its visits
	for _, s := range crowd {
		ex, err := h2.Export(ctx, s.card)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, tp := range ex.Touchpoints {
			if seen[tp.MessageID] {
				t.Fatalf("touchpoint %s twice", tp.MessageID)
			}
			seen[tp.MessageID] = true
		}
		if len(ex.Touchpoints) != s.visits || len(ex.Links) != s.visits {
			t.Fatalf("shopper %s: %d touchpoints and %d links, want %d each", s.card.Value, len(ex.Touchpoints), len(ex.Links), s.visits)
		}
	}
	ap1, _, _ := h1.Stats()
	ap2, dup2, pub2 := h2.Stats()
	t.Logf("hub 1 applied %d before its crash; hub 2 applied %d, found %d already applied (redelivered), published %d", ap1, ap2, dup2, pub2)

	// erasure everywhere
	er, err := h2.Erase(ctx, card, "dsr-"+e.run, day(5, 9))
	if err != nil {
		t.Fatal(err)
	}
	if len(er.Keys) != 3 || er.ProofsKept != 2 {
		t.Fatalf("erasure %+v", er)
	}
	for _, gw := range []*gateway{a, b} {
		eventually(t, gw.name+" erased", func() bool {
			return gw.fol.Decide(consent.PurposeMarketing, day(5, 10), refsB[0]).Reason == fleet.DecisionErased
		})
	}
	if _, err := h2.Export(ctx, card); !errors.Is(err, fleet.ErrErased) {
		t.Fatalf("export after erasure: %v", err)
	}
	// gone from both gateways' identity graphs too (the tombstone's keys
	// are erased there by the follower)
	herIDs := []identity.Identifier{card, anonA, anonB}
	for _, gw := range []*gateway{a, b} {
		for _, x := range herIDs {
			eventually(t, gw.name+" graph erased "+string(x.Type), func() bool {
				_, err := gw.graph.Profile(x)
				return errors.Is(err, identity.ErrSuppressed)
			})
		}
		if st := gw.fol.Stats(); st.Erased == 0 || st.Dropped != 0 {
			t.Fatalf("%s follower after the erasure: %+v", gw.name, st)
		}
	}
	goneFromGateways := func(when string) {
		t.Helper()
		for _, gw := range []*gateway{a, b} {
			// her visit replayed at the store: suppressed, not relinked
			o := identity.Observation{EventID: gw.name + "-replay-" + when + "-" + e.run, Time: day(3, 11), IDs: []identity.Identifier{card, anonA, anonB}}
			if _, err := gw.graph.Link(ctx, o); !errors.Is(err, identity.ErrSuppressed) {
				t.Fatalf("%s: her replayed visit %s: %v", gw.name, when, err)
			}
			for _, x := range herIDs {
				if p, err := gw.graph.Profile(x); !errors.Is(err, identity.ErrSuppressed) {
					t.Fatalf("%s: %s in the graph %s: %+v %v", gw.name, x.Type, when, p, err)
				}
			}
		}
	}
	goneFromGateways("after the erasure")
	// the background shoppers stay at both gateways
	for _, gw := range []*gateway{a, b} {
		if _, err := gw.graph.Profile(crowd[0].card); err != nil {
			t.Fatalf("%s lost a background shopper: %v", gw.name, err)
		}
	}

	// replay: store B's gateway, restored from an old backup, sends her
	// again under new ids; the hub refuses it all and nothing comes back
	b2 := e.backupGateway("store-b")
	b2.see(day(3, 11), "Order Completed", card, anonB)
	b2.consent("rec-grant-2-"+e.run, day(6, 9), true, refsB...)
	b2.mu.Lock()
	replayed := append([]string(nil), b2.sent...)
	b2.mu.Unlock()
	eventually(t, "the replay applied", func() bool { return allApplied(e.store, replayed) })
	if _, err := h2.Export(ctx, card); !errors.Is(err, fleet.ErrErased) {
		t.Fatalf("export after the replay: %v", err)
	}
	g, err = e.open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, err = g.Profile(card)
	g.Shutdown(context.Background())
	if !errors.Is(err, identity.ErrSuppressed) {
		t.Fatalf("graph after the replay: %v", err)
	}
	n := 0
	if err := e.store.Read(ctx, []identity.Key{refsA[0].Key, refsA[1].Key, refsB[1].Key}, func(fleet.Record) error { n++; return nil }); err != nil || n != 0 {
		t.Fatalf("%d records left under her keys (%v)", n, err)
	}
	time.Sleep(200 * time.Millisecond) // anything the replay published has reached the followers
	if d := a.fol.Decide(consent.PurposeMarketing, day(7, 9), refsA...); d.Allowed {
		t.Fatalf("store A permits marketing after the replay: %+v", d)
	}
	goneFromGateways("after the replay")
}
