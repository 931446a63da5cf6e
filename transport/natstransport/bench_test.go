package natstransport_test

import (
	"fmt"
	"testing"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport/natstransport"
)

// BenchmarkSend measures delivered (acknowledged) records per second
// through Send against an embedded nats-server over loopback TCP, one
// synchronous batch per iteration, into a memory stream capped at 100,000
// messages. Every iteration gets fresh messageIds (outside the timer), so
// JetStream stores every record instead of deduplicating.
func BenchmarkSend(b *testing.B) {
	for _, size := range []int{100, 1000} {
		b.Run(fmt.Sprintf("batch=%d", size), func(b *testing.B) {
			ns := startServer(b)
			capped := stream
			capped.MaxMsgs, capped.Discard = 100_000, jetstream.DiscardOld
			s := newSender(b, ns, natstransport.WithStream(capped))
			batch := make([]*connected.Record, size)
			next := 0
			refill := func() {
				for i := range batch {
					batch[i] = rec(next, fmt.Sprintf("%016x", i%64))
					next++
				}
			}
			refill()
			b.ReportAllocs()
			b.ResetTimer()
			n := 0
			for b.Loop() {
				if err := s.Send(b.Context(), batch); err != nil {
					b.Fatal(err)
				}
				n += len(batch)
				b.StopTimer()
				refill()
				b.StartTimer()
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/record")
			if d := s.Stats().Duplicates; d != 0 {
				b.Fatalf("%d duplicates: the benchmark measured deduplication, not storing", d)
			}
		})
	}
}
