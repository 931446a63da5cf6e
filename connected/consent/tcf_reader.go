package consent

import (
	"fmt"
	"slices"

	"github.com/touchpoint-sdk/touchpoint/connected/consent/tcf"
)

// DefaultTCFPurposes is the default mapping from Touchpoint purposes to the
// TCF purposes each needs (all of them):
//
//	analytics       1 (store/access), 8 (measure content performance), 9 (audience statistics)
//	personalization 1, 5 (content profiles), 6 (personalised content)
//	advertising     1, 2 (limited-data ads), 3 and 4 (ad profiles), 7 (measure ad performance)
//
// Marketing, health and linking have no TCF equivalent (TCF's "link
// different devices" is a disclosed feature, not a consent) and are left
// out; location comes from special feature 1 (DefaultTCFSpecialFeatures).
func DefaultTCFPurposes() map[Purpose][]int {
	return map[Purpose][]int{
		PurposeAnalytics:       {1, 8, 9},
		PurposePersonalization: {1, 5, 6},
		PurposeAdvertising:     {1, 2, 3, 4, 7},
	}
}

// DefaultTCFSpecialFeatures maps location to special feature 1 (use precise
// geolocation data).
func DefaultTCFSpecialFeatures() map[Purpose][]int {
	return map[Purpose][]int{PurposeLocation: {1}}
}

// TCFReader reads an IAB TCF v2.2 TC string as purposes, for one vendor or
// for the publisher. It is a plain value, safe for concurrent use.
type TCFReader struct {
	// Vendor is the GVL id whose consent is read as well: a purpose is
	// granted only if the vendor has consent (or legitimate interest, see
	// UseLegitimateInterest) and no publisher restriction forbids it. 0
	// reads the purpose signals alone.
	Vendor int
	// Purposes maps purposes to the TCF purposes they need; nil means
	// DefaultTCFPurposes().
	Purposes map[Purpose][]int
	// SpecialFeatures maps purposes to the special feature opt-ins they
	// need; nil means DefaultTCFSpecialFeatures().
	SpecialFeatures map[Purpose][]int
	// UseLegitimateInterest accepts legitimate interest instead of consent
	// for TCF purposes where TCF v2.2 allows it (2, 7, 8, 9, 10, 11). Off by
	// default: only consent counts.
	UseLegitimateInterest bool
	// Decoder is the decoding policy; the zero value is strict.
	Decoder tcf.Decoder
}

// Read decodes s and returns its signals (see Signals). A string that does
// not decode is a *SignalError (ErrInvalidSignal) wrapping the
// *tcf.ParseError.
func (r TCFReader) Read(s string) ([]Signal, error) {
	tc, err := r.Decoder.Decode(s)
	if err != nil {
		return nil, &SignalError{Signal: "tcf", Err: err}
	}
	return r.Signals(tc)
}

// Signals returns one signal per mapped purpose, in purpose order: granted
// when every TCF purpose it needs is satisfied and every special feature
// opted in. A TCF purpose is satisfied by consent (the purpose consent bit,
// and the vendor's consent when Vendor is set), or by legitimate interest
// when allowed, and never when the publisher restricts it for the vendor
// (NotAllowed; RequireConsent rules out legitimate interest,
// RequireLegitimateInterest rules out consent). Purpose 1 is satisfied when
// PurposeOneTreatment says it was not disclosed (a jurisdiction that does
// not need it). It returns a *ConfigError for a mapping outside TCF's ids.
func (r TCFReader) Signals(tc *tcf.TCString) ([]Signal, error) {
	purposes, features := r.Purposes, r.SpecialFeatures
	if purposes == nil {
		purposes = DefaultTCFPurposes()
	}
	if features == nil {
		features = DefaultTCFSpecialFeatures()
	}
	if r.Vendor < 0 || r.Vendor > 65535 {
		return nil, &ConfigError{Field: "TCFReader.Vendor", Reason: fmt.Sprintf("%d outside 0..65535", r.Vendor)}
	}
	keys := make([]Purpose, 0, len(purposes)+len(features))
	for p, ids := range purposes {
		if !p.Valid() {
			return nil, &ConfigError{Field: "TCFReader.Purposes", Reason: fmt.Sprintf("invalid purpose %q", p)}
		}
		for _, id := range ids {
			if id < 1 || id > 24 {
				return nil, &ConfigError{Field: "TCFReader.Purposes", Reason: fmt.Sprintf("TCF purpose %d outside 1..24", id)}
			}
		}
		keys = append(keys, p)
	}
	for p, ids := range features {
		if !p.Valid() {
			return nil, &ConfigError{Field: "TCFReader.SpecialFeatures", Reason: fmt.Sprintf("invalid purpose %q", p)}
		}
		for _, id := range ids {
			if id < 1 || id > 12 {
				return nil, &ConfigError{Field: "TCFReader.SpecialFeatures", Reason: fmt.Sprintf("special feature %d outside 1..12", id)}
			}
		}
		if _, dup := purposes[p]; !dup {
			keys = append(keys, p)
		}
	}
	slices.Sort(keys)
	out := make([]Signal, 0, len(keys))
	for _, p := range keys {
		ok := true
		for _, id := range purposes[p] {
			ok = ok && r.satisfied(tc, id)
		}
		for _, id := range features[p] {
			ok = ok && tc.SpecialFeatureOptIns.Has(id)
		}
		out = append(out, Signal{Purpose: p, Granted: ok})
	}
	return out, nil
}

// satisfied reports whether TCF purpose id has a legal basis.
func (r TCFReader) satisfied(tc *tcf.TCString, id int) bool {
	if id == 1 && tc.PurposeOneTreatment {
		return true
	}
	consentOK, liOK := true, r.UseLegitimateInterest && liAllowed(id)
	if r.Vendor > 0 {
		if typ, restricted := tc.Restricted(r.Vendor, id); restricted {
			switch typ {
			case tcf.NotAllowed:
				return false
			case tcf.RequireConsent:
				liOK = false
			case tcf.RequireLegitimateInterest:
				consentOK = false
			}
		}
	}
	consent := tc.PurposesConsent.Has(id) && (r.Vendor == 0 || tc.VendorConsents.Has(r.Vendor))
	li := tc.PurposesLITransparency.Has(id) && (r.Vendor == 0 || tc.VendorLegitimateInterests.Has(r.Vendor))
	return consentOK && consent || liOK && li
}

// liAllowed reports whether TCF v2.2 allows legitimate interest for a
// purpose: not for 1 (storage) nor 3 to 6 (profiles).
func liAllowed(id int) bool { return id != 1 && (id < 3 || id > 6) }
