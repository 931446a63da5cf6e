package activation

import (
	"context"
	"testing"
)

// BenchmarkEvaluateBatch is BenchmarkEvaluate through ProcessBatch, 64
// inputs a call (made in the timed loop, as BenchmarkEvaluate makes its).
func BenchmarkEvaluateBatch(b *testing.B) {
	e, g := warmEngine(b, 100_000, 10)
	var err error
	ctx := context.Background()
	var out []Output
	ins := make([]Input, 0, 64)
	outputs := 0
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuSeconds()
	for n := 0; n < b.N; n += len(ins) {
		ins = ins[:0]
		for range min(64, b.N-n) {
			ins = append(ins, g.next())
		}
		out, err = e.ProcessBatch(ctx, ins, out[:0])
		if err != nil {
			b.Fatal(err)
		}
		outputs += len(out)
	}
	reportEvents(b, cpu, outputs)
}
