//go:build !race

package activation

// raceEnabled reports whether the race detector instruments this build.
const raceEnabled = false
