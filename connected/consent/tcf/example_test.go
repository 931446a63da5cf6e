package tcf_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected/consent/tcf"
)

func ExampleDecode() {
	s := "CQiCO8AQiCO8AEsAHBENCxFoAPPAAEJAAAYgF5wAoAAgAIAvMABCgBBAAQAA4AFAAoOgAgAE.IF5wBIAAgAKAGQAygC8w.cCAAAAgAAdAA"
	tc, err := tcf.Decode(s)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("CMP", tc.CMPID, "policy", tc.PolicyVersion, "language", tc.ConsentLanguage, "country", tc.PublisherCC)
	fmt.Println("purposes with consent:", tc.PurposesConsent.IDs())
	fmt.Println("precise geolocation opt-in:", tc.SpecialFeatureOptIns.Has(1))
	fmt.Println("vendor 755 consent:", tc.VendorConsents.Has(755))
	fmt.Println("disclosed vendors:", tc.DisclosedVendors.IDs())
	// Output:
	// CMP 300 policy 5 language EN country DE
	// purposes with consent: [1 2 3 4 7 8 9 10]
	// precise geolocation opt-in: true
	// vendor 755 consent: true
	// disclosed vendors: [1 2 3 4 5 100 404 755]
}

func ExampleDecode_invalid() {
	// The specification's own example uses policy version 2, which TCF v2.2
	// deems invalid.
	_, err := tcf.Decode("CQSbk4AQSbk4ANwAAAENAwCgAAAAAAAAAAYgACPAAAAA.IDKQA4AAgAKAGQAygAAA.YAAAAAAAAAAA")
	fmt.Println(errors.Is(err, tcf.ErrPolicyVersion))
	var pe *tcf.ParseError
	if errors.As(err, &pe) {
		fmt.Println(pe.Segment, pe.Offset, pe.Field)
	}
	_, err = tcf.Decode("CQSbk4AQ+bk4")
	fmt.Println(err)
	// Output:
	// true
	// 0 132 TcfPolicyVersion
	// tcf: not base64url: segment 0, bit 48: character '+' at index 8 of the string
}

func ExampleDecoder_Decode() {
	// An archived string, read with a lenient policy.
	d := tcf.Decoder{MinPolicyVersion: 2}
	tc, err := d.Decode("CQSbk4AQSbk4ANwAAAENAwCgAAAAAAAAAAYgACPAAAAA.IDKQA4AAgAKAGQAygAAA.YAAAAAAAAAAA")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(tc.Created.Format(time.DateOnly), tc.CMPID, tc.VendorConsents.IDs(), tc.DisclosedVendors.IDs())
	// Output:
	// 2025-06-03 880 [1 2 3 4] [1 2 3 4 5 100 404]
}

func ExampleEncode() {
	purposes, _ := tcf.FlagsOf(1, 7, 8, 9)
	consents, _ := tcf.VendorsOf(1, 2, 755)
	disclosed, _ := tcf.VendorsOf(1, 2, 3, 755)
	day := time.Date(2026, 5, 4, 0, 0, 0, 0, time.UTC)
	s, err := tcf.Encode(&tcf.TCString{
		Created: day, LastUpdated: day, CMPID: 300, CMPVersion: 2,
		ConsentLanguage: "EN", VendorListVersion: 180, PolicyVersion: 5, IsServiceSpecific: true,
		PurposesConsent: purposes, PublisherCC: "FR",
		VendorConsents: consents, DisclosedVendors: &disclosed,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s)
	tc, err := tcf.Decode(s)
	fmt.Println(err, tc.VendorConsents.IDs(), tc.PurposesConsent.Has(8))
	// Output:
	// CQjrs8AQjrs8AEsACAENC0FgAIOAAAAAAAqIF5wAoAAgAEAvMAAAAAAA.IF5wAoAAgAGAvMAA
	// <nil> [1 2 755] true
}

func ExampleVendorsOf() {
	v, _ := tcf.VendorsOf(5, 1, 2, 3, 40)
	fmt.Println(v.MaxID, v.Ranges, v.Has(2), v.Has(4))
	// Output:
	// 40 [{1 3} {5 5} {40 40}] true false
}

func ExampleTCString_Restricted() {
	tc := &tcf.TCString{PublisherRestrictions: []tcf.Restriction{
		{Purpose: 2, Type: tcf.NotAllowed, Vendors: []tcf.Range{{Start: 10, End: 20}}},
	}}
	typ, ok := tc.Restricted(15, 2)
	fmt.Println(typ, ok)
	_, ok = tc.Restricted(15, 3)
	fmt.Println(ok)
	// Output:
	// NotAllowed true
	// false
}

// AppendEncode writes the TC string straight into a buffer, here a bid
// request's query; on error it returns the buffer unchanged.
func ExampleAppendEncode() {
	purposes, _ := tcf.FlagsOf(1, 7, 8, 9)
	vendors, _ := tcf.VendorsOf(755)
	day := time.Date(2026, 5, 4, 0, 0, 0, 0, time.UTC)
	tc := &tcf.TCString{
		Created: day, LastUpdated: day, CMPID: 300, CMPVersion: 2,
		ConsentLanguage: "EN", VendorListVersion: 180, PolicyVersion: 5, IsServiceSpecific: true,
		PurposesConsent: purposes, PublisherCC: "FR",
		VendorConsents: vendors, DisclosedVendors: &vendors, // TCF 2.3 requires DisclosedVendors
	}
	const prefix = "gdpr=1&gdpr_consent="
	query, err := tcf.AppendEncode([]byte(prefix), tc)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(query))
	back, err := tcf.Decode(string(query[len(prefix):]))
	fmt.Println(err, back.PurposesConsent.IDs(), back.VendorConsents.Has(755))

	tc.PurposesConsent, _ = tcf.FlagsOf(25) // TCF defines purposes 1..24 only
	out, err := tcf.AppendEncode(query, tc)
	var ee *tcf.EncodeError
	fmt.Println(errors.Is(err, tcf.ErrField), errors.As(err, &ee), ee.Field, len(out) == len(query))
	// Output:
	// gdpr=1&gdpr_consent=CQjrs8AQjrs8AEsACAENC0FgAIOAAAAAAAqIF5wAQF5gAAAA.IF5wAQF5gAAA
	// <nil> [1 7 8 9] true
	// true true PurposesConsent true
}

// FlagsOf builds a set of purposes or special features; id n is bit n-1.
func ExampleFlagsOf() {
	f, err := tcf.FlagsOf(1, 3, 10)
	if err != nil {
		panic(err)
	}
	fmt.Println(f.IDs(), f.Has(3), f.Has(2), uint64(f))
	_, err = tcf.FlagsOf(0)
	fmt.Println(errors.Is(err, tcf.ErrField), err)
	// Output:
	// [1 3 10] true false 517
	// true tcf: FlagsOf: id 0 outside 1..64: tcf: invalid field value
}
