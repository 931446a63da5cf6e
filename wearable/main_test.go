package wearable_test

import (
	"testing"

	"go.uber.org/goleak"
)

// The package starts no goroutines; the check guards the tests that drive
// connected.Client and the consent router.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
