package fleet_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/fleet"
	"github.com/touchpoint-sdk/touchpoint/identity"
)

var errCrash = errors.New("the hub crashed here")

// crashStore is a MemStore whose Put fails once for the record id crashAt:
// the hub stopping right before it stored that record.
type crashStore struct {
	*fleet.MemStore
	crashAt string
}

func (s *crashStore) Put(ctx context.Context, r fleet.Record) error {
	if r.ID == s.crashAt {
		s.crashAt = ""
		return errCrash
	}
	return s.MemStore.Put(ctx, r)
}

// crashGraph is a graph whose Erase fails once, before erasing: the hub
// stopping after it stored the erasure plan.
type crashGraph struct {
	*identity.Graph
	crash bool
}

func (g *crashGraph) Erase(ctx context.Context, id identity.Identifier, at time.Time) (*identity.ErasureReport, error) {
	if g.crash {
		g.crash = false
		return nil, errCrash
	}
	return g.Graph.Erase(ctx, id, at)
}

// TestEraseCrashMidway: Kim is erased through the family tablet she shared
// with Bob, and the hub stops halfway, either before the graph erased
// (after the plan was stored) or after it (before the tombstone parts
// were stored). The requester's retry, later, publishes exactly the parts
// of a run that never stopped (Kim's card and email, at the first run's
// time), Kim is gone and Bob keeps the tablet: the retry does not take the
// tablet's new owner with it.
func TestEraseCrashMidway(t *testing.T) {
	kimCard := id(identity.TypeLoyaltyID, "K-1")
	kimMail := id(identity.TypeEmail, "kim@mail.example")
	bobMail := id(identity.TypeEmail, "bob@mail.example")
	bobUser := id(identity.TypeUserID, "bob-5")
	tablet := id(identity.TypeDeviceID, "family-tablet")
	gw, _ := graphGateway(t, "store-a")
	var msgs [][]byte
	for i, ids := range [][]identity.Identifier{{kimCard, kimMail}, {kimMail, tablet}, {tablet, bobMail}, {bobUser, bobMail}} {
		_, m := gw.see(at(1, 8+i), "Zone Entered", ids...)
		msgs = append(msgs, m...)
	}
	ctx := context.Background()

	ref, _, _ := newHub(t)
	apply(t, ref, msgs...)
	want, err := ref.Erase(ctx, tablet, "dsr-kim", at(2, 9))
	if err != nil {
		t.Fatal(err)
	}
	if len(want.Publish) != 1 || len(want.Keys) != 2 {
		t.Fatalf("the run without a crash: %+v", want)
	}
	bobBefore, err := ref.Export(ctx, bobUser)
	if err != nil {
		t.Fatal(err)
	}

	for _, crash := range []string{"before the graph erased", "after the graph erased"} {
		t.Run(crash, func(t *testing.T) {
			g, err := identity.New(secret)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { g.Shutdown(context.Background()) })
			cg := &crashGraph{Graph: g, crash: crash == "before the graph erased"}
			st := &crashStore{MemStore: fleet.NewMemStore()}
			if !cg.crash {
				st.crashAt = fleet.TombstonePartID("dsr-kim", 0)
			}
			hub, err := fleet.NewHub(st, fleet.WithGraph(cg), fleet.WithClock(func() time.Time { return at(20, 12) }))
			if err != nil {
				t.Fatal(err)
			}
			apply(t, hub, msgs...)
			if _, err := hub.Erase(ctx, tablet, "dsr-kim", at(2, 9)); !errors.Is(err, errCrash) {
				t.Fatalf("the first run: %v, want the crash", err)
			}
			got, err := hub.Erase(ctx, tablet, "dsr-kim", at(3, 9))
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Publish) != len(want.Publish) || string(enc(t, got.Publish[0])) != string(enc(t, want.Publish[0])) {
				t.Fatalf("the retry publishes %+v\nwant %+v", got.Publish, want.Publish)
			}
			if _, err := hub.Export(ctx, kimCard); err == nil {
				t.Fatal("Kim's export after her erasure")
			}
			bob, err := hub.Export(ctx, bobUser)
			if err != nil {
				t.Fatalf("Bob's export after the retry: %v", err)
			}
			if len(bob.Identifiers) != len(bobBefore.Identifiers) || len(bob.Touchpoints) != len(bobBefore.Touchpoints) {
				t.Fatalf("Bob after the retry: %+v\nwant %+v", bob, bobBefore)
			}
		})
	}
}

// TestEraseCrashMidwayLargePerson: a person with 200 identifiers (a plan
// and a tombstone of four parts) is erased by a hub that stops after the
// graph erased, before storing the tombstone's part 0 or its part 1, or
// before storing the plan's part 0 (the graph has not erased). The retry
// publishes every part of a run that never stopped (the same keys, at the
// retry's time when the graph had not erased: the first run's plan parts
// are not taken for the retry's).
func TestEraseCrashMidwayLargePerson(t *testing.T) {
	const n = 200
	ctx := context.Background()
	card := id(identity.TypeLoyaltyID, "K-200")
	gw, _ := graphGateway(t, "store-a")
	var msgs [][]byte
	for i := range n - 1 {
		_, m := gw.see(at(1, 9).Add(timeStep(i)), "Zone Entered", card, id(identity.TypeAnonymousID, fmt.Sprintf("kiosk-%03d", i)))
		msgs = append(msgs, m...)
	}
	ref, _, _ := newHub(t)
	apply(t, ref, msgs...)
	want, err := ref.Erase(ctx, card, "dsr-200", at(2, 9))
	if err != nil {
		t.Fatal(err)
	}
	if len(want.Keys) != n || len(want.Publish) < 2 {
		t.Fatalf("the run without a crash: %d keys in %d parts", len(want.Keys), len(want.Publish))
	}
	for _, c := range []struct{ name, crashAt string }{
		{"before tombstone part 0", fleet.TombstonePartID("dsr-200", 0)},
		{"before tombstone part 1", fleet.TombstonePartID("dsr-200", 1)},
		{"before plan part 0", fleet.ErasurePlanID("dsr-200", time.Time{}, 0)},
	} {
		crashAt := c.crashAt
		t.Run(c.name, func(t *testing.T) {
			g, err := identity.New(secret)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { g.Shutdown(context.Background()) })
			st := &crashStore{MemStore: fleet.NewMemStore()}
			hub, err := fleet.NewHub(st, fleet.WithGraph(g), fleet.WithClock(func() time.Time { return at(20, 12) }))
			if err != nil {
				t.Fatal(err)
			}
			apply(t, hub, msgs...)
			st.crashAt = crashAt
			if _, err := hub.Erase(ctx, card, "dsr-200", at(2, 9)); !errors.Is(err, errCrash) {
				t.Fatalf("the first run: %v, want the crash", err)
			}
			got, err := hub.Erase(ctx, card, "dsr-200", at(3, 9))
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Publish) != len(want.Publish) {
				t.Fatalf("the retry publishes %d parts (%d keys, report %+v), want %d", len(got.Publish), len(got.Keys), got.Report, len(want.Publish))
			}
			if crashAt == fleet.ErasurePlanID("dsr-200", time.Time{}, 0) {
				// the graph had not erased: the retry erases, at its own time
				if fmt.Sprint(got.Keys) != fmt.Sprint(want.Keys) {
					t.Fatalf("the retry tombstones other keys")
				}
				return
			}
			for i := range want.Publish {
				if string(enc(t, got.Publish[i])) != string(enc(t, want.Publish[i])) {
					t.Fatalf("part %d differs:\n got  %s\n want %s", i, enc(t, got.Publish[i]), enc(t, want.Publish[i]))
				}
			}
		})
	}
}
