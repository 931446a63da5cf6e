package tcf

import "testing"

// craft builds a string from a valid header and raw sections.
func craft(t testing.TB, body func(w *bitWriter), more ...func(w *bitWriter)) string {
	t.Helper()
	w := bitWriter{}
	writeHeader(&w, valid(t))
	body(&w)
	out := w.finish()
	for _, m := range more {
		w := bitWriter{out: append(out, '.')}
		m(&w)
		out = w.finish()
	}
	return string(out)
}

// rangeSection writes MaxVendorId, IsRangeEncoding=1 and the raw entries
// (start, end; end == 0 means a single id).
func rangeSection(w *bitWriter, maxID int, entries ...[2]int) {
	w.write(uint64(maxID), 16)
	w.write(1, 1)
	w.write(uint64(len(entries)), 12)
	for _, e := range entries {
		if e[1] == 0 {
			w.write(0, 1)
			w.write(uint64(e[0]), 16)
		} else {
			w.write(1, 1)
			w.write(uint64(e[0]), 16)
			w.write(uint64(e[1]), 16)
		}
	}
}

func emptyVendors(w *bitWriter) { w.write(0, 17) }

func disclosed(w *bitWriter) {
	w.write(1, 3)
	rangeSection(w, 10, [2]int{1, 10})
}

func TestDecodeRangeErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		entries [][2]int
		maxID   int
		want    error
	}{
		{"out of order", [][2]int{{5, 0}, {3, 0}}, 10, ErrRange},
		{"overlapping", [][2]int{{1, 5}, {4, 6}}, 10, ErrRange},
		{"repeated", [][2]int{{4, 0}, {4, 0}}, 10, ErrRange},
		{"vendor zero", [][2]int{{0, 0}}, 10, ErrRange},
		{"end before start", [][2]int{{7, 3}}, 10, ErrRange},
		{"beyond MaxVendorId", [][2]int{{2, 11}}, 10, ErrRange},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := craft(t, func(w *bitWriter) {
				rangeSection(w, tc.maxID, tc.entries...)
				emptyVendors(w)
				w.write(0, 12)
			}, disclosed)
			_, err := Decode(s)
			pe := parseErr(t, err, tc.want)
			equal(t, "VendorConsents.RangeEntry", pe.Field)
			equal(t, 0, pe.Segment)
		})
	}
	// Adjacent entries are legal and merge.
	s := craft(t, func(w *bitWriter) {
		rangeSection(w, 10, [2]int{1, 3}, [2]int{4, 0}, [2]int{6, 7})
		emptyVendors(w)
		w.write(0, 12)
	}, disclosed)
	tc, err := Decode(s)
	noErr(t, err)
	equal(t, []Range{{1, 4}, {6, 7}}, tc.VendorConsents.Ranges)

	// The disclosed vendors segment is checked the same way.
	s = craft(t, func(w *bitWriter) {
		emptyVendors(w)
		emptyVendors(w)
		w.write(0, 12)
	}, func(w *bitWriter) {
		w.write(1, 3)
		rangeSection(w, 500, [2]int{404, 0}, [2]int{100, 0})
	})
	_, err = Decode(s)
	pe := parseErr(t, err, ErrRange)
	equal(t, 1, pe.Segment)
	equal(t, "DisclosedVendors.RangeEntry", pe.Field)
}

func TestDecodeRestrictionErrors(t *testing.T) {
	restriction := func(purpose, typ int, entries ...[2]int) func(w *bitWriter) {
		return func(w *bitWriter) {
			w.write(uint64(purpose), 6)
			w.write(uint64(typ), 2)
			w.write(uint64(len(entries)), 12)
			for _, e := range entries {
				if e[1] == 0 {
					w.write(0, 1)
					w.write(uint64(e[0]), 16)
					continue
				}
				w.write(1, 1)
				w.write(uint64(e[0]), 16)
				w.write(uint64(e[1]), 16)
			}
		}
	}
	for _, tc := range []struct {
		name  string
		rs    []func(*bitWriter)
		want  error
		field string
	}{
		{"purpose 0", []func(*bitWriter){restriction(0, 0, [2]int{1})}, ErrField, "PubRestrictionEntry.PurposeId"},
		{"type 3", []func(*bitWriter){restriction(2, 3, [2]int{1})}, ErrField, "PubRestrictionEntry.RestrictionType"},
		{"vendor 0", []func(*bitWriter){restriction(2, 1, [2]int{4}, [2]int{0})}, ErrRange, "PubRestrictionEntry.RangeEntry"},
		{"end before start", []func(*bitWriter){restriction(2, 1, [2]int{9, 3})}, ErrRange, "PubRestrictionEntry.RangeEntry"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := craft(t, func(w *bitWriter) {
				emptyVendors(w)
				emptyVendors(w)
				w.write(uint64(len(tc.rs)), 12)
				for _, r := range tc.rs {
					r(w)
				}
			}, disclosed)
			_, err := Decode(s)
			pe := parseErr(t, err, tc.want)
			equal(t, tc.field, pe.Field)
		})
	}
}

func TestDecodeSegmentErrors(t *testing.T) {
	core := func(w *bitWriter) {
		emptyVendors(w)
		emptyVendors(w)
		w.write(0, 12)
	}
	pub := func(w *bitWriter) { w.write(3, 3); w.write(0, 54) }
	for _, tc := range []struct {
		name string
		segs []func(*bitWriter)
		want error
		seg  int
	}{
		{"second core", []func(*bitWriter){disclosed, func(w *bitWriter) { w.write(0, 3); w.write(0, 30) }}, ErrSegment, 2},
		{"unknown type 5", []func(*bitWriter){disclosed, func(w *bitWriter) { w.write(5, 3); w.write(0, 30) }}, ErrSegment, 2},
		{"disclosed twice", []func(*bitWriter){disclosed, disclosed}, ErrSegment, 2},
		{"publisher twice", []func(*bitWriter){disclosed, pub, pub}, ErrSegment, 3},
		{"truncated publisher", []func(*bitWriter){disclosed, func(w *bitWriter) { w.write(3, 3); w.write(0, 20) }}, ErrTruncated, 2},
		{"trailing data", []func(*bitWriter){disclosed, func(w *bitWriter) { w.write(3, 3); w.write(0, 54); w.write(0, 30); w.write(1, 1) }}, ErrTrailingData, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(craft(t, core, tc.segs...))
			pe := parseErr(t, err, tc.want)
			equal(t, tc.seg, pe.Segment)
		})
	}

	// 24 or more bits after the core's last field, not all zero, are not
	// padding.
	s := craft(t, func(w *bitWriter) { core(w); w.write(0, 30); w.write(0b101, 3) }, disclosed)
	_, err := Decode(s)
	pe := parseErr(t, err, ErrTrailingData)
	equal(t, 0, pe.Segment)
	// Fewer are padding, whatever they hold, as in the IAB reference
	// decoder; a run of zero characters after them is fine too.
	for _, extra := range []int{0, 1, 7, 13} {
		var pad int
		s := craft(t, func(w *bitWriter) {
			w.write(uint64(extra), 16) // a VendorConsents bitfield of extra bits moves the padding
			w.write(0, 1)
			w.write(0, extra)
			emptyVendors(w)
			w.write(0, 12)
			pad = (24 - w.bits%24) % 24 // every padding bit to the encoder's 24-bit boundary
			w.write(1<<pad-1, pad)
		}, disclosed)
		_, err := Decode(s)
		noErr(t, err, "padding of ", pad, " bits")
	}
	_, err = Decode(craft(t, func(w *bitWriter) { core(w); w.write(0, 100) }, disclosed))
	noErr(t, err, "zero padding beyond 24 bits")
}

// TestDecodeRestrictionsUnion: publisher restriction entries decode as the
// IAB reference decoder reads them (its regression test for issue 201):
// vendors repeated, out of order or overlapping, and pairs repeated across
// entries, add up per (purpose, type) pair in the order of first
// appearance; empty entries leave nothing.
func TestDecodeRestrictionsUnion(t *testing.T) {
	entry := func(w *bitWriter, purpose, typ int, entries ...[2]int) {
		w.write(uint64(purpose), 6)
		w.write(uint64(typ), 2)
		w.write(uint64(len(entries)), 12)
		for _, e := range entries {
			if e[1] == 0 {
				w.write(0, 1)
				w.write(uint64(e[0]), 16)
				continue
			}
			w.write(1, 1)
			w.write(uint64(e[0]), 16)
			w.write(uint64(e[1]), 16)
		}
	}
	s := craft(t, func(w *bitWriter) {
		emptyVendors(w)
		emptyVendors(w)
		w.write(5, 12)
		entry(w, 1, 1, [2]int{7}, [2]int{20}, [2]int{7}, [2]int{183}, [2]int{71})
		entry(w, 3, 0) // no vendors
		entry(w, 2, 2, [2]int{30, 40}, [2]int{35, 50}, [2]int{10})
		entry(w, 1, 1, [2]int{140}, [2]int{122}, [2]int{20}, [2]int{184, 185})
		entry(w, 1, 2, [2]int{7})
	}, disclosed)
	tc, err := Decode(s)
	noErr(t, err)
	equal(t, []Restriction{
		{Purpose: 1, Type: RequireConsent, Vendors: []Range{{7, 7}, {20, 20}, {71, 71}, {122, 122}, {140, 140}, {183, 185}}},
		{Purpose: 2, Type: RequireLegitimateInterest, Vendors: []Range{{10, 10}, {30, 50}}},
		{Purpose: 1, Type: RequireLegitimateInterest, Vendors: []Range{{7, 7}}},
	}, tc.PublisherRestrictions)
	// Vendor 7 is under both RequireConsent and RequireLegitimateInterest
	// for purpose 1: the lower type wins, as in the reference library.
	typ, ok := tc.Restricted(7, 1)
	isTrue(t, ok && typ == RequireConsent, typ)
	// The union re-encodes to the same value.
	again, err := Decode(encode(t, tc))
	noErr(t, err)
	equal(t, tc, again)
}

func TestDecodeBitfieldAndLetters(t *testing.T) {
	s := craft(t, func(w *bitWriter) {
		// A bitfield whose MaxVendorId is above the last consenting vendor.
		w.write(12, 16)
		w.write(0, 1)
		w.write(0b101100000100, 12)
		emptyVendors(w)
		w.write(0, 12)
	}, disclosed)
	tc, err := Decode(s)
	noErr(t, err)
	equal(t, 12, tc.VendorConsents.MaxID)
	equal(t, []int{1, 3, 4, 10}, tc.VendorConsents.IDs())

	// A bitfield longer than the segment.
	s = craft(t, func(w *bitWriter) { w.write(4000, 16); w.write(0, 1); w.write(0, 40) }, disclosed)
	_, err = Decode(s)
	pe := parseErr(t, err, ErrTruncated)
	equal(t, "VendorConsents.BitField", pe.Field)

	// Language letter 26 is past z.
	tcs := valid(t)
	w := bitWriter{}
	writeHeader(&w, tcs)
	raw := []byte(string(w.finish()))
	// ConsentLanguage starts at bit 108: characters 18 and 19 hold it.
	raw[18] = alphabet[26]
	_, err = Decode(string(raw[:18]) + string(raw[18:]))
	pe = parseErr(t, err, ErrField)
	equal(t, "ConsentLanguage", pe.Field)
	equal(t, 108, pe.Offset)
}
