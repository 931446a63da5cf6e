package identitytest

import (
	"context"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/identity"
)

// TestSuiteCatchesAStoreThatForgets: a store that comes back empty after a
// restart gives states that differ from the reference, so the comparison
// in RunStoreScenarios fails for it.
func TestSuiteCatchesAStoreThatForgets(t *testing.T) {
	for _, sc := range loadScenarios(t, "../testdata/scenarios") {
		one := *sc
		one.Phases = sc.Phases[:1]
		g0, err := identity.New(ScenarioSecret, one.options()...)
		if err != nil {
			t.Fatal(err)
		}
		l := one.labels(t, g0)
		want := one.run(t, g0, l, nil)
		g, err := identity.New(ScenarioSecret, one.options(identity.WithStore(identity.NewMemStore()))...)
		if err != nil {
			t.Fatal(err)
		}
		got := one.run(t, g, l, func(old *identity.Graph) *identity.Graph {
			old.Shutdown(context.Background())
			fresh, err := identity.New(ScenarioSecret, one.options(identity.WithStore(identity.NewMemStore()))...)
			if err != nil {
				t.Fatal(err)
			}
			return fresh
		})
		if got[0] == want[0] {
			t.Errorf("%s: a store that forgets everything renders the same state:\n%s", sc.name, got[0])
		}
	}
}
