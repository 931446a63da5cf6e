package pgstore_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/identity"
)

var (
	benchFactsOnce sync.Once
	benchFacts     []identity.LinkFact
)

// BenchmarkLinkKeys is the hub's identity throughput: link facts from
// gateways applied by Graph.LinkKeys to a graph kept in PostgreSQL (sealed
// records), committed one by one (batch=1) or with IdentityStore.Batch per
// poll of 100 or 1,000 facts. Every fact writes a record: 80,000 distinct
// links of 20,000 people, then the same links seen again later. The
// facts/s metric is what the README reports.
func BenchmarkLinkKeys(b *testing.B) {
	for _, batch := range []int{1, 100, 1000} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			pool := poolIn(b, schema(b))
			db := openDB(b, pool)
			benchFactsOnce.Do(func() {
				ref, err := identity.New(graphSecret)
				if err != nil {
					b.Fatal(err)
				}
				benchFacts = people(b, ref, 20000)
				ref.Shutdown(context.Background())
			})
			st := identityStore(b, db, "bench")
			g, err := identity.New(graphSecret, identity.WithStore(st))
			if err != nil {
				b.Fatal(err)
			}
			defer g.Shutdown(context.Background())
			ctx := context.Background()
			next := 0
			apply := func(ctx context.Context) error {
				for range batch {
					f := benchFacts[next%len(benchFacts)]
					f.Time = f.Time.Add(time.Duration(next/len(benchFacts)) * 24 * time.Hour)
					f.EventID = fmt.Sprint("b-", next)
					next++
					if _, err := g.LinkKeys(ctx, f); err != nil {
						return err
					}
				}
				return nil
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				var err error
				if batch == 1 {
					err = apply(ctx)
				} else {
					err = st.Batch(ctx, apply)
				}
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(next)/b.Elapsed().Seconds(), "facts/s")
			b.StopTimer()
			var logged int // every fact wrote its record (plus the graph's header)
			if err := pool.QueryRow(ctx, "SELECT coalesce(sum(entries), 0) FROM touchpoint_log").Scan(&logged); err != nil || logged != next+1 {
				b.Fatalf("%d log records for %d facts (%v)", logged, next, err)
			}
		})
	}
}
