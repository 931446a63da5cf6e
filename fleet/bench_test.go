package fleet_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/fleet"
	"github.com/touchpoint-sdk/touchpoint/identity"
)

// linkPayloads makes n identity-link facts as gateways emit them: each
// customer's loyalty card seen with a new anonymous id, 4 facts per card.
func linkPayloads(b *testing.B, n int) [][]byte {
	g, err := identity.New(secret)
	if err != nil {
		b.Fatal(err)
	}
	defer g.Shutdown(context.Background())
	out := make([][]byte, 0, n)
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; len(out) < n; i++ {
		res, err := g.Link(context.Background(), identity.Observation{EventID: fmt.Sprintf("ev-%d", i), Time: t0.Add(time.Duration(i) * time.Millisecond),
			IDs: []identity.Identifier{{Type: identity.TypeLoyaltyID, Value: fmt.Sprintf("L-%d", i/4)}, {Type: identity.TypeAnonymousID, Value: fmt.Sprintf("a-%d", i)}}})
		if err != nil {
			b.Fatal(err)
		}
		if res.Fact == nil {
			continue
		}
		m, err := fleet.NewLinkMessage(*res.Fact, "store-1/gw-1")
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, enc(b, m))
	}
	return out
}

// BenchmarkHubLinkFacts: identity-link facts applied per second by one hub
// (decode, dedupe, graph, store, mark) on memory stores.
func BenchmarkHubLinkFacts(b *testing.B) {
	payloads := linkPayloads(b, b.N)
	h, _, _ := newHub(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if _, err := h.Apply(ctx, payloads[i]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "facts/s")
}

// BenchmarkExport: the export of one profile with 10,000 touchpoints
// (target: ≤ 100 ms).
func BenchmarkExport(b *testing.B) {
	h, g, _ := newHub(b)
	ctx := context.Background()
	card := id(identity.TypeLoyaltyID, "L-1")
	ref, _ := g.Key(card)
	lf := identity.LinkFact{EventID: "link-1", Time: at(1, 1), IDs: []identity.Ref{ref}}
	lm, _ := fleet.NewLinkMessage(lf, "store-1/gw-1")
	if _, err := h.ApplyMessage(ctx, lm); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < 10000; i++ {
		tp := fleet.Touchpoint{Subject: []identity.Ref{ref}, Type: "track", Event: "Zone Entered", Channel: "store", Store: fmt.Sprintf("store-%d", i%2), Zone: "shoes"}
		if _, err := h.ApplyMessage(ctx, fleet.NewTouchpointMessage(fmt.Sprintf("ev-%d", i), at(1, 2).Add(time.Duration(i)*time.Second), tp, "gw")); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ex, err := h.Export(ctx, card)
		if err != nil {
			b.Fatal(err)
		}
		if len(ex.Touchpoints) != 10000 {
			b.Fatalf("%d touchpoints", len(ex.Touchpoints))
		}
		if _, err := ex.JSON(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecode: one touchpoint (what Export reads 10,000 of) and one
// identity-link fact (what the hub reads per fact).
func BenchmarkDecode(b *testing.B) {
	tp := fleet.Touchpoint{Subject: []identity.Ref{{Type: identity.TypeLoyaltyID, Key: identity.Key{1, 2, 3}}}, Type: "track", Event: "Zone Entered", Channel: "store", Store: "store-1", Zone: "shoes"}
	for _, c := range []struct {
		name    string
		payload []byte
	}{
		{"touchpoint", enc(b, fleet.NewTouchpointMessage("ev-1", at(1, 2), tp, "gw"))},
		{"link", linkPayloads(b, 1)[0]},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := fleet.Decode(c.payload); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
