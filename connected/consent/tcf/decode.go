package tcf

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
)

// MaxLength is the longest TC string Decode accepts, in characters. It is
// far above any real string (four full 65,535-vendor bitfields take about
// 44,000 characters) and bounds the work a hostile input can cause.
const MaxLength = 1 << 17

// DefaultMinPolicyVersion is the lowest TcfPolicyVersion Decode accepts: TCF
// v2.2's policy version 4.
const DefaultMinPolicyVersion = 4

const maxVendorID = 1<<16 - 1

// maxPadding: fewer bits than this after a segment's last field are padding
// and may hold anything, as in the IAB reference decoder, which ignores
// them (encoders pad to 6, 8 or, like the reference, 24 bits). From this
// many bits on they must all be zero.
const maxPadding = 24

// disclosedRequiredFrom is 2026-03-01T00:00:00Z in Unix seconds: TCF 2.3
// says "TC Strings created after 28 February 2026 without this segment will
// be considered invalid".
const disclosedRequiredFrom = 1772323200

// Decoder holds the validation policy of Decode. The zero value is the
// strict TCF v2.2/2.3 policy; Decode(s) is Decoder{}.Decode(s). A Decoder is
// a plain value, safe for concurrent use.
type Decoder struct {
	// MinPolicyVersion is the lowest TcfPolicyVersion accepted; 0 means
	// DefaultMinPolicyVersion. Lower it only to read archived strings.
	MinPolicyVersion int
	// AllowGlobalScope accepts IsServiceSpecific = 0 (TCF v2.0 global
	// scope); such a string must then have PurposeOneTreatment = 0.
	AllowGlobalScope bool
	// RequireDisclosedVendors requires the DisclosedVendors segment whatever
	// the string's Created date. Without it, the segment is required for
	// strings created on or after 2026-03-01 (TCF 2.3).
	RequireDisclosedVendors bool
}

// Decode decodes and validates a TC string under the strict policy of the
// zero Decoder. See Decoder.Decode.
func Decode(s string) (*TCString, error) { return Decoder{}.Decode(s) }

// Decode decodes and validates a TC string: dot-separated base64url
// segments, the core first, then DisclosedVendors, AllowedVendors and
// PublisherTC in any order, each at most once.
//
// It checks the encoding (alphabet, no "=" padding, no empty segment), every
// length (a field cut short is ErrTruncated; 24 or more bits after the last
// field that are not all zero are ErrTrailingData, while fewer are padding
// and may hold anything, as in the IAB reference decoder), Version = 2, the
// policy version, the service-specific flag, legitimate interest for
// purposes 3 to 6 in the core segment (forbidden from policy version 4; the
// PublisherTC segment may declare it), language and country letters, vendor
// ranges (ascending, disjoint, within MaxVendorId) and publisher
// restrictions (purpose not 0, type not 3, vendor ids not 0, no range
// ending before its start). Publisher restriction entries decode as the IAB
// reference decoder reads them: vendors in any order, repeated or
// overlapping, and entries repeating a (purpose, type) pair, all add up per
// pair; see TCString.PublisherRestrictions. On failure it returns a nil
// TCString and a *ParseError; it never returns a partial value.
func (d Decoder) Decode(s string) (*TCString, error) {
	if len(s) == 0 {
		return nil, &ParseError{Err: ErrEmpty, Field: "Core"}
	}
	if len(s) > MaxLength {
		return nil, &ParseError{Err: ErrTooLong, Detail: fmt.Sprintf("%d characters, limit %d", len(s), MaxLength)}
	}
	minPolicy := d.MinPolicyVersion
	if minPolicy == 0 {
		minPolicy = DefaultMinPolicyVersion
	}
	t := new(TCString)
	rest := s
	for seg := 0; ; seg++ {
		part, more, found := strings.Cut(rest, ".")
		if len(part) == 0 {
			return nil, &ParseError{Segment: seg, Err: ErrEmpty, Detail: "empty segment between dots"}
		}
		if i := badChar(part); i >= 0 {
			return nil, &ParseError{Segment: seg, Offset: 6 * i, Err: ErrEncoding,
				Detail: fmt.Sprintf("character %q at index %d of the string", part[i], len(s)-len(rest)+i)}
		}
		p := parser{r: bitReader{s: part}, seg: seg, minPolicy: minPolicy, policy: t.PolicyVersion}
		if seg == 0 {
			p.core(t, d)
		} else {
			p.segment(t)
		}
		if end, left := p.r.pos, p.r.remaining(); p.err == nil && left >= maxPadding && !p.r.restZero() {
			p.fail("", end, ErrTrailingData, fmt.Sprintf("%d bits after the last field, more than padding, are not all zero", left))
		}
		if p.err != nil {
			return nil, p.err
		}
		if !found {
			break
		}
		rest = more
	}
	if t.DisclosedVendors == nil && (d.RequireDisclosedVendors || t.Created.Unix() >= disclosedRequiredFrom) {
		return nil, &ParseError{Err: ErrMissingSegment, Field: "DisclosedVendors",
			Detail: "created " + t.Created.Format(time.DateOnly) + "; TCF 2.3 requires the segment from 2026-03-01"}
	}
	return t, nil
}

// parser reads the fields of one segment. The first error sticks: later
// reads return zero and change nothing, so field sequences need no checks
// between them.
type parser struct {
	r         bitReader
	seg       int
	err       error
	minPolicy int
	policy    int // the core's policy version, for the other segments
}

func (p *parser) fail(field string, at int, err error, detail string) {
	if p.err == nil {
		p.err = &ParseError{Segment: p.seg, Field: field, Offset: at, Err: err, Detail: detail}
	}
}

// u reads an n-bit unsigned field.
func (p *parser) u(field string, n int) int {
	if p.err != nil {
		return 0
	}
	v, ok := p.r.read(n)
	if !ok {
		p.fail(field, p.r.pos, ErrTruncated, fmt.Sprintf("needs %d bits, %d left", n, p.r.remaining()))
		return 0
	}
	return int(v)
}

func (p *parser) bool(field string) bool { return p.u(field, 1) == 1 }

// flags reads an n-bit field where the first bit is id 1.
func (p *parser) flags(field string, n int) Flags {
	v := uint64(p.u(field, n))
	var f Flags
	for id := 1; id <= n; id++ {
		if v>>(n-id)&1 == 1 {
			f |= 1 << (id - 1)
		}
	}
	return f
}

// time36 reads a 36-bit decisecond timestamp, which must not be zero.
func (p *parser) time36(field string) time.Time {
	at := p.r.pos
	ds := p.u(field, 36)
	if p.err == nil && ds == 0 {
		p.fail(field, at, ErrField, "zero timestamp (1970-01-01)")
	}
	return time.UnixMilli(int64(ds) * 100).UTC()
}

// letters reads two 6-bit letters, a=0 .. z=25.
func (p *parser) letters(field string) string {
	at := p.r.pos
	a, b := p.u(field, 6), p.u(field, 6)
	if p.err != nil {
		return ""
	}
	if a > 25 || b > 25 {
		p.fail(field, at, ErrField, fmt.Sprintf("letter values %d, %d; must be 0 (a) to 25 (z)", a, b))
		return ""
	}
	return string([]byte{byte('A' + a), byte('A' + b)})
}

func (p *parser) core(t *TCString, d Decoder) {
	t.Version = p.u("Version", 6)
	if p.err == nil && t.Version != 2 {
		p.fail("Version", 0, ErrVersion, fmt.Sprintf("version %d, want 2", t.Version))
		return
	}
	t.Created = p.time36("Created")
	t.LastUpdated = p.time36("LastUpdated")
	t.CMPID = p.u("CmpId", 12)
	t.CMPVersion = p.u("CmpVersion", 12)
	t.ConsentScreen = p.u("ConsentScreen", 6)
	t.ConsentLanguage = p.letters("ConsentLanguage")
	t.VendorListVersion = p.u("VendorListVersion", 12)
	at := p.r.pos
	t.PolicyVersion = p.u("TcfPolicyVersion", 6)
	if p.err == nil && t.PolicyVersion < p.minPolicy {
		p.fail("TcfPolicyVersion", at, ErrPolicyVersion, fmt.Sprintf("policy version %d, minimum %d", t.PolicyVersion, p.minPolicy))
	}
	p.policy = t.PolicyVersion
	at = p.r.pos
	t.IsServiceSpecific = p.bool("IsServiceSpecific")
	if p.err == nil && !t.IsServiceSpecific && !d.AllowGlobalScope {
		p.fail("IsServiceSpecific", at, ErrNotServiceSpecific, "must be 1")
	}
	t.UseNonStandardTexts = p.bool("UseNonStandardTexts")
	t.SpecialFeatureOptIns = p.flags("SpecialFeatureOptIns", 12)
	t.PurposesConsent = p.flags("PurposesConsent", 24)
	at = p.r.pos
	t.PurposesLITransparency = p.flags("PurposesLITransparency", 24)
	p.checkLI("PurposesLITransparency", at, t.PurposesLITransparency)
	at = p.r.pos
	t.PurposeOneTreatment = p.bool("PurposeOneTreatment")
	if p.err == nil && t.PurposeOneTreatment && !t.IsServiceSpecific {
		p.fail("PurposeOneTreatment", at, ErrField, "must be 0 in a globally scoped string")
	}
	t.PublisherCC = p.letters("PublisherCC")
	t.VendorConsents = p.vendors(consentNames())
	t.VendorLegitimateInterests = p.vendors(liNames())
	t.PublisherRestrictions = p.restrictions()
}

// checkLI enforces TCF v2.2: no legitimate interest for purposes 3 to 6.
func (p *parser) checkLI(field string, at int, f Flags) {
	if p.err != nil || p.policy < 4 {
		return
	}
	for id := 3; id <= 6; id++ {
		if f.Has(id) {
			p.fail(field, at+id-1, ErrField, fmt.Sprintf("legitimate interest for purpose %d is not allowed from policy version 4", id))
			return
		}
	}
}

// vendors reads a vendor section: MaxVendorId, IsRangeEncoding, then a
// bitfield or range entries.
func (p *parser) vendors(field section) VendorSet {
	var v VendorSet
	v.MaxID = p.u(field.maxID, 16)
	isRange := p.bool(field.isRange)
	if p.err != nil {
		return VendorSet{}
	}
	if isRange {
		v.Ranges = p.ranges(field, v.MaxID)
		return v
	}
	if p.r.remaining() < v.MaxID {
		p.fail(field.bitField, p.r.pos, ErrTruncated, fmt.Sprintf("MaxVendorId %d needs %d bits, %d left", v.MaxID, v.MaxID, p.r.remaining()))
		return VendorSet{}
	}
	for id := 1; id <= v.MaxID; {
		n := min(64, v.MaxID-id+1)
		bits, _ := p.r.read(n)
		for k := 0; k < n; k++ {
			if bits>>(n-1-k)&1 == 1 {
				v.add(id+k, id+k)
			}
		}
		id += n
	}
	return v
}

// ranges reads NumEntries and the range entries, which must be ascending,
// disjoint and within 1..limit.
func (p *parser) ranges(field section, limit int) []Range {
	n := p.u(field.numEntries, 12)
	if p.err != nil {
		return nil
	}
	entry := field.entry
	// Each entry takes at least 17 bits: do not trust n for the allocation.
	v := VendorSet{Ranges: make([]Range, 0, min(n, p.r.remaining()/17))}
	prevEnd := 0
	for k := 0; k < n; k++ {
		at := p.r.pos
		isRange := p.bool(entry)
		start := p.u(entry, 16)
		end := start
		if isRange {
			end = p.u(entry, 16)
		}
		if p.err != nil {
			return nil
		}
		switch {
		case start == 0:
			p.fail(entry, at, ErrRange, fmt.Sprintf("entry %d starts at vendor id 0", k))
		case end < start:
			p.fail(entry, at, ErrRange, fmt.Sprintf("entry %d ends at %d before its start %d", k, end, start))
		case start <= prevEnd:
			p.fail(entry, at, ErrRange, fmt.Sprintf("entry %d (%d-%d) is not after the previous entry, which ends at %d", k, start, end, prevEnd))
		case end > limit:
			p.fail(entry, at, ErrRange, fmt.Sprintf("entry %d (%d-%d) exceeds MaxVendorId %d", k, start, end, limit))
		}
		if p.err != nil {
			return nil
		}
		prevEnd = end
		v.add(start, end)
	}
	if len(v.Ranges) == 0 {
		return nil
	}
	return v.Ranges
}

// restrictions reads the publisher restrictions the way the IAB reference
// decoder (iabtcf-es PurposeRestrictionVectorEncoder) does: each entry adds
// its vendors to the set of its (purpose, restriction type) pair, so a
// vendor listed twice, entries out of order or overlapping, and a pair
// repeated in a later entry all decode to the union; an entry with no
// vendors restricts nothing and leaves no Restriction. The pairs keep the
// order of their first entry. Purpose 0, restriction type 3, vendor id 0
// and a range ending before its start are still errors.
func (p *parser) restrictions() []Restriction {
	n := p.u("NumPubRestrictions", 12)
	if p.err != nil || n == 0 {
		return nil
	}
	// Each entry takes at least 20 bits: do not trust n for the allocation.
	out := make([]Restriction, 0, min(n, p.r.remaining()/20))
	for k := 0; k < n; k++ {
		at := p.r.pos
		purpose := p.u("PubRestrictionEntry.PurposeId", 6)
		typ := RestrictionType(p.u("PubRestrictionEntry.RestrictionType", 2))
		if p.err != nil {
			return nil
		}
		if purpose == 0 {
			p.fail("PubRestrictionEntry.PurposeId", at, ErrField, fmt.Sprintf("entry %d names purpose 0", k))
			return nil
		}
		if typ > RequireLegitimateInterest {
			p.fail("PubRestrictionEntry.RestrictionType", at+6, ErrField, fmt.Sprintf("entry %d has undefined restriction type 3", k))
			return nil
		}
		i := slices.IndexFunc(out, func(r Restriction) bool { return r.Purpose == purpose && r.Type == typ })
		if i < 0 {
			out = append(out, Restriction{Purpose: purpose, Type: typ})
			i = len(out) - 1
		}
		out[i].Vendors = p.restrictionVendors(out[i].Vendors)
		if p.err != nil {
			return nil
		}
	}
	// Sort and merge each pair's vendors; drop pairs with none.
	kept := out[:0]
	for _, r := range out {
		if len(r.Vendors) == 0 {
			continue
		}
		slices.SortFunc(r.Vendors, func(a, b Range) int { return cmp.Compare(a.Start, b.Start) })
		var v VendorSet
		v.Ranges = r.Vendors[:0]
		for _, rg := range r.Vendors {
			v.add(rg.Start, rg.End)
		}
		r.Vendors = v.Ranges
		kept = append(kept, r)
	}
	if len(kept) == 0 {
		return nil
	}
	return slices.Clip(kept)
}

// restrictionVendors reads NumEntries and the range entries of one
// restriction and appends them to dst, in any order (see restrictions).
func (p *parser) restrictionVendors(dst []Range) []Range {
	const numEntries, entry = pr + ".NumEntries", pr + ".RangeEntry"
	n := p.u(numEntries, 12)
	if p.err != nil {
		return nil
	}
	// Each entry takes at least 17 bits: do not trust n for the allocation.
	dst = slices.Grow(dst, min(n, p.r.remaining()/17))
	for k := 0; k < n; k++ {
		at := p.r.pos
		isRange := p.bool(entry)
		start := p.u(entry, 16)
		end := start
		if isRange {
			end = p.u(entry, 16)
		}
		if p.err != nil {
			return nil
		}
		switch {
		case start == 0:
			p.fail(entry, at, ErrRange, fmt.Sprintf("entry %d starts at vendor id 0", k))
			return nil
		case end < start:
			p.fail(entry, at, ErrRange, fmt.Sprintf("entry %d ends at %d before its start %d", k, end, start))
			return nil
		}
		dst = append(dst, Range{start, end})
	}
	return dst
}
