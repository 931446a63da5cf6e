package activation

import (
	"context"
	"testing"
)

// BenchmarkEvaluateBatch is BenchmarkEvaluate through ProcessBatch, 64
// inputs a call, the inputs made in the timed loop, as BenchmarkEvaluate
// makes its: events/cpu-s counts making them. engine-events/cpu-s leaves
// out the CPU time spent making them (4,096 at a time, between two reads
// of the process's CPU clock): what the engine costs when a consumer
// hands it decoded inputs.
func BenchmarkEvaluateBatch(b *testing.B) {
	e, g := warmEngine(b, 100_000, 10)
	var err error
	ctx := context.Background()
	var out []Output
	ins := make([]Input, 0, 4096)
	outputs := 0
	var gen float64 // CPU seconds spent making inputs
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuSeconds()
	for n := 0; n < b.N; n += len(ins) {
		c0 := cpuSeconds()
		ins = ins[:0]
		for range min(cap(ins), b.N-n) {
			ins = append(ins, g.next())
		}
		gen += cpuSeconds() - c0
		for lo := 0; lo < len(ins); lo += 64 {
			out, err = e.ProcessBatch(ctx, ins[lo:min(lo+64, len(ins))], out[:0])
			if err != nil {
				b.Fatal(err)
			}
			outputs += len(out)
		}
	}
	if c := cpuSeconds() - cpu - gen; c > 0 {
		b.ReportMetric(float64(b.N)/c, "engine-events/cpu-s")
	}
	reportEvents(b, cpu, outputs)
}
