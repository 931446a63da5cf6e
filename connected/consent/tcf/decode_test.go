package tcf

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// specExample is the worked example of the IAB "Consent string and vendor
// list formats v2" specification ("Full TC String passing"). Its policy
// version is 2, so the strict decoder must refuse it.
const specExample = "CQSbk4AQSbk4ANwAAAENAwCgAAAAAAAAAAYgACPAAAAA.IDKQA4AAgAKAGQAygAAA.YAAAAAAAAAAA"

// lenient reads archived strings.
var lenient = Decoder{MinPolicyVersion: 1, AllowGlobalScope: true}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func flags(t testing.TB, ids ...int) Flags {
	t.Helper()
	f, err := FlagsOf(ids...)
	noErr(t, err)
	return f
}

func vendors(t testing.TB, ids ...int) VendorSet {
	t.Helper()
	v, err := VendorsOf(ids...)
	noErr(t, err)
	return v
}

// valid returns a TC string value that the strict decoder accepts.
func valid(t testing.TB) *TCString {
	t.Helper()
	disclosed := vendors(t, 1, 2, 3, 4, 5, 100, 404, 755)
	return &TCString{
		Version:                   2,
		Created:                   day(2026, 4, 2),
		LastUpdated:               day(2026, 4, 2),
		CMPID:                     300,
		CMPVersion:                7,
		ConsentScreen:             1,
		ConsentLanguage:           "EN",
		VendorListVersion:         177,
		PolicyVersion:             5,
		IsServiceSpecific:         true,
		SpecialFeatureOptIns:      flags(t, 1),
		PurposesConsent:           flags(t, 1, 2, 3, 4, 7, 8, 9, 10),
		PurposesLITransparency:    flags(t, 2, 7, 10),
		PublisherCC:               "DE",
		VendorConsents:            vendors(t, 1, 2, 3, 4, 755),
		VendorLegitimateInterests: vendors(t, 2, 4),
		PublisherRestrictions: []Restriction{
			{Purpose: 2, Type: NotAllowed, Vendors: []Range{{3, 3}, {10, 20}}},
			{Purpose: 7, Type: RequireConsent, Vendors: []Range{{4, 4}}},
		},
		DisclosedVendors: &disclosed,
		Publisher: &PublisherTC{
			PurposesConsent:        flags(t, 1, 8),
			NumCustomPurposes:      3,
			CustomPurposesConsent:  flags(t, 1, 3),
			PurposesLITransparency: flags(t, 10),
		},
	}
}

func encode(t testing.TB, tc *TCString) string {
	t.Helper()
	s, err := Encode(tc)
	noErr(t, err)
	return s
}

// parseErr asserts err is a *ParseError matching want and returns it.
func parseErr(t *testing.T, err error, want error) *ParseError {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %v", want)
	}
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("error %T (%v) is not a *ParseError", err, err)
	}
	if !errors.Is(err, want) {
		t.Fatalf("error %v does not match %v", err, want)
	}
	return pe
}

func TestDecodeSpecExample(t *testing.T) {
	_, err := Decode(specExample)
	pe := parseErr(t, err, ErrPolicyVersion)
	equal(t, 0, pe.Segment)
	equal(t, 132, pe.Offset) // 6+36+36+12+12+6+12+12
	equal(t, "TcfPolicyVersion", pe.Field)

	tc, err := lenient.Decode(specExample)
	noErr(t, err)
	equal(t, 2, tc.Version)
	equal(t, day(2025, 6, 3), tc.Created)
	equal(t, day(2025, 6, 3), tc.LastUpdated)
	equal(t, 880, tc.CMPID)
	equal(t, "EN", tc.ConsentLanguage)
	equal(t, 48, tc.VendorListVersion)
	equal(t, 2, tc.PolicyVersion)
	equal(t, "DE", tc.PublisherCC)
	equal(t, []int{1, 2, 3, 4}, tc.VendorConsents.IDs())
	equal(t, 4, tc.VendorConsents.MaxID)
	if tc.DisclosedVendors == nil || tc.Publisher == nil {
		t.Fatal("segments missing")
	}
	equal(t, []int{1, 2, 3, 4, 5, 100, 404}, tc.DisclosedVendors.IDs())
	equal(t, PublisherTC{}, *tc.Publisher)
	isTrue(t, tc.AllowedVendors == nil)
	// The reference encoder's output: the same choices, the same padding.
	equal(t, specExample, encode(t, tc))
}

func TestDecodeSpecV1Examples(t *testing.T) {
	// The illustrative strings in the specification's framing section are
	// version 1 layouts.
	for _, s := range []string{
		"BObdrPUOevsguAfDqFENCNAAAAAmeAAA.PVAfDObdrA.DqFENCAmeAENCDA.OevsguAfDq",
		"BObdrPUOevsguAfDqFENCNAAAAAmeAAA.OevsguAfDq",
		"BObdrPUOevsguAfDqFENCNAAAAAmeAAA",
	} {
		_, err := lenient.Decode(s)
		pe := parseErr(t, err, ErrVersion)
		equal(t, "Version", pe.Field)
	}
}

func TestDecodeOwnStrings(t *testing.T) {
	tc := valid(t)
	s := encode(t, tc)
	got, err := Decode(s)
	noErr(t, err)
	equal(t, tc, got)
	isTrue(t, got.VendorConsents.Has(755))
	isTrue(t, !got.VendorConsents.Has(5))
	isTrue(t, got.PurposesConsent.Has(9))
	isTrue(t, !got.PurposesConsent.Has(5))
	isTrue(t, got.SpecialFeatureOptIns.Has(1))
	equal(t, []int{1, 3}, got.Publisher.CustomPurposesConsent.IDs())
	typ, ok := got.Restricted(15, 2)
	isTrue(t, ok)
	equal(t, NotAllowed, typ)
	_, ok = got.Restricted(15, 7)
	isTrue(t, !ok)
}

func TestDecodeOptionalSegments(t *testing.T) {
	tc := valid(t)
	allowed := vendors(t, 7)
	tc.AllowedVendors = &allowed
	tc.Publisher = nil
	got, err := Decode(encode(t, tc))
	noErr(t, err)
	equal(t, tc, got)

	// Segments after the core may come in any order.
	parts := strings.Split(encode(t, valid(t)), ".")
	if len(parts) != 3 {
		t.Fatalf("%d segments", len(parts))
	}
	swapped := parts[0] + "." + parts[2] + "." + parts[1]
	got, err = Decode(swapped)
	noErr(t, err)
	equal(t, valid(t), got)
}

func TestDecodeEncodingErrors(t *testing.T) {
	good := encode(t, valid(t))
	for _, tc := range []struct {
		name string
		in   string
		want error
		seg  int
		off  int
	}{
		{"empty", "", ErrEmpty, 0, 0},
		{"empty segment", strings.Replace(good, ".", "..", 1), ErrEmpty, 1, 0},
		{"trailing dot", good + ".", ErrEmpty, 3, 0},
		{"plus", "CQ+b" + good[4:], ErrEncoding, 0, 12},
		{"slash in segment 1", strings.Replace(good, ".", "./", 1), ErrEncoding, 1, 0},
		{"padding", good + "==", ErrEncoding, 2, 6 * (len(good) - strings.LastIndex(good, ".") - 1)},
		{"space", " " + good, ErrEncoding, 0, 0},
		{"too long", good + strings.Repeat("A", MaxLength), ErrTooLong, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(tc.in)
			pe := parseErr(t, err, tc.want)
			equal(t, tc.seg, pe.Segment)
			equal(t, tc.off, pe.Offset)
		})
	}
}

func TestDecodeTruncated(t *testing.T) {
	full := encode(t, valid(t))
	core, _, _ := strings.Cut(full, ".")
	// Every prefix of the core either lacks a field (ErrTruncated) or holds
	// them all (only padding was cut): then it decodes to the same core.
	_, err := Decode(core)
	parseErr(t, err, ErrMissingSegment) // created 2026: the segment is required
	truncated := 0
	for n := 1; n < len(core); n++ {
		_, err := Decode(core[:n] + full[len(core):])
		if errors.Is(err, ErrTruncated) {
			truncated++
			pe := parseErr(t, err, ErrTruncated)
			equal(t, 0, pe.Segment)
			isTrue(t, pe.Offset <= 6*n, pe)
			continue
		}
		noErr(t, err, "prefix ", n)
	}
	isTrue(t, truncated > len(core)/2, truncated)

	// The same for each later segment.
	parts := strings.Split(full, ".")
	for i := 1; i < len(parts); i++ {
		for n := 1; n < len(parts[i]); n++ {
			cut := append([]string(nil), parts...)
			cut[i] = parts[i][:n]
			_, err := Decode(strings.Join(cut, "."))
			if err != nil {
				pe := parseErr(t, err, ErrTruncated)
				equal(t, i, pe.Segment)
			}
		}
	}
}

func TestDecodePolicyErrors(t *testing.T) {
	mod := func(f func(*TCString)) string {
		tc := valid(t)
		f(tc)
		return encode(t, tc)
	}
	for _, tc := range []struct {
		name  string
		in    string
		dec   Decoder
		want  error
		field string
	}{
		{"version 1", mod(func(tc *TCString) { tc.Version = 1 }), lenient, ErrVersion, "Version"},
		{"version 3", mod(func(tc *TCString) { tc.Version = 3 }), lenient, ErrVersion, "Version"},
		{"policy 3", mod(func(tc *TCString) { tc.PolicyVersion = 3 }), Decoder{}, ErrPolicyVersion, "TcfPolicyVersion"},
		{"policy below custom minimum", mod(func(tc *TCString) { tc.PolicyVersion = 4 }), Decoder{MinPolicyVersion: 5}, ErrPolicyVersion, "TcfPolicyVersion"},
		{"global scope", mod(func(tc *TCString) { tc.IsServiceSpecific = false }), Decoder{}, ErrNotServiceSpecific, "IsServiceSpecific"},
		{"global scope with purpose one treatment", mod(func(tc *TCString) {
			tc.IsServiceSpecific = false
			tc.PurposeOneTreatment = true
		}), Decoder{AllowGlobalScope: true}, ErrField, "PurposeOneTreatment"},
		{"LI for purpose 3", mod(func(tc *TCString) { tc.PurposesLITransparency |= flags(t, 3) }), Decoder{}, ErrField, "PurposesLITransparency"},
		{"LI for purpose 6", mod(func(tc *TCString) { tc.PurposesLITransparency = flags(t, 6) }), Decoder{}, ErrField, "PurposesLITransparency"},
		{"missing disclosed vendors (created 2026)", mod(func(tc *TCString) { tc.DisclosedVendors = nil }), Decoder{}, ErrMissingSegment, "DisclosedVendors"},
		{"missing disclosed vendors (required)", mod(func(tc *TCString) {
			tc.DisclosedVendors = nil
			tc.Created = day(2025, 1, 1)
		}), Decoder{RequireDisclosedVendors: true}, ErrMissingSegment, "DisclosedVendors"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.dec.Decode(tc.in)
			pe := parseErr(t, err, tc.want)
			equal(t, tc.field, pe.Field)
		})
	}

	// A 2025 string without the segment is still valid (TCF 2.3 transition).
	old := valid(t)
	old.Created, old.LastUpdated, old.DisclosedVendors = day(2025, 11, 1), day(2025, 11, 1), nil
	_, err := Decode(encode(t, old))
	noErr(t, err)
	// LI for purposes 3-6 was allowed before policy 4.
	old.PolicyVersion, old.PurposesLITransparency = 2, flags(t, 3)
	_, err = lenient.Decode(encode(t, old))
	noErr(t, err)
}

// TestDecodePublisherLI: the "no legitimate interest for purposes 3-6" rule
// is the core segment's; a PublisherTC segment may declare it, under the
// strict policy too.
func TestDecodePublisherLI(t *testing.T) {
	tc := valid(t)
	tc.Publisher.PurposesLITransparency = flags(t, 2, 3, 4, 5, 6)
	got, err := Decode(encode(t, tc))
	noErr(t, err)
	equal(t, []int{2, 3, 4, 5, 6}, got.Publisher.PurposesLITransparency.IDs())
}
