package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/touchpoint-sdk/touchpoint/identity"
)

// TestFleetSchemaMigrates: a database at schema version 1 (rows without
// their keys, the id index) is brought to the last version: every row
// gets its record's keys, the id index goes, and Erase then finds a
// record's rows under its other keys. Migrating again changes nothing.
func TestFleetSchemaMigrates(t *testing.T) {
	url := os.Getenv("TOUCHPOINT_POSTGRES_URL")
	if url == "" {
		t.Skip("no PostgreSQL: set TOUCHPOINT_POSTGRES_URL (CI starts one with .ci/postgres.sh)")
	}
	ctx := context.Background()
	var rnd [6]byte
	rand.Read(rnd[:])
	schema := "hubmig_" + hex.EncodeToString(rnd[:])
	admin, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	defer admin.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()

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
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM pg_indexes WHERE schemaname = $1 AND indexname = 'fleet_records_id'`, schema).Scan(&indexes); err != nil {
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
