package consent_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
)

// BenchmarkRouterWithErasures is BenchmarkRouter once the ledger holds
// erasures: every record's ids are checked against the tombstones (a keyed
// SHA-256 of each id).
func BenchmarkRouterWithErasures(b *testing.B) {
	l := newLedger(b)
	for i := range 1000 {
		noErr(b, l.Erase(context.Background(), fmt.Sprint("erased-", i), at(0)))
	}
	grant(b, l, "user-8421", consent.PurposeAnalytics, at(0))
	rt2, err := consent.NewRouter(l, auditKey, []consent.Destination{{Name: "segment", Purpose: consent.PurposeAnalytics, Categories: []connected.Category{C, T, L}, Handler: discard}})
	noErr(b, err)
	shutdown(b, rt2)
	r := record(b, "user-8421", C, at(45))
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := rt2.Handle(ctx, r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDurableRecord is the cost of recording one fact in a durable
// ledger, with and without fsync.
func BenchmarkDurableRecord(b *testing.B) {
	for _, sync := range []bool{false, true} {
		b.Run(fmt.Sprintf("fsync=%v", sync), func(b *testing.B) {
			l, err := consent.OpenLedger(b.TempDir(), consent.WithLedgerSync(sync))
			noErr(b, err)
			defer l.Close()
			ctx := context.Background()
			i := 0
			b.ReportAllocs()
			for b.Loop() {
				i++
				f := consent.Fact{Subject: fmt.Sprint("u-", i%5000), Purpose: consent.PurposeMarketing, Granted: i%2 == 0, Effective: at(i), Source: consent.SourceCMP}
				if _, err := l.Record(ctx, f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkOpenLedger reopens a durable ledger of 100,000 facts (20,000
// subjects, 5 facts each), half in the snapshot and half in the log.
func BenchmarkOpenLedger(b *testing.B) {
	dir := b.TempDir()
	l, err := consent.OpenLedger(dir, consent.WithLedgerSync(false), consent.WithCompactAfter(1<<30))
	noErr(b, err)
	ctx := context.Background()
	const n = 100_000
	for i := range n {
		if i == n/2 {
			noErr(b, l.Compact(ctx))
		}
		f := consent.Fact{Subject: fmt.Sprint("user-", i%20000), Purpose: consent.PurposeMarketing, Granted: i%2 == 0, Effective: at(i), Source: consent.SourceCMP, Jurisdiction: "EU"}
		if _, err := l.Record(ctx, f); err != nil {
			b.Fatal(err)
		}
	}
	noErr(b, l.Close())
	b.ReportAllocs()
	for b.Loop() {
		l, err := consent.OpenLedger(dir)
		if err != nil {
			b.Fatal(err)
		}
		l.Close()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/fact")
}
