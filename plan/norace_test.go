//go:build !race

package plan_test

// raceEnabled: the race detector changes allocation counts (sync.Pool
// drops items on purpose), so allocation budgets are checked without it.
const raceEnabled = false
