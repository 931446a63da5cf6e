package spool_test

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport"
	"github.com/touchpoint-sdk/touchpoint/transport/spool"
)

// BenchmarkSpoolAppendAndDrain: one op is one record appended (in batches of
// 500) and drained to a sender that discards.
func BenchmarkSpoolAppendAndDrain(b *testing.B) {
	sp, err := spool.Open(b.TempDir(), transport.SenderFunc(func(context.Context, []*connected.Record) error { return nil }),
		spool.WithOverflow(transport.OverflowBlock))
	if err != nil {
		b.Fatal(err)
	}
	batch := recs(0, 500)
	ctx := context.Background()
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		if n%500 == 0 {
			if err := sp.Send(ctx, batch); err != nil {
				b.Fatal(err)
			}
		}
		n++
	}
	if err := sp.Shutdown(ctx); err != nil {
		b.Fatal(err)
	}
}

func BenchmarkAppendFrame(b *testing.B) {
	r := rec(1)
	buf := make([]byte, 0, 4096)
	b.ReportAllocs()
	for b.Loop() {
		buf, _ = spool.AppendFrame(buf[:0], r)
	}
}

// BenchmarkTrack: one op is one record handed to a Batcher in front of a
// spool (draining to a sender that discards), by 64 concurrent callers, as
// connected.Client.Track does. Modes:
//
//   - default: Handle returns once the record is queued in memory;
//   - durable: WithDurable, Handle returns once the spool wrote the record
//     (group commit; the spool fsyncs every 200 ms);
//   - durable-fsync: the same with spool.WithSyncInterval(0), so every group
//     is fsynced before the Handle calls in it return.
//
// It reports the Handle latency percentiles (p50-ns, p99-ns) and the
// records per spool write (recs/write).
func BenchmarkTrack(b *testing.B) {
	for _, mode := range []string{"default", "durable", "durable-fsync"} {
		b.Run(mode, func(b *testing.B) {
			opts := []spool.Option{spool.WithOverflow(transport.OverflowBlock)}
			if mode == "durable-fsync" {
				opts = append(opts, spool.WithSyncInterval(0))
			}
			var writes atomic.Int64
			sp, err := spool.Open(b.TempDir(), transport.SenderFunc(func(context.Context, []*connected.Record) error { return nil }), opts...)
			if err != nil {
				b.Fatal(err)
			}
			counted := transport.SenderFunc(func(ctx context.Context, batch []*connected.Record) error {
				writes.Add(1)
				return sp.Send(ctx, batch)
			})
			bt, err := transport.NewBatcher(counted, transport.WithDurable(mode != "default"), transport.WithConcurrency(1),
				transport.WithOverflow(transport.OverflowBlock))
			if err != nil {
				b.Fatal(err)
			}
			r := rec(1)
			var mu sync.Mutex
			var lat []time.Duration
			b.SetParallelism(32) // 64 callers on 2 CPUs
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				ctx := context.Background()
				var mine []time.Duration
				for pb.Next() {
					t0 := time.Now()
					if err := bt.Handle(ctx, r); err != nil {
						b.Error(err)
						return
					}
					mine = append(mine, time.Since(t0))
				}
				mu.Lock()
				lat = append(lat, mine...)
				mu.Unlock()
			})
			b.StopTimer()
			if err := bt.Shutdown(context.Background()); err != nil {
				b.Fatal(err)
			}
			if err := sp.Shutdown(context.Background()); err != nil {
				b.Fatal(err)
			}
			slices.Sort(lat)
			if n := len(lat); n > 0 {
				b.ReportMetric(float64(lat[n/2]), "p50-ns")
				b.ReportMetric(float64(lat[n*99/100]), "p99-ns")
			}
			if w := writes.Load(); w > 0 {
				b.ReportMetric(float64(b.N)/float64(w), "recs/write")
			}
		})
	}
}
