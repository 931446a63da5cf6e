package intl_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/identity"
	"github.com/touchpoint-sdk/touchpoint/identity/intl"
)

// TestWithNFC: canonically equivalent spellings normalize to one NFC value
// for every free-text type; compatibility forms (NFKC's business) stay
// apart; invisible values are still refused.
func TestWithNFC(t *testing.T) {
	n, err := identity.NewNormalizer(intl.WithNFC())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		typ      identity.Type
		in, want string
	}{
		{identity.TypeUserID, "Rene\u0301e", "Ren\u00e9e"},                  // e + combining acute
		{identity.TypeUserID, "\u1100\u1161\u11a8", "\uac01"},               // Hangul jamo to syllable
		{identity.TypeUserID, "A\u030a", "\u00c5"},                          // A + ring above
		{identity.TypeUserID, "\u212b", "\u00c5"},                           // ANGSTROM SIGN is canonically Å
		{identity.TypeEmail, "zoe\u0308@example.fr", "zo\u00eb@example.fr"}, // before the email rules
		{identity.TypeAnonymousID, "caf\u0065\u0301-1", "caf\u00e9-1"},
		{identity.TypeUserID, "\ufb01le", "\ufb01le"}, // the fi ligature is a compatibility form: kept
		{identity.TypeUserID, "plain-ascii", "plain-ascii"},
	} {
		got, err := n.Normalize(identity.Identifier{Type: c.typ, Value: c.in})
		if err != nil || got.Value != c.want {
			t.Errorf("%s %+q: got %+q, %v; want %+q", c.typ, c.in, got.Value, err, c.want)
		}
	}
	if _, err := n.Normalize(identity.Identifier{Type: identity.TypeUserID, Value: "\u200b\u200d"}); !errors.Is(err, identity.ErrInvisibleIdentifier) {
		t.Errorf("invisible: err = %v", err)
	}
}

// TestOptionsGraph: with Options, a graph keys the two spellings of one
// user id as one identifier, and reads a national Korean number.
func TestOptionsGraph(t *testing.T) {
	g, err := identity.New([]byte("0123456789abcdef"), append(intl.Options(), identity.WithDefaultRegion("KR"))...)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Shutdown(context.Background())
	day := time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)
	r1, err := g.Link(context.Background(), identity.Observation{EventID: "e1", Time: day, IDs: []identity.Identifier{
		{Type: identity.TypeUserID, Value: "Ren\u00e9e"}, {Type: identity.TypeEmail, Value: "renee@example.kr"}}})
	if err != nil {
		t.Fatal(err)
	}
	r2, err := g.Link(context.Background(), identity.Observation{EventID: "e2", Time: day.Add(time.Hour), IDs: []identity.Identifier{
		{Type: identity.TypeUserID, Value: "Rene\u0301e"}, {Type: identity.TypePhone, Value: "010-1234-5678"}}})
	if err != nil {
		t.Fatal(err)
	}
	if r1.ProfileID == "" || r1.ProfileID != r2.ProfileID || len(r2.Refused) != 0 {
		t.Errorf("profiles %q and %q, refused %+v", r1.ProfileID, r2.ProfileID, r2.Refused)
	}
	ex, err := g.Explain(identity.Identifier{Type: identity.TypeEmail, Value: "renee@example.kr"},
		identity.Identifier{Type: identity.TypePhone, Value: "+82 10 1234 5678"})
	if err != nil || !ex.Linked {
		t.Errorf("email and phone not linked: %+v, %v", ex, err)
	}
}
