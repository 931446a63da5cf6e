package identity_test

import (
	"errors"
	"sync"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/identity"
)

// TestNormalizePhoneStrayTrunkZero: a trunk 0 written after the country
// code is removed for every country whose trunk prefix is 0 (libphonenumber
// nationalPrefix="0"), not only the regions of the built-in table; where 0
// is no trunk prefix (Italy, Côte d'Ivoire) it is kept.
func TestNormalizePhoneStrayTrunkZero(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"+86 010 1234 5678", "+861012345678"},    // China: not in the table
		{"+86 (0)10 1234 5678", "+861012345678"},  // "(0)" as before
		{"+44 (0)20 7946 0000", "+442079460000"},  // table region
		{"+44 020 7946 0000", "+442079460000"},    // table region, stray 0
		{"+90 0212 123 45 67", "+902121234567"},   // Turkey
		{"+54 011 4123 4567", "+541141234567"},    // Argentina
		{"+82 02 312 3456", "+8223123456"},        // South Korea
		{"+380 044 123 4567", "+380441234567"},    // Ukraine: 3-digit code
		{"+62 021 1234 5678", "+622112345678"},    // Indonesia
		{"+20 02 2345 6789", "+20223456789"},      // Egypt
		{"00 86 010 1234 5678", "+861012345678"},  // 00 international prefix
		{"+39 06 1234 5678", "+390612345678"},     // Italy: the 0 is part of the number
		{"+225 07 12 34 56 78", "+2250712345678"}, // Côte d'Ivoire: no trunk prefix
		{"+7 8 495 123 45 67", "+784951234567"},   // Russia: trunk 8 is not stripped
	} {
		got, err := identity.NormalizePhone(c.in, "")
		if err != nil || got != c.want {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	// Two zeros after the code: dropping one leaves a number whose next
	// normalization would drop the other (found by FuzzNormalizePhoneWarn:
	// "+82000000" gave "+8200000", which gave an error). Refused, as the
	// table's regions refuse it.
	for _, in := range []string{"+82000000", "+82 00 312 3456", "+86 0010 1234 5678"} {
		if got, err := identity.NormalizePhone(in, ""); !errors.Is(err, identity.ErrInvalidIdentifier) {
			t.Errorf("NormalizePhone(%q) = %q, %v; want an invalid identifier", in, got, err)
		}
	}
}

// TestNormalizePhoneInternationalAnyRegion: a number in international form
// needs no numbering rules for the default region.
func TestNormalizePhoneInternationalAnyRegion(t *testing.T) {
	for _, region := range []string{"CN", "KR", "TR", "AR", "EG"} {
		got, err := identity.NormalizePhone("+44 7911 123456", region)
		if err != nil || got != "+447911123456" {
			t.Errorf("NormalizePhone(+44..., %s) = %q, %v", region, got, err)
		}
		n, err := identity.NewNormalizer(identity.WithDefaultRegion(region))
		if err != nil {
			t.Fatalf("WithDefaultRegion(%s): %v", region, err)
		}
		out, err := n.Normalize(identity.Identifier{Type: identity.TypePhone, Value: "+86 10 1234 5678"})
		if err != nil || out.Value != "+861012345678" {
			t.Errorf("region %s: Normalize = %v, %v", region, out, err)
		}
		// A national number of such a region is refused, saying why.
		_, err = n.Normalize(identity.Identifier{Type: identity.TypePhone, Value: "010 1234 5678"})
		var ie *identity.IdentifierError
		if !errors.As(err, &ie) || ie.Type != identity.TypePhone {
			t.Errorf("region %s: national number: err = %v", region, err)
		}
	}
	// Region codes outside the numbering plans are still configuration errors.
	for _, region := range []string{"XX", "ZZ", "U", "USA"} {
		if _, err := identity.NewNormalizer(identity.WithDefaultRegion(region)); !errors.Is(err, identity.ErrInvalidConfig) {
			t.Errorf("WithDefaultRegion(%q): err = %v, want ErrInvalidConfig", region, err)
		}
	}
}

// TestNormalizePhoneExtensionsAndURIs: an extension or a tel: URI is
// removed with a warning, not rejected.
func TestNormalizePhoneExtensionsAndURIs(t *testing.T) {
	const ext, uri = identity.PhoneExtensionRemoved, identity.PhoneURIRemoved
	for _, c := range []struct {
		in, region, want string
		warn             identity.PhoneWarnings
	}{
		{"650 555 1212 ext 4", "US", "+16505551212", ext},
		{"650-555-1212 ext. 4567", "US", "+16505551212", ext},
		{"(650) 555-1212 Extension: 12", "US", "+16505551212", ext},
		{"650 555 1212 EXTN 12", "US", "+16505551212", ext},
		{"650.555.1212x12", "US", "+16505551212", ext},
		{"650 555 1212 #12#", "US", "+16505551212", ext},
		{"+1 650 555 1212,,12", "", "+16505551212", ext},
		{"+44 20 7946 0000 ext 101", "", "+442079460000", ext},
		{"tel:+1-650-555-1212", "", "+16505551212", uri},
		{"TEL:+44-20-7946-0000", "", "+442079460000", uri},
		{"tel:+1-650-555-1212;ext=12", "", "+16505551212", uri | ext},
		{"+1-650-555-1212;ext=12", "", "+16505551212", ext},
		{"tel:7946-0000;phone-context=+44-20", "", "+442079460000", uri},
		{"tel:020-7946-0000;phone-context=example.com", "GB", "+442079460000", uri},
		{"tel:+1-650-555-1212;isub=1411", "", "+16505551212", uri},
		{"+1 650 555 1212", "", "+16505551212", 0},
	} {
		got, warn, err := identity.NormalizePhoneWarn(c.in, c.region)
		if err != nil || got != c.want || warn != c.warn {
			t.Errorf("NormalizePhoneWarn(%q, %q) = %q, %v, %v; want %q, %v", c.in, c.region, got, warn, err, c.want, c.warn)
		}
		if plain, err := identity.NormalizePhone(c.in, c.region); err != nil || plain != c.want {
			t.Errorf("NormalizePhone(%q, %q) = %q, %v", c.in, c.region, plain, err)
		}
	}
	for _, c := range []struct{ in, region string }{
		{"1-800-FLOWERS", "US"},
		{"1-800-XYZ-1234", "US"},
		{"650 555 1212 ext", "US"},                      // marker without digits
		{"650 555 1212 ext 12345678901", "US"},          // more than 10 digits
		{"650 555 1212 x 4 x 5", "US"},                  // two extensions
		{"ext 12", "US"},                                // no number before it
		{"tel:+1-650-555-1212;ext=abc", ""},             // extension parameter not digits
		{"tel:", ""},                                    // no number
		{"tel:7946-0000;phone-context=example.com", ""}, // local, no region
	} {
		got, warn, err := identity.NormalizePhoneWarn(c.in, c.region)
		if !errors.Is(err, identity.ErrInvalidIdentifier) || got != "" || warn != 0 {
			t.Errorf("NormalizePhoneWarn(%q, %q) = %q, %v, %v; want ErrInvalidIdentifier", c.in, c.region, got, warn, err)
		}
	}
	equalString(t, "extension removed, tel: URI removed", (ext | uri).String())
	equalString(t, "", identity.PhoneWarnings(0).String())
}

// TestNormalizerWarnings: the Normalizer counts every removal and passes it
// to the WithWarningHandler callback, without the value; Blocked, which
// only asks, reports nothing.
func TestNormalizerWarnings(t *testing.T) {
	var mu sync.Mutex
	var got []identity.Warning
	n, err := identity.NewNormalizer(identity.WithDefaultRegion("US"), identity.WithWarningHandler(func(w identity.Warning) {
		mu.Lock()
		got = append(got, w)
		mu.Unlock()
	}))
	if err != nil {
		t.Fatal(err)
	}
	id := identity.Identifier{Type: identity.TypePhone, Value: "tel:+1-650-555-1212;ext=4"}
	out, err := n.Normalize(id)
	if err != nil || out.Value != "+16505551212" {
		t.Fatalf("Normalize = %v, %v", out, err)
	}
	if n.Blocked(id) {
		t.Error("Blocked")
	}
	if _, err := n.Normalize(identity.Identifier{Type: identity.TypePhone, Value: "650 555 1212"}); err != nil {
		t.Fatal(err)
	}
	if n.Warnings() != 1 || len(got) != 1 {
		t.Fatalf("Warnings() = %d, callbacks %d; want 1, 1", n.Warnings(), len(got))
	}
	w := got[0]
	if w.Type != identity.TypePhone || w.Phone != identity.PhoneExtensionRemoved|identity.PhoneURIRemoved ||
		w.Reason != "phone: extension removed, tel: URI removed" {
		t.Errorf("warning = %+v", w)
	}
	// Concurrent use counts every warning.
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				if _, err := n.Normalize(identity.Identifier{Type: identity.TypePhone, Value: "650 555 1212 x9"}); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if n.Warnings() != 401 || len(got) != 401 {
		t.Errorf("after concurrent use: Warnings() = %d, callbacks %d; want 401", n.Warnings(), len(got))
	}
	// A graph reports through the same handler.
	var graphWarnings int
	g, err := identity.New([]byte("0123456789abcdef"), identity.WithWarningHandler(func(identity.Warning) { graphWarnings++ }))
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if _, err := g.Normalizer().Normalize(identity.Identifier{Type: identity.TypePhone, Value: "+44 20 7946 0000 ext 5"}); err != nil {
		t.Fatal(err)
	}
	if graphWarnings != 1 || g.Normalizer().Warnings() != 1 {
		t.Errorf("graph normalizer: %d callbacks, Warnings() = %d", graphWarnings, g.Normalizer().Warnings())
	}
	if _, err := identity.NewNormalizer(identity.WithWarningHandler(nil)); !errors.Is(err, identity.ErrInvalidConfig) {
		t.Errorf("nil handler: err = %v", err)
	}
}

// A PhoneNormalizer without NormalizePhoneWarn still works, without warnings.
func TestPhoneNormalizerWithoutWarnings(t *testing.T) {
	plain := identity.PhoneNormalizerFunc(identity.NormalizePhone)
	n, err := identity.NewNormalizer(identity.WithPhoneNormalizer(plain))
	if err != nil {
		t.Fatal(err)
	}
	out, err := n.Normalize(identity.Identifier{Type: identity.TypePhone, Value: "+1 650 555 1212 ext 3"})
	if err != nil || out.Value != "+16505551212" || n.Warnings() != 0 {
		t.Errorf("Normalize = %v, %v, %d warnings", out, err, n.Warnings())
	}
}

func equalString(t *testing.T, want, got string) {
	t.Helper()
	if want != got {
		t.Errorf("got %q, want %q", got, want)
	}
}

// FuzzNormalizePhoneWarn: never panics; an error is an *IdentifierError
// with no value and no warnings; NormalizePhone returns the same value; a
// result is its own normal form in any region, with no warnings.
func FuzzNormalizePhoneWarn(f *testing.F) {
	for _, c := range []struct{ s, r string }{
		{"tel:+1-650-555-1212;ext=12", ""}, {"tel:7946-0000;phone-context=+44-20", ""}, {"650 555 1212 ext. 4", "US"},
		{"+86 010 1234 5678", "CN"}, {"+1 650 555 1212,,12", ""}, {"650 555 1212 #12#", "US"}, {"tel:;;", ""},
		{"+380 044 123 4567", "UA"}, {"1-800-XYZ-1234", "US"},
	} {
		f.Add(c.s, c.r)
	}
	f.Fuzz(func(t *testing.T, s, region string) {
		v, warn, err := identity.NormalizePhoneWarn(s, region)
		plain, perr := identity.NormalizePhone(s, region)
		if plain != v || (perr == nil) != (err == nil) {
			t.Fatalf("NormalizePhone %q, %v; NormalizePhoneWarn %q, %v", plain, perr, v, err)
		}
		if err != nil {
			var ie *identity.IdentifierError
			if !errors.As(err, &ie) || v != "" || warn != 0 {
				t.Fatalf("%q, %v, %v", v, warn, err)
			}
			return
		}
		if len(v) < 8 || len(v) > 16 || v[0] != '+' {
			t.Fatalf("%q -> %q is not E.164", s, v)
		}
		for _, r := range []string{"", "US", "GB", "CN"} {
			again, w, err := identity.NormalizePhoneWarn(v, r)
			if err != nil || again != v || w != 0 {
				t.Fatalf("not a fixed point in %q: %q -> %q -> %q, %v, %v", r, s, v, again, w, err)
			}
		}
	})
}
