package identity_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/identity"
)

func TestNormalizeEmail(t *testing.T) {
	ok := []struct{ in, want string }{
		{"  John_Smith@Gmail.com ", "john_smith@gmail.com"},
		{"JANE.DOE+shoes@GoogleMail.COM", "jane.doe+shoes@googlemail.com"},
		{"ünïcode@exämple.de", "ünïcode@exämple.de"},
		{"a@b.co", "a@b.co"},
	}
	for _, c := range ok {
		got, err := identity.NormalizeEmail(c.in)
		if err != nil || got != c.want {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	bad := []string{"", "   ", "no-at-sign", "two@@ats.com", "a@b@c.com", "@domain.com", "local@", "local@nodot",
		"sp ace@x.com", "x@-bad.com", "x@bad-.com", "x@a..com", ".x@y.com", "x.@y.com", "x..y@z.com", `"quoted"@x.com`,
		"x@ex_ample.com", strings.Repeat("a", 65) + "@x.com", "x@" + strings.Repeat("a", 64) + ".com", "\xff@x.com"}
	for _, in := range bad {
		got, err := identity.NormalizeEmail(in)
		var ie *identity.IdentifierError
		if err == nil || !errors.As(err, &ie) || !errors.Is(err, identity.ErrInvalidIdentifier) || got != "" {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want an *IdentifierError", in, got, err)
			continue
		}
		if ie.Type != identity.TypeEmail || strings.Contains(err.Error(), in) && in != "" && strings.TrimSpace(in) != "" {
			t.Errorf("NormalizeEmail(%q): error %q has wrong type or leaks the value", in, err)
		}
	}
}

// TestNormalizePhone checks the vectors measured with libphonenumber in
// identity.md §5.3, and the trunk-prefix table.
func TestNormalizePhone(t *testing.T) {
	ok := []struct{ in, region, want string }{
		{"(650) 555-1212", "US", "+16505551212"},
		{"1 (650) 555-1212", "US", "+16505551212"},
		{"+1 650 555 1212", "", "+16505551212"},
		{"011 44 7911 123456", "US", "+447911123456"},
		{"+44 (0)7911 123456", "GB", "+447911123456"},
		{"+44 07911 123456", "", "+447911123456"},
		{"07911 123456", "GB", "+447911123456"},
		{"0044 7911 123456", "DE", "+447911123456"},
		{"0049 (0)30 123456", "FR", "+4930123456"},
		{"030 123456", "DE", "+4930123456"},
		{"01 23 45 67 89", "FR", "+33123456789"},
		{"06 12 34 56 78", "FR", "+33612345678"},
		{"02 1234 5678", "IT", "+390212345678"},
		{"+39 02 1234 5678", "", "+390212345678"},
		{"612 34 56 78", "ES", "+34612345678"},
		{"0412 345 678", "AU", "+61412345678"},
		{"0011 44 7911 123456", "AU", "+447911123456"},
		{"03-1234-5678", "JP", "+81312345678"},
		{"+7 495 123 45 67", "", "+74951234567"}, // unknown country code: length check only
		{"00 7 495 123 45 67", "", "+74951234567"},
	}
	for _, c := range ok {
		got, err := identity.NormalizePhone(c.in, c.region)
		if err != nil || got != c.want {
			t.Errorf("NormalizePhone(%q, %q) = %q, %v; want %q", c.in, c.region, got, err, c.want)
		}
	}
	bad := []struct{ in, region string }{
		{"555-1212", "US"},              // too short: possible, not valid
		{"000-000-0000", "US"},          // area code 0
		{"(150) 555-1212", "US"},        // area code 1
		{"(650) 155-1212", "US"},        // exchange 1
		{"1-800-FLOWERS", "US"},         // vanity
		{"650 555 1212 ext four", "US"}, // an extension is digits
		{"07911 123456", ""},            // national without region
		{"07911 123456", "XX"},          // unknown region
		{"010 1234 5678", "CN"},         // national number of a region without built-in rules
		{"+0 123 456 789", ""},          // country code 0
		{"+44 7911", ""},                // too short for +44
		{"+1234567890123456", ""},       // 16 digits
		{"", "US"},
		{"+", "US"},
		{"0 7911 123456", "ES"}, // ES has no trunk prefix: 10 digits
	}
	for _, c := range bad {
		got, err := identity.NormalizePhone(c.in, c.region)
		if err == nil || !errors.Is(err, identity.ErrInvalidIdentifier) || got != "" {
			t.Errorf("NormalizePhone(%q, %q) = %q, %v; want ErrInvalidIdentifier", c.in, c.region, got, err)
		}
	}
}

func TestNormalizeTypes(t *testing.T) {
	n, err := identity.NewNormalizer(identity.WithDefaultRegion("gb"),
		identity.WithRule(identity.TypeRule{Type: "crm_id", Scope: identity.ScopePerson, Priority: 5, Limit: 1,
			Normalize: func(s string) (string, error) { return strings.ToUpper(strings.TrimSpace(s)), nil }}))
	if err != nil {
		t.Fatal(err)
	}
	ok := []struct {
		id   identity.Identifier
		want string
	}{
		{identity.Identifier{Type: identity.TypeUserID, Value: " User-42 "}, "User-42"},
		{identity.Identifier{Type: identity.TypeAnonymousID, Value: "6F9619FF-8B86-D011-B42D-00C04FC964FF"}, "6f9619ff-8b86-d011-b42d-00c04fc964ff"},
		{identity.Identifier{Type: identity.TypeAnonymousID, Value: "Cookie-ABC"}, "Cookie-ABC"},
		{identity.Identifier{Type: identity.TypeAdvertisingID, Value: "EA7583CD-A667-48BC-B806-42ECB2B48606"}, "ea7583cd-a667-48bc-b806-42ecb2b48606"},
		{identity.Identifier{Type: identity.TypeLoyaltyID, Value: "gold 1234-5678"}, "GOLD12345678"},
		{identity.Identifier{Type: identity.TypeWearableSerial, Value: "c8:4f:0e:12:34:56"}, "C84F0E123456"},
		{identity.Identifier{Type: identity.TypeVIN, Value: "1hgcm82633a-004352"}, "1HGCM82633A004352"},
		{identity.Identifier{Type: identity.TypeBeaconID, Value: " Shoes-Zone-3 "}, "shoes-zone-3"},
		{identity.Identifier{Type: identity.TypePhone, Value: "07911 123456"}, "+447911123456"},
		{identity.Identifier{Type: "crm_id", Value: " ab12 "}, "AB12"},
	}
	for _, c := range ok {
		got, err := n.Normalize(c.id)
		if err != nil || got.Value != c.want || got.Type != c.id.Type {
			t.Errorf("Normalize(%v) = %v, %v; want %q", c.id, got, err, c.want)
		}
	}
	bad := []identity.Identifier{
		{Type: identity.TypeAdvertisingID, Value: "not-a-uuid"},
		{Type: identity.TypeVIN, Value: "1HGCM82633A00435"},  // 16 characters
		{Type: identity.TypeVIN, Value: "1HGCM82633I004352"}, // I is not allowed
		{Type: identity.TypeLoyaltyID, Value: "12#34"},
		{Type: identity.TypeUserID, Value: "a\x01b"},
		{Type: identity.TypeUserID, Value: strings.Repeat("x", 1025)},
		{Type: identity.TypeUserID, Value: "   "},
	}
	for _, id := range bad {
		if _, err := n.Normalize(id); !errors.Is(err, identity.ErrInvalidIdentifier) {
			t.Errorf("Normalize(%v): err = %v, want ErrInvalidIdentifier", id.Type, err)
		}
	}
	_, err = n.Normalize(identity.Identifier{Type: "shoe_size", Value: "42"})
	if !errors.Is(err, identity.ErrUnknownType) || !errors.Is(err, identity.ErrInvalidIdentifier) {
		t.Errorf("unknown type: err = %v, want ErrUnknownType and ErrInvalidIdentifier", err)
	}
}

func TestBlocked(t *testing.T) {
	n, err := identity.NewNormalizer(identity.WithDefaultRegion("US"), identity.WithBlockedValues("Walk-In Customer"),
		identity.WithBlockedPattern(identity.TypeEmail, regexp.MustCompile(`^frontdesk@`)))
	if err != nil {
		t.Fatal(err)
	}
	blocked := []identity.Identifier{
		{Type: identity.TypeEmail, Value: "TEST@test.com"},
		{Type: identity.TypeUserID, Value: "undefined"},
		{Type: identity.TypeUserID, Value: "0"},
		{Type: identity.TypeUserID, Value: "-1"},
		{Type: identity.TypeUserID, Value: "[object Object]"},
		{Type: identity.TypeUserID, Value: "NaN"},
		{Type: identity.TypeUserID, Value: "NULL"},
		{Type: identity.TypeAnonymousID, Value: "00000000-0000-0000-0000-000000000000"},
		{Type: identity.TypeAnonymousID, Value: "anonymous"},
		{Type: identity.TypePhone, Value: "+1 (555) 555-5555"},
		{Type: identity.TypeLoyaltyID, Value: "0000-0000"},
		{Type: identity.TypeUserID, Value: "walk-in customer"},
		{Type: identity.TypeEmail, Value: "frontdesk@store.example"},
	}
	for _, id := range blocked {
		if !n.Blocked(id) {
			t.Errorf("Blocked(%v) = false", id)
		}
	}
	fine := []identity.Identifier{
		{Type: identity.TypeEmail, Value: "jane@example.org"},
		{Type: identity.TypeUserID, Value: "10"},
		{Type: identity.TypeUserID, Value: "nancy"},
		{Type: identity.TypePhone, Value: "+1 650 555 1212"},
		{Type: identity.TypeUserID, Value: "frontdesk@store.example"}, // pattern is for email only
	}
	for _, id := range fine {
		if n.Blocked(id) {
			t.Errorf("Blocked(%v) = true", id)
		}
	}
}

func TestMatchKeys(t *testing.T) {
	n, err := identity.NewNormalizer(identity.WithDefaultRegion("US"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		dest  identity.Destination
		id    identity.Identifier
		field string
		want  string
	}{
		// identity.md §5.1: Meta's own example values
		{identity.DestinationMeta, identity.Identifier{Type: identity.TypeEmail, Value: " John_Smith@gmail.com"}, "em", "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f"},
		{identity.DestinationMeta, identity.Identifier{Type: identity.TypePhone, Value: "(650)555-1212"}, "ph", "e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176"},
		// §5.2: Google wants E.164 with '+'
		{identity.DestinationGoogle, identity.Identifier{Type: identity.TypePhone, Value: "(650)555-1212"}, "hashed_phone_number", "1e231c66011e7a2d867a9cfae267a6aff103cf4913640b6e71a99850fc0ffbc8"},
		// §5.1 pitfall: "+44 (0)7911 123456" must hash 447911123456, not 4407911123456
		{identity.DestinationMeta, identity.Identifier{Type: identity.TypePhone, Value: "+44 (0)7911 123456"}, "ph", "40b5c38342a9c584ec707e8679b003f8c779c6aaa138c976ef94e049cc05208f"},
		// Google removes the dots of gmail local parts; Meta does not
		{identity.DestinationGoogle, identity.Identifier{Type: identity.TypeEmail, Value: "Jane.Doe@gmail.com"}, "hashed_email", "d6117306485ed0e50afab3ac871e98f81699151f30281527d63ff5f233656c69"},
		{identity.DestinationMeta, identity.Identifier{Type: identity.TypeEmail, Value: "Jane.Doe@gmail.com"}, "em", "831f6494ad6be4fcb3a724c3d5fef22d3ceffa3c62ef3a7984e45a0ea177f982"},
	}
	for _, c := range cases {
		mk, err := n.MatchKey(c.dest, c.id)
		if err != nil || mk.Field != c.field || mk.Value != c.want || mk.Destination != c.dest {
			t.Errorf("MatchKey(%s, %v) = %+v, %v; want %s=%s", c.dest, c.id, mk, err, c.field, c.want)
		}
	}
	if _, err := n.MatchKey(identity.DestinationGoogle, identity.Identifier{Type: identity.TypeDeviceID, Value: "d1"}); !errors.Is(err, identity.ErrNoMatchKey) {
		t.Errorf("device id for Google: err = %v, want ErrNoMatchKey", err)
	}
	if _, err := n.MatchKey(identity.DestinationMeta, identity.Identifier{Type: identity.TypeEmail, Value: "nope"}); !errors.Is(err, identity.ErrInvalidIdentifier) {
		t.Errorf("invalid email: err = %v, want ErrInvalidIdentifier", err)
	}
	keys, err := n.MatchKeys(identity.Identifier{Type: identity.TypePhone, Value: "650 555 1212"})
	if err != nil || len(keys) != 2 || keys[0].Destination != identity.DestinationMeta || keys[1].Destination != identity.DestinationGoogle {
		t.Errorf("MatchKeys(phone) = %+v, %v", keys, err)
	}
}

func TestPhoneNormalizerHook(t *testing.T) {
	calls := 0
	hook := identity.PhoneNormalizerFunc(func(raw, region string) (string, error) {
		calls++
		if region != "BR" {
			t.Errorf("region = %q, want BR", region)
		}
		return "+5511987654321", nil
	})
	n, err := identity.NewNormalizer(identity.WithPhoneNormalizer(hook), identity.WithDefaultRegion("BR"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := n.Normalize(identity.Identifier{Type: identity.TypePhone, Value: "(11) 98765-4321"})
	if err != nil || got.Value != "+5511987654321" || calls != 1 {
		t.Fatalf("Normalize = %v, %v (calls %d)", got, err, calls)
	}
	// a hook returning something that is not E.164 is caught
	n2, _ := identity.NewNormalizer(identity.WithPhoneNormalizer(identity.PhoneNormalizerFunc(func(string, string) (string, error) { return "12345", nil })))
	if _, err := n2.Normalize(identity.Identifier{Type: identity.TypePhone, Value: "x"}); !errors.Is(err, identity.ErrInvalidIdentifier) {
		t.Errorf("non-E.164 hook result: err = %v", err)
	}
	// hook errors are wrapped and matchable
	boom := errors.New("boom")
	n3, _ := identity.NewNormalizer(identity.WithPhoneNormalizer(identity.PhoneNormalizerFunc(func(string, string) (string, error) { return "", boom })))
	if _, err := n3.Normalize(identity.Identifier{Type: identity.TypePhone, Value: "x"}); !errors.Is(err, boom) || !errors.Is(err, identity.ErrInvalidIdentifier) {
		t.Errorf("hook error: err = %v", err)
	}
}

func TestConfigErrors(t *testing.T) {
	secret := []byte("0123456789abcdef")
	cases := map[string][]identity.Option{
		"bad type name":        {identity.WithRule(identity.TypeRule{Type: "Bad Name", Scope: identity.ScopePerson, Priority: 1})},
		"no scope":             {identity.WithRule(identity.TypeRule{Type: "x", Priority: 1})},
		"priority 0":           {identity.WithRule(identity.TypeRule{Type: "x", Scope: identity.ScopePerson})},
		"limit on device":      {identity.WithRule(identity.TypeRule{Type: "x", Scope: identity.ScopePersonalDevice, Priority: 1, Limit: 2})},
		"maxPeople on place":   {identity.WithRule(identity.TypeRule{Type: "x", Scope: identity.ScopePlace, Priority: 1, MaxPeople: 2})},
		"gap on household":     {identity.WithRule(identity.TypeRule{Type: "x", Scope: identity.ScopeHousehold, Priority: 1, OwnershipGap: 1e9})},
		"negative gap":         {identity.WithRule(identity.TypeRule{Type: "x", Scope: identity.ScopePerson, Priority: 1, OwnershipGap: -1})},
		"unknown region":       {identity.WithDefaultRegion("XX")},
		"nil option":           {nil},
		"nil store":            {identity.WithStore(nil)},
		"nil pattern":          {identity.WithBlockedPattern("", nil)},
		"nil phone":            {identity.WithPhoneNormalizer(nil)},
		"unknown consent mode": {identity.WithConsentMode(7)},
	}
	for name, opts := range cases {
		if _, err := identity.New(secret, opts...); !errors.Is(err, identity.ErrInvalidConfig) {
			t.Errorf("%s: err = %v, want ErrInvalidConfig", name, err)
		}
	}
	if _, err := identity.New([]byte("short")); !errors.Is(err, identity.ErrInvalidConfig) {
		t.Errorf("short secret: err = %v", err)
	}
	many := []identity.Option{}
	for i := range 17 {
		many = append(many, identity.WithRule(identity.TypeRule{Type: identity.Type("p" + string(rune('a'+i))), Scope: identity.ScopePerson, Priority: 50}))
	}
	if _, err := identity.New(secret, many...); !errors.Is(err, identity.ErrInvalidConfig) {
		t.Errorf("too many person types: err = %v", err)
	}
}
