package consent_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/connected/consent"
)

func TestLedgerRecordValidation(t *testing.T) {
	l := newLedger(t)
	good := consent.Fact{Subject: "u1", Purpose: consent.PurposeAnalytics, Granted: true, Effective: at(0), Source: consent.SourceCMP}
	for _, tc := range []struct {
		field string
		mod   func(*consent.Fact)
	}{
		{"Subject", func(f *consent.Fact) { f.Subject = "" }},
		{"Subject", func(f *consent.Fact) { f.Subject = "\xff" }},
		{"Purpose", func(f *consent.Fact) { f.Purpose = "" }},
		{"Purpose", func(f *consent.Fact) { f.Purpose = "Marketing" }},
		{"Purpose", func(f *consent.Fact) { f.Purpose = "has space" }},
		{"Effective", func(f *consent.Fact) { f.Effective = at(0).AddDate(-100, 0, 0) }},
		{"Effective", func(f *consent.Fact) { f.Effective = f.Effective.AddDate(-f.Effective.Year()+1, 0, 0) }},
		{"Source", func(f *consent.Fact) { f.Source = "" }},
	} {
		f := good
		tc.mod(&f)
		_, err := l.Record(context.Background(), f)
		var fe *consent.FactError
		if !errors.As(err, &fe) || !errors.Is(err, consent.ErrInvalidFact) {
			t.Fatalf("%s: error %v", tc.field, err)
		}
		equal(t, tc.field, fe.Field)
	}
	added, err := l.Record(context.Background(), good)
	noErr(t, err)
	isTrue(t, added)
	added, err = l.Record(context.Background(), good)
	noErr(t, err)
	isTrue(t, !added, "an identical fact is not stored twice")
	equal(t, 1, len(l.History("u1", consent.PurposeAnalytics)))
	custom := good
	custom.Purpose = "acme:surveys"
	_, err = l.Record(context.Background(), custom)
	noErr(t, err)
	equal(t, []consent.Purpose{consent.PurposeAnalytics, "acme:surveys"}, l.Purposes("u1"))
}

func TestLedgerInForceAtT(t *testing.T) {
	l := newLedger(t)
	p := consent.PurposeMarketing
	grant(t, l, "u", p, at(10))
	deny(t, l, "u", p, at(20))
	grant(t, l, "u", p, at(30))
	for _, tc := range []struct {
		min     int
		inForce bool
		granted bool
	}{{5, false, false}, {10, true, true}, {15, true, true}, {20, true, false}, {25, true, false}, {30, true, true}, {99, true, true}} {
		f, ok := l.At("u", p, at(tc.min))
		equal(t, tc.inForce, ok, "minute ", tc.min)
		equal(t, tc.granted, f.Granted, "minute ", tc.min)
	}
	// Permits: granted at T and still granted now.
	for m, want := range map[int]bool{5: false, 12: true, 25: false, 35: true} {
		equal(t, want, l.Permits("u", p, at(m)), "minute ", m)
	}
	// A revocation stops events from before it, processed after it.
	deny(t, l, "u", p, at(40))
	for _, m := range []int{12, 35, 45} {
		isTrue(t, !l.Permits("u", p, at(m)), "after revocation, minute ", m)
	}
	f, ok := l.Current("u", p)
	isTrue(t, ok && !f.Granted && f.Effective.Equal(at(40)))
	isTrue(t, !l.Permits("nobody", p, at(12)), "unknown means denied")
}

func TestLedgerTieDenialWins(t *testing.T) {
	for _, order := range [][2]bool{{true, false}, {false, true}} {
		l := newLedger(t)
		for _, g := range order {
			if g {
				grant(t, l, "u", consent.PurposeAnalytics, at(5))
			} else {
				deny(t, l, "u", consent.PurposeAnalytics, at(5))
			}
		}
		f, ok := l.At("u", consent.PurposeAnalytics, at(5))
		isTrue(t, ok && !f.Granted, "order ", order)
	}
}

// TestLedgerOrderIndependent records the same facts in many orders: every
// answer must be the same.
func TestLedgerOrderIndependent(t *testing.T) {
	type fact struct {
		min     int
		granted bool
	}
	facts := []fact{{0, true}, {7, false}, {7, true}, {12, true}, {20, false}, {33, true}, {40, false}}
	answers := func(l *consent.Ledger) []bool {
		var out []bool
		for m := -1; m < 45; m++ {
			f, ok := l.At("u", consent.PurposeLocation, at(m))
			out = append(out, ok, f.Granted, l.Permits("u", consent.PurposeLocation, at(m)))
		}
		return out
	}
	var want []bool
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 50 {
		l := newLedger(t)
		order := append([]fact(nil), facts...)
		if i > 0 {
			rng.Shuffle(len(order), func(a, b int) { order[a], order[b] = order[b], order[a] })
		}
		for _, f := range order {
			if f.granted {
				grant(t, l, "u", consent.PurposeLocation, at(f.min))
			} else {
				deny(t, l, "u", consent.PurposeLocation, at(f.min))
			}
		}
		got := answers(l)
		if i == 0 {
			want = got
			continue
		}
		equal(t, want, got, "shuffle ", i)
	}
}

func TestLedgerHistoryLimit(t *testing.T) {
	_, err := consent.NewLedger(consent.WithHistoryLimit(1))
	isTrue(t, errors.Is(err, consent.ErrConfig))
	_, err = consent.NewLedger(nil)
	isTrue(t, errors.Is(err, consent.ErrConfig))
	l, err := consent.NewLedger(consent.WithHistoryLimit(2))
	noErr(t, err)
	grant(t, l, "u", consent.PurposeAnalytics, at(0))
	deny(t, l, "u", consent.PurposeAnalytics, at(10))
	grant(t, l, "u", consent.PurposeAnalytics, at(20))
	h := l.History("u", consent.PurposeAnalytics)
	equal(t, 2, len(h))
	isTrue(t, h[0].Effective.Equal(at(10)) && h[1].Effective.Equal(at(20)))
	_, ok := l.At("u", consent.PurposeAnalytics, at(5))
	isTrue(t, !ok, "the dropped fact no longer answers: denied")
}

func TestLedgerOnChange(t *testing.T) {
	l := newLedger(t)
	var got []consent.Change
	cancel := l.OnChange(func(_ context.Context, c consent.Change) {
		// Listeners may read the ledger.
		_ = l.Permits(c.Subject, consent.PurposeLinking, at(0))
		got = append(got, c)
	})
	grant(t, l, "u", consent.PurposeLinking, at(10))
	grant(t, l, "u", consent.PurposeLinking, at(10)) // duplicate: no change
	deny(t, l, "u", consent.PurposeLinking, at(5))   // out of order: the present is unchanged
	deny(t, l, "u", consent.PurposeLinking, at(20))
	noErr(t, l.Erase(context.Background(), "u", at(30)))
	equal(t, 4, len(got))
	isTrue(t, got[0].Granted() && !got[0].Revoked())
	isTrue(t, !got[1].Granted() && !got[1].Revoked() && got[1].Before && got[1].After)
	isTrue(t, got[2].Revoked() && got[2].Purpose == consent.PurposeLinking && got[2].Fact.Effective.Equal(at(20)))
	isTrue(t, got[3].Kind == consent.ChangeErased && got[3].Subject == "u" && got[3].At.Equal(at(30)))
	cancel()
	cancel() // twice is harmless
	grant(t, l, "v", consent.PurposeLinking, at(10))
	equal(t, 4, len(got), "no calls after cancel")
}

func TestLedgerErase(t *testing.T) {
	l := newLedger(t)
	grant(t, l, "u", consent.PurposeAnalytics, at(0))
	noErr(t, l.Erase(context.Background(), "u", at(1)))
	noErr(t, l.Erase(context.Background(), "u", at(2)))
	isTrue(t, l.Erased("u") && !l.Erased("v"))
	isTrue(t, l.History("u", consent.PurposeAnalytics) == nil)
	isTrue(t, !l.Permits("u", consent.PurposeAnalytics, at(5)))
	_, err := l.Record(context.Background(), consent.Fact{Subject: "u", Purpose: consent.PurposeAnalytics, Granted: true, Effective: at(3), Source: consent.SourceCMP})
	isTrue(t, errors.Is(err, consent.ErrErased), err)
	isTrue(t, errors.Is(l.Erase(context.Background(), "", at(0)), consent.ErrInvalidFact))
}

func TestLedgerConcurrentSafe(t *testing.T) {
	l := newLedger(t)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 200 {
				if (i+w)%3 == 0 {
					deny(t, l, "u", consent.PurposeAnalytics, at(i))
				} else {
					grant(t, l, "u", consent.PurposeAnalytics, at(i))
				}
				_ = l.Permits("u", consent.PurposeAnalytics, at(i/2))
			}
		})
	}
	wg.Wait()
	h := l.History("u", consent.PurposeAnalytics)
	for i := 1; i < len(h); i++ {
		isTrue(t, !h[i].Effective.Before(h[i-1].Effective), "history stays ordered")
	}
}

func TestLedgerPermitsAllocs(t *testing.T) {
	l := newLedger(t)
	for i := range 20 {
		grant(t, l, "u", consent.PurposeAnalytics, at(2*i))
		deny(t, l, "u", consent.PurposeAnalytics, at(2*i+1))
	}
	grant(t, l, "u", consent.PurposeAnalytics, at(100))
	n := testing.AllocsPerRun(100, func() {
		if !l.Permits("u", consent.PurposeAnalytics, at(4)) {
			t.Fatal("not permitted")
		}
	})
	equal(t, 0.0, n)
}
