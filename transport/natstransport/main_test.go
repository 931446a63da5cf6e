package natstransport_test

import (
	"testing"

	"go.uber.org/goleak"
)

// Every test shuts its embedded server and connections down; nothing may
// remain.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
