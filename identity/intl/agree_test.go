package intl_test

import (
	"bytes"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/nyaruka/phonenumbers"
	"github.com/touchpoint-sdk/touchpoint/identity"
	"github.com/touchpoint-sdk/touchpoint/identity/intl/internal/trunktable"
)

// TestTableUpToDate: the core's normalize_phone_table.go is what the
// generator makes from the pinned libphonenumber metadata (run go generate
// after changing the nyaruka/phonenumbers version).
func TestTableUpToDate(t *testing.T) {
	mod, err := os.ReadFile("go.mod")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, _ := strings.Cut(string(mod), "github.com/nyaruka/phonenumbers ")
	version, _, _ := strings.Cut(rest, "\n")
	src, notes, err := trunktable.Generate(strings.TrimSpace(version))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range notes {
		t.Log(n)
	}
	have, err := os.ReadFile("../normalize_phone_table.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(src, have) {
		t.Fatal("identity/normalize_phone_table.go is stale: run go generate in identity/intl")
	}
}

// exampleTypes are the kinds of number a person gives as theirs. (The
// core's length rules for its table regions do not cover toll-free and
// premium-rate ranges, which are no person's number.)
var exampleTypes = []phonenumbers.PhoneNumberType{phonenumbers.FIXED_LINE, phonenumbers.MOBILE}

// examples returns libphonenumber's example numbers of every region.
func examples(t *testing.T) (regions []string, nums map[string][]*phonenumbers.PhoneNumber) {
	nums = map[string][]*phonenumbers.PhoneNumber{}
	for r := range phonenumbers.GetSupportedRegions() {
		regions = append(regions, r)
		for _, typ := range exampleTypes {
			if n := phonenumbers.GetExampleNumberForType(r, typ); n != nil {
				nums[r] = append(nums[r], n)
			}
		}
	}
	slices.Sort(regions)
	if len(regions) < 240 {
		t.Fatalf("only %d regions", len(regions))
	}
	return regions, nums
}

// TestCoreAgreesWithLibphonenumber compares the core's built-in
// NormalizePhone with libphonenumber on the example numbers of every
// region: in international form, in international form with a stray trunk
// 0 after the country code (regions whose trunk prefix is 0), and in
// national form for the regions the core has rules for.
func TestCoreAgreesWithLibphonenumber(t *testing.T) {
	regions, nums := examples(t)
	var intl, stray, libKeeps, national, skipped int
	for _, r := range regions {
		for _, n := range nums[r] {
			want := phonenumbers.Format(n, phonenumbers.E164)
			got, err := identity.NormalizePhone(phonenumbers.Format(n, phonenumbers.INTERNATIONAL), "")
			if err != nil || got != want {
				t.Errorf("%s international %q: core %q, %v; libphonenumber %q", r, phonenumbers.Format(n, phonenumbers.INTERNATIONAL), got, err, want)
			}
			intl++
			if phonenumbers.GetNddPrefixForRegion(r, true) == "0" {
				in := "+" + strconv.Itoa(int(n.GetCountryCode())) + " 0" + phonenumbers.GetNationalSignificantNumber(n)
				got, err := identity.NormalizePhone(in, "")
				if err != nil || got != want {
					t.Errorf("%s stray trunk 0 %q: core %q, %v; want %q", r, in, got, err, want)
				}
				// libphonenumber drops the 0 too, or keeps it and finds no
				// valid number: it never reads another valid number.
				p, err := phonenumbers.Parse(in, "")
				switch {
				case err == nil && phonenumbers.Format(p, phonenumbers.E164) == want:
				case err == nil && !phonenumbers.IsValidNumber(p):
					libKeeps++
				default:
					t.Errorf("%s stray trunk 0 %q: libphonenumber reads %v, %v", r, in, p, err)
				}
				stray++
			}
			if _, err := identity.NewNormalizer(identity.WithDefaultRegion(r)); err != nil {
				t.Errorf("WithDefaultRegion(%s): %v", r, err)
			}
			got, err = identity.NormalizePhone(phonenumbers.Format(n, phonenumbers.NATIONAL), r)
			switch {
			case err != nil && !coreHasRules(r):
				skipped++ // national numbers of this region need the intl module
			case err != nil || got != want:
				t.Errorf("%s national %q: core %q, %v; libphonenumber %q", r, phonenumbers.Format(n, phonenumbers.NATIONAL), got, err, want)
			default:
				national++
			}
		}
	}
	t.Logf("agreed with libphonenumber on %d international, %d stray-trunk-0 (%d where libphonenumber keeps the 0 and finds the number invalid) and %d national example numbers; %d national ones of regions without core rules refused",
		intl, stray, libKeeps, national, skipped)
}

// coreRegions are the regions whose national numbers the core reads (see
// identity.NormalizePhone).
var coreRegions = []string{"US", "CA", "GB", "DE", "FR", "IT", "ES", "NL", "BE", "CH", "AT", "IE", "PT", "SE",
	"NO", "DK", "FI", "PL", "AU", "NZ", "JP", "IN", "BR", "MX", "SG", "ZA", "AE"}

func coreHasRules(region string) bool { return slices.Contains(coreRegions, region) }
