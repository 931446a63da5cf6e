package tcf

import (
	"encoding/binary"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

var sentinels = []error{
	ErrEmpty, ErrTooLong, ErrEncoding, ErrTruncated, ErrVersion, ErrPolicyVersion,
	ErrNotServiceSpecific, ErrField, ErrRange, ErrSegment, ErrMissingSegment, ErrTrailingData,
}

// FuzzDecode checks, for any input and both the strict and the lenient
// policy: no panic; an error is a *ParseError matching exactly one sentinel,
// with a segment index and bit offset inside the input and no value; a
// success re-encodes to a string that decodes to the same value, and the
// decoded sets are canonical.
func FuzzDecode(f *testing.F) {
	f.Add(specExample)
	f.Add("CO052l-O052l-DGAMBFRACBgAIBAAAAABIYgEawAQEagAAAA")
	f.Add("CPSzMzJPTeGtxADABCENB_CoAP_AAEJAAAAADGwBAAGABPADCAY0BjYAgADAAngBhAMaAAA.YAAAAAAAA4AA")
	f.Add("BObdrPUOevsguAfDqFENCNAAAAAmeAAA.PVAfDObdrA.DqFENCAmeAENCDA.OevsguAfDq")
	f.Add("CQiCO8AQiCO8AEsAHBENCxFoAPPAAEJAAAYgF5wAoAAgAIAvMABCgBBAAQAA4AFAAoOgAgAE.IF5wBIAAgAKAGQAygC8w.cCAAAAgAAdAA")
	f.Add("CQiCO8AQiCO8AEsAHBENCxFoAPPAAEJAAAYgF5wAoAAgAIAvMABCgBBAAQAA4AFAAoOgAgAE.IF5wBIAAgAKAGQAygC8w.QACF.cCAAAAgAAdAA")
	f.Add("CQXENQAQXENQAEsAHBENCxFoAPPAAEJAAAYgF5wAoAAgAIAvMABCgAAA")
	f.Add("")
	f.Add("..")
	for _, c := range craftedCases(f) {
		f.Add(c.s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, d := range []Decoder{{}, lenient} {
			tc, err := d.Decode(s)
			if err != nil {
				if tc != nil {
					t.Fatalf("error %v with a value", err)
				}
				var pe *ParseError
				if !errors.As(err, &pe) {
					t.Fatalf("error %T is not a *ParseError", err)
				}
				n := 0
				for _, s := range sentinels {
					if errors.Is(err, s) {
						n++
					}
				}
				if n != 1 {
					t.Fatalf("error %v matches %d sentinels", err, n)
				}
				segs := strings.Split(s, ".")
				if pe.Segment < 0 || pe.Segment >= len(segs) && !errors.Is(err, ErrTooLong) {
					t.Fatalf("segment %d of %d: %v", pe.Segment, len(segs), err)
				}
				if pe.Segment < len(segs) && (pe.Offset < 0 || pe.Offset > 6*len(segs[pe.Segment])) {
					t.Fatalf("offset %d outside segment of %d bits: %v", pe.Offset, 6*len(segs[pe.Segment]), err)
				}
				continue
			}
			for _, v := range []*VendorSet{&tc.VendorConsents, &tc.VendorLegitimateInterests, tc.DisclosedVendors, tc.AllowedVendors} {
				if v != nil {
					assertCanonical(t, v.Ranges, v.MaxID)
				}
			}
			pairs := map[[2]int]bool{}
			for _, r := range tc.PublisherRestrictions {
				if len(r.Vendors) == 0 || pairs[[2]int{r.Purpose, int(r.Type)}] {
					t.Fatalf("restrictions not one non-empty entry per pair: %+v", tc.PublisherRestrictions)
				}
				pairs[[2]int{r.Purpose, int(r.Type)}] = true
				assertCanonical(t, r.Vendors, maxVendorID)
			}
			out, err := Encode(tc)
			if err != nil {
				t.Fatalf("decoded value does not encode: %v", err)
			}
			again, err := d.Decode(out)
			if err != nil {
				t.Fatalf("re-encoded %q does not decode: %v", out, err)
			}
			equal(t, tc, again, "round trip of ", s)
		}
	})
}

func assertCanonical(t *testing.T, rs []Range, maxID int) {
	t.Helper()
	prev := -1 // ranges must not even be adjacent
	for _, r := range rs {
		if r.Start < 1 || r.End < r.Start || r.Start <= prev+1 || r.End > maxID {
			t.Fatalf("ranges not canonical within %d: %v", maxID, rs)
		}
		prev = r.End
	}
}

// FuzzEncodeRoundTrip builds TC strings from fuzz bytes, encodes them and
// checks that the strict decoder returns exactly the value.
func FuzzEncodeRoundTrip(f *testing.F) {
	f.Add([]byte("\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14"))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		next := func(n int) uint64 {
			var buf [8]byte
			k := copy(buf[:], b)
			b = b[k:]
			return binary.LittleEndian.Uint64(buf[:]) & (1<<n - 1)
		}
		created := time.UnixMilli(int64(1_600_000_000_000 + next(32)*100)).UTC()
		tc := &TCString{
			Version: 2, Created: created, LastUpdated: created,
			CMPID: int(next(12)), CMPVersion: int(next(12)), ConsentScreen: int(next(6)),
			ConsentLanguage:   string([]byte{'A' + byte(next(8)%26), 'A' + byte(next(8)%26)}),
			VendorListVersion: int(next(12)), PolicyVersion: 4 + int(next(2)), IsServiceSpecific: true,
			UseNonStandardTexts: next(1) == 1, SpecialFeatureOptIns: Flags(next(12)),
			PurposesConsent: Flags(next(24)), PurposesLITransparency: Flags(next(24)) &^ 0b111100,
			PurposeOneTreatment: next(1) == 1, PublisherCC: "FR",
		}
		tc.VendorConsents = fuzzSet(next)
		tc.VendorLegitimateInterests = fuzzSet(next)
		disclosed := fuzzSet(next)
		tc.DisclosedVendors = &disclosed
		for range next(2) {
			tc.PublisherRestrictions = append(tc.PublisherRestrictions, Restriction{
				Purpose: len(tc.PublisherRestrictions) + 1, Type: RestrictionType(next(8) % 3), Vendors: fuzzSet(next).Ranges,
			})
		}
		if next(1) == 1 {
			n := int(next(6))
			tc.Publisher = &PublisherTC{PurposesConsent: Flags(next(24)), NumCustomPurposes: n,
				CustomPurposesConsent: Flags(next(n)), CustomPurposesLITransparency: Flags(next(n))}
		}
		s, err := Encode(tc)
		if err != nil {
			t.Fatalf("encode: %v", err)
		}
		got, err := Decode(s)
		if err != nil {
			t.Fatalf("decode %q: %v", s, err)
		}
		// Decode leaves out restrictions without vendors.
		tc.PublisherRestrictions = slices.DeleteFunc(tc.PublisherRestrictions, func(r Restriction) bool { return len(r.Vendors) == 0 })
		if len(tc.PublisherRestrictions) == 0 {
			tc.PublisherRestrictions = nil
		}
		equal(t, tc, got)
	})
}

// fuzzSet makes a canonical vendor set from fuzz input.
func fuzzSet(next func(int) uint64) VendorSet {
	var v VendorSet
	id := 0
	for range next(4) {
		id += 2 + int(next(9))
		end := id + int(next(3))
		v.Ranges = append(v.Ranges, Range{id, end})
		id = end
	}
	v.MaxID = id + int(next(4))
	return v
}
