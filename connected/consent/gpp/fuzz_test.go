package gpp

import (
	"errors"
	"strings"
	"testing"
)

var sentinels = []error{ErrEmpty, ErrTooLong, ErrEncoding, ErrTruncated, ErrHeader, ErrSections, ErrVersion, ErrField, ErrTrailingData, ErrSection}

// FuzzDecode: no panic; errors are *ParseError matching exactly one GPP
// sentinel with the section index inside the string and no value; on
// success the sections match the header, and re-encoding (header from the
// ids, raw sections, usnat re-encoded) decodes to the same value.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{specGPP1, specGPP2, specGPP3, usnatV2, "DBABM~x", "DBACNY~a~b", "DBABjw", "", "~", "DBABL~CAAAAAAAAAAA", "DBABLA~BAAAAAAA.QA"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, d := range []Decoder{{}, lenient} {
			g, err := d.Decode(s)
			if err != nil {
				var pe *ParseError
				if g != nil || !errors.As(err, &pe) {
					t.Fatalf("error %T %v with value %v", err, err, g)
				}
				n := 0
				for _, sen := range sentinels {
					if errors.Is(err, sen) {
						n++
					}
				}
				if n != 1 {
					t.Fatalf("error %v matches %d sentinels", err, n)
				}
				if pe.Section < 0 || pe.Section > strings.Count(s, "~") || pe.Offset < 0 {
					t.Fatalf("error position out of range: %v", err)
				}
				continue
			}
			if len(g.Sections) != strings.Count(s, "~") {
				t.Fatalf("%d sections for %q", len(g.Sections), s)
			}
			secs := make([]Section, len(g.Sections))
			for i, sec := range g.Sections {
				secs[i] = Section{ID: sec.ID, Raw: sec.Raw}
				if sec.USNat != nil {
					raw, err := EncodeUSNat(sec.USNat)
					if err != nil {
						t.Fatalf("decoded usnat does not encode: %v", err)
					}
					secs[i].Raw = raw
				}
			}
			out, err := Encode(secs)
			if err != nil {
				t.Fatalf("re-encode: %v", err)
			}
			again, err := d.Decode(out)
			if err != nil {
				t.Fatalf("re-encoded %q does not decode: %v", out, err)
			}
			for i := range g.Sections {
				g.Sections[i].Raw, again.Sections[i].Raw = "", ""
			}
			equal(t, g, again, "round trip of ", s)
		}
	})
}
