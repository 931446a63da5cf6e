package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
	"github.com/touchpoint-sdk/touchpoint/fleet"
	"github.com/touchpoint-sdk/touchpoint/identity"
	"github.com/twmb/franz-go/pkg/kgo"
)

// linkRecords makes n identity-link facts as gateways emit them (4 per
// loyalty card, each with a new anonymous id), as control-topic records.
func linkRecords(b *testing.B, secret []byte, run string, n int) []*kgo.Record {
	g, err := identity.New(secret)
	if err != nil {
		b.Fatal(err)
	}
	defer g.Shutdown(context.Background())
	out := make([]*kgo.Record, 0, n)
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; len(out) < n; i++ {
		res, err := g.Link(context.Background(), identity.Observation{EventID: fmt.Sprintf("%s-ev-%d", run, i), Time: t0.Add(time.Duration(i) * time.Millisecond),
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
		v, err := fleet.Encode(m)
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, &kgo.Record{Topic: topicControl, Value: v})
	}
	return out
}

func benchLinkFacts(b *testing.B, pg bool) {
	e := newEnv(b, pg)
	ctx := context.Background()
	in, err := NewInstance(Config{Brokers: e.brokers, Group: "g", Control: topicControl, Data: topicData, Out: topicOut,
		Store: e.store, OpenGraph: e.open, Batch: e.batch})
	if err != nil {
		b.Fatal(err)
	}
	in.gain(ctx)
	defer in.lose()
	recs := linkRecords(b, e.secret, e.run, b.N)
	const poll = 1000
	var pool *pgxpool.Pool
	if ps, ok := e.store.(*pgStore); ok {
		pool = ps.pool
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0, srv0 := processCPU(), serverCPU(ctx, pool, nil)
	start := time.Now()
	for i := 0; i < len(recs); i += poll {
		if err := in.process(ctx, nil, recs[i:min(i+poll, len(recs))]); err != nil {
			b.Fatal(err)
		}
	}
	if err := in.settle(); err != nil { // the last poll commits in the background
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "facts/s")
	b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
	if srv := serverCPU(ctx, pool, srv0); srv != nil {
		var sum time.Duration
		for _, d := range srv {
			sum += d
		}
		b.ReportMetric(float64(sum)/float64(b.N), "pg-cpu-ns/op")
	}
}

// processCPU returns this process's CPU time (user and system).
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// serverCPU returns the CPU time of the PostgreSQL backends behind the
// pool's idle connections, read from /proc (a server on this machine),
// minus what since holds for each backend; nil when it cannot tell (no
// pool, or a server elsewhere). Clock ticks are taken as 1/100 s.
func serverCPU(ctx context.Context, pool *pgxpool.Pool, since map[uint32]time.Duration) map[uint32]time.Duration {
	if pool == nil {
		return nil
	}
	out := map[uint32]time.Duration{}
	for _, c := range pool.AcquireAllIdle(ctx) {
		pid := c.Conn().PgConn().PID()
		c.Release()
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return nil
		}
		f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		if len(f) < 13 {
			return nil
		}
		ut, err1 := strconv.ParseInt(f[11], 10, 64)
		st, err2 := strconv.ParseInt(f[12], 10, 64)
		if err1 != nil || err2 != nil {
			return nil
		}
		out[pid] = time.Duration(ut+st)*10*time.Millisecond - since[pid]
	}
	return out
}

// BenchmarkLinkFacts: identity-link facts applied per second by one hub
// instance, in polls of 1,000 (decode, dedupe, graph, link record, mark).
func BenchmarkLinkFactsMemory(b *testing.B)     { benchLinkFacts(b, false) }
func BenchmarkLinkFactsPostgreSQL(b *testing.B) { benchLinkFacts(b, true) }

// BenchmarkConsentPropagation: the latency from a consent change produced
// at store A's gateway to store B's follower deciding by it, through Kafka
// (kfake) or NATS JetStream (embedded) and two hub instances, under a
// background load of touchpoints (ratePerSec). Reports p50 and p99 (goal
// p99 ≤ 2 s).
func BenchmarkConsentPropagationMemory(b *testing.B)         { benchPropagation(b, false, false) }
func BenchmarkConsentPropagationPostgreSQL(b *testing.B)     { benchPropagation(b, true, false) }
func BenchmarkConsentPropagationNATSMemory(b *testing.B)     { benchPropagation(b, false, true) }
func BenchmarkConsentPropagationNATSPostgreSQL(b *testing.B) { benchPropagation(b, true, true) }

const ratePerSec = 2000

func benchPropagation(b *testing.B, pg, onNATS bool) {
	e := newEnvOn(b, pg, onNATS)
	ga, gb := e.gateway("store-a"), e.gateway("store-b")
	e.startHub("hub-1", nil)
	e.startHub("hub-2", nil)
	// background load
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		n := 0
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			recs := make([]*kgo.Record, 0, ratePerSec/100)
			for i := 0; i < ratePerSec/100; i++ {
				n++
				k := identity.Key{byte(n), byte(n >> 8), byte(n >> 16), 1}
				tp := fleet.Touchpoint{Subject: []identity.Ref{{Type: identity.TypeAnonymousID, Key: k}}, Type: "track", Event: "Zone Dwelled", Store: "store-a"}
				v, _ := fleet.Encode(fleet.NewTouchpointMessage(fmt.Sprintf("%s-load-%d", e.run, n), time.Now(), tp, "store-a"))
				recs = append(recs, &kgo.Record{Topic: topicData, Key: k[:], Value: v})
			}
			ga.load(ctx, recs)
		}
	}()
	defer func() { cancel(); wg.Wait() }()
	card := ga.see(time.Now(), "Zone Entered", identity.Identifier{Type: identity.TypeLoyaltyID, Value: "L-bench-" + e.run})[:1]
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		granted := i%2 == 0
		when := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute)
		start := time.Now()
		ga.consent(fmt.Sprintf("%s-rec-%d", e.run, i), when, granted, card...)
		deadline := start.Add(30 * time.Second)
		for gb.fol.Decide(consent.PurposeMarketing, when, card...).Allowed != granted {
			if time.Now().After(deadline) {
				b.Fatalf("change %d never reached store B", i)
			}
			time.Sleep(time.Millisecond)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[(len(lat)*99)/100].Microseconds())/1000, "p99-ms")
}

// BenchmarkExportPostgreSQL: the export of one profile with 10,000
// touchpoints from PostgreSQL (goal ≤ 100 ms).
func BenchmarkExportPostgreSQL(b *testing.B) {
	e := newEnv(b, true)
	ctx := context.Background()
	g, err := e.open(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer g.Shutdown(ctx)
	h, err := fleet.NewHub(e.store, fleet.WithGraph(g))
	if err != nil {
		b.Fatal(err)
	}
	card := identity.Identifier{Type: identity.TypeLoyaltyID, Value: "L-export-" + e.run}
	ref, _ := g.Key(card)
	lm, _ := fleet.NewLinkMessage(identity.LinkFact{EventID: e.run + "-link", Time: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), IDs: []identity.Ref{ref}}, "gw")
	if _, err := h.ApplyMessage(ctx, lm); err != nil {
		b.Fatal(err)
	}
	bs := &batchStore{pgStore: e.store.(*pgStore)}
	hb, _ := fleet.NewHub(bs)
	var msgs []fleet.Message
	for i := 0; i < 10000; i++ {
		tp := fleet.Touchpoint{Subject: []identity.Ref{ref}, Type: "track", Event: "Zone Entered", Channel: "store", Store: fmt.Sprintf("store-%d", i%2), Zone: "shoes"}
		msgs = append(msgs, fleet.NewTouchpointMessage(fmt.Sprintf("%s-ev-%d", e.run, i), time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC).Add(time.Duration(i)*time.Second), tp, "gw"))
	}
	if err := bs.begin(ctx, msgs); err != nil {
		b.Fatal(err)
	}
	for _, m := range msgs {
		if _, err := hb.ApplyMessage(ctx, m); err != nil {
			b.Fatal(err)
		}
	}
	pb := &pgx.Batch{}
	queue(pb, bs.take())
	if err := bs.send(ctx, pb); err != nil {
		b.Fatal(err)
	}
	bs.end()
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
