package identity_test

import (
	"errors"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/identity"
)

func asset(v string) identity.Identifier {
	return identity.Identifier{Type: identity.TypeAssetSerial, Value: v}
}

// TestAssetSerialNormalize: an asset serial keeps its product prefix and a
// pseudonym keeps its form; spellings of one serial are one value.
func TestAssetSerialNormalize(t *testing.T) {
	n, err := identity.NewNormalizer()
	if err != nil {
		t.Fatal(err)
	}
	good := map[string]string{
		"heatpump-9kw:HP-9X-22811":              "HEATPUMP9KW:HP9X22811",
		" HEATPUMP-9KW : hp 9x 22811 ":          "HEATPUMP9KW:HP9X22811",
		" ps1_0123456789abcdef0123456789abcdef": "ps1_0123456789abcdef0123456789abcdef",
		"ps1_0123456789ABCDEF0123456789ABCDEF":  "PS1_0123456789ABCDEF0123456789ABCDEF",
		"acme/boiler.v2:SN_00417":               "ACME/BOILER.V2:SN_00417",
	}
	for in, want := range good {
		got, err := n.Normalize(asset(in))
		if err != nil || got.Value != want {
			t.Errorf("Normalize(%q) = %q, %v; want %q", in, got.Value, err, want)
		}
	}
	for _, in := range []string{"", "  ", "serial#1", "caf\u00e9:1", string(make([]byte, 200))} {
		if _, err := n.Normalize(asset(in)); !errors.Is(err, identity.ErrInvalidIdentifier) {
			t.Errorf("Normalize(%q): %v, want ErrInvalidIdentifier", in, err)
		}
	}
	for _, typ := range []identity.Type{identity.TypeLoyaltyID, identity.TypeWearableSerial} {
		const ps = "ps1_0123456789abcdef0123456789abcdef"
		if got, err := n.Normalize(identity.Identifier{Type: typ, Value: ps}); err != nil || got.Value != ps {
			t.Errorf("Normalize(%s pseudonym) = %q, %v; want it kept", typ, got.Value, err)
		}
		if _, err := n.Normalize(identity.Identifier{Type: typ, Value: "ps1_0123"}); !errors.Is(err, identity.ErrInvalidIdentifier) {
			t.Errorf("Normalize(%s, short pseudonym): %v, want ErrInvalidIdentifier", typ, err)
		}
	}
	var found bool
	for _, r := range identity.DefaultRules() {
		if r.Type == identity.TypeAssetSerial {
			found = r.Scope == identity.ScopePersonalDevice && r.OwnershipGap == 365*24*time.Hour
		}
	}
	if !found {
		t.Error("no personal-device rule with a one-year ownership gap for asset_serial")
	}
}

// TestAssetSerialJoinsOwner: a product registered by its owner, then a
// repair visit that carries only the asset serial and the visit's own id,
// resolves to the owner's profile; the owner's profile lists the asset.
func TestAssetSerialJoinsOwner(t *testing.T) {
	g := newGraph(t)
	t1 := time.Date(2026, 2, 1, 10, 0, 0, 0, time.UTC)
	reg := mustLink(t, g, "reg", t1, uid("u42"), asset("HEATPUMP-9KW:HP-9X-22811"))
	visit := mustLink(t, g, "visit", t1.Add(200*24*time.Hour), anon("wo-0WO5g000002AbCd"), asset("heatpump-9kw:hp9x22811"))
	if reg.ProfileID == "" || visit.ProfileID != reg.ProfileID {
		t.Fatalf("visit profile %q, owner profile %q", visit.ProfileID, reg.ProfileID)
	}
	p, err := g.Profile(uid("u42"))
	if err != nil {
		t.Fatal(err)
	}
	var has bool
	for _, m := range p.Members {
		has = has || m.Type == identity.TypeAssetSerial
	}
	if !has {
		t.Errorf("owner profile %v lacks the asset", p.Members)
	}
	// A second owner claiming the asset after a year unused takes it over;
	// the first owner's history stays theirs.
	later := mustLink(t, g, "resale", t1.Add(2*365*24*time.Hour), uid("u77"), asset("HEATPUMP-9KW:HP-9X-22811"))
	if later.ProfileID == reg.ProfileID {
		t.Error("a resold asset merged its old and new owners")
	}
}
