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
