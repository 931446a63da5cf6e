package jsonscan

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// BenchmarkSkip validates whole payloads (as stored, indented, and
// compact): the cost floor of every decoder built on the scanner.
// "reused" is a Scanner reused with ResetIndexed, as the pos package's
// reused decoders do: with the structural index where the CPU runs its
// first stage; "scalar" is New's byte loop.
func BenchmarkSkip(b *testing.B) {
	files, err := filepath.Glob("testdata/bench/*.json")
	if err != nil || len(files) == 0 {
		b.Fatalf("no benchmark payloads: %v", err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, data); err != nil {
			b.Fatal(err)
		}
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		for _, c := range []struct {
			kind string
			data []byte
		}{{"as-stored", data}, {"compact", compact.Bytes()}} {
			for _, reused := range []bool{true, false} {
				mode := "scalar"
				if reused {
					mode = "reused"
				}
				b.Run(name+"/"+c.kind+"/"+mode, func(b *testing.B) {
					b.SetBytes(int64(len(c.data)))
					b.ReportAllocs()
					cpu0 := cpuSeconds()
					var s Scanner
					for b.Loop() {
						if reused {
							s.ResetIndexed(c.data)
						} else {
							s = New(c.data)
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
		for _, d := range benchPayloads(b)[4:6] { // the Stripe charge, as stored and compact
			b.Run(stage+"/"+strconv.Itoa(len(d)), func(b *testing.B) {
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
