package tcf

import (
	"fmt"
	"slices"
	"time"
)

// TCString is a decoded TC string: the core segment's fields, then the
// optional segments. A TCString returned by Decode is complete and valid; it
// shares nothing with the input and may be kept and read concurrently.
type TCString struct {
	// Version of the encoding format: always 2 after Decode. Encode writes 2
	// when it is zero.
	Version int
	// Created and LastUpdated, at decisecond resolution, in UTC. TCF v2.2
	// CMPs write both as the UTC day the string was last updated.
	Created     time.Time
	LastUpdated time.Time
	// CMPID and CMPVersion identify the consent management platform that
	// last updated the string.
	CMPID      int
	CMPVersion int
	// ConsentScreen is the CMP's own number of the screen consent was given on.
	ConsentScreen int
	// ConsentLanguage is the two-letter ISO 639-1 code of the CMP's UI, in
	// upper case ("EN").
	ConsentLanguage string
	// VendorListVersion is the Global Vendor List version used.
	VendorListVersion int
	// PolicyVersion is TcfPolicyVersion: 4 for TCF v2.2, 5 for v2.3.
	PolicyVersion int
	// IsServiceSpecific must be true for TCF v2.2.
	IsServiceSpecific bool
	// UseNonStandardTexts: the CMP customised the standard texts.
	UseNonStandardTexts bool
	// SpecialFeatureOptIns: special feature n is bit n (12 bits). 1 is
	// precise geolocation, 2 is active device scanning.
	SpecialFeatureOptIns Flags
	// PurposesConsent and PurposesLITransparency: purpose n is bit n (24
	// bits each).
	PurposesConsent        Flags
	PurposesLITransparency Flags
	// PurposeOneTreatment: purpose 1 was not disclosed (jurisdictions where
	// it needs no consent).
	PurposeOneTreatment bool
	// PublisherCC is the ISO 3166-1 alpha-2 country of the publisher, upper case.
	PublisherCC string
	// VendorConsents and VendorLegitimateInterests: vendors with consent, and
	// with legitimate interest established (and not objected to).
	VendorConsents            VendorSet
	VendorLegitimateInterests VendorSet
	// PublisherRestrictions: after Decode, one entry per (purpose,
	// restriction type) pair, in the order of the pair's first entry in the
	// string, each with the union of the vendors that the string's entries
	// for that pair list (as the IAB reference decoder reads them), as
	// canonical ranges; pairs with no vendors are left out.
	PublisherRestrictions []Restriction

	// DisclosedVendors is the DisclosedVendors segment, nil when absent.
	DisclosedVendors *VendorSet
	// AllowedVendors is the deprecated AllowedVendors (OOB) segment, nil when
	// absent. Encode writes it only when set.
	AllowedVendors *VendorSet
	// Publisher is the PublisherTC segment, nil when absent.
	Publisher *PublisherTC
}

// Flags is a set of small ids (purposes, special features, custom
// purposes): id n is bit n-1. Fields of a TCString hold 12, 24 or up to 63
// bits; Encode rejects a set with ids the field cannot hold.
type Flags uint64

// FlagsOf returns the set of ids. It returns an error wrapping ErrField if an
// id is outside 1..64.
func FlagsOf(ids ...int) (Flags, error) {
	var f Flags
	for _, id := range ids {
		if id < 1 || id > 64 {
			return 0, fmt.Errorf("tcf: FlagsOf: id %d outside 1..64: %w", id, ErrField)
		}
		f |= 1 << (id - 1)
	}
	return f, nil
}

// Has reports whether id is in the set. Ids outside 1..64 never are.
func (f Flags) Has(id int) bool { return id >= 1 && id <= 64 && f&(1<<(id-1)) != 0 }

// IDs returns the ids in the set in ascending order.
func (f Flags) IDs() []int {
	var ids []int
	for id := 1; id <= 64; id++ {
		if f.Has(id) {
			ids = append(ids, id)
		}
	}
	return ids
}

// Range is an inclusive range of vendor ids, Start <= End.
type Range struct {
	Start, End int
}

// VendorSet is a set of vendor ids as a TC string section holds it: the
// section's MaxVendorId and the ids, as sorted, disjoint, non-adjacent
// ranges (Decode always returns this canonical form, whichever of the
// bitfield and range encodings the string used).
type VendorSet struct {
	// MaxID is the section's MaxVendorId: no id in Ranges is larger. Encode
	// uses the largest id when it is zero.
	MaxID int
	// Ranges are the member ids.
	Ranges []Range
}

// VendorsOf returns the canonical set of ids, with MaxID the largest. It
// returns an error wrapping ErrRange if an id is outside 1..65535.
func VendorsOf(ids ...int) (VendorSet, error) {
	s := slices.Clone(ids)
	slices.Sort(s)
	var v VendorSet
	for _, id := range s {
		if id < 1 || id > maxVendorID {
			return VendorSet{}, fmt.Errorf("tcf: VendorsOf: vendor id %d outside 1..65535: %w", id, ErrRange)
		}
		v.add(id, id)
	}
	if n := len(v.Ranges); n > 0 {
		v.MaxID = v.Ranges[n-1].End
	}
	return v, nil
}

// add appends [start, end] (start above every id so far), merging with the
// last range when adjacent.
func (v *VendorSet) add(start, end int) {
	if n := len(v.Ranges); n > 0 && v.Ranges[n-1].End+1 >= start {
		if end > v.Ranges[n-1].End {
			v.Ranges[n-1].End = end
		}
		return
	}
	v.Ranges = append(v.Ranges, Range{start, end})
}

// Has reports whether vendor id is in the set. It is O(log n) and does not
// allocate.
func (v *VendorSet) Has(id int) bool {
	_, found := slices.BinarySearchFunc(v.Ranges, id, func(r Range, id int) int {
		switch {
		case r.End < id:
			return -1
		case r.Start > id:
			return 1
		}
		return 0
	})
	return found
}

// Len returns the number of ids in the set.
func (v *VendorSet) Len() int {
	n := 0
	for _, r := range v.Ranges {
		n += r.End - r.Start + 1
	}
	return n
}

// IDs returns the ids in ascending order.
func (v *VendorSet) IDs() []int {
	ids := make([]int, 0, v.Len())
	for _, r := range v.Ranges {
		for id := r.Start; id <= r.End; id++ {
			ids = append(ids, id)
		}
	}
	return ids
}

// RestrictionType says how a publisher restricts vendors for a purpose.
type RestrictionType int

// The restriction types of the specification. Type 3 is undefined and
// rejected.
const (
	// NotAllowed: the purpose is flatly not allowed for these vendors.
	NotAllowed RestrictionType = 0
	// RequireConsent: flexible vendors must have consent, not legitimate interest.
	RequireConsent RestrictionType = 1
	// RequireLegitimateInterest: flexible vendors must use legitimate interest.
	RequireLegitimateInterest RestrictionType = 2
)

// String returns the restriction type's name.
func (t RestrictionType) String() string {
	switch t {
	case NotAllowed:
		return "NotAllowed"
	case RequireConsent:
		return "RequireConsent"
	case RequireLegitimateInterest:
		return "RequireLegitimateInterest"
	}
	return fmt.Sprintf("RestrictionType(%d)", int(t))
}

// Restriction is one publisher restriction entry: for Purpose, the vendors
// in Vendors are restricted by Type.
type Restriction struct {
	Purpose int
	Type    RestrictionType
	// Vendors are sorted, disjoint, non-adjacent ranges.
	Vendors []Range
}

// PublisherTC is the PublisherTC segment: the publisher's own purposes.
type PublisherTC struct {
	PurposesConsent        Flags // 24 bits
	PurposesLITransparency Flags // 24 bits
	// NumCustomPurposes is the number of custom purposes, 0..63; the custom
	// flags use ids 1..NumCustomPurposes.
	NumCustomPurposes            int
	CustomPurposesConsent        Flags
	CustomPurposesLITransparency Flags
}

// Restricted returns the restriction type the publisher set for vendor and
// purpose, and false if there is none. When several entries name the vendor
// and purpose with different types, the lowest type wins (NotAllowed, then
// RequireConsent, then RequireLegitimateInterest), as in the IAB reference
// library's getRestrictionType.
func (t *TCString) Restricted(vendor, purpose int) (RestrictionType, bool) {
	var found bool
	var typ RestrictionType
	for i := range t.PublisherRestrictions {
		r := &t.PublisherRestrictions[i]
		if r.Purpose != purpose {
			continue
		}
		v := VendorSet{Ranges: r.Vendors}
		if !v.Has(vendor) {
			continue
		}
		if !found || r.Type < typ {
			typ, found = r.Type, true
		}
	}
	return typ, found
}
