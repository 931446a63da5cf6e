package consent_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
	"github.com/touchpoint-sdk/touchpoint/connected/consent/tcf"
)

func segmentReader(t *testing.T) *consent.SegmentReader {
	t.Helper()
	r, err := consent.NewSegmentReader(map[string]consent.Purpose{
		"Analytics": consent.PurposeAnalytics, "C0002": consent.PurposeAnalytics,
		"Advertising": consent.PurposeAdvertising, "Marketing": consent.PurposeMarketing,
	})
	noErr(t, err)
	return r
}

func TestSegmentReaderRead(t *testing.T) {
	r := segmentReader(t)
	equal(t, []consent.Signal(nil), r.Read(nil), "no consent object says nothing")
	denyAll := []consent.Signal{{consent.PurposeAdvertising, false}, {consent.PurposeAnalytics, false}, {consent.PurposeMarketing, false}}
	equal(t, denyAll, r.Read(map[string]bool{}), "an empty object denies every mapped purpose")
	equal(t, []consent.Signal{{consent.PurposeAdvertising, false}, {consent.PurposeAnalytics, true}, {consent.PurposeMarketing, false}},
		r.Read(map[string]bool{"Analytics": true, "C0002": true, "Advertising": false, "Functional": true}))
	equal(t, denyAll, r.Read(map[string]bool{"Analytics": true}), "a purpose needs all its categories")

	for _, bad := range []map[string]consent.Purpose{nil, {"": consent.PurposeAnalytics}, {"X": "Bad Purpose"}} {
		_, err := consent.NewSegmentReader(bad)
		isTrue(t, errors.Is(err, consent.ErrConfig), bad)
	}
}

func TestSegmentReaderMiddleware(t *testing.T) {
	l := newLedger(t)
	s := &sink{}
	rt, err := consent.NewRouter(l, auditKey, []consent.Destination{{Name: "ads", Purpose: consent.PurposeAdvertising, Categories: []connected.Category{C}, Handler: s}})
	noErr(t, err)
	shutdown(t, rt)
	h := connected.Chain(rt, segmentReader(t).Middleware(l))
	ctx := context.Background()

	withPrefs := func(user string, min int, prefs map[string]bool) *connected.Record {
		r := record(t, user, C, at(min))
		r.Event.Context.Consent.CategoryPreferences = prefs
		return r
	}
	a := withPrefs("u", 1, map[string]bool{"Advertising": true})
	noErr(t, h.Handle(ctx, a))
	noErr(t, h.Handle(ctx, withPrefs("u", 2, map[string]bool{"Advertising": true})))
	equal(t, 2, len(s.ids()), "the event's own consent lets it through")
	equal(t, 1, len(l.History("u", consent.PurposeAdvertising)), "unchanged decisions are not recorded again")
	f, ok := l.Current("u", consent.PurposeAdvertising)
	isTrue(t, ok && f.Source == consent.SourceEvent && f.Effective.Equal(at(1)))

	noErr(t, h.Handle(ctx, withPrefs("u", 3, map[string]bool{})))
	noErr(t, h.Handle(ctx, record(t, "u", C, at(4)))) // no consent object: the ledger decides
	equal(t, 2, len(s.ids()))
	equal(t, 2, len(l.History("u", consent.PurposeAdvertising)))

	noErr(t, l.Erase(ctx, "u", at(5)))
	noErr(t, h.Handle(ctx, withPrefs("u", 6, map[string]bool{"Advertising": true})), "an erased subject's consent is not recorded, and is no error")
	isTrue(t, l.History("u", consent.PurposeAdvertising) == nil)
	equal(t, uint64(1), rt.Stats()[0].Dropped[consent.ReasonErased])
}

func TestParseConsentMode(t *testing.T) {
	c, err := consent.ParseConsentMode(map[string]string{
		"ad_storage": "granted", "analytics_storage": "denied", "ad_user_data": "granted",
		"ad_personalization": "denied", "wait_for_update": "500", "region": "DE",
	})
	noErr(t, err)
	equal(t, consent.ConsentMode{AdStorage: consent.ModeGranted, AnalyticsStorage: consent.ModeDenied, AdUserData: consent.ModeGranted, AdPersonalization: consent.ModeDenied}, c)
	equal(t, []consent.Signal{{consent.PurposeAdvertising, true}, {consent.PurposeAnalytics, false}}, c.Signals())
	equal(t, map[string]string{"ad_storage": "granted", "analytics_storage": "denied", "ad_user_data": "granted", "ad_personalization": "denied"}, c.Map())

	for _, bad := range []map[string]string{{"ad_storage": "yes"}, {"ads_storage": "granted"}, {"analytics_storage": ""}} {
		_, err := consent.ParseConsentMode(bad)
		var se *consent.SignalError
		isTrue(t, errors.As(err, &se) && errors.Is(err, consent.ErrInvalidSignal) && se.Key != "", err)
	}
	for _, tc := range []struct {
		c    consent.ConsentMode
		want []consent.Signal
	}{
		{consent.ConsentMode{}, nil},
		{consent.ConsentMode{AdStorage: consent.ModeGranted}, nil}, // ad_user_data unset: no decision
		{consent.ConsentMode{AdStorage: consent.ModeGranted, AdUserData: consent.ModeDenied}, []consent.Signal{{consent.PurposeAdvertising, false}}},
		{consent.ConsentMode{AdStorage: consent.ModeDenied}, []consent.Signal{{consent.PurposeAdvertising, false}}},
		{consent.ConsentMode{PersonalizationStorage: consent.ModeGranted}, []consent.Signal{{consent.PurposePersonalization, true}}},
	} {
		equal(t, tc.want, tc.c.Signals(), tc.c)
	}
}

func TestParseGCS(t *testing.T) {
	for s, want := range map[string]consent.ConsentMode{
		"G100": {AdStorage: consent.ModeDenied, AnalyticsStorage: consent.ModeDenied},
		"G110": {AdStorage: consent.ModeGranted, AnalyticsStorage: consent.ModeDenied},
		"G101": {AdStorage: consent.ModeDenied, AnalyticsStorage: consent.ModeGranted},
		"G1-1": {AnalyticsStorage: consent.ModeGranted},
		"G111": {AdStorage: consent.ModeGranted, AnalyticsStorage: consent.ModeGranted},
	} {
		got, err := consent.ParseGCS(s)
		noErr(t, err, s)
		equal(t, want, got, s)
	}
	for _, bad := range []string{"", "G10", "G2111", "G1111", "G12x", "g111"} {
		_, err := consent.ParseGCS(bad)
		isTrue(t, errors.Is(err, consent.ErrInvalidSignal), bad)
	}
}

func TestConsentModeFor(t *testing.T) {
	l := newLedger(t)
	grant(t, l, "u", consent.PurposeAdvertising, at(0))
	grant(t, l, "u", consent.PurposeAnalytics, at(0))
	c := consent.ConsentModeFor(l, "u", at(1))
	equal(t, map[string]string{"ad_storage": "granted", "ad_user_data": "granted", "ad_personalization": "denied",
		"analytics_storage": "granted", "personalization_storage": "denied"}, c.Map())
	grant(t, l, "u", consent.PurposePersonalization, at(0))
	equal(t, consent.ModeGranted, consent.ConsentModeFor(l, "u", at(1)).AdPersonalization)
	equal(t, consent.ModeDenied, consent.ConsentModeFor(l, "nobody", at(1)).AnalyticsStorage)
}

// tcString builds a valid TC string for the reader tests.
func tcString(t *testing.T, mod func(*tcf.TCString)) *tcf.TCString {
	t.Helper()
	flags := func(ids ...int) tcf.Flags {
		f, err := tcf.FlagsOf(ids...)
		noErr(t, err)
		return f
	}
	vendors := func(ids ...int) tcf.VendorSet {
		v, err := tcf.VendorsOf(ids...)
		noErr(t, err)
		return v
	}
	day := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	disclosed := vendors(1, 755)
	tc := &tcf.TCString{
		Created: day, LastUpdated: day, CMPID: 10, ConsentLanguage: "EN", VendorListVersion: 170, PolicyVersion: 5,
		IsServiceSpecific: true, PublisherCC: "DE",
		PurposesConsent:      flags(1, 8, 9, 2, 3, 4, 7),
		SpecialFeatureOptIns: flags(1),
		VendorConsents:       vendors(755),
		DisclosedVendors:     &disclosed,
	}
	if mod != nil {
		mod(tc)
	}
	return tc
}

func signalsOf(t *testing.T, r consent.TCFReader, tc *tcf.TCString) map[consent.Purpose]bool {
	t.Helper()
	s, err := tcf.Encode(tc)
	noErr(t, err)
	sig, err := r.Read(s)
	noErr(t, err)
	out := map[consent.Purpose]bool{}
	for _, x := range sig {
		out[x.Purpose] = x.Granted
	}
	return out
}

func TestTCFReader(t *testing.T) {
	P := func(ps ...consent.Purpose) map[consent.Purpose]bool {
		m := map[consent.Purpose]bool{consent.PurposeAnalytics: false, consent.PurposeAdvertising: false,
			consent.PurposePersonalization: false, consent.PurposeLocation: false}
		for _, p := range ps {
			m[p] = true
		}
		return m
	}
	flags := func(ids ...int) tcf.Flags { f, _ := tcf.FlagsOf(ids...); return f }
	vendorLI := func(ids ...int) tcf.VendorSet { v, _ := tcf.VendorsOf(ids...); return v }
	for _, tc := range []struct {
		name   string
		reader consent.TCFReader
		mod    func(*tcf.TCString)
		want   map[consent.Purpose]bool
	}{
		{"publisher level", consent.TCFReader{}, nil, P(consent.PurposeAnalytics, consent.PurposeAdvertising, consent.PurposeLocation)},
		{"vendor with consent", consent.TCFReader{Vendor: 755}, nil, P(consent.PurposeAnalytics, consent.PurposeAdvertising, consent.PurposeLocation)},
		{"vendor without consent", consent.TCFReader{Vendor: 1}, nil, P(consent.PurposeLocation)},
		{"purpose 9 missing", consent.TCFReader{}, func(s *tcf.TCString) { s.PurposesConsent = flags(1, 8, 2, 3, 4, 7) }, P(consent.PurposeAdvertising, consent.PurposeLocation)},
		{"no geolocation opt-in", consent.TCFReader{}, func(s *tcf.TCString) { s.SpecialFeatureOptIns = 0 }, P(consent.PurposeAnalytics, consent.PurposeAdvertising)},
		{"publisher forbids purpose 8 for the vendor", consent.TCFReader{Vendor: 755}, func(s *tcf.TCString) {
			s.PublisherRestrictions = []tcf.Restriction{{Purpose: 8, Type: tcf.NotAllowed, Vendors: []tcf.Range{{Start: 700, End: 800}}}}
		}, P(consent.PurposeAdvertising, consent.PurposeLocation)},
		{"legitimate interest not used by default", consent.TCFReader{Vendor: 755}, func(s *tcf.TCString) {
			s.PurposesConsent, s.PurposesLITransparency, s.VendorLegitimateInterests = flags(1), flags(8, 9), vendorLI(755)
		}, P(consent.PurposeLocation)},
		{"legitimate interest when allowed", consent.TCFReader{Vendor: 755, UseLegitimateInterest: true}, func(s *tcf.TCString) {
			s.PurposesConsent, s.PurposesLITransparency, s.VendorLegitimateInterests = flags(1), flags(8, 9), vendorLI(755)
		}, P(consent.PurposeAnalytics, consent.PurposeLocation)},
		{"restriction requires consent", consent.TCFReader{Vendor: 755, UseLegitimateInterest: true}, func(s *tcf.TCString) {
			s.PurposesConsent, s.PurposesLITransparency, s.VendorLegitimateInterests = flags(1), flags(8, 9), vendorLI(755)
			s.PublisherRestrictions = []tcf.Restriction{{Purpose: 9, Type: tcf.RequireConsent, Vendors: []tcf.Range{{Start: 755, End: 755}}}}
		}, P(consent.PurposeLocation)},
		{"restriction requires legitimate interest", consent.TCFReader{Vendor: 755}, func(s *tcf.TCString) {
			s.PublisherRestrictions = []tcf.Restriction{{Purpose: 7, Type: tcf.RequireLegitimateInterest, Vendors: []tcf.Range{{Start: 755, End: 755}}}}
		}, P(consent.PurposeAnalytics, consent.PurposeLocation)},
		{"purpose one not disclosed", consent.TCFReader{}, func(s *tcf.TCString) {
			s.PurposesConsent, s.PurposeOneTreatment = flags(8, 9), true
		}, P(consent.PurposeAnalytics, consent.PurposeLocation)},
		{"custom mapping", consent.TCFReader{Purposes: map[consent.Purpose][]int{consent.PurposeMarketing: {1, 3, 4}}, SpecialFeatures: map[consent.Purpose][]int{}},
			nil, map[consent.Purpose]bool{consent.PurposeMarketing: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			equal(t, tc.want, signalsOf(t, tc.reader, tcString(t, tc.mod)))
		})
	}
}

func TestTCFReaderErrors(t *testing.T) {
	_, err := consent.TCFReader{}.Read("CQSbk4AQSbk4ANwAAAENAwCgAAAAAAAAAAYgACPAAAAA.IDKQA4AAgAKAGQAygAAA.YAAAAAAAAAAA")
	var se *consent.SignalError
	isTrue(t, errors.As(err, &se) && errors.Is(err, consent.ErrInvalidSignal) && errors.Is(err, tcf.ErrPolicyVersion), err)
	var pe *tcf.ParseError
	isTrue(t, errors.As(err, &pe) && pe.Field == "TcfPolicyVersion")
	sig, err := consent.TCFReader{Decoder: tcf.Decoder{MinPolicyVersion: 2}}.Read("CQSbk4AQSbk4ANwAAAENAwCgAAAAAAAAAAYgACPAAAAA.IDKQA4AAgAKAGQAygAAA.YAAAAAAAAAAA")
	noErr(t, err)
	for _, s := range sig {
		isTrue(t, !s.Granted, "the spec example consents to no purpose")
	}
	tc := tcString(t, nil)
	for _, r := range []consent.TCFReader{
		{Vendor: -1},
		{Purposes: map[consent.Purpose][]int{consent.PurposeAnalytics: {25}}},
		{Purposes: map[consent.Purpose][]int{"Bad": {1}}},
		{SpecialFeatures: map[consent.Purpose][]int{consent.PurposeLocation: {0}}},
	} {
		_, err := r.Signals(tc)
		isTrue(t, errors.Is(err, consent.ErrConfig), r)
	}
}

func TestRecordSignals(t *testing.T) {
	l := newLedger(t)
	s, err := tcf.Encode(tcString(t, nil))
	noErr(t, err)
	sig, err := consent.TCFReader{Vendor: 755}.Read(s)
	noErr(t, err)
	o := consent.Origin{Subject: "u", Effective: at(0), Source: consent.SourceCMP, Document: "tcf-gvl-170", Jurisdiction: "EU"}
	n, err := l.RecordSignals(context.Background(), o, sig)
	noErr(t, err)
	equal(t, 4, n)
	n, err = l.RecordSignals(context.Background(), o, sig)
	noErr(t, err)
	equal(t, 0, n, "recording again adds nothing")
	isTrue(t, l.Permits("u", consent.PurposeAdvertising, at(1)) && !l.Permits("u", consent.PurposePersonalization, at(1)))
	f, _ := l.Current("u", consent.PurposeLocation)
	equal(t, "EU", f.Jurisdiction)
	_, err = l.RecordSignals(context.Background(), consent.Origin{Subject: "u"}, sig)
	isTrue(t, errors.Is(err, consent.ErrInvalidFact))
}
