package identitytest_test

import (
	"sync"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/identity"
	"github.com/touchpoint-sdk/touchpoint/identity/identitytest"
)

// TestRunStoreScenariosMemAndFile runs the suite on identity's own stores,
// the memory store and the file store.
func TestRunStoreScenariosMemAndFile(t *testing.T) {
	var mu sync.Mutex
	mems := map[string]*identity.MemStore{}
	n := identitytest.RunStoreScenarios(t, "../testdata/scenarios", func(t *testing.T, name string) identity.Store {
		mu.Lock()
		defer mu.Unlock()
		if mems[name] == nil {
			mems[name] = identity.NewMemStore()
		}
		return mems[name]
	})
	if n < 10 {
		t.Fatalf("%d scenarios played, want at least 10", n)
	}
	dirs := map[string]string{}
	identitytest.RunStoreScenarios(t, "../testdata/scenarios", func(t *testing.T, name string) identity.Store {
		if dirs[name] == "" {
			dirs[name] = t.TempDir()
		}
		st, err := identity.OpenFileStore(dirs[name], identity.WithoutSync())
		if err != nil {
			t.Fatal(err)
		}
		return st
	})
}
