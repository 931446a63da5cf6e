package pgstore_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/touchpoint-sdk/touchpoint/identity"
	"github.com/touchpoint-sdk/touchpoint/identity/identitytest"
	"github.com/touchpoint-sdk/touchpoint/store/pgstore"
)

var graphSecret = []byte("pgstore-graph-secret-0123456789")

func openDB(t testing.TB, pool *pgxpool.Pool, opts ...pgstore.Option) *pgstore.DB {
	t.Helper()
	db, err := pgstore.Open(context.Background(), pool, testKey, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func identityStore(t testing.TB, db *pgstore.DB, name string) *pgstore.IdentityStore {
	t.Helper()
	st, err := db.IdentityStore(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// TestIdentityScenarios runs identity's scenario suite — the one its
// memory and file stores pass — on PostgreSQL, restarting every graph from
// the database after every phase.
func TestIdentityScenarios(t *testing.T) {
	db := openDB(t, poolIn(t, schema(t)))
	n := identitytest.RunStoreScenarios(t, "../../identity/testdata/scenarios", func(t *testing.T, name string) identity.Store {
		return identityStore(t, db, name)
	})
	if n < 10 {
		t.Fatalf("%d scenarios, want at least 10", n)
	}
}

// people makes link facts: person i has a user id, an email, two
// anonymous ids and a device id, seen together in pairs over several
// events, keyed by ref (a graph with the fleet's secret).
func people(t testing.TB, ref *identity.Graph, n int) []identity.LinkFact {
	t.Helper()
	key := func(typ identity.Type, v string) identity.Ref {
		r, err := ref.Key(identity.Identifier{Type: typ, Value: v})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	var out []identity.LinkFact
	for i := range n {
		ids := []identity.Ref{
			key(identity.TypeUserID, fmt.Sprintf("user-%d", i)),
			key(identity.TypeEmail, fmt.Sprintf("shopper%d@example.com", i)),
			key(identity.TypeAnonymousID, fmt.Sprintf("anon-%d-a", i)),
			key(identity.TypeAnonymousID, fmt.Sprintf("anon-%d-b", i)),
			key(identity.TypeDeviceID, fmt.Sprintf("device-%d", i)),
		}
		for j := 1; j < len(ids); j++ {
			pair := []identity.Ref{ids[0], ids[j]}
			if j%2 == 0 {
				pair = []identity.Ref{ids[j-1], ids[j]}
			}
			out = append(out, identity.LinkFact{
				EventID: fmt.Sprintf("ev-%d-%d", i, j),
				Time:    t0.Add(time.Duration(i*10+j) * time.Minute),
				IDs:     sortRefs(pair),
			})
		}
	}
	return out
}

func sortRefs(r []identity.Ref) []identity.Ref {
	if r[0].Type > r[1].Type || (r[0].Type == r[1].Type && r[0].Key.String() > r[1].Key.String()) {
		r[0], r[1] = r[1], r[0]
	}
	return r
}

// render is what a graph says about everyone: profiles with their members,
// and statistics.
func render(g *identity.Graph) string {
	var b strings.Builder
	for _, p := range g.Profiles() {
		fmt.Fprintf(&b, "%s:", p.ID)
		for _, m := range p.Members {
			fmt.Fprintf(&b, " %s", m.Ref)
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "%+v\n", g.Stats())
	return b.String()
}

// TestConcurrentWritersOrderIndependent: four graphs on two pools (two
// hub processes, say), each with its own IdentityStore of one name, apply
// overlapping shares of the same facts concurrently, each in its own
// random order, some in batches, one compacting as it goes. A graph
// loaded from the database afterwards says byte for byte what a graph
// that applied every fact in order in memory says.
func TestConcurrentWritersOrderIndependent(t *testing.T) {
	sch := schema(t)
	pools := []*pgxpool.Pool{poolIn(t, sch), poolIn(t, sch)}
	dbs := []*pgstore.DB{openDB(t, pools[0]), openDB(t, pools[1])}
	ctx := context.Background()

	ref, err := identity.New(graphSecret)
	if err != nil {
		t.Fatal(err)
	}
	defer ref.Shutdown(context.Background())
	facts := people(t, ref, 60)
	for _, f := range facts {
		if _, err := ref.LinkKeys(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	want := render(ref)

	const writers = 4
	graphs := make([]*identity.Graph, writers)
	stores := make([]*pgstore.IdentityStore, writers)
	for w := range writers {
		stores[w] = identityStore(t, dbs[w%2], "fleet")
		if graphs[w], err = identity.New(graphSecret, identity.WithStore(stores[w])); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			// Each writer applies its share (every fact whose index is not
			// w mod 4: each fact reaches three writers) in its own order.
			var mine []identity.LinkFact
			for i, f := range facts {
				if i%writers != w {
					mine = append(mine, f)
				}
			}
			rng.Shuffle(len(mine), func(i, j int) { mine[i], mine[j] = mine[j], mine[i] })
			for i := 0; i < len(mine); {
				n := 1 + rng.IntN(20)
				chunk := mine[i:min(i+n, len(mine))]
				i += len(chunk)
				apply := func(ctx context.Context) error {
					for _, f := range chunk {
						if _, err := graphs[w].LinkKeys(ctx, f); err != nil {
							return err
						}
					}
					return nil
				}
				var err error
				if w%2 == 0 {
					err = stores[w].Batch(ctx, apply)
				} else {
					err = apply(ctx)
				}
				if err == nil && w == 1 && rng.IntN(4) == 0 {
					err = graphs[w].Compact(ctx) // writer 1 is the only compactor: no conflicts
				}
				if err != nil {
					errs <- fmt.Errorf("writer %d: %w", w, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for _, g := range graphs {
		if err := g.Shutdown(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	for i, db := range dbs {
		g, err := identity.New(graphSecret, identity.WithStore(identityStore(t, db, "fleet")))
		if err != nil {
			t.Fatal(err)
		}
		if got := render(g); got != want {
			t.Fatalf("graph loaded on pool %d:\n%s\nwant (all facts, in order, in memory):\n%s", i, got, want)
		}
		g.Shutdown(context.Background())
	}
}

// TestCompactKeepsUnseenRecordsAndRefusesAfterAnotherCompaction: a graph
// that compacts deletes only what it has seen, so another writer's facts
// appended since its load survive; a graph that loaded before someone
// else compacted is refused (ErrConflict) and changes nothing.
func TestCompactKeepsUnseenRecordsAndRefusesAfterAnotherCompaction(t *testing.T) {
	db := openDB(t, poolIn(t, schema(t)))
	ctx := context.Background()
	ref, _ := identity.New(graphSecret)
	defer ref.Shutdown(context.Background())
	facts := people(t, ref, 3)
	a, err := identity.New(graphSecret, identity.WithStore(identityStore(t, db, "g")))
	if err != nil {
		t.Fatal(err)
	}
	b, err := identity.New(graphSecret, identity.WithStore(identityStore(t, db, "g")))
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range facts {
		g := a
		if i%2 == 1 {
			g = b
		}
		if _, err := g.LinkKeys(ctx, f); err != nil {
			t.Fatal(err)
		}
		if _, err := ref.LinkKeys(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Compact(ctx); err != nil { // a has not seen b's facts
		t.Fatal(err)
	}
	err = b.Compact(ctx)
	if !errors.Is(err, pgstore.ErrConflict) {
		t.Fatalf("b.Compact after a's: %v, want ErrConflict", err)
	}
	var se *pgstore.StoreError
	if !errors.As(err, &se) || se.Kind != "identity" || se.Name != "g" {
		t.Fatalf("error %v: want a *StoreError naming identity store g", err)
	}
	a.Shutdown(context.Background())
	b.Shutdown(context.Background())
	g, err := identity.New(graphSecret, identity.WithStore(identityStore(t, db, "g")))
	if err != nil {
		t.Fatal(err)
	}
	defer g.Shutdown(context.Background())
	if got, want := render(g), render(ref); got != want {
		t.Fatalf("after compaction by a:\n%s\nwant:\n%s", got, want)
	}
	if err := g.Compact(ctx); err != nil { // a fresh load may compact again
		t.Fatal(err)
	}
}

// TestBatchDivergedAndClosed: a batch whose write fails (its context ends)
// leaves the store refusing writes with ErrDiverged, and none of the
// batch's facts in the database; a closed store returns ErrClosed.
func TestBatchDivergedAndClosed(t *testing.T) {
	db := openDB(t, poolIn(t, schema(t)))
	ref, _ := identity.New(graphSecret)
	defer ref.Shutdown(context.Background())
	facts := people(t, ref, 3)
	later := facts[8] // the third person's first fact
	facts = facts[:8]
	st := identityStore(t, db, "g")
	g, err := identity.New(graphSecret, identity.WithStore(st))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	err = st.Batch(ctx, func(ctx context.Context) error {
		for _, f := range facts {
			if _, err := g.LinkKeys(ctx, f); err != nil {
				return err
			}
		}
		cancel()
		return nil
	})
	if !errors.Is(err, pgstore.ErrDiverged) {
		t.Fatalf("Batch with its context cancelled before the write: %v, want ErrDiverged", err)
	}
	if _, err := g.LinkKeys(context.Background(), later); !errors.Is(err, pgstore.ErrDiverged) {
		t.Fatalf("LinkKeys after a failed batch: %v, want ErrDiverged", err)
	}
	g.Shutdown(context.Background())
	g, err = identity.New(graphSecret, identity.WithStore(identityStore(t, db, "g")))
	if err != nil {
		t.Fatal(err)
	}
	if s := g.Stats(); s.Identifiers != 0 {
		t.Fatalf("after a failed batch the database holds %+v, want nothing of it", s)
	}
	g.Shutdown(context.Background())
	if err := st.Append(context.Background(), []byte{1}); !errors.Is(err, pgstore.ErrClosed) {
		t.Fatalf("Append after Close: %v", err)
	}
}

// TestKeyAndModeMismatch: a store written under one key is refused under
// another, and a sealed store is refused by a plaintext DB (and the
// reverse).
func TestKeyAndModeMismatch(t *testing.T) {
	pool := poolIn(t, schema(t))
	ctx := context.Background()
	db := openDB(t, pool)
	identityStore(t, db, "sealed")
	other, err := pgstore.Open(ctx, pool, []byte("another-key-0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.IdentityStore(ctx, "sealed"); !errors.Is(err, pgstore.ErrKeyMismatch) {
		t.Errorf("another key: %v", err)
	}
	plain := openDB(t, pool, pgstore.WithPlaintext())
	if _, err := plain.IdentityStore(ctx, "sealed"); !errors.Is(err, pgstore.ErrKeyMismatch) {
		t.Errorf("plaintext DB on a sealed store: %v", err)
	}
	identityStore(t, plain, "plain")
	if _, err := db.IdentityStore(ctx, "plain"); !errors.Is(err, pgstore.ErrKeyMismatch) {
		t.Errorf("sealing DB on a plaintext store: %v", err)
	}
}

// TestTamperedRecord: a sealed record altered in the database does not
// open: Load fails with ErrCorrupt, naming the record.
func TestTamperedRecord(t *testing.T) {
	pool := poolIn(t, schema(t))
	db := openDB(t, pool)
	ctx := context.Background()
	g, err := identity.New(graphSecret, identity.WithStore(identityStore(t, db, "g")))
	if err != nil {
		t.Fatal(err)
	}
	ref, _ := identity.New(graphSecret)
	defer ref.Shutdown(context.Background())
	if _, err := g.LinkKeys(ctx, people(t, ref, 1)[0]); err != nil {
		t.Fatal(err)
	}
	g.Shutdown(context.Background())
	if _, err := pool.Exec(ctx, "UPDATE touchpoint_log SET rec = overlay(rec placing '\\x00'::bytea from 20) WHERE seq = 2"); err != nil {
		t.Fatal(err)
	}
	_, err = identity.New(graphSecret, identity.WithStore(identityStore(t, db, "g")))
	var se *pgstore.StoreError
	if !errors.Is(err, pgstore.ErrCorrupt) || !errors.As(err, &se) || se.Record != "log 2" {
		t.Fatalf("loading a tampered record: %v", err)
	}
}

// TestConcurrentCompactorsLoseNothing: three writers on two pools apply
// the same facts in their own orders and all compact now and then; a
// writer refused with ErrConflict (another compacted since it loaded)
// creates its graph again from the database and goes on, as a hub would.
// Nothing is lost: the graph loaded at the end equals the in-memory one.
func TestConcurrentCompactorsLoseNothing(t *testing.T) {
	sch := schema(t)
	dbs := []*pgstore.DB{openDB(t, poolIn(t, sch)), openDB(t, poolIn(t, sch))}
	ctx := context.Background()
	ref, err := identity.New(graphSecret)
	if err != nil {
		t.Fatal(err)
	}
	defer ref.Shutdown(context.Background())
	facts := people(t, ref, 30)
	for _, f := range facts {
		if _, err := ref.LinkKeys(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	open := func(w int) *identity.Graph {
		g, err := identity.New(graphSecret, identity.WithStore(identityStore(t, dbs[w%2], "fleet")))
		if err != nil {
			t.Error(err)
			return nil
		}
		return g
	}
	var (
		wg        sync.WaitGroup
		mu        sync.Mutex
		conflicts int
	)
	for w := range 3 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 11))
			mine := append([]identity.LinkFact(nil), facts...)
			rng.Shuffle(len(mine), func(i, j int) { mine[i], mine[j] = mine[j], mine[i] })
			g := open(w)
			if g == nil {
				return
			}
			defer func() { g.Shutdown(context.Background()) }()
			for i, f := range mine {
				if _, err := g.LinkKeys(ctx, f); err != nil {
					t.Errorf("writer %d: %v", w, err)
					return
				}
				if i%7 == 6 {
					err := g.Compact(ctx)
					if errors.Is(err, pgstore.ErrConflict) {
						mu.Lock()
						conflicts++
						mu.Unlock()
						g.Shutdown(context.Background())
						if g = open(w); g == nil {
							return
						}
					} else if err != nil {
						t.Errorf("writer %d: %v", w, err)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	g, err := identity.New(graphSecret, identity.WithStore(identityStore(t, dbs[0], "fleet")))
	if err != nil {
		t.Fatal(err)
	}
	defer g.Shutdown(context.Background())
	if got, want := render(g), render(ref); got != want {
		t.Fatalf("after concurrent compactions (%d conflicts):\n%s\nwant:\n%s", conflicts, got, want)
	}
	t.Logf("%d compactions refused with ErrConflict and retried after a reload", conflicts)
}
