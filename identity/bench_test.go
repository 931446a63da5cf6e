package identity_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/identity"
)

var benchSecret = []byte("benchmark-secret-0123456789")

// person returns the identifiers of synthetic person i: a web anonymous id,
// an email, a user id, an app device id.
func person(i int) []identity.Identifier {
	return []identity.Identifier{
		{Type: identity.TypeAnonymousID, Value: fmt.Sprintf("%08x-5c1e-4a7b-9f00-%012x", i, i)},
		{Type: identity.TypeEmail, Value: fmt.Sprintf("shopper%d@mail.example", i)},
		{Type: identity.TypeUserID, Value: fmt.Sprintf("user-%d", i)},
		{Type: identity.TypeDeviceID, Value: fmt.Sprintf("app-device-%d", i)},
	}
}

func eventID(i int) string {
	return fmt.Sprintf("0197a3c4-%04x-7000-8000-%012x", i>>32&0xffff, i&0xffffffffffff)
}

var benchT0 = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// BenchmarkLink measures ingest: each operation is one event of a new
// person carrying three identifiers (two links). links/s is the target
// metric (>= 200,000 on one core). Events are prepared before timing.
func BenchmarkLink(b *testing.B) {
	g, err := identity.New(benchSecret)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	obs := make([]identity.Observation, 1<<18)
	for i := range obs {
		p := person(i)
		obs[i] = identity.Observation{EventID: eventID(i), Time: benchT0.Add(time.Duration(i) * time.Second), IDs: p[:3]}
	}
	b.ReportAllocs()
	n := 0
	cpu0 := cpuSeconds()
	for b.Loop() {
		if n%len(obs) == 0 && n > 0 {
			b.StopTimer()
			g, _ = identity.New(benchSecret)
			b.StartTimer()
		}
		if _, err := g.Link(ctx, obs[n%len(obs)]); err != nil {
			b.Fatal(err)
		}
		n++
	}
	reportLinks(b, 2*n, cpu0)
}

// BenchmarkLinkMixed is a steadier stream: four events per person (web
// sign-up, app login, a repeat of the login a day later, a store visit with
// a loyalty card), in time order. Events are prepared before timing.
func BenchmarkLinkMixed(b *testing.B) {
	g, err := identity.New(benchSecret)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	const people = 1 << 17
	obs := make([]identity.Observation, 0, 4*people)
	for i := range people {
		p := person(i)
		loyalty := identity.Identifier{Type: identity.TypeLoyaltyID, Value: fmt.Sprintf("L%d", i)}
		for k, ids := range [][]identity.Identifier{{p[0], p[1], p[2]}, {p[3], p[2]}, {p[3], p[2]}, {p[1], loyalty}} {
			n := 4*i + k
			t := benchT0.Add(time.Duration(n) * time.Second)
			if k == 2 {
				t = t.Add(24 * time.Hour)
			}
			obs = append(obs, identity.Observation{EventID: eventID(n), Time: t, IDs: ids})
		}
	}
	b.ReportAllocs()
	n, links := 0, 0
	cpu0 := cpuSeconds()
	for b.Loop() {
		if n == len(obs) {
			b.StopTimer()
			g, _ = identity.New(benchSecret) // start over with an empty graph
			n = 0
			b.StartTimer()
		}
		o := obs[n]
		if _, err := g.Link(ctx, o); err != nil {
			b.Fatal(err)
		}
		links += len(o.IDs) - 1
		n++
	}
	reportLinks(b, links, cpu0)
}

// BenchmarkResolve measures Resolve on a graph of 100,000 people (400,000
// identifiers) and reports its 99th percentile latency (target <= 20 µs).
func BenchmarkResolve(b *testing.B) {
	const people = 100_000
	g := buildGraph(b, people)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	queries := make([][]identity.Identifier, 4096)
	for i := range queries {
		p := person(rng.IntN(people))
		queries[i] = []identity.Identifier{p[3], p[rng.IntN(3)]}
	}
	lat := make([]time.Duration, 0, 1<<20)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		q := queries[n&(len(queries)-1)]
		t0 := time.Now()
		res, err := g.Resolve(ctx, q, benchT0)
		d := time.Since(t0)
		if err != nil || res.ProfileID == "" {
			b.Fatal(err)
		}
		if len(lat) < cap(lat) {
			lat = append(lat, d)
		}
		n++
	}
	slices.Sort(lat)
	if len(lat) > 0 {
		b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds()), "p99-ns")
	}
}

// buildGraph links people: each a sign-up (anonymous id, email, user id)
// and an app login (device id, user id).
func buildGraph(tb testing.TB, people int) *identity.Graph {
	tb.Helper()
	g, err := identity.New(benchSecret)
	if err != nil {
		tb.Fatal(err)
	}
	ctx := context.Background()
	for i := range people {
		p := person(i)
		t := benchT0.Add(time.Duration(i) * time.Second)
		if _, err := g.Link(ctx, identity.Observation{EventID: eventID(2 * i), Time: t, IDs: p[:3]}); err != nil {
			tb.Fatal(err)
		}
		if _, err := g.Link(ctx, identity.Observation{EventID: eventID(2*i + 1), Time: t.Add(time.Hour), IDs: []identity.Identifier{p[3], p[2]}}); err != nil {
			tb.Fatal(err)
		}
	}
	return g
}

// BenchmarkMemory builds a graph of 1,000,000 identifiers (250,000 people,
// four identifiers and two facts each, UUID event ids) and reports the heap
// it holds: bytes per identifier and identifiers per GiB (target >=
// 5,000,000).
func BenchmarkMemory(b *testing.B) {
	const people = 250_000
	for b.Loop() {
		perID := measureHeap(b, people)
		b.ReportMetric(perID, "B/identifier")
		b.ReportMetric(float64(1<<30)/perID, "identifiers/GiB")
	}
}

func measureHeap(tb testing.TB, people int) float64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	g := buildGraph(tb, people)
	runtime.GC()
	runtime.ReadMemStats(&after)
	st := g.Stats()
	if st.Identifiers != 4*people {
		tb.Fatalf("identifiers = %d, want %d", st.Identifiers, 4*people)
	}
	runtime.KeepAlive(g)
	return float64(after.HeapAlloc-before.HeapAlloc) / float64(st.Identifiers)
}

// reportLinks reports identifier links per second of wall time (what the
// benchmark saw, machine load included) and per CPU-second of this process
// (the cost of the work itself; setup outside b.Loop is excluded only from
// the former, so the latter is a lower bound).
func reportLinks(b *testing.B, links int, cpu0 float64) {
	b.ReportMetric(float64(links)/b.Elapsed().Seconds(), "links/s")
	if cpu := cpuSeconds() - cpu0; cpu > 0 {
		b.ReportMetric(float64(links)/cpu, "links/cpu-s")
	}
}
