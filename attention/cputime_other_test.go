//go:build !unix

package attention_test

// cpuSeconds is unavailable here: benchmarks report no CPU time.
func cpuSeconds() float64 { return 0 }
