package gpp

import (
	"fmt"
	"strings"
)

// Values of the usnat fields. Notices use 1 (provided) and 2 (not
// provided); opt-outs 1 (opted out) and 2 (did not opt out); consents 1 (no
// consent) and 2 (consent); 0 is "not applicable" throughout.
const (
	NotApplicable = 0
	OptedOut      = 1
	DidNotOptOut  = 2
	NoConsent     = 1
	Consent       = 2
)

// Indexes (1-based) into USNat.SensitiveDataProcessing.
const (
	SensitiveHealth             = 3  // health, medical history, treatment
	SensitivePreciseGeolocation = 8  // precise geolocation
	SensitiveConsumerHealth     = 13 // consumer health data (version 2 only)
)

// USNat is GPP section 7, IAB's US national privacy section (MSPA), version
// 1 (12 sensitive data categories, 2 known-child consents) or 2 (16 and 3).
type USNat struct {
	Version                             int
	SharingNotice                       int
	SaleOptOutNotice                    int
	SharingOptOutNotice                 int
	TargetedAdvertisingOptOutNotice     int
	SensitiveDataProcessingOptOutNotice int
	SensitiveDataLimitUseNotice         int
	SaleOptOut                          int
	SharingOptOut                       int
	TargetedAdvertisingOptOut           int
	// SensitiveDataProcessing[i-1] is sensitive data category i.
	SensitiveDataProcessing []int
	// KnownChildSensitiveDataConsents: 13-16, under 13, (v2) 16-17.
	KnownChildSensitiveDataConsents []int
	PersonalDataConsents            int
	MspaCoveredTransaction          int
	MspaOptOutOptionMode            int
	MspaServiceProviderMode         int
	// HasGPC says whether the GPC sub-section was present; GPC is its value
	// (Global Privacy Control, the browser's opt-out signal).
	HasGPC bool
	GPC    bool
}

// Sensitive returns sensitive data category i (1-based), or NotApplicable
// when the version has no such category.
func (u *USNat) Sensitive(i int) int {
	if i < 1 || i > len(u.SensitiveDataProcessing) {
		return NotApplicable
	}
	return u.SensitiveDataProcessing[i-1]
}

func usnatSizes(version int) (sensitive, child int, ok bool) {
	switch version {
	case 1:
		return 12, 2, true
	case 2:
		return 16, 3, true
	}
	return 0, 0, false
}

// usnatFields lists the 2-bit scalar fields in order, with their names.
func (u *USNat) notices() []struct {
	name string
	v    *int
} {
	return []struct {
		name string
		v    *int
	}{
		{"SharingNotice", &u.SharingNotice}, {"SaleOptOutNotice", &u.SaleOptOutNotice},
		{"SharingOptOutNotice", &u.SharingOptOutNotice}, {"TargetedAdvertisingOptOutNotice", &u.TargetedAdvertisingOptOutNotice},
		{"SensitiveDataProcessingOptOutNotice", &u.SensitiveDataProcessingOptOutNotice}, {"SensitiveDataLimitUseNotice", &u.SensitiveDataLimitUseNotice},
		{"SaleOptOut", &u.SaleOptOut}, {"SharingOptOut", &u.SharingOptOut}, {"TargetedAdvertisingOptOut", &u.TargetedAdvertisingOptOut},
	}
}

func (u *USNat) tail() []struct {
	name string
	v    *int
} {
	return []struct {
		name string
		v    *int
	}{
		{"PersonalDataConsents", &u.PersonalDataConsents}, {"MspaCoveredTransaction", &u.MspaCoveredTransaction},
		{"MspaOptOutOptionMode", &u.MspaOptOutOptionMode}, {"MspaServiceProviderMode", &u.MspaServiceProviderMode},
	}
}

// DecodeUSNat decodes a usnat section: the core sub-section, then
// optionally the GPC sub-section, joined by a dot. Every 2-bit field must be
// 0, 1 or 2. Errors are *ParseError values with SectionID SectionUSNat
// (and Section 0: decoded on its own, the section has no position).
func DecodeUSNat(s string) (*USNat, error) {
	subs := strings.Split(s, ".")
	u := new(USNat)
	for k, sub := range subs {
		p := usnatParser{r: bitReader{s: sub}, sub: k}
		if sub == "" {
			return nil, &ParseError{SectionID: SectionUSNat, Subsection: k, Err: ErrEmpty, Detail: "empty sub-section"}
		}
		if i := badChar(sub); i >= 0 {
			return nil, &ParseError{SectionID: SectionUSNat, Subsection: k, Offset: 6 * i, Err: ErrEncoding, Detail: fmt.Sprintf("character %q", sub[i])}
		}
		if k == 0 {
			p.core(u)
		} else {
			at := p.r.pos
			typ := p.u("SubsectionType", 2)
			switch {
			case p.err != nil:
			case typ != 1:
				p.fail("SubsectionType", at, ErrField, fmt.Sprintf("sub-section type %d, want 1 (GPC)", typ))
			case u.HasGPC:
				p.fail("SubsectionType", at, ErrField, "GPC sub-section appears twice")
			default:
				u.GPC = p.u("Gpc", 1) == 1
				u.HasGPC = true
			}
		}
		if at := p.r.pos; p.err == nil && !p.r.restZero() {
			p.fail("", at, ErrTrailingData, "non-zero bits after the last field")
		}
		if p.err != nil {
			return nil, p.err
		}
	}
	return u, nil
}

type usnatParser struct {
	r   bitReader
	sub int
	err *ParseError
}

func (p *usnatParser) fail(field string, at int, err error, detail string) {
	if p.err == nil {
		p.err = &ParseError{SectionID: SectionUSNat, Subsection: p.sub, Field: field, Offset: at, Err: err, Detail: detail}
	}
}

func (p *usnatParser) u(field string, n int) int {
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

// two reads a 2-bit field that must be 0, 1 or 2.
func (p *usnatParser) two(field string) int {
	at := p.r.pos
	v := p.u(field, 2)
	if p.err == nil && v == 3 {
		p.fail(field, at, ErrField, "value 3 is undefined")
	}
	return v
}

func (p *usnatParser) core(u *USNat) {
	u.Version = p.u("Version", 6)
	sensitive, child, ok := usnatSizes(u.Version)
	if p.err == nil && !ok {
		p.fail("Version", 0, ErrVersion, fmt.Sprintf("usnat version %d, want 1 or 2", u.Version))
	}
	for _, f := range u.notices() {
		*f.v = p.two(f.name)
	}
	u.SensitiveDataProcessing = make([]int, sensitive)
	for i := range u.SensitiveDataProcessing {
		u.SensitiveDataProcessing[i] = p.two("SensitiveDataProcessing")
	}
	u.KnownChildSensitiveDataConsents = make([]int, child)
	for i := range u.KnownChildSensitiveDataConsents {
		u.KnownChildSensitiveDataConsents[i] = p.two("KnownChildSensitiveDataConsents")
	}
	for _, f := range u.tail() {
		*f.v = p.two(f.name)
	}
}

// EncodeUSNat encodes u, with the GPC sub-section when HasGPC is set. It
// returns an *EncodeError (ErrField) for an unknown version, wrong list
// lengths or a value outside 0..2.
func EncodeUSNat(u *USNat) (string, error) {
	sensitive, child, ok := usnatSizes(u.Version)
	if !ok {
		return "", &EncodeError{Field: "Version", Detail: fmt.Sprintf("%d, want 1 or 2", u.Version)}
	}
	if len(u.SensitiveDataProcessing) != sensitive || len(u.KnownChildSensitiveDataConsents) != child {
		return "", &EncodeError{Field: "SensitiveDataProcessing", Detail: fmt.Sprintf("version %d needs %d sensitive categories and %d child consents", u.Version, sensitive, child)}
	}
	var w bitWriter
	w.write(uint64(u.Version), 6)
	put := func(name string, v int) error {
		if v < 0 || v > 2 {
			return &EncodeError{Field: name, Detail: fmt.Sprintf("%d outside 0..2", v)}
		}
		w.write(uint64(v), 2)
		return nil
	}
	for _, f := range u.notices() {
		if err := put(f.name, *f.v); err != nil {
			return "", err
		}
	}
	for _, v := range u.SensitiveDataProcessing {
		if err := put("SensitiveDataProcessing", v); err != nil {
			return "", err
		}
	}
	for _, v := range u.KnownChildSensitiveDataConsents {
		if err := put("KnownChildSensitiveDataConsents", v); err != nil {
			return "", err
		}
	}
	for _, f := range u.tail() {
		if err := put(f.name, *f.v); err != nil {
			return "", err
		}
	}
	out := w.finish()
	if u.HasGPC {
		g := bitWriter{out: append(out, '.')}
		g.write(1, 2)
		if u.GPC {
			g.write(1, 1)
		} else {
			g.write(0, 1)
		}
		out = g.finish()
	}
	return string(out), nil
}
