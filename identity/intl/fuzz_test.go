package intl_test

import (
	"errors"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/identity"
	"github.com/touchpoint-sdk/touchpoint/identity/intl"
)

// FuzzPhoneNormalizer: never panics; an error is an *identity.IdentifierError;
// a result is E.164, a fixed point in any region, warnings only on success;
// and where the core's built-in normalizer also reads the number in
// international form, both agree.
func FuzzPhoneNormalizer(f *testing.F) {
	for _, c := range []struct{ s, r string }{
		{"(650) 555-1212", "US"}, {"+44 (0)7911 123456", ""}, {"010 1234 5678", "CN"}, {"+86 010 1234 5678", ""},
		{"tel:+1-650-555-1212;ext=12", ""}, {"tel:7946-0000;phone-context=+44-20", ""}, {"650 555 1212 x 4", "US"},
		{"8 (495) 123-45-67", "RU"}, {"1-800-FLOWERS", "US"}, {"+999 1234", ""}, {"\u0661\u0662\u0663", "EG"},
	} {
		f.Add(c.s, c.r)
	}
	var p intl.PhoneNormalizer
	f.Fuzz(func(t *testing.T, s, region string) {
		v, warn, err := p.NormalizePhoneWarn(s, region)
		if err != nil {
			var ie *identity.IdentifierError
			if !errors.As(err, &ie) || !errors.Is(err, identity.ErrInvalidIdentifier) || v != "" || warn != 0 {
				t.Fatalf("%q, %v, %v", v, warn, err)
			}
			return
		}
		if len(v) < 2 || v[0] != '+' {
			t.Fatalf("%q -> %q is not E.164", s, v)
		}
		for _, r := range []string{"", "US", "GB", "IT"} {
			again, w, err := p.NormalizePhoneWarn(v, r)
			if err != nil || again != v || w != 0 {
				t.Fatalf("not a fixed point in %q: %q -> %q -> %q, %v, %v", r, s, v, again, w, err)
			}
		}
		if core, err := identity.NormalizePhone(v, ""); err == nil && core != v {
			t.Fatalf("core reads %q as %q, libphonenumber as %q", v, core, v)
		}
	})
}
