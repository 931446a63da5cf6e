package tcf

import (
	"fmt"
	"strings"
)

// Encode returns the TC string for t: the core segment, then
// DisclosedVendors, AllowedVendors and PublisherTC when set, joined by dots.
// Each vendor section uses whichever of the bitfield and range encodings is
// shorter (the bitfield on a tie), as the specification asks; each segment
// is padded with zero bits to a multiple of 24 bits, as the IAB reference
// encoder does.
//
// Encode checks that every value fits its field and that vendor ranges are
// ascending and disjoint, and returns an *EncodeError otherwise. It does not
// apply policy rules (policy version, IsServiceSpecific, legitimate
// interest for purposes 3-6), so it can write strings that a strict Decode
// rejects; tests use that. Times are truncated to deciseconds.
func Encode(t *TCString) (string, error) {
	b, err := AppendEncode(nil, t)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// AppendEncode is Encode appending to dst. On error it returns dst unchanged.
func AppendEncode(dst []byte, t *TCString) ([]byte, error) {
	if err := check(t); err != nil {
		return dst, err
	}
	w := bitWriter{out: dst}
	writeHeader(&w, t)
	writeVendors(&w, &t.VendorConsents)
	writeVendors(&w, &t.VendorLegitimateInterests)
	w.write(uint64(len(t.PublisherRestrictions)), 12)
	for _, r := range t.PublisherRestrictions {
		w.write(uint64(r.Purpose), 6)
		w.write(uint64(r.Type), 2)
		writeRanges(&w, r.Vendors)
	}
	out := w.finish()
	for _, seg := range [...]struct {
		typ SegmentType
		v   *VendorSet
	}{{SegmentDisclosedVendors, t.DisclosedVendors}, {SegmentAllowedVendors, t.AllowedVendors}} {
		if seg.v == nil {
			continue
		}
		w := bitWriter{out: append(out, '.')}
		w.write(uint64(seg.typ), 3)
		writeVendors(&w, seg.v)
		out = w.finish()
	}
	if p := t.Publisher; p != nil {
		w := bitWriter{out: append(out, '.')}
		w.write(uint64(SegmentPublisherTC), 3)
		writeFlags(&w, p.PurposesConsent, 24)
		writeFlags(&w, p.PurposesLITransparency, 24)
		w.write(uint64(p.NumCustomPurposes), 6)
		writeFlags(&w, p.CustomPurposesConsent, p.NumCustomPurposes)
		writeFlags(&w, p.CustomPurposesLITransparency, p.NumCustomPurposes)
		out = w.finish()
	}
	return out, nil
}

// writeHeader writes the core fields before the vendor sections.
func writeHeader(w *bitWriter, t *TCString) {
	version := t.Version
	if version == 0 {
		version = 2
	}
	w.write(uint64(version), 6)
	w.write(uint64(t.Created.UnixMilli()/100), 36)
	w.write(uint64(t.LastUpdated.UnixMilli()/100), 36)
	w.write(uint64(t.CMPID), 12)
	w.write(uint64(t.CMPVersion), 12)
	w.write(uint64(t.ConsentScreen), 6)
	writeLetters(w, t.ConsentLanguage)
	w.write(uint64(t.VendorListVersion), 12)
	w.write(uint64(t.PolicyVersion), 6)
	w.bool(t.IsServiceSpecific)
	w.bool(t.UseNonStandardTexts)
	writeFlags(w, t.SpecialFeatureOptIns, 12)
	writeFlags(w, t.PurposesConsent, 24)
	writeFlags(w, t.PurposesLITransparency, 24)
	w.bool(t.PurposeOneTreatment)
	writeLetters(w, t.PublisherCC)
}

func writeLetters(w *bitWriter, s string) {
	s = strings.ToUpper(s)
	w.write(uint64(s[0]-'A'), 6)
	w.write(uint64(s[1]-'A'), 6)
}

// writeFlags writes ids 1..n as n bits, id 1 first.
func writeFlags(w *bitWriter, f Flags, n int) {
	for id := 1; id <= n; id++ {
		w.bool(f.Has(id))
	}
}

// writeVendors writes MaxVendorId, IsRangeEncoding and the shorter encoding.
func writeVendors(w *bitWriter, v *VendorSet) {
	maxID := v.MaxID
	if n := len(v.Ranges); maxID == 0 && n > 0 {
		maxID = v.Ranges[n-1].End
	}
	merged := canonical(v.Ranges)
	w.write(uint64(maxID), 16)
	if rangeBits(merged) < maxID {
		w.write(1, 1)
		writeRanges(w, merged)
		return
	}
	w.write(0, 1)
	next := 1
	for _, r := range merged {
		writeRun(w, 0, r.Start-next)
		writeRun(w, 1, r.End-r.Start+1)
		next = r.End + 1
	}
	writeRun(w, 0, maxID-next+1)
}

// writeRun writes n copies of bit b.
func writeRun(w *bitWriter, b uint64, n int) {
	for n > 0 {
		k := min(n, 64)
		if b == 1 {
			w.write(^uint64(0), k)
		} else {
			w.write(0, k)
		}
		n -= k
	}
}

// rangeBits is the size of the range encoding after IsRangeEncoding, or a
// size no bitfield reaches when there are too many entries for NumEntries.
func rangeBits(rs []Range) int {
	if len(rs) > 1<<12-1 {
		return 1 << 30
	}
	n := 12
	for _, r := range rs {
		n += 17
		if r.End != r.Start {
			n += 16
		}
	}
	return n
}

func writeRanges(w *bitWriter, rs []Range) {
	rs = canonical(rs)
	w.write(uint64(len(rs)), 12)
	for _, r := range rs {
		if r.Start == r.End {
			w.write(0, 1)
			w.write(uint64(r.Start), 16)
			continue
		}
		w.write(1, 1)
		w.write(uint64(r.Start), 16)
		w.write(uint64(r.End), 16)
	}
}

// canonical merges adjacent ranges of a checked (ascending, disjoint) list.
// It returns rs itself when nothing merges.
func canonical(rs []Range) []Range {
	adjacent := false
	for i := 1; i < len(rs); i++ {
		if rs[i].Start == rs[i-1].End+1 {
			adjacent = true
			break
		}
	}
	if !adjacent {
		return rs
	}
	var v VendorSet
	for _, r := range rs {
		v.add(r.Start, r.End)
	}
	return v.Ranges
}

// check validates everything Encode needs; see Encode.
func check(t *TCString) error {
	bad := func(field string, err error, format string, args ...any) error {
		return &EncodeError{Field: field, Err: err, Detail: fmt.Sprintf(format, args...)}
	}
	if t.Version < 0 || t.Version > 63 {
		return bad("Version", ErrField, "%d does not fit 6 bits", t.Version)
	}
	for _, f := range [...]struct {
		name string
		ms   int64
	}{{"Created", t.Created.UnixMilli()}, {"LastUpdated", t.LastUpdated.UnixMilli()}} {
		if f.ms < 100 || f.ms/100 >= 1<<36 {
			return bad(f.name, ErrField, "must be after 1970-01-01 and fit 36 bits of deciseconds (zero time?)")
		}
	}
	for _, f := range [...]struct {
		name string
		v    int
		bits int
	}{
		{"CmpId", t.CMPID, 12}, {"CmpVersion", t.CMPVersion, 12}, {"ConsentScreen", t.ConsentScreen, 6},
		{"VendorListVersion", t.VendorListVersion, 12}, {"TcfPolicyVersion", t.PolicyVersion, 6},
	} {
		if f.v < 0 || f.v >= 1<<f.bits {
			return bad(f.name, ErrField, "%d does not fit %d bits", f.v, f.bits)
		}
	}
	for _, f := range [...]struct{ name, v string }{{"ConsentLanguage", t.ConsentLanguage}, {"PublisherCC", t.PublisherCC}} {
		if !twoLetters(f.v) {
			return bad(f.name, ErrField, "%q is not two letters a-z", f.v)
		}
	}
	for _, f := range [...]struct {
		name string
		v    Flags
		bits int
	}{
		{"SpecialFeatureOptIns", t.SpecialFeatureOptIns, 12},
		{"PurposesConsent", t.PurposesConsent, 24}, {"PurposesLITransparency", t.PurposesLITransparency, 24},
	} {
		if f.v>>f.bits != 0 {
			return bad(f.name, ErrField, "has ids above %d", f.bits)
		}
	}
	for _, f := range [...]struct {
		name string
		v    *VendorSet
	}{
		{"VendorConsents", &t.VendorConsents}, {"VendorLegitimateInterests", &t.VendorLegitimateInterests},
		{"DisclosedVendors", t.DisclosedVendors}, {"AllowedVendors", t.AllowedVendors},
	} {
		if f.v == nil {
			continue
		}
		if f.v.MaxID < 0 || f.v.MaxID > maxVendorID {
			return bad(f.name, ErrRange, "MaxID %d outside 0..65535", f.v.MaxID)
		}
		limit := f.v.MaxID
		if limit == 0 {
			limit = maxVendorID
		}
		if err := checkRanges(f.name, f.v.Ranges, limit); err != nil {
			return err
		}
	}
	if n := len(t.PublisherRestrictions); n >= 1<<12 {
		return bad("PublisherRestrictions", ErrField, "%d entries do not fit 12 bits", n)
	}
	for i, r := range t.PublisherRestrictions {
		field := "PublisherRestrictions" // indexed only on error, to keep Encode allocation-free
		if r.Purpose < 1 || r.Purpose > 63 || r.Type < NotAllowed || r.Type > RequireLegitimateInterest ||
			checkRanges(field, r.Vendors, maxVendorID) != nil || len(canonical(r.Vendors)) >= 1<<12 {
			field = fmt.Sprintf("PublisherRestrictions[%d]", i)
		}
		if r.Purpose < 1 || r.Purpose > 63 {
			return bad(field, ErrField, "purpose %d outside 1..63", r.Purpose)
		}
		if r.Type < NotAllowed || r.Type > RequireLegitimateInterest {
			return bad(field, ErrField, "undefined restriction type %d", int(r.Type))
		}
		if err := checkRanges(field, r.Vendors, maxVendorID); err != nil {
			return err
		}
		if len(canonical(r.Vendors)) >= 1<<12 {
			return bad(field, ErrRange, "too many ranges for 12 bits")
		}
	}
	if p := t.Publisher; p != nil {
		if p.NumCustomPurposes < 0 || p.NumCustomPurposes > 63 {
			return bad("Publisher.NumCustomPurposes", ErrField, "%d outside 0..63", p.NumCustomPurposes)
		}
		for _, f := range [...]struct {
			name string
			v    Flags
			bits int
		}{
			{"Publisher.PurposesConsent", p.PurposesConsent, 24}, {"Publisher.PurposesLITransparency", p.PurposesLITransparency, 24},
			{"Publisher.CustomPurposesConsent", p.CustomPurposesConsent, p.NumCustomPurposes},
			{"Publisher.CustomPurposesLITransparency", p.CustomPurposesLITransparency, p.NumCustomPurposes},
		} {
			if f.v>>f.bits != 0 {
				return bad(f.name, ErrField, "has ids above %d", f.bits)
			}
		}
	}
	return nil
}

func checkRanges(field string, rs []Range, limit int) error {
	prevEnd := 0
	for i, r := range rs {
		if r.Start < 1 || r.End < r.Start || r.Start <= prevEnd || r.End > limit {
			return &EncodeError{Field: field, Err: ErrRange,
				Detail: fmt.Sprintf("range %d (%d-%d) must lie in 1..%d, after the previous range (which ends at %d)", i, r.Start, r.End, limit, prevEnd)}
		}
		prevEnd = r.End
	}
	return nil
}

func twoLetters(s string) bool {
	if len(s) != 2 {
		return false
	}
	for i := 0; i < 2; i++ {
		c := s[i] | 0x20 // lower case
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}
