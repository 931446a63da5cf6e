package tcf

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata golden files")

// isRange reports the IsRangeEncoding bit of the vendor consent section.
func isRange(t *testing.T, s string) bool {
	t.Helper()
	core, _, _ := strings.Cut(s, ".")
	r := bitReader{s: core, pos: 213 + 16}
	b, ok := r.read(1)
	isTrue(t, ok)
	return b == 1
}

func TestEncodeChoosesShorterEncoding(t *testing.T) {
	tc := valid(t)
	// Few vendors spread wide: ranges (12 + 2*17 bits) beat 755 bits.
	tc.VendorConsents = vendors(t, 1, 755)
	isTrue(t, isRange(t, encode(t, tc)), "sparse set")
	// Dense small ids: the bitfield (20 bits) beats ranges.
	tc.VendorConsents = vendors(t, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19)
	isTrue(t, !isRange(t, encode(t, tc)), "dense set")
	// Tie: 12+17 = 29 bits of ranges against MaxID 29: the bitfield wins.
	tc.VendorConsents = vendors(t, 29)
	isTrue(t, !isRange(t, encode(t, tc)), "tie")
	tc.VendorConsents = vendors(t, 30)
	isTrue(t, isRange(t, encode(t, tc)), "just past the tie")
	// Both decode to the same set.
	for _, ids := range [][]int{{1, 755}, {29}, {30}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20}} {
		tc.VendorConsents = vendors(t, ids...)
		got, err := Decode(encode(t, tc))
		noErr(t, err)
		equal(t, ids, got.VendorConsents.IDs())
	}
}

func TestEncodeLargeSets(t *testing.T) {
	tc := valid(t)
	// Every other vendor up to 65535: 32768 ranges do not fit NumEntries, so
	// the bitfield must be used even though it is longer than ranges would be.
	ids := make([]int, 0, 1<<15)
	for id := 1; id <= 65535; id += 2 {
		ids = append(ids, id)
	}
	tc.VendorConsents = vendors(t, ids...)
	s := encode(t, tc)
	isTrue(t, !isRange(t, s))
	got, err := Decode(s)
	noErr(t, err)
	equal(t, len(ids), got.VendorConsents.Len())
	isTrue(t, got.VendorConsents.Has(65535) && !got.VendorConsents.Has(65534))

	// MaxID above the last member survives the round trip.
	tc.VendorConsents = VendorSet{MaxID: 900, Ranges: []Range{{10, 20}}}
	got, err = Decode(encode(t, tc))
	noErr(t, err)
	equal(t, tc.VendorConsents, got.VendorConsents)
	// MaxID 0 means the largest member.
	tc.VendorConsents = VendorSet{Ranges: []Range{{10, 20}, {21, 22}}}
	got, err = Decode(encode(t, tc))
	noErr(t, err)
	equal(t, VendorSet{MaxID: 22, Ranges: []Range{{10, 22}}}, got.VendorConsents)
}

func TestEncodeErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		mod   func(*TCString)
		want  error
		field string
	}{
		{"zero created", func(tc *TCString) { tc.Created = tc.Created.AddDate(-100, 0, 0) }, ErrField, "Created"},
		{"cmp id", func(tc *TCString) { tc.CMPID = 4096 }, ErrField, "CmpId"},
		{"negative screen", func(tc *TCString) { tc.ConsentScreen = -1 }, ErrField, "ConsentScreen"},
		{"version", func(tc *TCString) { tc.Version = 64 }, ErrField, "Version"},
		{"language", func(tc *TCString) { tc.ConsentLanguage = "E1" }, ErrField, "ConsentLanguage"},
		{"country", func(tc *TCString) { tc.PublisherCC = "DEU" }, ErrField, "PublisherCC"},
		{"special feature 13", func(tc *TCString) { tc.SpecialFeatureOptIns = flags(t, 13) }, ErrField, "SpecialFeatureOptIns"},
		{"purpose 25", func(tc *TCString) { tc.PurposesConsent = flags(t, 25) }, ErrField, "PurposesConsent"},
		{"vendor 0", func(tc *TCString) { tc.VendorConsents = VendorSet{Ranges: []Range{{0, 3}}} }, ErrRange, "VendorConsents"},
		{"ranges out of order", func(tc *TCString) { tc.VendorConsents = VendorSet{Ranges: []Range{{5, 6}, {1, 2}}} }, ErrRange, "VendorConsents"},
		{"range above MaxID", func(tc *TCString) { tc.VendorLegitimateInterests = VendorSet{MaxID: 4, Ranges: []Range{{5, 6}}} }, ErrRange, "VendorLegitimateInterests"},
		{"MaxID too big", func(tc *TCString) { tc.DisclosedVendors = &VendorSet{MaxID: 70000} }, ErrRange, "DisclosedVendors"},
		{"restriction purpose", func(tc *TCString) { tc.PublisherRestrictions[0].Purpose = 0 }, ErrField, "PublisherRestrictions[0]"},
		{"restriction type", func(tc *TCString) { tc.PublisherRestrictions[1].Type = 3 }, ErrField, "PublisherRestrictions[1]"},
		{"restriction vendors", func(tc *TCString) { tc.PublisherRestrictions[1].Vendors = []Range{{4, 2}} }, ErrRange, "PublisherRestrictions[1]"},
		{"custom purposes", func(tc *TCString) { tc.Publisher.NumCustomPurposes = 64 }, ErrField, "Publisher.NumCustomPurposes"},
		{"custom flags", func(tc *TCString) { tc.Publisher.CustomPurposesLITransparency = flags(t, 4) }, ErrField, "Publisher.CustomPurposesLITransparency"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := valid(t)
			tc.mod(v)
			dst := []byte("keep")
			out, err := AppendEncode(dst, v)
			var ee *EncodeError
			if !errors.As(err, &ee) || !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want *EncodeError matching %v", err, tc.want)
			}
			equal(t, tc.field, ee.Field)
			equal(t, "keep", string(out))
			s, err := Encode(v)
			isTrue(t, s == "" && err != nil)
		})
	}
}

func TestHelpers(t *testing.T) {
	_, err := FlagsOf(0)
	isTrue(t, errors.Is(err, ErrField))
	_, err = FlagsOf(65)
	isTrue(t, errors.Is(err, ErrField))
	f := flags(t, 1, 24, 64)
	equal(t, []int{1, 24, 64}, f.IDs())
	isTrue(t, !f.Has(0) && !f.Has(65) && f.Has(64))

	_, err = VendorsOf(3, 0)
	isTrue(t, errors.Is(err, ErrRange))
	_, err = VendorsOf(65536)
	isTrue(t, errors.Is(err, ErrRange))
	v := vendors(t, 9, 3, 4, 5, 3, 11, 10)
	equal(t, VendorSet{MaxID: 11, Ranges: []Range{{3, 5}, {9, 11}}}, v)
	equal(t, 6, v.Len())
	for id, want := range map[int]bool{2: false, 3: true, 5: true, 6: false, 8: false, 9: true, 11: true, 12: false} {
		equal(t, want, v.Has(id), "vendor ", id)
	}
	equal(t, "PublisherTC", SegmentPublisherTC.String())
	equal(t, "SegmentType(6)", SegmentType(6).String())
	equal(t, "RequireLegitimateInterest", RequireLegitimateInterest.String())
	equal(t, "RestrictionType(3)", RestrictionType(3).String())

	tc := valid(t)
	tc.PublisherRestrictions = append(tc.PublisherRestrictions, Restriction{Purpose: 2, Type: RequireConsent, Vendors: []Range{{1, 100}}})
	typ, ok := tc.Restricted(15, 2) // both entries match: the lower type, NotAllowed, wins
	isTrue(t, ok && typ == NotAllowed)
	typ, ok = tc.Restricted(50, 2)
	isTrue(t, ok && typ == RequireConsent)
	// Whatever the order of the entries.
	tc.PublisherRestrictions = []Restriction{
		{Purpose: 2, Type: RequireLegitimateInterest, Vendors: []Range{{1, 100}}},
		{Purpose: 2, Type: RequireConsent, Vendors: []Range{{10, 20}}},
	}
	typ, ok = tc.Restricted(15, 2)
	isTrue(t, ok && typ == RequireConsent, typ)
}

// goldenCases are TC strings built by Encode, kept in testdata so that a
// change to the wire output shows up as a diff.
func goldenCases(t *testing.T) []struct {
	name string
	tc   *TCString
} {
	full := valid(t)
	allowed := vendors(t, 2, 4)
	withAllowed := valid(t)
	withAllowed.AllowedVendors = &allowed
	coreOnly := valid(t)
	coreOnly.Created, coreOnly.LastUpdated = day(2025, 9, 1), day(2025, 9, 1)
	coreOnly.DisclosedVendors, coreOnly.Publisher, coreOnly.PublisherRestrictions = nil, nil, nil
	sparse := valid(t)
	sparse.VendorConsents = vendors(t, 1, 2, 3, 91, 755, 1126)
	sparse.VendorLegitimateInterests = VendorSet{MaxID: 1200}
	return []struct {
		name string
		tc   *TCString
	}{
		{"full", full}, {"allowed-vendors", withAllowed}, {"core-only-2025", coreOnly}, {"sparse-ranges", sparse},
	}
}

func TestEncodeGolden(t *testing.T) {
	path := filepath.Join("testdata", "encoded.golden")
	var buf bytes.Buffer
	for _, c := range goldenCases(t) {
		fmt.Fprintf(&buf, "%s %s\n", c.name, encode(t, c.tc))
	}
	if *update {
		noErr(t, os.WriteFile(path, buf.Bytes(), 0o644))
	}
	want, err := os.ReadFile(path)
	noErr(t, err, "run go test -update to create ", path)
	equal(t, string(want), buf.String())

	// And every golden string decodes strictly back to its value.
	cases := goldenCases(t)
	sc := bufio.NewScanner(bytes.NewReader(want))
	for i := 0; sc.Scan(); i++ {
		name, s, _ := strings.Cut(sc.Text(), " ")
		equal(t, cases[i].name, name)
		got, err := Decode(s)
		noErr(t, err, name)
		equal(t, cases[i].tc, got, name)
	}
}
