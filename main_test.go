package touchpoint_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks that no test leaves a goroutine behind: Shutdown stops
// everything the Client started.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
