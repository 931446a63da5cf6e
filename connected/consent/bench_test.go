package consent_test

import (
	"context"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
)

var discard = connected.HandlerFunc(func(context.Context, *connected.Record) error { return nil })

// benchRouter: a subject with 10 purposes (the 7 built-in and 3 custom, a
// few decisions each) and 5 destinations that all may receive the record.
func benchRouter(tb testing.TB, refuse bool) (*consent.Router, *connected.Record) {
	tb.Helper()
	l := newLedger(tb)
	purposes := []consent.Purpose{
		consent.PurposeAnalytics, consent.PurposePersonalization, consent.PurposeMarketing,
		consent.PurposeAdvertising, consent.PurposeHealth, consent.PurposeLocation, consent.PurposeLinking,
		"acme:surveys", "acme:loyalty", "acme:research",
	}
	for i, p := range purposes {
		grant(tb, l, "user-8421", p, at(0))
		deny(tb, l, "user-8421", p, at(10+i))
		grant(tb, l, "user-8421", p, at(20+i))
	}
	if refuse {
		deny(tb, l, "user-8421", consent.PurposeAdvertising, at(40))
	}
	var dests []consent.Destination
	for _, d := range []struct {
		name string
		p    consent.Purpose
	}{{"segment", consent.PurposeAnalytics}, {"braze", consent.PurposeMarketing}, {"ads", consent.PurposeAdvertising},
		{"recs", consent.PurposePersonalization}, {"survey", "acme:research"}} {
		dests = append(dests, consent.Destination{Name: d.name, Purpose: d.p, Categories: []connected.Category{C, T, L}, Handler: discard})
	}
	rt, err := consent.NewRouter(l, auditKey, dests)
	noErr(tb, err)
	shutdown(tb, rt)
	return rt, record(tb, "user-8421", L, at(45))
}

// BenchmarkRouter is the gate's cost per record: 5 destinations, 10
// purposes, location data (so each destination checks two purposes),
// delivered everywhere to handlers that do nothing. Target: <= 200 ns, 0
// allocations.
func BenchmarkRouter(b *testing.B) {
	rt, r := benchRouter(b, false)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := rt.Handle(ctx, r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRouterRefusal: the same with one destination refusing every
// record (counted and audited, with a keyed subject hash).
func BenchmarkRouterRefusal(b *testing.B) {
	rt, r := benchRouter(b, true)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := rt.Handle(ctx, r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRouterParallel(b *testing.B) {
	rt, r := benchRouter(b, false)
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := rt.Handle(ctx, r); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// TestRouterAllocs enforces the zero-allocation budget of the gate, for
// delivered and for refused (dropped, audited) records.
func TestRouterAllocs(t *testing.T) {
	for _, refuse := range []bool{false, true} {
		rt, r := benchRouter(t, refuse)
		ctx := context.Background()
		n := testing.AllocsPerRun(200, func() {
			if err := rt.Handle(ctx, r); err != nil {
				t.Fatal(err)
			}
		})
		equal(t, 0.0, n, "refuse=", refuse)
		st := rt.Stats()
		if refuse {
			isTrue(t, st[2].Dropped[consent.ReasonDenied] > 0, "the ads destination refuses")
		}
		isTrue(t, st[0].Delivered > 0)
	}
}
