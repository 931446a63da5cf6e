package identity_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/touchpoint-sdk/touchpoint/identity"
)

// One option list can configure a graph and its normalizer: NewNormalizer
// applies the options that concern normalization and ignores the others
// (WithPlaintext here). A region outside the numbering plans is refused.
func ExampleNewNormalizer() {
	opts := []identity.Option{identity.WithDefaultRegion("GB"), identity.WithBlockedValues("walk-in"), identity.WithPlaintext()}
	n, err := identity.NewNormalizer(opts...)
	if err != nil {
		panic(err)
	}
	national := id(identity.TypePhone, "020 7946 0000")
	_, err = n.Normalize(national)
	fmt.Println(err, n.Blocked(id(identity.TypeUserID, "Walk-In")))
	plain, _ := identity.NewNormalizer() // no default region: national numbers are invalid
	_, err = plain.Normalize(national)
	fmt.Println(errors.Is(err, identity.ErrInvalidIdentifier))

	_, err = identity.NewNormalizer(identity.WithDefaultRegion("UK")) // the ISO code is GB
	var ce *identity.ConfigError
	fmt.Println(errors.Is(err, identity.ErrInvalidConfig), errors.As(err, &ce), ce.Option)
	// Output:
	// <nil> true
	// true
	// true true WithDefaultRegion(UK)
}

func ExampleNormalizer_MatchKey() {
	n, _ := identity.NewNormalizer(identity.WithDefaultRegion("US"))
	meta, _ := n.MatchKey(identity.DestinationMeta, id(identity.TypePhone, "(650) 555-1212"))
	google, _ := n.MatchKey(identity.DestinationGoogle, id(identity.TypePhone, "(650) 555-1212"))
	fmt.Println(meta.Field, meta.Value[:8])     // SHA-256 of 16505551212
	fmt.Println(google.Field, google.Value[:8]) // SHA-256 of +16505551212
	// Output:
	// ph e323ec62
	// hashed_phone_number 1e231c66
}

func ExampleNormalizer_MatchKeys() {
	n, _ := identity.NewNormalizer()
	keys, _ := n.MatchKeys(id(identity.TypeEmail, "Jane.Doe@gmail.com"))
	for _, k := range keys {
		fmt.Println(k.Destination, k.Field, k.Value[:8])
	}
	// Output:
	// meta em 831f6494
	// google hashed_email d6117306
}

func ExampleNormalizer_Normalize() {
	n, _ := identity.NewNormalizer(identity.WithDefaultRegion("GB"))
	for _, in := range []identity.Identifier{
		id(identity.TypePhone, "07911 123456"),
		id(identity.TypeEmail, " Jane.Doe@GMAIL.com "),
		id(identity.TypeVIN, "1hgcm82633a-004352"),
		id(identity.TypeAdvertisingID, "EA7583CD-A667-48BC-B806-42ECB2B48606"),
	} {
		out, _ := n.Normalize(in)
		fmt.Println(out.Value)
	}
	// Output:
	// +447911123456
	// jane.doe@gmail.com
	// 1HGCM82633A004352
	// ea7583cd-a667-48bc-b806-42ecb2b48606
}

func ExampleNormalizer_Blocked() {
	n, _ := identity.NewNormalizer(identity.WithBlockedValues("walk-in"))
	fmt.Println(n.Blocked(id(identity.TypeUserID, "undefined")), n.Blocked(id(identity.TypeEmail, "TEST@test.com")),
		n.Blocked(id(identity.TypeUserID, "Walk-In")), n.Blocked(id(identity.TypeUserID, "alice-42")))
	// Output: true true true false
}

func ExampleNormalizePhone() {
	for _, c := range []struct{ raw, region string }{
		{"+44 (0)7911 123456", ""},
		{"0049 (0)30 123456", "FR"},
		{"(650) 555-1212", "US"},
		{"555-1212", "US"},
	} {
		e164, err := identity.NormalizePhone(c.raw, c.region)
		fmt.Println(e164, err != nil)
	}
	// Output:
	// +447911123456 false
	// +4930123456 false
	// +16505551212 false
	//  true
}

func ExampleNormalizeEmail() {
	e, _ := identity.NormalizeEmail("  John_Smith@Gmail.com ")
	fmt.Println(e)
	_, err := identity.NormalizeEmail("john.smith")
	fmt.Println(err)
	// Output:
	// john_smith@gmail.com
	// identity: invalid identifier: email: no '@'
}

// Plugging in a full phone-number library: any function with this shape.
func ExamplePhoneNormalizerFunc() {
	lib := identity.PhoneNormalizerFunc(func(raw, region string) (string, error) {
		if region == "BR" && raw == "(11) 98765-4321" {
			return "+5511987654321", nil // what libphonenumber would answer
		}
		return identity.NormalizePhone(raw, region)
	})
	n, _ := identity.NewNormalizer(identity.WithPhoneNormalizer(lib), identity.WithDefaultRegion("BR"))
	out, _ := n.Normalize(id(identity.TypePhone, "(11) 98765-4321"))
	fmt.Println(out.Value)
	// Output: +5511987654321
}

func ExampleDefaultRules() {
	for _, r := range identity.DefaultRules()[:4] {
		fmt.Println(r.Type, r.Scope, r.Priority, r.Limit)
	}
	// Output:
	// user_id person 1 1
	// email person 2 5
	// phone person 3 3
	// loyalty_id person 4 1
}

func ExampleParseKey() {
	k, err := identity.ParseKey("00112233445566778899aabbccddeeff")
	fmt.Println(k.String(), err)
	_, err = identity.ParseKey("xyz")
	fmt.Println(err)
	// Output:
	// 00112233445566778899aabbccddeeff <nil>
	// identity: invalid identifier: key must be 32 hex characters
}

func ExampleNormalizePhoneWarn() {
	for _, raw := range []string{"tel:+1-650-555-1212;ext=12", "+86 010 1234 5678", "(650) 555-1212 x 42"} {
		e164, warn, err := identity.NormalizePhoneWarn(raw, "US")
		fmt.Printf("%s [%v] %v\n", e164, warn, err)
	}
	// Output:
	// +16505551212 [extension removed, tel: URI removed] <nil>
	// +861012345678 [] <nil>
	// +16505551212 [extension removed] <nil>
}

// Every phone number accepted without its extension is counted and
// reported, without the number.
func ExampleWithWarningHandler() {
	n, _ := identity.NewNormalizer(identity.WithDefaultRegion("GB"), identity.WithWarningHandler(func(w identity.Warning) {
		fmt.Println("warning:", w.Type, w.Reason)
	}))
	out, _ := n.Normalize(id(identity.TypePhone, "020 7946 0000 ext. 101"))
	fmt.Println(out.Value, n.Warnings())
	// Output:
	// warning: phone phone: extension removed
	// +442079460000 1
}

// The core has no Unicode tables; identity/intl.WithNFC plugs in
// golang.org/x/text's NFC. Any UnicodeNormalizer works.
func ExampleWithUnicodeNormalizer() {
	compose := identity.UnicodeNormalizerFunc(func(s string) string {
		return strings.ReplaceAll(s, "e\u0301", "\u00e9") // a stand-in for NFC
	})
	n, _ := identity.NewNormalizer(identity.WithUnicodeNormalizer(compose))
	a, _ := n.Normalize(id(identity.TypeUserID, "Rene\u0301e"))
	b, _ := n.Normalize(id(identity.TypeUserID, "Ren\u00e9e"))
	fmt.Println(a == b)
	_, err := n.Normalize(id(identity.TypeUserID, "\u200b\u200d"))
	fmt.Println(errors.Is(err, identity.ErrInvisibleIdentifier))
	// Output:
	// true
	// true
}
