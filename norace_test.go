//go:build !race

package touchpoint_test

const raceEnabled = false
