package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
	"github.com/touchpoint-sdk/touchpoint/fleet"
	"github.com/touchpoint-sdk/touchpoint/identity"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const (
	topicControl = "fleet.control"
	topicData    = "fleet.data"
	topicOut     = "fleet.out"
)

// env is one test fleet: a Kafka cluster (kfake), a database (memory or
// PostgreSQL), and a run id that keeps ids and keys of runs apart in a
// shared database.
type env struct {
	t       testing.TB
	nats    bool     // the fleet runs on embedded NATS JetStream, not kfake
	brokers []string // Kafka brokers, or the NATS server URL
	run     string
	secret  []byte
	pgURL   string
	graph   string // pgstore identity store name
	store   fleet.Store
	open    func(context.Context) (*identity.Graph, error)
	batch   BatchFunc
}

func newEnv(t testing.TB, pg bool) *env { return newEnvOn(t, pg, false) }

// newEnvOn is newEnv on Kafka (kfake), or on embedded NATS JetStream.
func newEnvOn(t testing.TB, pg, onNATS bool) *env {
	t.Helper()
	var rnd [8]byte
	rand.Read(rnd[:])
	e := &env{t: t, nats: onNATS, run: hex.EncodeToString(rnd[:]), graph: "fleet-" + hex.EncodeToString(rnd[:])}
	var err error
	if onNATS {
		e.brokers = []string{startNATS(t)}
	} else {
		c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, topicControl, topicOut), kfake.SeedTopics(4, topicData))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(c.Close)
		e.brokers = c.ListenAddrs()
	}
	e.secret = []byte("fleet-secret-" + e.run)
	var pool *pgxpool.Pool
	if pg {
		e.pgURL = os.Getenv("TOUCHPOINT_POSTGRES_URL")
		if e.pgURL == "" {
			t.Skip("no PostgreSQL: set TOUCHPOINT_POSTGRES_URL (CI starts one with .ci/postgres.sh); the memory variant ran")
		}
		pool = e.pool()
	}
	e.store, e.open, e.batch, err = Stores(context.Background(), pool, e.secret, []byte("seal-key-0123456789abcdef"), e.graph)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// pool returns a new pool (one per simulated process).
func (e *env) pool() *pgxpool.Pool {
	p, err := pgxpool.New(context.Background(), e.pgURL)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(p.Close)
	return p
}

// hubProcess is what the tests use of Instance and NATSInstance.
type hubProcess interface {
	Run(ctx context.Context) error
	Stats() (applied, duplicates, published uint64)
	Export(ctx context.Context, id identity.Identifier, also ...identity.Identifier) (*fleet.Export, error)
	Erase(ctx context.Context, id identity.Identifier, requestID string, at time.Time) (*fleet.Erasure, error)
}

// instance is a running hub instance.
type instance struct {
	hubProcess
	cancel context.CancelFunc
	done   chan error
	data   atomic.Int32 // data partitions assigned to it so far (cumulative)
	ctl    atomic.Int32 // times it gained the control partition (or lease)
}

func (h *instance) onAssigned(got map[string][]int32) {
	h.data.Add(int32(len(got[topicData])))
	h.ctl.Add(int32(len(got[topicControl])))
}

func (e *env) startHub(name string, crash func() bool) *instance {
	e.t.Helper()
	h := &instance{}
	st, open, batch := e.store, e.open, e.batch
	if e.pgURL != "" { // a process of its own: its own pool and stores
		var err error
		st, open, batch, err = Stores(context.Background(), e.pool(), e.secret, []byte("seal-key-0123456789abcdef"), e.graph)
		if err != nil {
			e.t.Fatal(err)
		}
	}
	cfg := Config{Brokers: e.brokers, Group: "hub-" + e.run, Control: topicControl, Data: topicData, Out: topicOut,
		Store: st, OpenGraph: open, Batch: batch, MaxPoll: 50, crash: crash, assigned: h.onAssigned,
		Controller: fleet.Controller{Name: "Acme Stores Ltd", Contact: "privacy@acme.example", Retention: "proof of consent: 6 years after it ends"},
		Logf:       func(f string, a ...any) { e.t.Logf(name+": "+f, a...) }}
	var in hubProcess
	var err error
	if e.nats {
		in, err = NewNATSInstance(natsConfig(cfg))
	} else {
		in, err = NewInstance(cfg)
	}
	if err != nil {
		e.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h.hubProcess, h.cancel, h.done = in, cancel, make(chan error, 1)
	go func() { h.done <- in.Run(ctx) }()
	e.t.Cleanup(func() { h.stop() })
	return h
}

func (h *instance) stop() error {
	h.cancel()
	err := <-h.done
	h.done <- err
	return err
}

// gateway is one store's pipeline: identity graph, consent ledger,
// follower of the hub's topic, and a producer.
type gateway struct {
	t      testing.TB
	name   string
	run    string // unique per test run: ids never meet a shared database's earlier runs
	graph  *identity.Graph
	ledger *consent.Ledger
	fol    *fleet.Follower
	cl     *kgo.Client // on Kafka
	js     *natsLink   // on NATS
	n      int
	sent   []string // message ids sent
	mu     sync.Mutex
	wg     sync.WaitGroup
}

// gateway returns a store's pipeline whose follower applies the hub's
// tombstones to its identity graph too (fleet.WithFollowerGraph).
func (e *env) gateway(name string) *gateway {
	e.t.Helper()
	return e.newGateway(name, true)
}

// backupGateway returns a store's pipeline restored from an old backup:
// its follower leaves its graph alone (so it can send a replay of what it
// knew before the erasure; a real one would apply the tombstone as well).
func (e *env) backupGateway(name string) *gateway {
	e.t.Helper()
	return e.newGateway(name, false)
}

func (e *env) newGateway(name string, followGraph bool) *gateway {
	e.t.Helper()
	g, err := identity.New(e.secret)
	if err != nil {
		e.t.Fatal(err)
	}
	l, err := consent.NewLedger()
	if err != nil {
		e.t.Fatal(err)
	}
	var opts []fleet.FollowerOption
	if followGraph {
		opts = append(opts, fleet.WithFollowerGraph(g))
	}
	f, err := fleet.NewFollower(l, opts...)
	if err != nil {
		e.t.Fatal(err)
	}
	gw := &gateway{t: e.t, name: name, run: e.run, graph: g, ledger: l, fol: f}
	if e.nats {
		gw.js = e.natsGateway(gw)
		e.t.Cleanup(func() { gw.js.close(); g.Shutdown(context.Background()); l.Shutdown(context.Background()) })
		return gw
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(e.brokers...), kgo.ConsumeTopics(topicOut), kgo.FetchMaxWait(50*time.Millisecond),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		e.t.Fatal(err)
	}
	gw.cl = cl
	gw.wg.Add(1)
	go gw.follow()
	e.t.Cleanup(func() { cl.Close(); gw.wg.Wait(); g.Shutdown(context.Background()); l.Shutdown(context.Background()) })
	return gw
}

// follow applies what the hub publishes until the client closes.
func (g *gateway) follow() {
	defer g.wg.Done()
	for {
		fs := g.cl.PollFetches(context.Background())
		if fs.IsClientClosed() {
			return
		}
		fs.EachRecord(func(r *kgo.Record) {
			if err := g.fol.Apply(context.Background(), r.Value); err != nil {
				g.t.Errorf("%s follower: %v", g.name, err)
			}
		})
	}
}

func (g *gateway) send(topic string, key []byte, m fleet.Message) {
	g.t.Helper()
	b, err := fleet.Encode(m)
	if err != nil {
		g.t.Fatal(err)
	}
	if g.js != nil {
		err = g.js.send(topic, m.ID, b)
	} else {
		err = g.cl.ProduceSync(context.Background(), &kgo.Record{Topic: topic, Key: key, Value: b}).FirstErr()
	}
	if err != nil {
		g.t.Fatal(err)
	}
	g.mu.Lock()
	g.sent = append(g.sent, m.ID)
	g.mu.Unlock()
}

// load sends background records (benchmarks) in one go: one produce on
// Kafka, asynchronous publishes on NATS; errors are ignored (load only).
func (g *gateway) load(ctx context.Context, recs []*kgo.Record) {
	if g.js == nil {
		g.cl.ProduceSync(ctx, recs...)
		return
	}
	for _, r := range recs {
		g.js.js.PublishAsync(r.Topic, r.Value)
	}
	select {
	case <-g.js.js.PublishAsyncComplete():
	case <-ctx.Done():
	}
}

// see links ids at the gateway and sends the link fact (if the graph
// changed) and the touchpoint. It returns the identifiers' refs.
func (g *gateway) see(when time.Time, event string, ids ...identity.Identifier) []identity.Ref {
	g.t.Helper()
	g.n++
	ev := fmt.Sprintf("%s-%s-ev-%d-%d", g.run, g.name, g.n, when.UnixNano())
	res, err := g.graph.Link(context.Background(), identity.Observation{EventID: ev, Time: when, IDs: ids})
	if err != nil {
		g.t.Fatal(err)
	}
	var refs []identity.Ref
	for _, x := range ids {
		r, err := g.graph.Key(x)
		if err != nil {
			g.t.Fatal(err)
		}
		refs = append(refs, r)
	}
	if res.Fact != nil {
		m, err := fleet.NewLinkMessage(*res.Fact, g.name)
		if err != nil {
			g.t.Fatal(err)
		}
		g.send(topicControl, nil, m)
	}
	tp := fleet.Touchpoint{Subject: refs, Type: "track", Event: event, Channel: "store", Store: g.name}
	g.send(topicData, refs[0].Key[:], fleet.NewTouchpointMessage(ev, when, tp, g.name))
	return refs
}

// consent records a decision locally (under the fleet subjects) and sends
// it to the hub.
func (g *gateway) consent(recordID string, when time.Time, granted bool, refs ...identity.Ref) {
	g.t.Helper()
	rec := fleet.ConsentRecord{RecordID: recordID, Subject: refs, Purposes: []consent.Purpose{consent.PurposeMarketing}, Granted: granted,
		Time: when, Method: consent.SourceStoreKiosk, Notice: "privacy-2026-03", Language: "en-GB", Jurisdiction: "UK", Store: g.name, Collector: g.name + "/kiosk-1"}
	for _, r := range refs {
		if _, err := g.ledger.Record(context.Background(), consent.Fact{Subject: fleet.SubjectOf(r), Purpose: consent.PurposeMarketing, Granted: granted,
			Effective: when, Source: consent.SourceStoreKiosk, Document: rec.Notice}); err != nil && !errors.Is(err, consent.ErrErased) {
			g.t.Fatal(err) // (an erased subject: the gateway sends it anyway, as a replayed spool would)
		}
	}
	g.send(topicData, refs[0].Key[:], fleet.NewConsentMessage(rec, g.name))
}

// eventually polls cond until it holds or 20 s pass.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// allApplied reports whether the store marked every id applied.
func allApplied(st fleet.Store, ids []string) bool {
	for _, id := range ids {
		ok, err := st.Applied(context.Background(), id)
		if err != nil || !ok {
			return false
		}
	}
	return true
}
