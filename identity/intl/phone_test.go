package intl_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/nyaruka/phonenumbers"
	"github.com/touchpoint-sdk/touchpoint/identity"
	"github.com/touchpoint-sdk/touchpoint/identity/intl"
)

func TestPhoneNormalizer(t *testing.T) {
	const ext, uri = identity.PhoneExtensionRemoved, identity.PhoneURIRemoved
	var p intl.PhoneNormalizer
	for _, c := range []struct {
		in, region, want string
		warn             identity.PhoneWarnings
	}{
		{"010 1234 5678", "CN", "+861012345678", 0},     // national number of a region the core has no rules for
		{"(11) 98765-4321", "br", "+5511987654321", 0},  // region in any case
		{"8 (495) 123-45-67", "RU", "+74951234567", 0},  // trunk prefix 8
		{"+86 010 1234 5678", "", "+861012345678", 0},   // stray trunk 0
		{"+44 (0)20 7946 0000", "", "+442079460000", 0}, // "(0)"
		{"06 12 34 56 78", "FR", "+33612345678", 0},
		{"02 1234 5678", "IT", "+390212345678", 0}, // Italian leading zero kept
		{"650-555-1212 ext. 4567", "US", "+16505551212", ext},
		{"tel:+1-650-555-1212;ext=12", "", "+16505551212", uri | ext},
		{"tel:+44-20-7946-0000", "", "+442079460000", uri},
		{"tel:7946-0000;phone-context=+44-20", "", "+442079460000", uri},
	} {
		got, warn, err := p.NormalizePhoneWarn(c.in, c.region)
		if err != nil || got != c.want || warn != c.warn {
			t.Errorf("NormalizePhoneWarn(%q, %q) = %q, %v, %v; want %q, %v", c.in, c.region, got, warn, err, c.want, c.warn)
		}
		if plain, err := p.NormalizePhone(c.in, c.region); err != nil || plain != c.want {
			t.Errorf("NormalizePhone(%q, %q) = %q, %v", c.in, c.region, plain, err)
		}
	}
	boom := []struct{ in, region string }{
		{"", "US"},
		{"555-1212", "US"},       // too short
		{"(150) 555-1212", "US"}, // not a valid area code
		{"010 1234 5678", ""},    // national without region
		{"+999 1234 5678", ""},   // unassigned country code
		{"not a number", "US"},
	}
	for _, c := range boom {
		got, warn, err := p.NormalizePhoneWarn(c.in, c.region)
		var ie *identity.IdentifierError
		if !errors.As(err, &ie) || !errors.Is(err, identity.ErrInvalidIdentifier) || got != "" || warn != 0 {
			t.Errorf("NormalizePhoneWarn(%q, %q) = %q, %v, %v; want an *IdentifierError", c.in, c.region, got, warn, err)
			continue
		}
		if ie.Type != identity.TypePhone || c.in != "" && strings.Contains(err.Error(), c.in) {
			t.Errorf("%q: error %q has the wrong type or shows the number", c.in, err)
		}
	}
	// libphonenumber's parse errors are wrapped and matchable.
	if _, err := p.NormalizePhone("010 1234 5678", ""); !errors.Is(err, phonenumbers.ErrInvalidCountryCode) {
		t.Errorf("national without region: err = %v, want phonenumbers.ErrInvalidCountryCode", err)
	}
	// AllowPossible accepts a number of the right length outside the
	// assigned ranges.
	if _, err := p.NormalizePhone("+1 650 155 1212", ""); err == nil {
		t.Error("exchange 155 is not valid")
	}
	if got, err := (intl.PhoneNormalizer{AllowPossible: true}).NormalizePhone("+1 650 155 1212", ""); err != nil || got != "+16501551212" {
		t.Errorf("AllowPossible: %q, %v", got, err)
	}
}

// TestWithPhoneNumbers: through identity's Normalizer, national numbers of
// every region, with warnings reaching the handler.
func TestWithPhoneNumbers(t *testing.T) {
	var warnings []identity.Warning
	n, err := identity.NewNormalizer(intl.WithPhoneNumbers(), identity.WithDefaultRegion("KR"),
		identity.WithWarningHandler(func(w identity.Warning) { warnings = append(warnings, w) }))
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{
		"02-312-3456":           "+8223123456",
		"010-1234-5678":         "+821012345678",
		"+82 10-1234-5678 x 12": "+821012345678",
	} {
		got, err := n.Normalize(identity.Identifier{Type: identity.TypePhone, Value: in})
		if err != nil || got.Value != want {
			t.Errorf("Normalize(%q) = %v, %v; want %s", in, got, err, want)
		}
	}
	if len(warnings) != 1 || warnings[0].Phone != identity.PhoneExtensionRemoved || n.Warnings() != 1 {
		t.Errorf("warnings = %+v (count %d)", warnings, n.Warnings())
	}
}
