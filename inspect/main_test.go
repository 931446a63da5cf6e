package inspect_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any goroutine is left running:
// streams end with their requests and Shutdown stops the sampler.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
