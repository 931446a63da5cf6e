package activation

import (
	"context"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/activation/defs"
	"github.com/touchpoint-sdk/touchpoint/connected"
)

// benchSet: 10 computed traits, 50 audiences and 20 journeys over 20 event
// names (the evaluation target).
func benchSet() *defs.Set {
	s := &defs.Set{Version: 1}
	ev := func(i int) string { return "Event " + strconv.Itoa(i%20) }
	day := defs.Duration(24 * time.Hour)
	kinds := []string{defs.KindCount, defs.KindSum, defs.KindMax, defs.KindLast, defs.KindUniqueCount,
		defs.KindCount, defs.KindAvg, defs.KindMin, defs.KindFirst, defs.KindSinceLast}
	for i := range 10 {
		t := defs.Trait{Key: "t" + strconv.Itoa(i), Kind: kinds[i], Event: ev(i), Within: 7 * day, Purpose: "marketing"}
		if kinds[i] != defs.KindCount && kinds[i] != defs.KindSinceLast {
			t.Property = "properties.value"
		}
		s.Traits = append(s.Traits, t)
	}
	for i := range 50 {
		a := defs.Audience{Key: "a" + strconv.Itoa(i)}
		switch i % 3 {
		case 0:
			a.Where = defs.Cond{Event: &defs.EventCond{Event: ev(i), Within: 7 * day, Count: &defs.Compare{Op: "gte", Value: 2}}}
		case 1:
			a.Where = defs.Cond{All: []defs.Cond{
				{Event: &defs.EventCond{Event: ev(i), Where: []defs.Predicate{{Path: "properties.kind", Op: "eq", Value: "b"}}, Within: day}},
				{Trait: &defs.TraitCond{Key: "t" + strconv.Itoa(i%10), Op: "exists"}}}}
		case 2:
			a.Where = defs.Cond{Any: []defs.Cond{
				{Event: &defs.EventCond{Event: ev(i), Within: 3 * day, Aggregate: &defs.Aggregate{Kind: "sum", Property: "properties.value", Op: "gte", Value: 150}}},
				{Not: &defs.Cond{Event: &defs.EventCond{Event: ev(i + 1), Within: day}}}}}
		}
		s.Audiences = append(s.Audiences, a)
	}
	for i := range 20 {
		j := defs.Journey{Key: "j" + strconv.Itoa(i), Trigger: defs.Filter{Event: ev(i), Where: []defs.Predicate{{Path: "properties.kind", Op: "eq", Value: "a"}}},
			Action: defs.Action{Emit: "Action " + strconv.Itoa(i)}, Cap: &defs.Cap{Max: 3, Per: day},
			Reentry: &defs.Reentry{Mode: defs.ReentryAfter, After: defs.Duration(time.Hour)}, Holdout: 10}
		if i%2 == 0 {
			j.When = &defs.Cond{Audience: "a" + strconv.Itoa(i)}
		}
		if i%4 == 1 {
			j.Related = &defs.Related{Event: ev(i + 3), Within: 7 * day}
		}
		s.Journeys = append(s.Journeys, j)
	}
	return s
}

type benchGen struct {
	rng      *rand.Rand
	profiles []string
	events   []connected.Event
	ids      []string // message ids, made before the timed loop
	n        int
	t        time.Time
}

func newBenchGen(profiles int) *benchGen {
	g := &benchGen{rng: rand.New(rand.NewPCG(1, 2)), t: t0}
	for i := range profiles {
		g.profiles = append(g.profiles, "p_"+strconv.Itoa(i))
	}
	for i := range 20 {
		for _, k := range []string{"a", "b", "c"} {
			g.events = append(g.events, connected.Event{Type: connected.TypeTrack, Event: "Event " + strconv.Itoa(i),
				Properties: connected.Properties{"kind": k, "value": float64(i * 10)}})
		}
	}
	g.ids = make([]string, 1<<20)
	for i := range g.ids {
		g.ids[i] = "m" + strconv.Itoa(i)
	}
	return g
}

// next returns an input: the next millisecond, a random profile and event.
// Message ids repeat every 2^20 inputs, at other times (a fact is keyed by
// time and id).
func (g *benchGen) next() Input {
	g.t = g.t.Add(time.Millisecond)
	g.n++
	return Input{Profile: g.profiles[g.rng.IntN(len(g.profiles))], MessageID: g.ids[g.n&(len(g.ids)-1)], Time: g.t,
		Event: &g.events[g.rng.IntN(len(g.events))], Purposes: 1 << 2}
}

// warmEngine is an engine over benchSet with profiles profiles, each
// warmed with perProfile events: the state every benchmark starts from.
func warmEngine(tb testing.TB, profiles, perProfile int) (*Engine, *benchGen) {
	e, err := New(benchSet(), WithLateness(time.Second))
	if err != nil {
		tb.Fatal(err)
	}
	g := newBenchGen(profiles)
	warm(tb, e, g, perProfile)
	return e, g
}

func warm(b testing.TB, e *Engine, g *benchGen, perProfile int) {
	ctx := context.Background()
	var out []Output
	for range perProfile * len(g.profiles) {
		var err error
		out, err = e.Process(ctx, g.next(), out[:0])
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEvaluate: events per second on one core, 100,000 profiles, 50
// audiences, 20 journeys, 10 computed traits; each profile warmed with 10
// events first. Run it pinned (taskset -c 1) with -benchmem.
func BenchmarkEvaluate(b *testing.B) {
	e, g := warmEngine(b, 100_000, 10)
	var err error
	ctx := context.Background()
	var out []Output
	outputs := 0
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuSeconds()
	for range b.N {
		out, err = e.Process(ctx, g.next(), out[:0])
		if err != nil {
			b.Fatal(err)
		}
		outputs += len(out)
	}
	reportEvents(b, cpu, outputs)
}

// reportEvents reports events per second of wall time and of CPU time (the
// process's, since cpu), and outputs per event.
func reportEvents(b *testing.B, cpu float64, outputs int) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	if c := cpuSeconds() - cpu; c > 0 {
		b.ReportMetric(float64(b.N)/c, "events/cpu-s")
	}
	b.ReportMetric(float64(outputs)/float64(b.N), "outputs/event")
}

// BenchmarkDecisionLatency reports the p50 and p99 of one Process call.
func BenchmarkDecisionLatency(b *testing.B) {
	e, g := warmEngine(b, 100_000, 10)
	var err error
	ctx := context.Background()
	lat := make([]time.Duration, 0, b.N)
	var out []Output
	b.ResetTimer()
	for range b.N {
		in := g.next()
		start := time.Now()
		out, err = e.Process(ctx, in, out[:0])
		lat = append(lat, time.Since(start))
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds())/1000, "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds())/1000, "p99-µs")
}

// BenchmarkStatePerProfile reports the heap held per profile after 10
// events each (10 computed traits defined).
func BenchmarkStatePerProfile(b *testing.B) {
	for range b.N {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		e, err := New(benchSet(), WithLateness(time.Second))
		if err != nil {
			b.Fatal(err)
		}
		g := newBenchGen(100_000)
		warm(b, e, g, 10)
		g = nil
		runtime.GC()
		runtime.ReadMemStats(&after)
		st := e.Stats()
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(st.Profiles), "B/profile")
		b.ReportMetric(float64(st.Facts)/float64(st.Profiles), "facts/profile")
		runtime.KeepAlive(e)
	}
}

// BenchmarkRecovery: reopening a file store holding the state of
// ACTIVATION_RECOVERY_PROFILES profiles (default 100,000; the issue's
// target is 1,000,000), 10 events each, compacted into a snapshot.
func BenchmarkRecovery(b *testing.B) {
	n := 100_000
	if s := os.Getenv("ACTIVATION_RECOVERY_PROFILES"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			b.Fatal(err)
		}
	}
	dir := b.TempDir()
	st, err := OpenFileStore(dir, WithoutSync())
	if err != nil {
		b.Fatal(err)
	}
	e, err := New(benchSet(), WithLateness(time.Second), WithStore(st), WithCompactEvery(0))
	if err != nil {
		b.Fatal(err)
	}
	g := newBenchGen(n)
	ctx := context.Background()
	var out []Output
	for range 10 * n {
		in := g.next()
		e.mu.Lock() // build the state without a write-ahead per event
		e.apply(func() *rec { r := e.reduce(&in); return &r }(), out[:0])
		e.wal = e.wal[:0]
		e.mu.Unlock()
	}
	if err := e.Compact(ctx); err != nil {
		b.Fatal(err)
	}
	want := e.Stats()
	e.Close()
	b.ResetTimer()
	for range b.N {
		st, err := OpenFileStore(dir, WithoutSync())
		if err != nil {
			b.Fatal(err)
		}
		e2, err := New(benchSet(), WithLateness(time.Second), WithStore(st))
		if err != nil {
			b.Fatal(err)
		}
		got := e2.Stats()
		if got.Profiles != want.Profiles || got.Facts != want.Facts {
			b.Fatalf("reopened %d profiles %d facts, want %d %d", got.Profiles, got.Facts, want.Profiles, want.Facts)
		}
		e2.Close()
	}
	b.ReportMetric(float64(n), "profiles")
}
