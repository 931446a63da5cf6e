package identity_test

import (
	"context"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/identity"
)

// TestAllocs enforces the allocation budgets of the hot paths: resolving
// allocates only the profile id string; a replayed event (nothing changes)
// allocates only that too.
func TestAllocs(t *testing.T) {
	if testing.CoverMode() != "" || raceEnabled {
		t.Skip("coverage and race instrumentation allocate by themselves; run without -race/-cover to check the budget")
	}
	g := buildGraph(t, 1000)
	ctx := context.Background()
	p := person(42)
	q := []identity.Identifier{p[3], p[0]}
	if a := testing.AllocsPerRun(200, func() {
		if _, err := g.Resolve(ctx, q, benchT0); err != nil {
			t.Fatal(err)
		}
	}); a > 1 {
		t.Errorf("Resolve: %v allocations, budget 1", a)
	}
	replay := identity.Observation{EventID: eventID(84), Time: benchT0.Add(42 * 1e9), IDs: p[:3]}
	if a := testing.AllocsPerRun(200, func() {
		if _, err := g.Link(ctx, replay); err != nil {
			t.Fatal(err)
		}
	}); a > 1 {
		t.Errorf("Link of a replayed event: %v allocations, budget 1", a)
	}
}

// TestMemoryBudget keeps the graph at or under 200 bytes per identifier
// (over 5,000,000 identifiers per GiB) for a realistic load: four
// identifiers and two facts per person, UUID event ids. BenchmarkMemory
// reports the figure at 1,000,000 identifiers.
func TestMemoryBudget(t *testing.T) {
	perID := measureHeap(t, 25_000)
	t.Logf("%.1f bytes per identifier, %.2f M identifiers per GiB", perID, float64(1<<30)/perID/1e6)
	if perID > 200 {
		t.Errorf("%.1f bytes per identifier, budget 200", perID)
	}
}
