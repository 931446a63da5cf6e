package tcf

import "fmt"

// segment reads a segment after the core.
func (p *parser) segment(t *TCString) {
	typ := SegmentType(p.u("SegmentType", 3))
	if p.err != nil {
		return
	}
	switch typ {
	case SegmentDisclosedVendors, SegmentAllowedVendors:
		dst, field := &t.DisclosedVendors, disclosedNames()
		if typ == SegmentAllowedVendors {
			dst, field = &t.AllowedVendors, allowedNames()
		}
		if *dst != nil {
			p.fail("SegmentType", 0, ErrSegment, typ.String()+" segment appears twice")
			return
		}
		v := p.vendors(field)
		if p.err == nil {
			*dst = &v
		}
	case SegmentPublisherTC:
		if t.Publisher != nil {
			p.fail("SegmentType", 0, ErrSegment, "PublisherTC segment appears twice")
			return
		}
		var pub PublisherTC
		pub.PurposesConsent = p.flags("PubPurposesConsent", 24)
		// Legitimate interest for purposes 3-6 is allowed here: the "must be
		// 0" rule of TCF v2.2 is the core segment's (vendors'); a publisher
		// may declare its own legal bases.
		pub.PurposesLITransparency = p.flags("PubPurposesLITransparency", 24)
		pub.NumCustomPurposes = p.u("NumCustomPurposes", 6)
		pub.CustomPurposesConsent = p.flags("CustomPurposesConsent", pub.NumCustomPurposes)
		pub.CustomPurposesLITransparency = p.flags("CustomPurposesLITransparency", pub.NumCustomPurposes)
		if p.err == nil {
			t.Publisher = &pub
		}
	case SegmentCore:
		p.fail("SegmentType", 0, ErrSegment, "a second core segment (type 0) after the first")
	default:
		p.fail("SegmentType", 0, ErrSegment, fmt.Sprintf("unknown segment type %d", int(typ)))
	}
}

// section names the fields of one vendor section in errors; the names are
// constants so that decoding does not build strings.
type section struct {
	maxID, isRange, bitField, numEntries, entry string
}

// The section names. Constant concatenations fold at compile time.
const (
	vc = "VendorConsents"
	vl = "VendorLegitimateInterests"
	dv = "DisclosedVendors"
	av = "AllowedVendors"
	pr = "PubRestrictionEntry"
)

func consentNames() section {
	return section{vc + ".MaxVendorId", vc + ".IsRangeEncoding", vc + ".BitField", vc + ".NumEntries", vc + ".RangeEntry"}
}

func liNames() section {
	return section{vl + ".MaxVendorId", vl + ".IsRangeEncoding", vl + ".BitField", vl + ".NumEntries", vl + ".RangeEntry"}
}

func disclosedNames() section {
	return section{dv + ".MaxVendorId", dv + ".IsRangeEncoding", dv + ".BitField", dv + ".NumEntries", dv + ".RangeEntry"}
}

func allowedNames() section {
	return section{av + ".MaxVendorId", av + ".IsRangeEncoding", av + ".BitField", av + ".NumEntries", av + ".RangeEntry"}
}
