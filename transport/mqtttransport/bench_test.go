package mqtttransport_test

import (
	"fmt"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport/mqtttransport"
)

// BenchmarkSend measures delivered (PUBACKed) records per second through
// Send against the in-process mochi broker over loopback TCP, one
// synchronous batch per iteration, 64 customers per batch, 16 keys in
// flight (the default) or 1 (batch order across keys). Nobody subscribes,
// so the broker acknowledges and drops.
func BenchmarkSend(b *testing.B) {
	for _, bc := range []struct{ size, inFlight int }{{100, 16}, {1000, 16}, {1000, 1}} {
		b.Run(fmt.Sprintf("batch=%d/inflight=%d", bc.size, bc.inFlight), func(b *testing.B) {
			s := newSender(b, startBroker(b, nil), mqtttransport.DefaultTopic, mqtttransport.WithMaxInFlight(bc.inFlight))
			batch := make([]*connected.Record, bc.size)
			for i := range batch {
				batch[i] = rec(i, fmt.Sprintf("%016x", i%64))
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
