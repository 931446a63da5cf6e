package identity_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/identity"
)

func TestEraseEdgeCases(t *testing.T) {
	g := newGraph(t)
	ctx := context.Background()
	// never seen: tombstoned, later events suppressed
	rep, err := g.Erase(ctx, email("ghost@mail.example"), benchT0)
	if err != nil || rep.ProfileID != "" || rep.Tombstones != 1 || len(rep.MatchKeys) != 2 {
		t.Fatalf("erase unknown: %+v %v", rep, err)
	}
	_, err = g.Link(ctx, identity.Observation{EventID: "late", Time: benchT0, IDs: []identity.Identifier{email("Ghost@Mail.example"), anon("a")}})
	var se *identity.SuppressedError
	if !errors.As(err, &se) || se.EventID != "late" {
		t.Errorf("late event of an erased person: %v", err)
	}
	if err := g.SetLinkConsent(ctx, identity.Consent{ID: email("ghost@mail.example"), Granted: true, At: benchT0, EventID: "c"}); !errors.Is(err, identity.ErrSuppressed) {
		t.Errorf("consent of an erased person: %v", err)
	}
	if _, err := g.Resolve(ctx, []identity.Identifier{email("ghost@mail.example")}, benchT0); !errors.Is(err, identity.ErrSuppressed) {
		t.Errorf("resolve of an erased person: %v", err)
	}
	if _, err := g.Profile(email("ghost@mail.example")); !errors.Is(err, identity.ErrSuppressed) {
		t.Errorf("profile of an erased person: %v", err)
	}
	// placeholders and places identify nobody
	if _, err := g.Erase(ctx, uid("undefined"), benchT0); !errors.Is(err, identity.ErrInvalidIdentifier) {
		t.Errorf("erase placeholder: %v", err)
	}
	if _, err := g.Erase(ctx, identity.Identifier{Type: identity.TypeBeaconID, Value: "b1"}, benchT0); !errors.Is(err, identity.ErrInvalidIdentifier) {
		t.Errorf("erase place: %v", err)
	}
	if _, err := g.Erase(ctx, email("x"), benchT0); !errors.Is(err, identity.ErrInvalidIdentifier) {
		t.Errorf("erase invalid: %v", err)
	}
	// erasing by a kiosk's id erases nobody: it is shared with strangers
	for i := range 3 {
		mustLink(t, g, fmt.Sprintf("k%d", i), benchT0.Add(time.Duration(i)*time.Minute), identity.Identifier{Type: identity.TypeDeviceID, Value: "kiosk"}, uid(fmt.Sprintf("shopper-%d", i)))
	}
	rep, err = g.Erase(ctx, identity.Identifier{Type: identity.TypeDeviceID, Value: "kiosk"}, benchT0)
	if err != nil || len(rep.Removed) != 0 || len(rep.Retained) != 1 || rep.Retained[0].Reason != identity.RetainShared || rep.Retained[0].Others != 3 || rep.FactsRemoved != 0 {
		t.Fatalf("erase kiosk: %+v %v", rep, err)
	}
	if _, err := g.Profile(uid("shopper-1")); err != nil || g.Stats().Quarantined != 1 {
		t.Errorf("a shopper went with the kiosk: %v %+v", err, g.Stats())
	}
}

// TestEraseUnquarantines: removing the observations that made a supernode
// lifts its quarantine, and what it links is derived again.
func TestEraseUnquarantines(t *testing.T) {
	g := newGraph(t)
	tablet := identity.Identifier{Type: identity.TypeDeviceID, Value: "tablet"}
	mustLink(t, g, "mom", benchT0, tablet, uid("mom"))
	mustLink(t, g, "dad", benchT0.Add(time.Hour), tablet, uid("dad"))
	mustLink(t, g, "kid", benchT0.Add(2*time.Hour), tablet, anon("kid-browser"))
	if g.Stats().Quarantined != 1 {
		t.Fatalf("stats %+v", g.Stats())
	}
	if _, err := g.Erase(context.Background(), uid("dad"), benchT0.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	ex, _ := g.Explain(tablet, uid("mom"))
	if g.Stats().Quarantined != 0 || !ex.Linked {
		t.Errorf("after erasing dad: %+v, %+v", g.Stats(), ex)
	}
	ex, _ = g.Explain(anon("kid-browser"), uid("mom"))
	if !ex.Linked || len(ex.Path) != 2 {
		t.Errorf("kid's browser: %+v", ex)
	}
}
