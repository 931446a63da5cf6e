package identity_test

import (
	"context"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/identity"
)

// BenchmarkLinkAfterErasures measures ingest on a graph holding the
// tombstones of 1,000 erased people (every event is checked against
// them): each operation is one event of a new person with three
// identifiers.
func BenchmarkLinkAfterErasures(b *testing.B) {
	g, err := identity.New(benchSecret)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for i := range 1000 {
		p := person(1<<20 + i)
		if _, err := g.Link(ctx, identity.Observation{EventID: eventID(1<<20 + i), Time: benchT0, IDs: p[:3]}); err != nil {
			b.Fatal(err)
		}
		if _, err := g.Erase(ctx, p[1], benchT0.Add(time.Hour)); err != nil {
			b.Fatal(err)
		}
	}
	obs := make([]identity.Observation, 1<<16)
	for i := range obs {
		p := person(i)
		obs[i] = identity.Observation{EventID: eventID(i), Time: benchT0.Add(time.Duration(i) * time.Second), IDs: p[:3]}
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		if _, err := g.Link(ctx, obs[n%len(obs)]); err != nil {
			b.Fatal(err)
		}
		n++
	}
}
