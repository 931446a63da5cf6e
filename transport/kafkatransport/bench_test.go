package kafkatransport_test

import (
	"fmt"
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// BenchmarkSend measures delivered records per second through Send against
// kfake on loopback, one synchronous batch per iteration, 64 customers per
// batch. The cluster acknowledges without storing (kfake.BlackholeProduce)
// so that memory stays flat however many iterations run.
func BenchmarkSend(b *testing.B) {
	for _, size := range []int{100, 1000} {
		b.Run(fmt.Sprintf("batch=%d", size), func(b *testing.B) {
			c := cluster(b, 8, kfake.BlackholeProduce())
			s := newSender(b, c)
			batch := make([]*connected.Record, size)
			for i := range batch {
				batch[i] = rec(i, fmt.Sprintf("%016x", i%64))
			}
			if err := s.Send(b.Context(), batch); err != nil { // warm up: metadata, producer id
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			n := 0
			for b.Loop() {
				if err := s.Send(b.Context(), batch); err != nil {
					b.Fatal(err)
				}
				n += len(batch)
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/record")
		})
	}
}
