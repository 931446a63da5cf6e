package identity_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/identity"
)

// TestNormalizeInvisible: a value made only of invisible characters is
// refused with ErrInvisibleIdentifier for every type; the same characters
// next to visible ones are not refused for that.
func TestNormalizeInvisible(t *testing.T) {
	n, err := identity.NewNormalizer(identity.WithDefaultRegion("US"))
	if err != nil {
		t.Fatal(err)
	}
	invisible := []string{
		"\u200b",             // zero-width space
		"\u200c\u200d",       // zero-width non-joiner, joiner
		"\u2060",             // word joiner
		"\ufeff",             // byte-order mark
		"\u00ad",             // soft hyphen
		"\u200e\u200f",       // bidirectional marks
		"\ufe0f",             // variation selector 16
		"\U000E0101",         // variation selector supplement
		"\u3164",             // Hangul filler
		"\u2800",             // braille blank
		"\u00a0\u2003\u3000", // no-break, em and ideographic spaces
		" \t\u200b\u2028 ",   // mixed with ASCII white space and a line separator
		"\U000E0041",         // a tag character
		"\u034f",             // combining grapheme joiner
	}
	types := []identity.Type{identity.TypeUserID, identity.TypeAnonymousID, identity.TypeDeviceID, identity.TypeEmail,
		identity.TypePhone, identity.TypeLoyaltyID, identity.TypeBeaconID, identity.TypeAdvertisingID}
	for _, v := range invisible {
		for _, typ := range types {
			_, err := n.Normalize(identity.Identifier{Type: typ, Value: v})
			var ie *identity.IdentifierError
			if !errors.Is(err, identity.ErrInvisibleIdentifier) || !errors.Is(err, identity.ErrInvalidIdentifier) || !errors.As(err, &ie) {
				t.Errorf("%s %+q: err = %v, want ErrInvisibleIdentifier in an *IdentifierError", typ, v, err)
				continue
			}
			if ie.Type != typ || strings.Contains(err.Error(), v) {
				t.Errorf("%s %+q: error %q has the wrong type or shows the value", typ, v, err)
			}
		}
	}
	// Visible content makes the value an ordinary one.
	for _, v := range []string{"user\u200b42", "\u00e9", "\u2800x", "a\ufe0f"} {
		if _, err := n.Normalize(identity.Identifier{Type: identity.TypeUserID, Value: v}); err != nil {
			t.Errorf("%+q: %v", v, err)
		}
	}
	// The empty value keeps its own reason.
	_, err = n.Normalize(identity.Identifier{Type: identity.TypeUserID, Value: ""})
	if !errors.Is(err, identity.ErrInvalidIdentifier) || errors.Is(err, identity.ErrInvisibleIdentifier) {
		t.Errorf("empty: err = %v", err)
	}
}

// TestUnicodeNormalizerHook: WithUnicodeNormalizer applies to non-ASCII
// values only, before the type's rules, so that equivalent spellings key
// one identifier.
func TestUnicodeNormalizerHook(t *testing.T) {
	calls := 0
	// A stand-in for NFC that composes one pair (identity/intl plugs in the
	// real one).
	nfc := identity.UnicodeNormalizerFunc(func(s string) string {
		calls++
		return strings.ReplaceAll(s, "e\u0301", "\u00e9")
	})
	n, err := identity.NewNormalizer(identity.WithUnicodeNormalizer(nfc))
	if err != nil {
		t.Fatal(err)
	}
	composed, err := n.Normalize(identity.Identifier{Type: identity.TypeUserID, Value: "Ren\u00e9e"})
	if err != nil {
		t.Fatal(err)
	}
	decomposed, err := n.Normalize(identity.Identifier{Type: identity.TypeUserID, Value: "Rene\u0301e"})
	if err != nil || decomposed != composed {
		t.Errorf("decomposed = %+q, %v; want %+q", decomposed.Value, err, composed.Value)
	}
	email, err := n.Normalize(identity.Identifier{Type: identity.TypeEmail, Value: "rene\u0301e@example.fr"})
	if err != nil || email.Value != "ren\u00e9e@example.fr" {
		t.Errorf("email = %+q, %v", email.Value, err)
	}
	before := calls
	if _, err := n.Normalize(identity.Identifier{Type: identity.TypeUserID, Value: "ascii-only"}); err != nil || calls != before {
		t.Errorf("ASCII value: err %v, normalizer called %d times", err, calls-before)
	}
	// Without the hook the two spellings are different identifiers.
	plain, _ := identity.NewNormalizer()
	a, _ := plain.Normalize(identity.Identifier{Type: identity.TypeUserID, Value: "Ren\u00e9e"})
	b, _ := plain.Normalize(identity.Identifier{Type: identity.TypeUserID, Value: "Rene\u0301e"})
	if a == b {
		t.Error("without a UnicodeNormalizer the spellings should differ")
	}
	if _, err := identity.NewNormalizer(identity.WithUnicodeNormalizer(nil)); !errors.Is(err, identity.ErrInvalidConfig) {
		t.Errorf("nil normalizer: err = %v", err)
	}
}

// FuzzNormalizeUserID: never panics; an error is an *IdentifierError; a
// value made only of invisible characters is always refused; an accepted
// value is its own normal form.
func FuzzNormalizeUserID(f *testing.F) {
	for _, s := range []string{"alice-42", "\u200b", "user\u200b42", "\ufeff\u2060", "Rene\u0301e", " \u3000 ", "\xff"} {
		f.Add(s)
	}
	n, err := identity.NewNormalizer()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, err := n.Normalize(identity.Identifier{Type: identity.TypeUserID, Value: s})
		if err != nil {
			var ie *identity.IdentifierError
			if !errors.As(err, &ie) {
				t.Fatalf("%v is not an *IdentifierError", err)
			}
			return
		}
		if strings.TrimFunc(out.Value, func(r rune) bool { return strings.ContainsRune("\u200b\u200c\u200d\u2060\ufeff \t", r) }) == "" {
			t.Fatalf("%+q accepted as %+q: only invisible characters", s, out.Value)
		}
		again, err := n.Normalize(out)
		if err != nil || again != out {
			t.Fatalf("not idempotent: %+q -> %+q -> %+q, %v", s, out.Value, again.Value, err)
		}
	})
}
