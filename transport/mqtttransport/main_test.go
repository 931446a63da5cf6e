package mqtttransport_test

import (
	"testing"

	"go.uber.org/goleak"
)

// Every test disconnects its clients and closes its mochi broker; nothing
// may remain.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
