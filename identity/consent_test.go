package identity_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/identity"
)

func TestConsentValidation(t *testing.T) {
	g := newGraph(t)
	ctx := context.Background()
	if err := g.SetLinkConsent(ctx, identity.Consent{ID: uid("null"), Granted: true, At: benchT0, EventID: "c"}); !errors.Is(err, identity.ErrInvalidIdentifier) {
		t.Errorf("placeholder: %v", err)
	}
	if err := g.SetLinkConsent(ctx, identity.Consent{ID: email("bad"), Granted: true, At: benchT0, EventID: "c"}); !errors.Is(err, identity.ErrInvalidIdentifier) {
		t.Errorf("invalid: %v", err)
	}
	st := identity.NewMemStore()
	g2 := newGraph(t, identity.WithStore(st))
	c := identity.Consent{ID: uid("u"), Granted: true, At: benchT0, EventID: "c"}
	g2.SetLinkConsent(ctx, c)
	g2.SetLinkConsent(ctx, c)
	if _, n := st.Len(); n != 2 { // header and one consent record
		t.Errorf("a repeated consent change was stored again: %d entries", n)
	}
}

// TestOptOutRevocation: in the default mode a withdrawal blocks links, and
// a later grant links only later observations.
func TestOptOutRevocation(t *testing.T) {
	g := newGraph(t)
	ctx := context.Background()
	mustLink(t, g, "e1", benchT0, anon("a"), uid("u"))
	linked := func() bool { ex, _ := g.Explain(anon("a"), uid("u")); return ex.Linked }
	if !linked() {
		t.Fatal("opt-out mode needs no consent")
	}
	g.SetLinkConsent(ctx, identity.Consent{ID: uid("u"), Granted: false, At: benchT0.Add(time.Hour), EventID: "c1"})
	if linked() {
		t.Fatal("still linked after withdrawal")
	}
	g.SetLinkConsent(ctx, identity.Consent{ID: uid("u"), Granted: true, At: benchT0.Add(2 * time.Hour), EventID: "c2"})
	if linked() {
		t.Fatal("a new grant relinked an observation made before it")
	}
	mustLink(t, g, "e2", benchT0.Add(3*time.Hour), anon("a"), uid("u"))
	if !linked() {
		t.Fatal("an observation after the new grant did not link")
	}
}
