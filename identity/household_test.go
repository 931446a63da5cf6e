package identity_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/identity"
)

// TestVINPseudonym: a vehicle id the vehicle package sends as a
// connected pseudonym is a valid VIN identifier, kept as is; a malformed
// pseudonym and a malformed VIN are still refused.
func TestVINPseudonym(t *testing.T) {
	n, err := identity.NewNormalizer()
	if err != nil {
		t.Fatal(err)
	}
	p, err := connected.NewPseudonymizer([]byte("a pseudonym key of 32 bytes...."))
	if err != nil {
		t.Fatal(err)
	}
	ps := p.Pseudonym("WVWZZZ1KZ6W000042")
	for _, in := range []string{ps, "  " + ps + " "} {
		got, err := n.Normalize(identity.Identifier{Type: identity.TypeVIN, Value: in})
		if err != nil || got.Value != ps {
			t.Errorf("Normalize(vin %q) = %q, %v; want %q", in, got.Value, err, ps)
		}
	}
	for _, in := range []string{"ps1_0123", ps + "0", "ps1_0123456789abcdef0123456789abcdeg"} {
		if _, err := n.Normalize(identity.Identifier{Type: identity.TypeVIN, Value: in}); !errors.Is(err, identity.ErrInvalidIdentifier) {
			t.Errorf("Normalize(vin %q): %v, want ErrInvalidIdentifier", in, err)
		}
	}
}

// TestHouseholdTypes: household_id, home_device_id and a pseudonymous VIN
// are built-in household-scope types: two people who share them are linked
// into one household and stay two profiles.
func TestHouseholdTypes(t *testing.T) {
	rules := map[identity.Type]identity.Scope{}
	for _, r := range identity.DefaultRules() {
		rules[r.Type] = r.Scope
	}
	for _, typ := range []identity.Type{identity.TypeHouseholdID, identity.TypeHomeDeviceID, identity.TypeVIN} {
		if s, ok := rules[typ]; !ok || s != identity.ScopeHousehold {
			t.Errorf("%s: rule %v (present %v), want household scope", typ, s, ok)
		}
	}
	t0 := time.Date(2026, 11, 20, 19, 0, 0, 0, time.UTC)
	const hh = "ps1_00112233445566778899aabbccddeeff"
	const tv = "ps1_ffeeddccbbaa99887766554433221100"
	const car = "ps1_0f1e2d3c4b5a69788796a5b4c3d2e1f0"
	for _, c := range []struct {
		name string
		id   identity.Identifier
	}{
		{"household_id", identity.Identifier{Type: identity.TypeHouseholdID, Value: hh}},
		{"home_device_id", identity.Identifier{Type: identity.TypeHomeDeviceID, Value: tv}},
		{"vin pseudonym", identity.Identifier{Type: identity.TypeVIN, Value: car}},
	} {
		t.Run(c.name, func(t *testing.T) {
			g := newGraph(t)
			a := mustLink(t, g, "mia", t0, uid("mia"), c.id)
			b := mustLink(t, g, "leo", t0.Add(time.Hour), uid("leo"), c.id)
			if len(a.Refused)+len(b.Refused) != 0 {
				t.Fatalf("refused: %v %v", a.Refused, b.Refused)
			}
			if a.ProfileID == "" || b.ProfileID == "" || a.ProfileID == b.ProfileID {
				t.Fatalf("profiles %q and %q: want two distinct profiles", a.ProfileID, b.ProfileID)
			}
			if len(a.Households) != 1 || !slices.Equal(a.Households, b.Households) {
				t.Fatalf("households %v and %v: want the same one", a.Households, b.Households)
			}
			ex, err := g.Explain(uid("mia"), uid("leo"))
			if err != nil {
				t.Fatal(err)
			}
			var household bool
			for _, r := range ex.Reasons {
				household = household || r.Code == identity.ReasonHousehold
			}
			if ex.Linked || !household {
				t.Errorf("explain: linked %v, reasons %v; want not linked because of household_scope", ex.Linked, ex.Reasons)
			}
			h, members, err := g.Household(c.id)
			if err != nil || h != a.Households[0] || len(members) != 2 {
				t.Errorf("Household = %q, %v, %v; want %q with two members", h, members, err, a.Households[0])
			}
			for _, who := range []string{"mia", "leo"} {
				p, err := g.Profile(uid(who))
				if err != nil || !slices.Equal(p.Households, a.Households) {
					t.Errorf("profile of %s: %v, %v; want household %v", who, p, err, a.Households)
				}
			}
		})
	}
}
