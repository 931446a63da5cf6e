package consent_test

import (
	"errors"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/connected/consent"
	"github.com/touchpoint-sdk/touchpoint/connected/consent/gpp"
	"github.com/touchpoint-sdk/touchpoint/connected/consent/tcf"
)

func usnat(mod func(u *gpp.USNat)) *gpp.USNat {
	u := &gpp.USNat{Version: 2, SensitiveDataProcessing: make([]int, 16), KnownChildSensitiveDataConsents: make([]int, 3), MspaCoveredTransaction: 2}
	if mod != nil {
		mod(u)
	}
	return u
}

func TestUSNatSignals(t *testing.T) {
	for _, tc := range []struct {
		name string
		mod  func(u *gpp.USNat)
		want []consent.Signal
	}{
		{"nothing said", nil, nil},
		{"did not opt out", func(u *gpp.USNat) { u.TargetedAdvertisingOptOut = gpp.DidNotOptOut }, []consent.Signal{{consent.PurposeAdvertising, true}}},
		{"opted out of sale", func(u *gpp.USNat) { u.TargetedAdvertisingOptOut, u.SaleOptOut = gpp.DidNotOptOut, gpp.OptedOut }, []consent.Signal{{consent.PurposeAdvertising, false}}},
		{"GPC", func(u *gpp.USNat) { u.TargetedAdvertisingOptOut, u.HasGPC, u.GPC = gpp.DidNotOptOut, true, true }, []consent.Signal{{consent.PurposeAdvertising, false}}},
		{"known child without consent", func(u *gpp.USNat) {
			u.TargetedAdvertisingOptOut, u.KnownChildSensitiveDataConsents[1] = gpp.DidNotOptOut, gpp.NoConsent
		}, []consent.Signal{{consent.PurposeAdvertising, false}}},
		{"health consent", func(u *gpp.USNat) { u.SensitiveDataProcessing[2] = gpp.Consent }, []consent.Signal{{consent.PurposeHealth, true}}},
		{"consumer health data refused", func(u *gpp.USNat) {
			u.SensitiveDataProcessing[2], u.SensitiveDataProcessing[12] = gpp.Consent, gpp.NoConsent
		}, []consent.Signal{{consent.PurposeHealth, false}}},
		{"geolocation", func(u *gpp.USNat) { u.SensitiveDataProcessing[7] = gpp.NoConsent }, []consent.Signal{{consent.PurposeLocation, false}}},
	} {
		equal(t, tc.want, consent.USNatSignals(usnat(tc.mod)), tc.name)
	}
}

func TestGPPReader(t *testing.T) {
	raw, err := gpp.EncodeUSNat(usnat(func(u *gpp.USNat) {
		u.TargetedAdvertisingOptOut = gpp.DidNotOptOut
		u.SensitiveDataProcessing[7] = gpp.Consent
	}))
	noErr(t, err)
	tcs, err := tcf.Encode(tcString(t, nil))
	noErr(t, err)
	s, err := gpp.Encode([]gpp.Section{{ID: gpp.SectionTCFEUv2, Raw: tcs}, {ID: 6, Raw: "1YNN"}, {ID: gpp.SectionUSNat, Raw: raw}})
	noErr(t, err)

	sig, err := consent.GPPReader{}.Read(s, []int{gpp.SectionUSNat})
	noErr(t, err)
	equal(t, []consent.Signal{{consent.PurposeAdvertising, true}, {consent.PurposeLocation, true}}, sig)

	// Only the TCF section applies.
	sig, err = consent.GPPReader{TCF: consent.TCFReader{Vendor: 1}}.Read(s, []int{gpp.SectionTCFEUv2})
	noErr(t, err)
	equal(t, []consent.Signal{{consent.PurposeAdvertising, false}, {consent.PurposeAnalytics, false}, {consent.PurposeLocation, true}, {consent.PurposePersonalization, false}}, sig)

	// Both: a denial wins.
	sig, err = consent.GPPReader{TCF: consent.TCFReader{Vendor: 1}}.Read(s, nil)
	noErr(t, err)
	equal(t, consent.Signal{consent.PurposeAdvertising, false}, sig[0])

	_, err = consent.GPPReader{}.Read(s, []int{8})
	isTrue(t, errors.Is(err, consent.ErrInvalidSignal), err)
	_, err = consent.GPPReader{}.Read("DBABMA~CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA", nil)
	var pe *gpp.ParseError
	isTrue(t, errors.Is(err, consent.ErrInvalidSignal) && errors.As(err, &pe) && errors.Is(err, tcf.ErrPolicyVersion), err)
}
