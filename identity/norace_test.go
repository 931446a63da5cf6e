//go:build !race

package identity_test

// raceEnabled reports whether the race detector instruments this build.
const raceEnabled = false
