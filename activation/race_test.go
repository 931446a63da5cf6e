//go:build race

package activation

// raceEnabled reports whether the race detector instruments this build:
// it allocates on its own, so allocation budgets cannot be checked.
const raceEnabled = true
