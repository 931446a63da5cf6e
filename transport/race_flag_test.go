//go:build race

package transport_test

// raceEnabled: the race detector's sync.Pool drops items on purpose, so
// allocation budgets are checked without it.
const raceEnabled = true
