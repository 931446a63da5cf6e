package gpp

import (
	"errors"
	"fmt"
	"strings"

	"github.com/touchpoint-sdk/touchpoint/connected/consent/tcf"
)

// MaxLength is the longest GPP string Decode accepts, in characters.
const MaxLength = 1 << 17

// Section ids this package decodes; see the GPP section list for others.
const (
	SectionTCFEUv2 = 2 // IAB Europe TCF v2 (tcfeuv2): a TC string
	SectionUSNat   = 7 // IAB US national privacy (usnat)
)

// maxSections bounds the number of sections a header may list.
const maxSections = 64

// String is a decoded GPP string: the header's version and the sections in
// string order. Sections with ids this package knows are decoded too.
type String struct {
	Version  int
	Sections []Section
}

// Section is one discrete section.
type Section struct {
	ID  int
	Raw string // the section as it appears in the string
	// TCF is the decoded TC string of section 2 (tcfeuv2).
	TCF *tcf.TCString
	// USNat is the decoded section 7 (usnat).
	USNat *USNat
}

// Section returns the section with id, or nil.
func (g *String) Section(id int) *Section {
	for i := range g.Sections {
		if g.Sections[i].ID == id {
			return &g.Sections[i]
		}
	}
	return nil
}

// Decoder holds the decoding policy. The zero value is strict; Decode(s) is
// Decoder{}.Decode(s).
type Decoder struct {
	// TCF decodes section 2 (a TC string, held to the TC string rules).
	TCF tcf.Decoder
}

// Decode decodes a GPP string with the zero Decoder.
func Decode(s string) (*String, error) { return Decoder{}.Decode(s) }

// Decode decodes a GPP string: "header~section~section...". The header
// (Type 3, Version 1, then the section ids as a Fibonacci range) must list
// exactly the sections that follow. Section 2 is decoded as a TC string and
// section 7 as usnat; other sections are kept raw (they use encodings of
// their own). Errors are *ParseError values; Decode never returns a partial
// value.
func (d Decoder) Decode(s string) (*String, error) {
	if s == "" {
		return nil, &ParseError{Err: ErrEmpty, Field: "Header"}
	}
	if len(s) > MaxLength {
		return nil, &ParseError{Err: ErrTooLong, Detail: fmt.Sprintf("%d characters, limit %d", len(s), MaxLength)}
	}
	parts := strings.Split(s, "~")
	for i, p := range parts {
		if p == "" {
			return nil, &ParseError{Section: i, Err: ErrEmpty, Detail: "empty section between tildes"}
		}
	}
	ids, version, err := decodeHeader(parts[0])
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, &ParseError{Err: ErrSections, Field: "Sections", Detail: "the header lists no sections"}
	}
	if len(ids) != len(parts)-1 {
		return nil, &ParseError{Err: ErrSections, Field: "Sections",
			Detail: fmt.Sprintf("the header lists %d sections, the string holds %d", len(ids), len(parts)-1)}
	}
	g := &String{Version: version, Sections: make([]Section, len(ids))}
	for i, id := range ids {
		sec := Section{ID: id, Raw: parts[i+1]}
		switch id {
		case SectionTCFEUv2:
			tc, err := d.TCF.Decode(sec.Raw)
			if err != nil {
				var pe *tcf.ParseError
				off := 0
				if errors.As(err, &pe) {
					off = pe.Offset
				}
				return nil, &ParseError{Section: i + 1, SectionID: id, Offset: off, Err: ErrSection, Cause: err}
			}
			sec.TCF = tc
		case SectionUSNat:
			u, err := DecodeUSNat(sec.Raw)
			if err != nil {
				var pe *ParseError
				if !errors.As(err, &pe) {
					return nil, &ParseError{Section: i + 1, SectionID: id, Err: ErrSection, Cause: err}
				}
				pe.Section, pe.SectionID = i+1, id
				return nil, pe
			}
			sec.USNat = u
		}
		g.Sections[i] = sec
	}
	return g, nil
}

// decodeHeader returns the section ids the header lists, in order.
func decodeHeader(h string) ([]int, int, error) {
	if i := badChar(h); i >= 0 {
		return nil, 0, &ParseError{Offset: 6 * i, Err: ErrEncoding, Detail: fmt.Sprintf("character %q at index %d", h[i], i)}
	}
	r := bitReader{s: h}
	fail := func(field string, at int, err error, detail string) (_ []int, _ int, e error) {
		return nil, 0, &ParseError{Field: field, Offset: at, Err: err, Detail: detail}
	}
	truncated := func(field string) ([]int, int, error) {
		return fail(field, r.pos, ErrTruncated, fmt.Sprintf("%d bits left", r.remaining()))
	}
	typ, ok := r.read(6)
	if !ok {
		return truncated("Type")
	}
	if typ != 3 {
		return fail("Type", 0, ErrHeader, fmt.Sprintf("type %d, want 3", typ))
	}
	version, ok := r.read(6)
	if !ok {
		return truncated("Version")
	}
	if version != 1 {
		return fail("Version", 6, ErrHeader, fmt.Sprintf("version %d, want 1", version))
	}
	n, ok := r.read(12)
	if !ok {
		return truncated("Sections.Amount")
	}
	var ids []int
	last := 0
	for k := 0; k < int(n); k++ {
		at := r.pos
		isRange, ok := r.read(1)
		if !ok {
			return truncated("Sections.Item")
		}
		off, ok, long := r.fib()
		if !ok {
			return truncated("Sections.Item")
		}
		if long {
			return fail("Sections.Item", at, ErrSections, fmt.Sprintf("item %d: Fibonacci code longer than %d bits", k, maxFibBits))
		}
		start, end := last+off, last+off
		if isRange == 1 {
			length, ok, long := r.fib()
			if !ok {
				return truncated("Sections.Item")
			}
			if long {
				return fail("Sections.Item", at, ErrSections, fmt.Sprintf("item %d: Fibonacci code longer than %d bits", k, maxFibBits))
			}
			end = start + length
		}
		if end > 4095 || len(ids)+end-start+1 > maxSections {
			return fail("Sections.Item", at, ErrSections, fmt.Sprintf("item %d lists ids %d-%d: more than %d sections or an id above 4095", k, start, end, maxSections))
		}
		for id := start; id <= end; id++ {
			ids = append(ids, id)
		}
		last = end
	}
	if at := r.pos; !r.restZero() {
		return fail("", at, ErrTrailingData, "non-zero bits after the section list")
	}
	return ids, int(version), nil
}
