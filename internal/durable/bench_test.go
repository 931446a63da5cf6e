package durable_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/internal/durable"
)

// a 100-byte record, about an activation or consent entry
var benchRec = []byte(fmt.Sprintf("%-100s", `{"subject":"u-123456","purpose":"marketing","granted":true,"at":1767225600}`))

func BenchmarkAppend(b *testing.B) {
	for _, c := range []struct {
		name  string
		sync  durable.SyncPolicy
		batch int
	}{{"nosync/1", durable.SyncNever, 1}, {"nosync/100", durable.SyncNever, 100}, {"fsync/1", durable.SyncAlways, 1}, {"fsync/100", durable.SyncAlways, 100}} {
		b.Run(c.name, func(b *testing.B) {
			cfg := testCfg
			cfg.Sync = c.sync
			st := open(b, b.TempDir(), cfg)
			defer st.Close()
			recs := make([][]byte, c.batch)
			for i := range recs {
				recs[i] = benchRec
			}
			ctx := context.Background()
			b.ReportAllocs()
			b.SetBytes(int64(len(benchRec) * c.batch))
			for b.Loop() {
				if err := st.Append(ctx, recs...); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*c.batch), "ns/record")
		})
	}
}

// BenchmarkReopen opens a store whose log holds n 100-byte records and
// replays them all: the restart cost of a gateway.
func BenchmarkReopen(b *testing.B) {
	for _, n := range []int{10_000, 1_000_000} {
		for _, where := range []string{"log", "snapshot"} {
			b.Run(fmt.Sprintf("%s/%d", where, n), func(b *testing.B) {
				dir := b.TempDir()
				st := open(b, dir, testCfg)
				ctx := context.Background()
				batch := make([][]byte, 1000)
				for i := range batch {
					batch[i] = benchRec
				}
				for range n / len(batch) {
					if err := st.Append(ctx, batch...); err != nil {
						b.Fatal(err)
					}
				}
				if where == "snapshot" {
					if err := st.Compact(ctx, func(emit func([]byte) error) error {
						for range n {
							if err := emit(benchRec); err != nil {
								return err
							}
						}
						return nil
					}); err != nil {
						b.Fatal(err)
					}
				}
				st.Close()
				b.ReportAllocs()
				for b.Loop() {
					st := open(b, dir, testCfg)
					got := 0
					count := func([]byte) error { got++; return nil }
					if err := st.Replay(ctx, count, count); err != nil {
						b.Fatal(err)
					}
					st.Close()
					if got != n {
						b.Fatalf("replayed %d, want %d", got, n)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/record")
			})
		}
	}
}
