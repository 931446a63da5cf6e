package consent_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
)

const (
	B = connected.CategoryBiometric
	P = connected.CategoryPresence
)

// A marketing or advertising destination may not even be configured to take
// biometric or presence data, as for health.
func TestSensitiveCategoryToAdTechRejectedAtConfig(t *testing.T) {
	l := newLedger(t)
	for _, p := range []consent.Purpose{consent.PurposeMarketing, consent.PurposeAdvertising} {
		for _, cat := range []connected.Category{B, P} {
			_, err := consent.NewRouter(l, auditKey, []consent.Destination{{
				Name: "ads", Purpose: p, Categories: []connected.Category{C, cat}, Handler: &sink{},
			}})
			isTrue(t, errors.Is(err, consent.ErrConfig), p, cat, ": want ErrConfig, got ", err)
			isTrue(t, errors.Is(err, consent.ErrSensitiveToAdTech), p, cat, ": want ErrSensitiveToAdTech, got ", err)
			isTrue(t, !errors.Is(err, consent.ErrHealthToAdTech), p, cat, ": not a health error")
			var ce *consent.ConfigError
			isTrue(t, errors.As(err, &ce) && ce.Field == "Categories" && ce.Destination == "ads", "names the field: ", err)
		}
	}
	// The same categories are fine for an analytics or attention destination.
	_, err := consent.NewRouter(l, auditKey, []consent.Destination{
		{Name: "a", Purpose: consent.PurposeAnalytics, Categories: []connected.Category{B, P}, Handler: &sink{}},
		{Name: "b", Purpose: consent.PurposeAttention, Categories: []connected.Category{B}, Handler: &sink{}},
	})
	noErr(t, err)
}

// sensitiveRouter routes to an analytics destination that takes every
// category, an attention one, and ad-tech destinations that take
// everything they may: whatever the consent, biometric and presence
// records never reach the last two.
func sensitiveRouter(t *testing.T, l *consent.Ledger, opts ...consent.Option) (*consent.Router, map[string]*sink) {
	t.Helper()
	sinks := map[string]*sink{"analytics": {}, "attention": {}, "ads": {}, "crm": {}}
	all := []connected.Category{C, L, H, T, I, connected.CategoryDevice, B, P}
	adOK := []connected.Category{C, L, T, I, connected.CategoryDevice}
	rt, err := consent.NewRouter(l, auditKey, []consent.Destination{
		{Name: "analytics", Purpose: consent.PurposeAnalytics, Categories: all, Handler: sinks["analytics"]},
		{Name: "attention", Purpose: consent.PurposeAttention, Categories: []connected.Category{B, C}, Handler: sinks["attention"]},
		{Name: "ads", Purpose: consent.PurposeAdvertising, Categories: adOK, OnRefusal: consent.Strip, Handler: sinks["ads"]},
		{Name: "crm", Purpose: consent.PurposeMarketing, Categories: adOK, OnRefusal: consent.Hold, Handler: sinks["crm"]},
	}, opts...)
	noErr(t, err)
	shutdown(t, rt)
	return rt, sinks
}

func grantAll(t *testing.T, l *consent.Ledger, subject string) {
	for _, p := range []consent.Purpose{consent.PurposeAnalytics, consent.PurposePersonalization, consent.PurposeMarketing,
		consent.PurposeAdvertising, consent.PurposeHealth, consent.PurposeLocation, consent.PurposeLinking, consent.PurposeAttention} {
		grant(t, l, subject, p, at(0))
	}
}

// Every purpose granted, yet biometric and presence records reach neither
// the advertising nor the marketing destination: refused before any
// consent or category check, and dropped even though those destinations
// strip or hold other refusals.
func TestSensitiveCategoriesNeverReachAdTech(t *testing.T) {
	l := newLedger(t)
	grantAll(t, l, "erin")
	rt, sinks := sensitiveRouter(t, l, consent.WithClock(func() time.Time { return at(30) }))
	ctx := context.Background()
	for _, cat := range []connected.Category{B, P} {
		noErr(t, rt.Handle(ctx, record(t, "erin", cat, at(1))))
	}
	equal(t, 2, len(sinks["analytics"].ids()), "analytics gets both")
	equal(t, 1, len(sinks["attention"].ids()), "attention gets the biometric record")
	equal(t, 0, len(sinks["ads"].ids()), "advertising gets nothing, not even a stripped copy")
	equal(t, 0, len(sinks["crm"].ids()), "marketing gets nothing")
	st := rt.Stats()
	for _, s := range st[2:] {
		equal(t, uint64(2), s.Dropped[consent.ReasonSensitiveToAdTech], s.Name, " dropped as sensitive")
		equal(t, uint64(0), s.Stripped+s.Held+s.Delivered, s.Name, " passed on nothing")
		equal(t, 0, s.Holding, s.Name, " holds nothing")
	}
	n := 0
	for _, e := range rt.Audit() {
		if e.Reason == consent.ReasonSensitiveToAdTech {
			n++
			isTrue(t, e.Action == consent.Drop, "audited as a drop")
		}
	}
	equal(t, 4, n, "every refusal audited")
	equal(t, "sensitive_to_adtech", consent.ReasonSensitiveToAdTech.String())
}

// Biometric records need the attention consent, presence records the
// location consent, whatever the destination's own purpose.
func TestSensitiveCategoriesNeedTheirPurpose(t *testing.T) {
	l := newLedger(t)
	grant(t, l, "ana", consent.PurposeAnalytics, at(0))
	rt, sinks := sensitiveRouter(t, l, consent.WithClock(func() time.Time { return at(30) }))
	ctx := context.Background()
	noErr(t, rt.Handle(ctx, record(t, "ana", B, at(1))))
	noErr(t, rt.Handle(ctx, record(t, "ana", P, at(1))))
	equal(t, 0, len(sinks["analytics"].ids()), "analytics consent alone is not enough")
	audit := rt.Audit()
	var missing []consent.Purpose
	for _, e := range audit {
		if e.Destination == "analytics" {
			missing = append(missing, e.Purpose)
			equal(t, consent.ReasonNoConsent, e.Reason)
		}
	}
	equal(t, []consent.Purpose{consent.PurposeAttention, consent.PurposeLocation}, missing, "the missing purpose is named")

	grant(t, l, "ana", consent.PurposeAttention, at(0))
	grant(t, l, "ana", consent.PurposeLocation, at(0))
	noErr(t, rt.Handle(ctx, record(t, "ana", B, at(2))))
	noErr(t, rt.Handle(ctx, record(t, "ana", P, at(2))))
	equal(t, 2, len(sinks["analytics"].ids()), "delivered once both consents are in force")
	equal(t, []consent.Purpose{consent.PurposeAnalytics, consent.PurposeLocation, consent.PurposeAttention}, l.Purposes("ana"))
}

// A biometric record older than the retention at the router's now is
// dropped for every destination; a fresh one goes through. Only biometric
// records expire.
func TestBiometricRetention(t *testing.T) {
	l := newLedger(t)
	grantAll(t, l, "erin")
	now := at(0).Add(48 * time.Hour)
	rt, sinks := sensitiveRouter(t, l, consent.WithClock(func() time.Time { return now }), consent.WithBiometricRetention(time.Hour))
	ctx := context.Background()
	old := record(t, "erin", B, now.Add(-time.Hour-time.Millisecond))
	edge := record(t, "erin", B, now.Add(-time.Hour))
	oldBehaviour := record(t, "erin", C, now.Add(-47*time.Hour))
	for _, r := range []*connected.Record{old, edge, oldBehaviour} {
		noErr(t, rt.Handle(ctx, r))
	}
	equal(t, []string{edge.ID, oldBehaviour.ID}, sinks["analytics"].ids())
	equal(t, []string{edge.ID, oldBehaviour.ID}, sinks["attention"].ids())
	st := rt.Stats()
	equal(t, uint64(1), st[0].Dropped[consent.ReasonExpired], "analytics")
	equal(t, uint64(1), st[1].Dropped[consent.ReasonExpired], "attention")
	equal(t, "expired", consent.ReasonExpired.String())

	// The default retention is a day.
	rt2, sinks2 := sensitiveRouter(t, l, consent.WithClock(func() time.Time { return now }))
	noErr(t, rt2.Handle(ctx, record(t, "erin", B, now.Add(-23*time.Hour))))
	noErr(t, rt2.Handle(ctx, record(t, "erin", B, now.Add(-25*time.Hour))))
	equal(t, 1, len(sinks2["attention"].ids()), "default retention")
	equal(t, 24*time.Hour, consent.DefaultBiometricRetention)

	_, err := consent.NewRouter(l, auditKey, []consent.Destination{{Name: "a", Purpose: consent.PurposeAnalytics, Categories: []connected.Category{B}, Handler: &sink{}}}, consent.WithBiometricRetention(0))
	isTrue(t, errors.Is(err, consent.ErrConfig), "zero retention refused: ", err)
}

// A biometric record held for consent does not outlive its retention: when
// the consent arrives after the retention passed, it is dropped, not
// released.
func TestBiometricRetentionAppliesToHeldRecords(t *testing.T) {
	l := newLedger(t)
	now := at(0)
	s := &sink{}
	rt, err := consent.NewRouter(l, auditKey, []consent.Destination{{
		Name: "attention", Purpose: consent.PurposeAttention, Categories: []connected.Category{B}, Handler: s,
		OnRefusal: consent.Hold, Hold: consent.HoldLimits{MaxAge: 3 * time.Hour},
	}}, consent.WithClock(func() time.Time { return now }), consent.WithBiometricRetention(time.Hour))
	noErr(t, err)
	shutdown(t, rt)
	ctx := context.Background()
	noErr(t, rt.Handle(ctx, record(t, "ana", B, at(0))))
	equal(t, 1, rt.Stats()[0].Holding, "held for consent")
	now = at(61)
	grant(t, l, "ana", consent.PurposeAttention, at(0))
	equal(t, 0, len(s.ids()), "not released past its retention")
	st := rt.Stats()[0]
	equal(t, 0, st.Holding)
	equal(t, uint64(1), st.Dropped[consent.ReasonExpired])

	// Within the retention it is released as usual.
	noErr(t, rt.Handle(ctx, record(t, "bo", B, at(61))))
	now = at(90)
	grant(t, l, "bo", consent.PurposeAttention, at(0))
	equal(t, 1, len(s.ids()), "released within its retention")
}
