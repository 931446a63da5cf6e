package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/touchpoint-sdk/touchpoint/fleet"
	"github.com/touchpoint-sdk/touchpoint/identity"
)

// TestFleetSchemaMigrates: a database at schema version 1 (rows without
// their keys, the id index) is brought to the last version: every row
// gets its record's keys, the id index goes, and Erase then finds a
// record's rows under its other keys. Migrating again changes nothing.
func TestFleetSchemaMigrates(t *testing.T) {
	ctx := context.Background()
	pool := freshSchema(t, "hubmig_")

	// Version 1, as hubs before versioning left it, with two records.
	if _, err := pool.Exec(ctx, pgFleetMigrations[1]); err != nil {
		t.Fatal(err)
	}
	a, b, c := identity.Key{1}, identity.Key{2}, identity.Key{3}
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, row := range []struct {
		k  identity.Key
		id string
	}{{a, "r1"}, {b, "r1"}, {c, "r2"}} {
		if _, err := pool.Exec(ctx, `INSERT INTO fleet_records (key, id, kind, t, body) VALUES ($1, $2, 'touchpoint', $3, '{}')`, row.k[:], row.id, at); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		if _, err := newPGStore(ctx, pool); err != nil {
			t.Fatal(err)
		}
	}
	var version, indexes, nulls int
	if err := pool.QueryRow(ctx, `SELECT max(version) FROM fleet_schema_migrations`).Scan(&version); err != nil {
		t.Fatal(err)
	}
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema() AND indexname = 'fleet_records_id'`).Scan(&indexes); err != nil {
		t.Fatal(err)
	}
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM fleet_records WHERE cardinality(keys) <> CASE id WHEN 'r1' THEN 2 ELSE 1 END`).Scan(&nulls); err != nil {
		t.Fatal(err)
	}
	if version != len(pgFleetMigrations)-1 || indexes != 0 || nulls != 0 {
		t.Fatalf("after migrating: version %d (want %d), id index %d (want 0), rows with wrong keys %d", version, len(pgFleetMigrations)-1, indexes, nulls)
	}
	st := &pgStore{pool: pool}
	n, err := st.Erase(ctx, []identity.Key{b}, at)
	if err != nil || n != 1 {
		t.Fatalf("Erase(b) = %d, %v; want the one record r1", n, err)
	}
	var left []string
	rows, _ := pool.Query(ctx, `SELECT id FROM fleet_records ORDER BY id`)
	for rows.Next() {
		var id string
		rows.Scan(&id)
		left = append(left, id)
	}
	if rows.Err() != nil || len(left) != 1 || left[0] != "r2" {
		t.Fatalf("after Erase(b): records %v (%v), want [r2] (r1's row under a gone too)", left, rows.Err())
	}
}

// freshSchema returns a pool on a new, empty schema of the test database
// (dropped at the end of the test), or skips without PostgreSQL.
func freshSchema(t *testing.T, prefix string) *pgxpool.Pool {
	t.Helper()
	url := os.Getenv("TOUCHPOINT_POSTGRES_URL")
	if url == "" {
		t.Skip("no PostgreSQL: set TOUCHPOINT_POSTGRES_URL (CI starts one with .ci/postgres.sh)")
	}
	ctx := context.Background()
	var rnd [6]byte
	rand.Read(rnd[:])
	schema := prefix + hex.EncodeToString(rnd[:])
	admin, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(admin.Close)
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE") })
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// TestFleetBodyOnce: a record filed under several keys, by Put or by the
// batching store, keeps its body once (on its first key's row), and Read
// under any of its keys returns it whole; Erase under its last key
// removes every row.
func TestFleetBodyOnce(t *testing.T) {
	ctx := context.Background()
	pool := freshSchema(t, "hubbody_")
	st, err := newPGStore(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	a, b, c, d, e := identity.Key{1}, identity.Key{2}, identity.Key{3}, identity.Key{4}, identity.Key{5}
	if err := st.Put(ctx, fleet.Record{ID: "put", Kind: fleet.KindLink, Time: at, Keys: []identity.Key{b, a}, Body: []byte("body of put")}); err != nil {
		t.Fatal(err)
	}
	bs := &batchStore{pgStore: st}
	if err := bs.begin(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if err := bs.Put(ctx, fleet.Record{ID: "batch", Kind: fleet.KindLink, Time: at.Add(time.Second), Keys: []identity.Key{e, c, d}, Body: []byte("body of batch")}); err != nil {
		t.Fatal(err)
	}
	pb := &pgx.Batch{}
	queue(pb, bs.take())
	if err := bs.send(ctx, pb); err != nil {
		t.Fatal(err)
	}
	bs.end()
	var withBody, rows int
	if err := pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE length(body) > 0), count(*) FROM fleet_records`).Scan(&withBody, &rows); err != nil {
		t.Fatal(err)
	}
	if withBody != 2 || rows != 5 {
		t.Fatalf("%d rows, %d with a body; want 5 rows, 2 with a body", rows, withBody)
	}
	for _, k := range []identity.Key{a, b, c, d, e} {
		var got []string
		err := st.Read(ctx, []identity.Key{k}, func(r fleet.Record) error { got = append(got, r.ID+": "+string(r.Body)); return nil })
		want := "put: body of put"
		if k != a && k != b {
			want = "batch: body of batch"
		}
		if err != nil || len(got) != 1 || got[0] != want {
			t.Fatalf("Read(%x) = %q, %v; want [%q]", k[:1], got, err, want)
		}
	}
	if n, err := st.Erase(ctx, []identity.Key{d}, at); err != nil || n != 1 {
		t.Fatalf("Erase(d) = %d, %v; want the one record", n, err)
	}
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM fleet_records WHERE id = 'batch'`).Scan(&rows); err != nil || rows != 0 {
		t.Fatalf("after Erase(d): %d rows of the record left (%v), want 0", rows, err)
	}
}

// pipelineCore returns a hub core over a fresh schema that owns the
// graph, and poll, which makes a poll of one new identity-link fact (and
// returns its message id); logged collects what the core logs.
func pipelineCore(t *testing.T) (c *core, pool *pgxpool.Pool, st fleet.Store, poll func(i int) ([]inbound, string), logged *[]string) {
	t.Helper()
	ctx := context.Background()
	pool = freshSchema(t, "hubpipe_")
	secret := []byte("fleet-secret-pipeline")
	st, open, batch, err := Stores(ctx, pool, secret, []byte("seal-key-0123456789abcdef"), "pipe")
	if err != nil {
		t.Fatal(err)
	}
	logged = new([]string)
	var mu sync.Mutex
	c, err = newCore(Config{Brokers: []string{"127.0.0.1:1"}, Group: "g", Control: topicControl, Data: topicData, Out: topicOut,
		Store: st, OpenGraph: open, Batch: batch, Logf: func(f string, a ...any) {
			mu.Lock()
			defer mu.Unlock()
			*logged = append(*logged, fmt.Sprintf(f, a...))
		}})
	if err != nil {
		t.Fatal(err)
	}
	if !c.gain(ctx) {
		t.Fatal("the graph did not load")
	}
	t.Cleanup(c.lose)
	g, err := identity.New(secret)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Shutdown(context.Background()) })
	poll = func(i int) ([]inbound, string) {
		res, err := g.Link(ctx, identity.Observation{EventID: fmt.Sprintf("pipe-%d", i), Time: time.Date(2026, 3, 1, 0, 0, i, 0, time.UTC),
			IDs: []identity.Identifier{{Type: identity.TypeLoyaltyID, Value: fmt.Sprintf("L-%d", i)}, {Type: identity.TypeAnonymousID, Value: fmt.Sprintf("a-%d", i)}}})
		if err != nil || res.Fact == nil {
			t.Fatalf("link %d: %v (fact %v)", i, err, res.Fact)
		}
		m, err := fleet.NewLinkMessage(*res.Fact, "gw")
		if err != nil {
			t.Fatal(err)
		}
		v, err := fleet.Encode(m)
		if err != nil {
			t.Fatal(err)
		}
		return []inbound{{value: v, control: true}}, m.ID
	}
	return c, pool, st, poll, logged
}

// TestPipelineDedupesAcrossPolls: an id the poll before marked — taken
// for its commit but perhaps not committed yet, so the next prefetch
// cannot see it — is applied for the next poll, so a redelivery in that
// poll is a duplicate, not applied twice.
func TestPipelineDedupesAcrossPolls(t *testing.T) {
	ctx := context.Background()
	pool := freshSchema(t, "hubdedupe_")
	ps, err := newPGStore(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	bs := &batchStore{pgStore: ps}
	m := fleet.Message{Kind: fleet.KindTouchpoint, ID: "tp-1"}
	if err := bs.begin(ctx, []fleet.Message{m}); err != nil {
		t.Fatal(err)
	}
	if err := bs.MarkApplied(ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	inflight := bs.take() // queued for a commit that has not run
	bs.end()
	if err := bs.begin(ctx, []fleet.Message{m}); err != nil {
		t.Fatal(err)
	}
	if ok, err := bs.Applied(ctx, m.ID); !ok || err != nil {
		t.Fatalf("Applied(%s) in the next poll = %v, %v; want true (marked by the poll still committing)", m.ID, ok, err)
	}
	bs.end()
	if ok, _ := ps.Applied(ctx, m.ID); ok || len(inflight.marks) != 1 {
		t.Fatalf("the store says applied %v before the commit, %d ids taken; want false, 1", ok, len(inflight.marks))
	}
}

// TestPipelineCommitFails: on PostgreSQL a poll commits in the background
// while the next is applied; when that commit fails, the poll is not
// acknowledged, its ids are not marked applied, and the next handle
// returns the error (the transport then stops, and redelivery from the
// last acknowledgement applies the poll again).
func TestPipelineCommitFails(t *testing.T) {
	ctx := context.Background()
	c, pool, st, poll, logged := pipelineCore(t)
	acked := 0
	ack := func(context.Context) error { acked++; return nil }
	publish := func(context.Context, ...fleet.Message) error { return nil }

	p1, id1 := poll(1)
	if err := c.handle(ctx, p1, publish, ack); err != nil {
		t.Fatal(err)
	}
	if err := c.settle(); err != nil || acked != 1 {
		t.Fatalf("first poll: settle %v, %d acknowledged; want nil, 1", err, acked)
	}
	if _, err := pool.Exec(ctx, `ALTER TABLE fleet_records RENAME TO fleet_records_gone`); err != nil {
		t.Fatal(err)
	}
	p2, id2 := poll(2)
	if err := c.handle(ctx, p2, publish, ack); err != nil {
		t.Fatalf("second poll: handle %v; its commit runs in the background", err)
	}
	p3, _ := poll(3)
	err := c.handle(ctx, p3, publish, ack)
	if err == nil || !strings.Contains(err.Error(), "fleet_records") {
		t.Fatalf("third poll: handle returned %v, want the second poll's failed commit", err)
	}
	if acked != 1 {
		t.Fatalf("%d polls acknowledged, want 1: the failed one must not be", acked)
	}
	for _, c := range []struct {
		id   string
		want bool
	}{{id1, true}, {id2, false}} {
		if got, err := st.Applied(ctx, c.id); err != nil || got != c.want {
			t.Errorf("Applied(%s) = %v, %v; want %v", c.id, got, err, c.want)
		}
	}
	if l := strings.Join(*logged, "\n"); !strings.Contains(l, "was not acknowledged") {
		t.Errorf("the failed poll was not logged: %q", l)
	}
	if err := c.settle(); err != nil {
		t.Errorf("settle after the error was returned: %v, want nothing in flight", err)
	}
}
