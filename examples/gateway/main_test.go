package main

import (
	"testing"

	"go.uber.org/goleak"
)

// Every test stops its gateways, brokers and clients; nothing may remain.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
