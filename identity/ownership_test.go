package identity_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/identity"
)

// TestOwnershipEndedRefusal: with MaxPeople raised so that a stale claim
// is not a supernode, the old owner's later claim is refused as
// ownership_ended and the number stays with the new owner.
func TestOwnershipEndedRefusal(t *testing.T) {
	g := newGraph(t, identity.WithRule(identity.TypeRule{Type: identity.TypePhone, Scope: identity.ScopePerson, Priority: 3, Limit: 3,
		MaxPeople: 2, OwnershipGap: 90 * 24 * time.Hour}))
	phone := identity.Identifier{Type: identity.TypePhone, Value: "+447911123456"}
	day := func(d int) time.Time { return benchT0.Add(time.Duration(d) * 24 * time.Hour) }
	mustLink(t, g, "alice-1", day(0), uid("alice"), phone)
	mustLink(t, g, "bob-1", day(200), uid("bob"), phone)
	mustLink(t, g, "alice-stale", day(220), uid("alice"), phone) // the same identifier set as alice-1
	ex, err := g.Explain(uid("alice"), phone)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, r := range ex.Reasons {
		codes = append(codes, string(r.Code)+" "+strings.Join(r.EventIDs, ","))
	}
	if ex.Linked || !slices.Equal(codes, []string{"ownership_ended alice-stale", "ownership_ended bob-1"}) {
		t.Errorf("explain: linked=%v reasons %q", ex.Linked, codes)
	}
	res, _ := g.Resolve(context.Background(), []identity.Identifier{phone}, day(230))
	bob, _ := g.Profile(uid("bob"))
	if res.ProfileID != bob.ID {
		t.Error("the number left its new owner")
	}
	// after another gap, the old owner may take it back
	mustLink(t, g, "alice-back", day(400), uid("alice"), phone)
	res, _ = g.Resolve(context.Background(), []identity.Identifier{phone}, day(401))
	alice, _ := g.Profile(uid("alice"))
	if res.ProfileID != alice.ID || g.Stats().Epochs != 2 {
		t.Errorf("a third epoch was expected: %+v", g.Stats())
	}
}

// TestSegments: occurrences of one identifier set further apart than the
// smallest ownership gap of its types are separate facts; an occurrence in
// between merges them again, whatever the order.
func TestSegments(t *testing.T) {
	w := identity.Identifier{Type: identity.TypeWearableSerial, Value: "W1"} // 7-day gap
	day := func(d int) time.Time { return benchT0.Add(time.Duration(d) * 24 * time.Hour) }
	orders := [][]int{{0, 20, 10}, {10, 20, 0}, {20, 0, 10}}
	for _, order := range orders {
		g := newGraph(t)
		facts := []int{}
		for _, d := range order {
			mustLink(t, g, fmt.Sprintf("d%02d", d), day(d), w, uid("carol"))
			facts = append(facts, g.Stats().Facts)
		}
		if g.Stats().Facts != 3 {
			t.Errorf("order %v: %d facts, want 3 segments", order, g.Stats().Facts)
		}
		for _, d := range []int{4, 8, 16} { // bridge 0..10 and 10..20 within 7 days
			mustLink(t, g, fmt.Sprintf("b%02d", d), day(d), w, uid("carol"))
		}
		if g.Stats().Facts != 1 {
			t.Errorf("order %v: %d facts after bridging, want 1 (history %v)", order, g.Stats().Facts, facts)
		}
	}
	// identifier sets without ownership gaps are always one fact
	g := newGraph(t)
	mustLink(t, g, "x1", day(0), uid("u"), email("u@mail.example"))
	mustLink(t, g, "x2", day(300), uid("u"), email("u@mail.example"))
	if g.Stats().Facts != 1 {
		t.Errorf("%d facts, want 1", g.Stats().Facts)
	}
}
