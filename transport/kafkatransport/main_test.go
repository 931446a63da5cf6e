package kafkatransport_test

import (
	"testing"

	"go.uber.org/goleak"
)

// Every test shuts its kfake cluster and clients down; nothing may remain.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
