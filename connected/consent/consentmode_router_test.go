package consent_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
)

// TestConsentModeDecidesAsTheRouter: for random facts recorded under a
// record's profile id, user id and anonymous id (and an erasure now and
// then), ConsentModeForRecord and Ledger.PermitsAny grant a purpose exactly
// when the Router delivers the record to a destination of that purpose.
// Before, ConsentModeFor read one identifier's facts: a grant given under
// the anonymous id was "denied" for the logged-in user's events that the
// Router delivered, and a withdrawal under the user id did not reach
// signals computed for the profile id.
func TestConsentModeDecidesAsTheRouter(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 9))
	purposes := []consent.Purpose{consent.PurposeAnalytics, consent.PurposeAdvertising, consent.PurposePersonalization}
	ctx := context.Background()
	outcomes := map[bool]int{}
	for run := range 300 {
		l := newLedger(t)
		ids := []string{"p_1", "u-1", "anon-1", "anon-2"}
		for range rng.IntN(8) {
			f := consent.Fact{Subject: ids[rng.IntN(len(ids))], Purpose: purposes[rng.IntN(len(purposes))],
				Granted: rng.IntN(3) > 0, Effective: at(rng.IntN(20)), Source: consent.SourceCMP}
			_, err := l.Record(ctx, f)
			noErr(t, err)
		}
		if rng.IntN(10) == 0 {
			noErr(t, l.Erase(ctx, ids[rng.IntN(len(ids))], at(0)))
		}
		sinks := map[consent.Purpose]*sink{}
		var dests []consent.Destination
		for _, p := range purposes {
			sinks[p] = &sink{}
			dests = append(dests, consent.Destination{Name: string(p), Purpose: p, Categories: []connected.Category{C}, Handler: sinks[p]})
		}
		rt, err := consent.NewRouter(l, auditKey, dests, consent.WithAuditCapacity(0))
		noErr(t, err)
		r := record(t, "u-1", C, at(rng.IntN(25)))
		r.UserID, r.AnonymousID = "", ""
		if rng.IntN(2) == 0 {
			r.ProfileID = "p_1"
		}
		if rng.IntN(3) > 0 {
			r.UserID = "u-1"
		}
		if rng.IntN(3) > 0 {
			r.AnonymousID = ids[2+rng.IntN(2)]
		}
		noErr(t, rt.Handle(ctx, r))
		cm := consent.ConsentModeForRecord(l, r)
		got := map[consent.Purpose]bool{
			consent.PurposeAnalytics:       cm.AnalyticsStorage == consent.ModeGranted,
			consent.PurposeAdvertising:     cm.AdStorage == consent.ModeGranted && cm.AdUserData == consent.ModeGranted,
			consent.PurposePersonalization: cm.PersonalizationStorage == consent.ModeGranted,
		}
		for _, p := range purposes {
			delivered := len(sinks[p].ids()) == 1
			outcomes[delivered]++
			if got[p] != delivered {
				t.Fatalf("run %d, %s, record ids (%q, %q, %q) at %v: Consent Mode says %v, the Router delivered: %v\n%s",
					run, p, r.ProfileID, r.UserID, r.AnonymousID, r.Time, got[p], delivered, dumpLedger(l, ids, purposes))
			}
			if any := l.PermitsAny(p, r.Time, r.ProfileID, r.UserID, r.AnonymousID); any != delivered {
				t.Fatalf("run %d, %s: PermitsAny %v, Router %v", run, p, any, delivered)
			}
		}
		if want := got[consent.PurposeAdvertising] && got[consent.PurposePersonalization]; (cm.AdPersonalization == consent.ModeGranted) != want {
			t.Fatalf("run %d: ad_personalization %v", run, cm.AdPersonalization)
		}
		noErr(t, rt.Shutdown(ctx))
	}
	if outcomes[true] < 50 || outcomes[false] < 50 {
		t.Fatalf("the runs do not cover both outcomes: %v", outcomes)
	}
}

func dumpLedger(l *consent.Ledger, ids []string, ps []consent.Purpose) string {
	s := ""
	for _, id := range ids {
		for _, p := range ps {
			for _, f := range l.History(id, p) {
				s += fmt.Sprintf("  %s %s granted=%v at %v\n", id, p, f.Granted, f.Effective)
			}
		}
	}
	return s
}

// TestConsentModeForRecordAcrossIDs is the case that differed: a grant
// recorded under the anonymous id on the web, the event stitched to a
// profile id after login.
func TestConsentModeForRecordAcrossIDs(t *testing.T) {
	l := newLedger(t)
	grant(t, l, "anon-1", consent.PurposeAdvertising, at(0))
	r := record(t, "u-1", C, at(5))
	r.ProfileID, r.AnonymousID = "p_1", "anon-1"
	isTrue(t, consent.ConsentModeForRecord(l, r).AdStorage == consent.ModeGranted, "grant under the anonymous id counts")
	deny(t, l, "u-1", consent.PurposeAdvertising, at(6))
	isTrue(t, consent.ConsentModeForRecord(l, r).AdStorage == consent.ModeDenied, "withdrawal under the user id counts")
	isTrue(t, !l.PermitsAny(consent.PurposeAdvertising, at(5)), "no ids: not permitted")
}
