//go:build unix

package vehicle_test

import "syscall"

// cpuSeconds returns the process's user and system CPU time: throughput
// per CPU-second does not depend on how busy the shared machine is.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}
