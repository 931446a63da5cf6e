package attention_test

import (
	"testing"

	"github.com/touchpoint-sdk/touchpoint/attention"
)

// The decoder's budget is 2 µs per payload.
func BenchmarkDecode(b *testing.B) {
	for _, name := range []string{"webxr_select_visionos", "arkit_try_on_complete", "quest_pro_summary_eye"} {
		p := readFile(b, "testdata/accepted/"+name+".json")
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(p)))
			var m attention.Message
			cpu := cpuSeconds()
			for b.Loop() {
				if err := attention.Decode(p, &m); err != nil {
					b.Fatal(err)
				}
			}
			if cpu > 0 {
				b.ReportMetric((cpuSeconds()-cpu)*1e9/float64(b.N), "cpu-ns/op")
			}
		})
	}
}
