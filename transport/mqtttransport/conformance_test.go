package mqtttransport_test

import (
	"bytes"
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/listeners"
	"github.com/mochi-mqtt/server/v2/packets"

	"github.com/touchpoint-sdk/touchpoint/transport/mqtttransport"
	"github.com/touchpoint-sdk/touchpoint/transport/transporttest"
)

// modeHook answers publishes by mode: quota exceeded (0x97, retryable) when
// down, not authorized (0x87, permanent) when rejecting, and no PUBACK at
// all while hanging.
type modeHook struct {
	mqtt.HookBase
	mu      sync.Mutex
	mode    transporttest.Mode
	changed chan struct{} // closed and replaced at every mode change
}

func (h *modeHook) ID() string { return "mode" }
func (h *modeHook) Provides(b byte) bool {
	return bytes.Contains([]byte{mqtt.OnConnectAuthenticate, mqtt.OnACLCheck, mqtt.OnPublish}, []byte{b})
}
func (h *modeHook) OnConnectAuthenticate(*mqtt.Client, packets.Packet) bool { return true }
func (h *modeHook) OnACLCheck(*mqtt.Client, string, bool) bool              { return true }

func (h *modeHook) set(m transporttest.Mode) {
	h.mu.Lock()
	h.mode = m
	close(h.changed)
	h.changed = make(chan struct{})
	h.mu.Unlock()
}

func (h *modeHook) OnPublish(_ *mqtt.Client, pk packets.Packet) (packets.Packet, error) {
	h.mu.Lock()
	m, changed := h.mode, h.changed
	h.mu.Unlock()
	switch m {
	case transporttest.Down:
		return pk, packets.ErrQuotaExceeded
	case transporttest.Reject:
		return pk, packets.ErrNotAuthorized
	case transporttest.Hang:
		<-changed // released by the next mode change; the message is dropped
		return pk, packets.ErrRejectPacket
	}
	return pk, nil
}

// The Sender against the mochi broker, with a Source subscribed to "#"
// recording the id user property in arrival order. The Sender runs with
// WithMaxInFlight(1): the suite expects the batch order across partition
// keys, which concurrent keys (the default) do not keep.
func TestConformance(t *testing.T) {
	transporttest.Run(t, func(t *testing.T) transporttest.Target {
		hook := &modeHook{changed: make(chan struct{})}
		srv := mqtt.New(&mqtt.Options{Logger: slog.New(slog.DiscardHandler)})
		if err := srv.AddHook(hook, nil); err != nil {
			t.Fatal(err)
		}
		tcp := listeners.NewTCP(listeners.Config{ID: "tcp", Address: "127.0.0.1:0"})
		if err := srv.AddListener(tcp); err != nil {
			t.Fatal(err)
		}
		if err := srv.Serve(); err != nil {
			t.Fatal(err)
		}
		server := "mqtt://" + tcp.Address()
		var mu sync.Mutex
		var ids []string
		src, err := mqtttransport.NewSource(ctxT(t), server, []string{"#"}, func(_ context.Context, m mqtttransport.Message) error {
			mu.Lock()
			ids = append(ids, m.UserProperties.Get("id"))
			mu.Unlock()
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		s, err := mqtttransport.New(ctxT(t), server, mqtttransport.DefaultTopic, ce, mqtttransport.WithMaxInFlight(1))
		if err != nil {
			t.Fatal(err)
		}
		return transporttest.Target{
			Sender: s,
			Received: func() []string {
				mu.Lock()
				defer mu.Unlock()
				return append([]string(nil), ids...)
			},
			SetMode: func(m transporttest.Mode) bool { hook.set(m); return true },
			Close: func() {
				// Release a publish hook still parked by Hang first: the
				// broker's Close would otherwise wait on it forever.
				hook.set(transporttest.Up)
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				if err := src.Shutdown(ctx); err != nil {
					t.Errorf("Source.Shutdown: %v", err)
				}
				closeBroker(srv)
			},
		}
	})
}
