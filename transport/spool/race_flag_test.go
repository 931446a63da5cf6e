//go:build race

package spool_test

// raceEnabled: the race detector changes allocation and scheduling, so
// allocation budgets are checked without it.
const raceEnabled = true
