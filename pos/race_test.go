//go:build race

package pos_test

// raceEnabled: allocation budgets are checked without the race detector,
// which adds allocations of its own.
const raceEnabled = true
