package natstransport_test

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/touchpoint-sdk/touchpoint/transport/natstransport"
	"github.com/touchpoint-sdk/touchpoint/transport/transporttest"
)

// The Sender against an embedded nats-server. Modes reconfigure the stream:
// down moves its subjects away (no stream answers: retryable), reject sets
// a 16-byte message limit (a 400 API error: permanent), hang turns
// acknowledgements off. Received reads the stream in sequence order.
func TestConformance(t *testing.T) {
	transporttest.Run(t, func(t *testing.T) transporttest.Target {
		ns := launch(t)        // Close shuts it down: the suite counts goroutines after Close
		t.Cleanup(ns.Shutdown) // in case the test stops early; idempotent
		s, err := natstransport.New(ctxT(t), ns.ClientURL(), natstransport.DefaultSubject, ce, natstransport.WithStream(stream))
		if err != nil {
			t.Fatal(err)
		}
		admin, err := nats.Connect(ns.ClientURL())
		if err != nil {
			t.Fatal(err)
		}
		js, err := jetstream.New(admin)
		if err != nil {
			t.Fatal(err)
		}
		setMode := func(m transporttest.Mode) bool {
			cfg := stream
			switch m {
			case transporttest.Down:
				cfg.Subjects = []string{"elsewhere.>"}
			case transporttest.Reject:
				cfg.MaxMsgSize = 16
			case transporttest.Hang:
				cfg.NoAck = true
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if _, err := js.UpdateStream(ctx, cfg); err != nil {
				t.Errorf("set mode %v: %v", m, err)
				return false
			}
			return true
		}
		received := func() []string {
			var ids []string
			for _, m := range stored(t, ns, stream.Name) {
				ids = append(ids, m.Header.Get("ce-id"))
			}
			return ids
		}
		closeAll := func() {
			admin.Close()
			ns.Shutdown()
			ns.WaitForShutdown()
		}
		return transporttest.Target{Sender: s, Received: received, SetMode: setMode, Close: closeAll}
	})
}
