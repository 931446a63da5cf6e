package spool_test

import (
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/transport/spool"
	"github.com/touchpoint-sdk/touchpoint/transport/transporttest"
)

// The spool is store-and-forward: it accepts batches whatever the
// destination does, so only delivery, order, cancellation, Shutdown and leak
// checks apply.
func TestConformanceSpool(t *testing.T) {
	transporttest.Run(t, func(t *testing.T) transporttest.Target {
		s := &sink{}
		sp, err := spool.Open(t.TempDir(), s, spool.WithDrainBackoff(time.Millisecond, 5*time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		return transporttest.Target{Sender: sp, Received: s.ids}
	})
}
