package pgstore_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/touchpoint-sdk/touchpoint/identity"
	"github.com/touchpoint-sdk/touchpoint/store/pgstore"
)

// TestBatchIn: the entries a BatchIn appends commit with the caller's
// statements in one transaction — both or neither — and a failed send
// leaves the store diverged, as a failed Batch does.
func TestBatchIn(t *testing.T) {
	pool := poolIn(t, schema(t))
	ctx := context.Background()
	if _, err := pool.Exec(ctx, `CREATE TABLE side (n int PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	db := openDB(t, pool)
	ref, _ := identity.New(graphSecret)
	defer ref.Shutdown(ctx)
	facts := people(t, ref, 3) // 4 facts a person
	later := facts[8]
	facts = facts[:8]
	reload := func() identity.Stats { return reloadStats(t, db, "g") }
	count := func() (n int) {
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM side`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	st := identityStore(t, db, "g")
	g, err := identity.New(graphSecret, identity.WithStore(st))
	if err != nil {
		t.Fatal(err)
	}
	queued := -1
	err = st.BatchIn(ctx, link(g, facts[:4]), func(ctx context.Context, b *pgx.Batch) error {
		queued = b.Len()
		b.Queue(`INSERT INTO side VALUES (1)`)
		return pool.SendBatch(ctx, b).Close()
	})
	if err != nil || queued != 1 {
		t.Fatalf("BatchIn: %v (%d statements queued by the store, want 1)", err, queued)
	}
	want := g.Stats()
	if got := reload(); got.Identifiers != want.Identifiers || want.Identifiers == 0 || count() != 1 {
		t.Fatalf("after BatchIn: reloaded %+v, in memory %+v, side rows %d", got, want, count())
	}

	// Nested in a Batch: refused, nothing run.
	err = st.Batch(ctx, func(ctx context.Context) error {
		return st.BatchIn(ctx, func(context.Context) error { t.Error("fn ran"); return nil },
			func(context.Context, *pgx.Batch) error { t.Error("send ran"); return nil })
	})
	if !errors.Is(err, pgstore.ErrNested) {
		t.Fatalf("BatchIn inside Batch: %v, want ErrNested", err)
	}

	// The caller's statement fails: neither its row nor the entries commit.
	err = st.BatchIn(ctx, link(g, facts[4:]), func(ctx context.Context, b *pgx.Batch) error {
		b.Queue(`INSERT INTO side VALUES (2)`)
		b.Queue(`INSERT INTO side VALUES (1)`) // duplicate key
		return pool.SendBatch(ctx, b).Close()
	})
	if !errors.Is(err, pgstore.ErrDiverged) {
		t.Fatalf("BatchIn whose send failed: %v, want ErrDiverged", err)
	}
	if _, err := g.LinkKeys(ctx, later); !errors.Is(err, pgstore.ErrDiverged) {
		t.Fatalf("LinkKeys after a failed BatchIn: %v, want ErrDiverged", err)
	}
	g.Shutdown(ctx)
	if got := reload(); got.Identifiers != want.Identifiers || count() != 1 {
		t.Fatalf("after a failed BatchIn: reloaded %+v, want %+v; side rows %d, want 1", got, want, count())
	}
}

// link returns a batch function that applies fs to g.
func link(g *identity.Graph, fs []identity.LinkFact) func(context.Context) error {
	return func(ctx context.Context) error {
		for _, f := range fs {
			if _, err := g.LinkKeys(ctx, f); err != nil {
				return err
			}
		}
		return nil
	}
}

// reloadStats loads the graph kept in the store called name and returns
// its counters.
func reloadStats(t *testing.T, db *pgstore.DB, name string) identity.Stats {
	t.Helper()
	g, err := identity.New(graphSecret, identity.WithStore(identityStore(t, db, name)))
	if err != nil {
		t.Fatal(err)
	}
	defer g.Shutdown(context.Background())
	return g.Stats()
}

// TestPrepareBatchPipeline: batches prepared one after the other while the
// first is still unsent (a pipelined consumer) commit in order; a write
// outside them waits until they are done; a failed send leaves the store
// diverged.
func TestPrepareBatchPipeline(t *testing.T) {
	pool := poolIn(t, schema(t))
	ctx := context.Background()
	db := openDB(t, pool)
	ref, _ := identity.New(graphSecret)
	defer ref.Shutdown(ctx)
	facts := people(t, ref, 4) // 4 facts a person
	reload := func() identity.Stats { return reloadStats(t, db, "g") }
	st := identityStore(t, db, "g")
	g, err := identity.New(graphSecret, identity.WithStore(st))
	if err != nil {
		t.Fatal(err)
	}
	b1, done1, err := st.PrepareBatch(ctx, link(g, facts[:4]))
	if err != nil {
		t.Fatal(err)
	}
	b2, done2, err := st.PrepareBatch(ctx, link(g, facts[4:8])) // while b1 is unsent
	if err != nil {
		t.Fatal(err)
	}
	if b1.Len() != 1 || b2.Len() != 1 {
		t.Fatalf("queued %d and %d statements, want 1 each", b1.Len(), b2.Len())
	}

	// A write outside the batches waits for them.
	wrote := make(chan error, 1)
	go func() { wrote <- st.Append(ctx, []byte("not an entry the graph reads")) }()
	select {
	case err := <-wrote:
		t.Fatalf("Append returned (%v) while two prepared batches were unsent", err)
	case <-time.After(100 * time.Millisecond):
	}
	if err := done1(pool.SendBatch(ctx, b1).Close()); err != nil {
		t.Fatalf("first batch: %v", err)
	}
	select {
	case err := <-wrote:
		t.Fatalf("Append returned (%v) while the second batch was unsent", err)
	case <-time.After(50 * time.Millisecond):
	}
	if err := done2(pool.SendBatch(ctx, b2).Close()); err != nil {
		t.Fatalf("second batch: %v", err)
	}
	if err := <-wrote; err != nil {
		t.Fatalf("Append after the batches: %v", err)
	}
	if err := done2(errors.New("again")); err == nil || errors.Is(err, pgstore.ErrDiverged) {
		t.Fatalf("a second done: %v, want its argument back and nothing else", err)
	}

	// The raw entry cannot be read by a graph: take it out before reloading.
	if _, err := pool.Exec(ctx, `DELETE FROM touchpoint_log WHERE rec = (SELECT rec FROM touchpoint_log ORDER BY seq DESC LIMIT 1)`); err != nil {
		t.Fatal(err)
	}
	want := g.Stats()
	if got := reload(); got.Identifiers != want.Identifiers || want.Identifiers == 0 {
		t.Fatalf("after two pipelined batches: reloaded %+v, in memory %+v", got, want)
	}

	// A send that failed: diverged, and the store refuses what follows.
	b3, done3, err := st.PrepareBatch(ctx, link(g, facts[8:12]))
	if err != nil {
		t.Fatal(err)
	}
	b3.Queue(`SELECT 1/0`)
	if err := done3(pool.SendBatch(ctx, b3).Close()); !errors.Is(err, pgstore.ErrDiverged) {
		t.Fatalf("a batch whose send failed: %v, want ErrDiverged", err)
	}
	if _, err := g.LinkKeys(ctx, facts[12]); !errors.Is(err, pgstore.ErrDiverged) {
		t.Fatalf("LinkKeys after a failed batch: %v, want ErrDiverged", err)
	}
	g.Shutdown(ctx)
	if got := reload(); got.Identifiers != want.Identifiers {
		t.Fatalf("after a failed batch: reloaded %+v, want %+v", got, want)
	}
}

// TestLogPacks: a batch's entries are written as one log row (a pack, at
// most 256 records a row) and load back in order; a row whose pack does
// not hold the records it says is refused as corrupt, naming the row.
func TestLogPacks(t *testing.T) {
	pool := poolIn(t, schema(t))
	ctx := context.Background()
	db := openDB(t, pool)
	ref, _ := identity.New(graphSecret)
	defer ref.Shutdown(ctx)
	facts := people(t, ref, 3)
	st := identityStore(t, db, "g")
	g, err := identity.New(graphSecret, identity.WithStore(st))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Batch(ctx, link(g, facts)); err != nil {
		t.Fatal(err)
	}
	want := g.Stats()
	g.Shutdown(ctx)
	var rows, entries, packs int
	if err := pool.QueryRow(ctx, `SELECT count(*), sum(entries), count(*) FILTER (WHERE entries > 1) FROM touchpoint_log`).Scan(&rows, &entries, &packs); err != nil {
		t.Fatal(err)
	}
	if packs != 1 || entries < len(facts) || rows > 2 {
		t.Fatalf("log: %d rows, %d entries, %d packs; want the batch's %d+ entries in one pack", rows, entries, packs, len(facts))
	}
	g2, err := identity.New(graphSecret, identity.WithStore(identityStore(t, db, "g")))
	if err != nil {
		t.Fatal(err)
	}
	if got := g2.Stats(); got != want {
		t.Fatalf("reloaded %+v, want %+v", got, want)
	}
	g2.Shutdown(ctx)
	if _, err := pool.Exec(ctx, `UPDATE touchpoint_log SET entries = entries + 1 WHERE entries > 1`); err != nil {
		t.Fatal(err)
	}
	_, err = identity.New(graphSecret, identity.WithStore(identityStore(t, db, "g")))
	var se *pgstore.StoreError
	if !errors.Is(err, pgstore.ErrCorrupt) || !errors.As(err, &se) || !strings.HasPrefix(se.Record, "log ") {
		t.Fatalf("loading a bad pack: %v, want ErrCorrupt naming the log row", err)
	}
}
