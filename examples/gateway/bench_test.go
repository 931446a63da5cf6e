package main

import (
	"context"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/transport/mqtttransport"
)

// benchHandle feeds one sample per iteration, 100 ms apart (beyond the
// tracker's dedup window), through decode, tracker or session, identity,
// consent and the batcher.
func benchHandle(b *testing.B, s sample) {
	g, _ := unconnectedGateway(b)
	ctx := context.Background()
	t0 := time.Now()
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		m := mqtttransport.Message{Topic: s.Topic, Payload: s.Payload, Received: t0.Add(time.Duration(i) * 100 * time.Millisecond)}
		if err := g.handle(ctx, m); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkHandleOpenMQTTGateway(b *testing.B) { benchHandle(b, tagSample(b)[0]) }

func BenchmarkHandleESPresense(b *testing.B) { benchHandle(b, loadSamples(b, "espresense")[0]) }

// A heart-rate notification without a timestamp (the receive time is
// used, so the session sees time pass).
func BenchmarkHandleGATT(b *testing.B) {
	benchHandle(b, sample{Topic: "touchpoint/gatt/strap-8e2a1f", Payload: []byte(`{"uuid":"2a37","value":"0678"}`)})
}
