//go:build !(linux && amd64)

package connected

import "time"

// wallNow is the default clock: time.Now (see clock_linux_amd64.go).
func wallNow() time.Time { return time.Now() }
