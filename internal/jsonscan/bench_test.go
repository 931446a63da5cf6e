package jsonscan

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkSkip validates whole payloads (as stored, indented, and
// compact): the cost floor of every decoder built on the scanner.
// "reused" is a Scanner reused with ResetIndexed, as the pos package's
// reused decoders do: with the structural index where the CPU runs its
// first stage; "scalar" is New's byte loop.
func BenchmarkSkip(b *testing.B) {
	for _, p := range loadPayloads(b) {
		for _, reused := range []bool{true, false} {
			mode := "scalar"
			if reused {
				mode = "reused"
			}
			b.Run(p.name+"/"+p.kind+"/"+mode, func(b *testing.B) {
				b.SetBytes(int64(len(p.data)))
				b.ReportAllocs()
				cpu0 := cpuSeconds()
				var s Scanner
				for b.Loop() {
					if reused {
						s.ResetIndexed(p.data)
					} else {
						s = New(p.data)
					}
					s.Skip()
					s.End()
					if s.Err() != nil {
						b.Fatal(s.Err())
					}
				}
				reportCPU(b, cpu0)
			})
		}
	}
}

// payload is a benchmark payload of testdata/bench, as stored or compact.
type payload struct {
	name, kind string // file name without .json; "as-stored" or "compact"
	data       []byte
}

// loadPayloads reads the benchmark payloads, each as stored and compact.
func loadPayloads(tb testing.TB) []payload {
	files, err := filepath.Glob("testdata/bench/*.json")
	if err != nil || len(files) == 0 {
		tb.Fatalf("no benchmark payloads: %v", err)
	}
	var out []payload
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, data); err != nil {
			tb.Fatal(err)
		}
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		out = append(out, payload{name, "as-stored", data}, payload{name, "compact", compact.Bytes()})
	}
	return out
}

// reportCPU adds the process CPU time per operation (cpu-ns/op): on a
// shared machine wall-clock ns/op measures the neighbours as much as the
// code.
func reportCPU(b *testing.B, cpu0 float64) {
	if cpu := cpuSeconds() - cpu0; cpu > 0 {
		b.ReportMetric(cpu*1e9/float64(b.N), "cpu-ns/op")
	}
}

// BenchmarkFirstStage builds the structural index of each payload with
// each first stage this CPU runs (avx2, avx512): the index's fixed cost,
// which the second stage's savings must exceed.
func BenchmarkFirstStage(b *testing.B) {
	if !haveIndex {
		b.Skip("no first stage on this CPU or platform")
	}
	for _, stage := range firstStages() {
		for _, p := range loadPayloads(b)[4:6] { // the Stripe charge, as stored and compact
			d := p.data
			b.Run(stage+"/"+p.kind, func(b *testing.B) {
				defer useFirstStage(stage)()
				b.SetBytes(int64(len(d)))
				var ix []uint32
				for b.Loop() {
					var ok bool
					if ix, ok = buildIndex(d, ix); !ok {
						b.Fatal("not indexed")
					}
				}
			})
		}
	}
}
