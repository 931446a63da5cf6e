package applehealth_test

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/wearable/applehealth"
)

var bigExport = flag.Bool("wearable.bigexport", false, "benchmark the importer on a generated 500 MB export instead of 20 MB")

// importFile reads a whole export, sampling the heap every 64k elements, and
// returns the number of measurements and the peak HeapAlloc seen.
func importFile(tb testing.TB, path string) (n int, peak uint64) {
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	r := applehealth.NewReader(f)
	var ms runtime.MemStats
	for i := 0; ; i++ {
		_, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			tb.Fatal(err)
		}
		n++
		if i%(1<<16) == 0 {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
		}
	}
	runtime.ReadMemStats(&ms)
	return n, max(peak, ms.HeapAlloc)
}

// BenchmarkImportExport reports the importer's throughput (MB/s) and its
// peak heap (peak-heap-MB) on a generated export: 20 MB by default, 500 MB
// with -wearable.bigexport. Generation is not timed.
func BenchmarkImportExport(b *testing.B) {
	size := int64(20 << 20)
	if *bigExport {
		size = 500 << 20
	}
	path := filepath.Join(b.TempDir(), "export.xml")
	gen := writeExport(b, path, size)
	runtime.GC()
	b.SetBytes(gen.bytes)
	b.ReportAllocs()
	var peak uint64
	for b.Loop() {
		n, p := importFile(b, path)
		if n != gen.measurements {
			b.Fatalf("%d measurements, generated %d", n, gen.measurements)
		}
		peak = max(peak, p)
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(gen.bytes)/(1<<20), "file-MB")
}

// BenchmarkReaderSample is the per-document cost on the small real sample.
func BenchmarkReaderSample(b *testing.B) {
	data, err := os.ReadFile(sample)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r := applehealth.NewReader(bytesReader(data))
		for {
			if _, err := r.Next(); err != nil {
				if !errors.Is(err, io.EOF) {
					b.Fatal(err)
				}
				break
			}
		}
	}
}

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }
