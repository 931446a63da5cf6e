package identity_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/identity"
)

// TestPlanEraseMatchesErase: on random graphs PlanErase names the subject,
// profile, removed and retained identifiers Erase then reports, and
// changes nothing.
func TestPlanEraseMatchesErase(t *testing.T) {
	runs := 300
	if testing.Short() {
		runs = 60
	}
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(31, 7))
	when := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for run := range runs {
		sc := randomScenario(rng, 6+rng.IntN(24))
		g, err := identity.New(scenarioSecret, sc.options()...)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { g.Close() })
		for i := range sc.Phases {
			for _, o := range sc.Phases[i].ops() {
				applyLoose(t, g, o)
			}
		}
		subject := parseID(t, []string{"user_id:u0", "user_id:u1", "user_id:u2", "user_id:u3", "email:never@mail.example"}[rng.IntN(5)])
		profiles, stats := g.Profiles(), g.Stats()
		plan, err := g.PlanErase(subject)
		if err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		if !reflect.DeepEqual(g.Profiles(), profiles) || g.Stats() != stats {
			t.Fatalf("run %d: PlanErase changed the graph", run)
		}
		rep, err := g.Erase(ctx, subject, when)
		if err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		if plan.Subject != rep.Subject || plan.ProfileID != rep.ProfileID ||
			!reflect.DeepEqual(plan.Removed, rep.Removed) || !reflect.DeepEqual(plan.Retained, rep.Retained) {
			t.Fatalf("run %d:\n plan  %+v\n erase %+v", run, plan, rep)
		}
	}
}

// TestPlanEraseErrors: what identifies nobody is refused as Erase refuses
// it, and a closed graph says so.
func TestPlanEraseErrors(t *testing.T) {
	g := newGraph(t)
	aliceAndBob(t, g)
	var ie *identity.IdentifierError
	if _, err := g.PlanErase(beacon); !errors.As(err, &ie) {
		t.Fatalf("a place: %v", err)
	}
	if _, err := g.PlanErase(identity.Identifier{Type: identity.TypeEmail, Value: "not an email"}); !errors.As(err, &ie) {
		t.Fatalf("an invalid email: %v", err)
	}
	g.Close()
	if _, err := g.PlanErase(uid("alice-9")); !errors.Is(err, identity.ErrClosed) {
		t.Fatalf("closed: %v", err)
	}
}

// TestEraseRerunSameAt: Alice is erased through the tablet she shared
// with Bob; the tablet is kept and goes on with Bob. The same erasure
// again (same identifier, same at: a requester's retry, a hub rerunning
// after a crash) erases nobody, also after a restart from the store; an
// erasure at another time erases the tablet's owner then (Bob).
func TestEraseRerunSameAt(t *testing.T) {
	ctx := context.Background()
	when := benchT0.Add(30 * 24 * time.Hour)
	st := identity.NewMemStore()
	g := newGraph(t, identity.WithStore(st))
	aliceAndBob(t, g)
	bob, err := g.Profile(uid("bob-5"))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := g.Erase(ctx, tablet, when)
	if err != nil {
		t.Fatal(err)
	}
	if rep.ProfileID == bob.ID || len(rep.Removed) == 0 {
		t.Fatalf("the first run erased %q (Bob is %q), removing %d", rep.ProfileID, bob.ID, len(rep.Removed))
	}
	if _, err := g.Profile(tablet); err != nil {
		t.Fatalf("the shared tablet was not kept: %v", err)
	}
	if bob, err = g.Profile(uid("bob-5")); err != nil {
		t.Fatal(err)
	}
	check := func(g *identity.Graph, name string) {
		t.Helper()
		again, err := g.Erase(ctx, tablet, when)
		if err != nil {
			t.Fatal(err)
		}
		if again.ProfileID != "" || len(again.Removed) != 0 || again.FactsRemoved != 0 {
			t.Fatalf("%s: the rerun erased %q, removing %d identifiers", name, again.ProfileID, len(again.Removed))
		}
		if p, err := g.Profile(uid("bob-5")); err != nil || !reflect.DeepEqual(p, bob) {
			t.Fatalf("%s: Bob after the rerun: %v %+v", name, err, p)
		}
	}
	check(g, "live")
	g.Close()
	g2 := newGraph(t, identity.WithStore(st))
	check(g2, "restarted")

	other, err := g2.Erase(ctx, tablet, when.Add(time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if other.ProfileID != bob.ID {
		t.Fatalf("an erasure at another time erased %q, not Bob %q", other.ProfileID, bob.ID)
	}
}
