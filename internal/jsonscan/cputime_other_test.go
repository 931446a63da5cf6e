//go:build !unix

package jsonscan

// cpuSeconds is not available here: CPU-time metrics are not reported.
func cpuSeconds() float64 { return 0 }
