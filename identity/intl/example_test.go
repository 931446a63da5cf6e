package intl_test

import (
	"context"
	"fmt"

	"github.com/touchpoint-sdk/touchpoint/identity"
	"github.com/touchpoint-sdk/touchpoint/identity/intl"
)

func ExamplePhoneNormalizer_NormalizePhoneWarn() {
	var p intl.PhoneNormalizer
	for _, c := range []struct{ raw, region string }{
		{"010 1234 5678", "CN"},
		{"8 (495) 123-45-67", "RU"},
		{"tel:+1-650-555-1212;ext=12", ""},
		{"555-1212", "US"},
	} {
		e164, warn, err := p.NormalizePhoneWarn(c.raw, c.region)
		fmt.Printf("%q [%v] %v\n", e164, warn, err)
	}
	// Output:
	// "+861012345678" [] <nil>
	// "+74951234567" [] <nil>
	// "+16505551212" [extension removed, tel: URI removed] <nil>
	// "" [] identity: invalid identifier: phone: not a valid number of its region's numbering plan
}

func ExamplePhoneNormalizer_NormalizePhone() {
	e164, err := intl.PhoneNormalizer{}.NormalizePhone("+44 (0)20 7946 0000", "")
	fmt.Println(e164, err)
	// Output: +442079460000 <nil>
}

func ExampleWithPhoneNumbers() {
	n, err := identity.NewNormalizer(intl.WithPhoneNumbers(), identity.WithDefaultRegion("KR"))
	if err != nil {
		fmt.Println(err)
		return
	}
	out, err := n.Normalize(identity.Identifier{Type: identity.TypePhone, Value: "02-312-3456"})
	fmt.Println(out.Value, err)
	// Output: +8223123456 <nil>
}

func ExampleWithNFC() {
	n, err := identity.NewNormalizer(intl.WithNFC())
	if err != nil {
		fmt.Println(err)
		return
	}
	// "Renée" typed with a combining accent, and with the precomposed é.
	a, _ := n.Normalize(identity.Identifier{Type: identity.TypeUserID, Value: "Rene\u0301e"})
	b, _ := n.Normalize(identity.Identifier{Type: identity.TypeUserID, Value: "Ren\u00e9e"})
	fmt.Println(a == b, len(a.Value))
	// Output: true 6
}

func ExampleOptions() {
	g, err := identity.New([]byte("example-secret-0123456789"), append(intl.Options(), identity.WithDefaultRegion("BR"))...)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer g.Shutdown(context.Background())
	out, err := g.Normalizer().Normalize(identity.Identifier{Type: identity.TypePhone, Value: "(11) 98765-4321"})
	fmt.Println(out.Value, err)
	// Output: +5511987654321 <nil>
}
