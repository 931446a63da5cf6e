//go:build !unix

package pos_test

// cpuSeconds is unknown here: benchmarks report no CPU metric.
func cpuSeconds() float64 { return 0 }
