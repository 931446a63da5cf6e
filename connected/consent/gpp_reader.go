package consent

import (
	"fmt"
	"slices"

	"github.com/touchpoint-sdk/touchpoint/connected/consent/gpp"
)

// GPPReader reads an IAB Global Privacy Platform string (the gpp and
// gpp_sid parameters of OpenRTB and ad tags) as purposes: section 2
// (tcfeuv2) through TCF, section 7 (usnat) through USNatSignals. It is a
// plain value, safe for concurrent use.
type GPPReader struct {
	// TCF reads section 2; its Decoder also decodes it.
	TCF TCFReader
}

// Read decodes s and returns the signals of the applicable sections (the
// gpp_sid list; nil means every section in the string), one per purpose
// in purpose order. When two sections speak about a purpose, a denial
// wins. Sections other than 2 and 7 are ignored. A string that does not
// decode, or a gpp_sid naming a section the string lacks, is a
// *SignalError (ErrInvalidSignal), wrapping the *gpp.ParseError if any.
func (r GPPReader) Read(s string, applicable []int) ([]Signal, error) {
	g, err := gpp.Decoder{TCF: r.TCF.Decoder}.Decode(s)
	if err != nil {
		return nil, &SignalError{Signal: "gpp", Err: err}
	}
	if applicable == nil {
		for _, sec := range g.Sections {
			applicable = append(applicable, sec.ID)
		}
	}
	merged := map[Purpose]bool{}
	for _, id := range applicable {
		sec := g.Section(id)
		if sec == nil {
			return nil, &SignalError{Signal: "gpp", Key: "gpp_sid", Reason: fmt.Sprintf("section %d is not in the string", id)}
		}
		var sigs []Signal
		switch {
		case sec.TCF != nil:
			if sigs, err = r.TCF.Signals(sec.TCF); err != nil {
				return nil, err
			}
		case sec.USNat != nil:
			sigs = USNatSignals(sec.USNat)
		}
		for _, s := range sigs {
			if prev, seen := merged[s.Purpose]; seen {
				merged[s.Purpose] = prev && s.Granted
			} else {
				merged[s.Purpose] = s.Granted
			}
		}
	}
	out := make([]Signal, 0, len(merged))
	for p, g := range merged {
		out = append(out, Signal{Purpose: p, Granted: g})
	}
	slices.SortFunc(out, func(a, b Signal) int {
		switch {
		case a.Purpose < b.Purpose:
			return -1
		case a.Purpose > b.Purpose:
			return 1
		}
		return 0
	})
	return out, nil
}

// USNatSignals maps a usnat section to purposes, in purpose order, leaving
// out purposes it says nothing about:
//
//	advertising  denied if the consumer opted out of sale, sharing or
//	             targeted advertising, GPC is on, or a known child's consent
//	             is missing; granted if they did not opt out of targeted
//	             advertising and of nothing else
//	health       sensitive categories 3 (health) and 13 (consumer health
//	             data, version 2): denied if either lacks consent, granted
//	             if health has consent
//	location     sensitive category 8 (precise geolocation)
func USNatSignals(u *gpp.USNat) []Signal {
	var out []Signal
	switch {
	case u.SaleOptOut == gpp.OptedOut, u.SharingOptOut == gpp.OptedOut, u.TargetedAdvertisingOptOut == gpp.OptedOut,
		u.HasGPC && u.GPC, slices.Contains(u.KnownChildSensitiveDataConsents, gpp.NoConsent):
		out = append(out, Signal{PurposeAdvertising, false})
	case u.TargetedAdvertisingOptOut == gpp.DidNotOptOut:
		out = append(out, Signal{PurposeAdvertising, true})
	}
	health, consumer := u.Sensitive(gpp.SensitiveHealth), u.Sensitive(gpp.SensitiveConsumerHealth)
	switch {
	case health == gpp.NoConsent, consumer == gpp.NoConsent:
		out = append(out, Signal{PurposeHealth, false})
	case health == gpp.Consent:
		out = append(out, Signal{PurposeHealth, true})
	}
	switch u.Sensitive(gpp.SensitivePreciseGeolocation) {
	case gpp.NoConsent:
		out = append(out, Signal{PurposeLocation, false})
	case gpp.Consent:
		out = append(out, Signal{PurposeLocation, true})
	}
	return out
}
