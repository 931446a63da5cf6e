package gpp_test

import (
	"errors"
	"fmt"

	"github.com/touchpoint-sdk/touchpoint/connected/consent/gpp"
	"github.com/touchpoint-sdk/touchpoint/connected/consent/tcf"
)

func ExampleDecode() {
	g, err := gpp.Decode("DBABLA~CAAAVVVVVVRA.QA")
	if err != nil {
		fmt.Println(err)
		return
	}
	u := g.Section(gpp.SectionUSNat).USNat
	fmt.Println("usnat version", u.Version, "health consent", u.Sensitive(gpp.SensitiveHealth) == gpp.Consent, "GPC", u.GPC)
	// The specification's example carries a policy-version-2 TC string.
	_, err = gpp.Decode("DBABMA~CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA")
	fmt.Println(errors.Is(err, gpp.ErrSection), errors.Is(err, tcf.ErrPolicyVersion))
	// Output:
	// usnat version 2 health consent false GPC false
	// true true
}

func ExampleEncode() {
	raw, _ := gpp.EncodeUSNat(&gpp.USNat{
		Version: 2, TargetedAdvertisingOptOutNotice: 1, TargetedAdvertisingOptOut: gpp.OptedOut,
		SensitiveDataProcessing: make([]int, 16), KnownChildSensitiveDataConsents: make([]int, 3),
		MspaCoveredTransaction: 2, HasGPC: true, GPC: true,
	})
	s, err := gpp.Encode([]gpp.Section{{ID: gpp.SectionUSNat, Raw: raw}})
	fmt.Println(s, err)
	// Output:
	// DBABLA~CAQBAAAAAACA.YA <nil>
}

// A usnat section with its GPC sub-section, as a CMP writes it. A field
// holding the undefined value 3 is a *ParseError that names it.
func ExampleDecodeUSNat() {
	u, err := gpp.DecodeUSNat("CAQBAAAAAACA.YA")
	if err != nil {
		panic(err)
	}
	fmt.Println("version", u.Version, "targeted advertising opted out", u.TargetedAdvertisingOptOut == gpp.OptedOut, "GPC", u.HasGPC && u.GPC)
	_, err = gpp.DecodeUSNat("CwQBAAAAAACA")
	var pe *gpp.ParseError
	fmt.Println(errors.Is(err, gpp.ErrField), errors.As(err, &pe), pe.Field, pe.Offset)
	// Output:
	// version 2 targeted advertising opted out true GPC true
	// true true SharingNotice 6
}

// The lists must have the lengths of the version: version 1 has 12
// sensitive data categories and 2 known-child consents. What EncodeUSNat
// writes, DecodeUSNat reads back.
func ExampleEncodeUSNat() {
	u := &gpp.USNat{Version: 1, SaleOptOutNotice: 1, SaleOptOut: gpp.OptedOut, MspaCoveredTransaction: 2,
		SensitiveDataProcessing: make([]int, 12), KnownChildSensitiveDataConsents: make([]int, 2)}
	u.SensitiveDataProcessing[gpp.SensitiveHealth-1] = gpp.Consent
	s, err := gpp.EncodeUSNat(u)
	if err != nil {
		panic(err)
	}
	back, err := gpp.DecodeUSNat(s)
	fmt.Println(s, err, back.SaleOptOut == gpp.OptedOut, back.Sensitive(gpp.SensitiveHealth) == gpp.Consent)

	u.SensitiveDataProcessing = make([]int, 16) // version 2's length
	_, err = gpp.EncodeUSNat(u)
	var ee *gpp.EncodeError
	fmt.Println(errors.Is(err, gpp.ErrField), errors.As(err, &ee), ee.Field)
	// Output:
	// BEAQCAAAAgA <nil> true true
	// true true SensitiveDataProcessing
}
