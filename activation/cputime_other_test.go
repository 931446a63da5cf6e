//go:build !unix

package activation

// cpuSeconds is unavailable here: benchmarks report no CPU time.
func cpuSeconds() float64 { return 0 }
