//go:build unix

package attention_test

import "syscall"

// cpuSeconds returns the process's CPU time, so that benchmarks can report
// CPU time per payload whatever the load of the machine.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}
