package consent_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
	"github.com/touchpoint-sdk/touchpoint/connected/consent/gpp"
	"github.com/touchpoint-sdk/touchpoint/connected/consent/tcf"
)

func ExampleSegmentReader_Read() {
	r, _ := consent.NewSegmentReader(map[string]consent.Purpose{
		"Analytics":   consent.PurposeAnalytics,
		"Advertising": consent.PurposeAdvertising,
		"C0004":       consent.PurposeMarketing, // a OneTrust category id
	})
	for _, s := range r.Read(map[string]bool{"Analytics": true, "Advertising": false}) {
		fmt.Println(s.Purpose, s.Granted)
	}
	// Output:
	// advertising false
	// analytics true
	// marketing false
}

// Several CMP categories may map to one purpose, which is then granted only
// when every one of them is. A mapping to a malformed purpose is refused.
func ExampleNewSegmentReader() {
	r, err := consent.NewSegmentReader(map[string]consent.Purpose{
		"C0002": consent.PurposeAnalytics,   // OneTrust: performance cookies
		"C0004": consent.PurposeAdvertising, // OneTrust: targeting cookies
		"C0005": consent.PurposeAdvertising, // OneTrust: social media cookies
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(r.Read(map[string]bool{"C0002": true, "C0004": true, "C0005": false}))
	fmt.Println(r.Read(map[string]bool{"C0002": true, "C0004": true, "C0005": true}))
	_, err = consent.NewSegmentReader(map[string]consent.Purpose{"C0003": "Functional Cookies"})
	fmt.Println(errors.Is(err, consent.ErrConfig), err)
	// Output:
	// [{advertising false} {analytics true}]
	// [{advertising true} {analytics true}]
	// true consent: invalid configuration: SegmentReader mapping: category "C0003" maps to invalid purpose "Functional Cookies"
}

func ExampleSegmentReader_Middleware() {
	ctx := context.Background()
	ledger, _ := consent.NewLedger()
	reader, _ := consent.NewSegmentReader(map[string]consent.Purpose{"Analytics": consent.PurposeAnalytics})
	gate, _ := consent.NewGate(ledger, []byte("example-audit-key-0123456789abcd"), consent.Destination{Name: "segment", Purpose: consent.PurposeAnalytics,
		Categories: []connected.Category{connected.CategoryBehavioral}})
	now := time.Date(2026, 5, 4, 7, 0, 0, 0, time.UTC)
	// The reader goes first so that an event's own consent applies to it.
	client, _ := connected.New(printer("segment"), connected.WithMiddleware(reader.Middleware(ledger), gate.Middleware()),
		connected.WithClock(func() time.Time { return now }))
	defer client.Shutdown(ctx)
	stamp := func(ok bool) connected.Context {
		return connected.Context{Consent: connected.Consent{CategoryPreferences: map[string]bool{"Analytics": ok}}}
	}
	_ = client.Track(ctx, connected.Event{UserID: "u-1", Event: "Opted In", Context: stamp(true)})
	now = now.Add(time.Minute)
	_ = client.Track(ctx, connected.Event{UserID: "u-1", Event: "Opted Out", Context: stamp(false)})
	now = now.Add(time.Minute)
	_ = client.Track(ctx, connected.Event{UserID: "u-1", Event: "Later"})
	fmt.Println(len(ledger.History("u-1", consent.PurposeAnalytics)), "facts")
	// Output:
	//   segment <- Opted In
	// 2 facts
}

func ExampleParseConsentMode() {
	c, err := consent.ParseConsentMode(map[string]string{
		"ad_storage": "granted", "ad_user_data": "granted", "ad_personalization": "denied", "analytics_storage": "denied",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Signals())
	_, err = consent.ParseConsentMode(map[string]string{"ad_storage": "yes"})
	fmt.Println(err)
	// Output:
	// [{advertising true} {analytics false}]
	// consent: invalid consent_mode signal: ad_storage: value "yes" is not granted or denied
}

func ExampleParseGCS() {
	c, _ := consent.ParseGCS("G101")
	fmt.Println("ad_storage", c.AdStorage, "analytics_storage", c.AnalyticsStorage)
	// Output:
	// ad_storage denied analytics_storage granted
}

func ExampleConsentModeFor() {
	ctx := context.Background()
	l, _ := consent.NewLedger()
	t := time.Date(2026, 5, 4, 0, 0, 0, 0, time.UTC)
	_, _ = l.Record(ctx, consent.Fact{Subject: "u-1", Purpose: consent.PurposeAnalytics, Granted: true, Effective: t, Source: consent.SourceCMP})
	// The signals to send to Google with this subject's data.
	fmt.Println(consent.ConsentModeFor(l, "u-1", t.Add(time.Hour)).Map())
	// Output:
	// map[ad_personalization:denied ad_storage:denied ad_user_data:denied analytics_storage:granted personalization_storage:denied]
}

func ExampleTCFReader_Read() {
	ctx := context.Background()
	ledger, _ := consent.NewLedger()
	// A TC string as a CMP would write it (here made with package tcf).
	purposes, _ := tcf.FlagsOf(1, 2, 3, 4, 7, 8, 9)
	features, _ := tcf.FlagsOf(1)
	vendors, _ := tcf.VendorsOf(755)
	day := time.Date(2026, 5, 4, 0, 0, 0, 0, time.UTC)
	s, _ := tcf.Encode(&tcf.TCString{Created: day, LastUpdated: day, CMPID: 10, ConsentLanguage: "DE",
		VendorListVersion: 180, PolicyVersion: 5, IsServiceSpecific: true, PublisherCC: "DE",
		PurposesConsent: purposes, SpecialFeatureOptIns: features, VendorConsents: vendors, DisclosedVendors: &vendors})

	signals, err := consent.TCFReader{Vendor: 755}.Read(s)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(signals)
	n, _ := ledger.RecordSignals(ctx, consent.Origin{Subject: "u-1", Effective: day, Source: consent.SourceCMP, Jurisdiction: "EU"}, signals)
	fmt.Println(n, "facts recorded")
	// Output:
	// [{advertising true} {analytics true} {location true} {personalization false}]
	// 4 facts recorded
}

// The mapping a TCFReader uses when its Purposes are nil: a TC string with
// consent to TCF purposes 1, 8 and 9 only grants analytics and nothing else.
func ExampleDefaultTCFPurposes() {
	fmt.Println(consent.DefaultTCFPurposes())
	purposes, err := tcf.FlagsOf(1, 8, 9)
	if err != nil {
		panic(err)
	}
	signals, err := consent.TCFReader{}.Signals(&tcf.TCString{PurposesConsent: purposes})
	fmt.Println(signals, err)
	// Output:
	// map[advertising:[1 2 3 4 7] analytics:[1 8 9] personalization:[1 5 6]]
	// [{advertising false} {analytics true} {location false} {personalization false}] <nil>
}

func ExampleGPPReader_Read() {
	// gpp and gpp_sid as an ad request or tag carries them: a US national
	// section where the consumer opted out of targeted advertising.
	signals, err := consent.GPPReader{}.Read("DBABLA~CAQBAAAAAACA.YA", []int{7})
	fmt.Println(signals, err)
	// Output:
	// [{advertising false}] <nil>
}

func ExampleUSNatSignals() {
	u := &gpp.USNat{Version: 2, TargetedAdvertisingOptOut: gpp.DidNotOptOut,
		SensitiveDataProcessing: make([]int, 16), KnownChildSensitiveDataConsents: make([]int, 3)}
	u.SensitiveDataProcessing[gpp.SensitiveHealth-1] = gpp.Consent
	fmt.Println(consent.USNatSignals(u))
	// Output:
	// [{advertising true} {health true}]
}
