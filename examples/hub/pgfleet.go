package main

import (
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/touchpoint-sdk/touchpoint/fleet"
	"github.com/touchpoint-sdk/touchpoint/identity"
)

// pgFleetMigrations are the versions of the hub's own tables: applied
// message ids, records by subject key (keyed hashes and the fleet wire
// bytes, which hold keys only), tombstones. Index v is schema version v;
// each is applied once, in order (fleet_schema_migrations). Never edit
// one that has shipped: append the next.
var pgFleetMigrations = []string{
	1: `CREATE TABLE IF NOT EXISTS fleet_applied (id text PRIMARY KEY, at timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS fleet_records (key bytea NOT NULL, id text NOT NULL, kind text NOT NULL, t timestamptz NOT NULL, body bytea NOT NULL, PRIMARY KEY (key, id));
CREATE INDEX IF NOT EXISTS fleet_records_id ON fleet_records (id);
CREATE TABLE IF NOT EXISTS fleet_tombstones (key bytea PRIMARY KEY, at timestamptz NOT NULL);`,
	// 2: every row keeps all its record's keys, so Erase finds a record's
	// other rows by primary key; the index on id (a second random-order
	// index written on every insert) goes.
	2: `ALTER TABLE fleet_records ADD COLUMN IF NOT EXISTS keys bytea[];
UPDATE fleet_records r SET keys = k.keys FROM (SELECT id, array_agg(key) AS keys FROM fleet_records GROUP BY id) k WHERE r.id = k.id AND r.keys IS NULL;
ALTER TABLE fleet_records ALTER COLUMN keys SET NOT NULL;
DROP INDEX IF EXISTS fleet_records_id;`,
}

// migrateFleet brings the hub's tables to the last version, in one
// transaction under an advisory lock (hub instances starting together
// wait for each other). A database of a later version is refused.
func migrateFleet(ctx context.Context, pool *pgxpool.Pool) error {
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(7263544301)`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS fleet_schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
			return err
		}
		var have int
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM fleet_schema_migrations`).Scan(&have); err != nil {
			return err
		}
		last := len(pgFleetMigrations) - 1
		if have > last {
			return fmt.Errorf("hub: the fleet tables are at schema version %d, this hub knows up to %d", have, last)
		}
		for v := have + 1; v <= last; v++ {
			if _, err := tx.Exec(ctx, pgFleetMigrations[v]); err != nil {
				return fmt.Errorf("hub: fleet schema version %d: %w", v, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO fleet_schema_migrations (version) VALUES ($1)`, v); err != nil {
				return err
			}
		}
		return nil
	})
}

// pgStore is fleet.Store on PostgreSQL. Put and Erase serialise per key
// with advisory transaction locks (shared for Put, exclusive for Erase),
// so a record is never filed under a key erased before it.
type pgStore struct{ pool *pgxpool.Pool }

var _ fleet.Store = (*pgStore)(nil)

func newPGStore(ctx context.Context, pool *pgxpool.Pool) (*pgStore, error) {
	if err := migrateFleet(ctx, pool); err != nil {
		return nil, fmt.Errorf("hub: fleet schema: %w", err)
	}
	return &pgStore{pool: pool}, nil
}

func lockID(k identity.Key) int64 { return int64(binary.BigEndian.Uint64(k[:8])) }

func keyBytes(keys []identity.Key) [][]byte {
	out := make([][]byte, len(keys))
	for i := range keys {
		out[i] = keys[i][:]
	}
	return out
}

// sortedLocks returns the keys' lock ids in order (locks taken in one
// order never deadlock).
func sortedLocks(keys []identity.Key) []int64 {
	ids := make([]int64, 0, len(keys))
	for _, k := range keys {
		ids = append(ids, lockID(k))
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

func (s *pgStore) Applied(ctx context.Context, id string) (bool, error) {
	var ok bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM fleet_applied WHERE id = $1)`, id).Scan(&ok)
	return ok, err
}

func (s *pgStore) MarkApplied(ctx context.Context, id string) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO fleet_applied (id) VALUES ($1) ON CONFLICT DO NOTHING`, id)
	return err
}

func (s *pgStore) Put(ctx context.Context, rec fleet.Record) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock_shared(l) FROM unnest($1::bigint[]) AS l`, sortedLocks(rec.Keys)); err != nil {
			return err
		}
		var erased bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM fleet_tombstones WHERE key = ANY($1))`, keyBytes(rec.Keys)).Scan(&erased); err != nil {
			return err
		}
		if erased {
			return &fleet.ErasedError{ID: rec.ID, Kind: rec.Kind}
		}
		_, err := tx.Exec(ctx, `INSERT INTO fleet_records (key, id, kind, t, body, keys)
			SELECT k, $2, $3, $4, CASE WHEN o = 1 THEN $5::bytea ELSE ''::bytea END, $1 FROM unnest($1::bytea[]) WITH ORDINALITY AS u(k, o) ON CONFLICT DO NOTHING`,
			keyBytes(rec.Keys), rec.ID, string(rec.Kind), rec.Time, rec.Body)
		return err
	})
}

// Read returns records without their Keys (the hub does not need them).
// A record's body is kept once, on the row of its first key (keys[1]):
// the other rows hold an empty body, read from that row (rows filed by
// earlier hubs hold it on every row).
func (s *pgStore) Read(ctx context.Context, keys []identity.Key, fn func(fleet.Record) error) error {
	rows, err := s.pool.Query(ctx, `SELECT DISTINCT ON (r.t, r.id) r.id, r.kind, r.t,
			CASE WHEN length(r.body) > 0 THEN r.body ELSE (SELECT f.body FROM fleet_records f WHERE f.key = r.keys[1] AND f.id = r.id) END
		FROM fleet_records r WHERE r.key = ANY($1) ORDER BY r.t, r.id, length(r.body) DESC`, keyBytes(keys))
	if err != nil {
		return err
	}
	defer rows.Close()
	var rec fleet.Record
	var kind string
	for rows.Next() {
		if err := rows.Scan(&rec.ID, &kind, &rec.Time, &rec.Body); err != nil {
			return err
		}
		rec.Kind = fleet.Kind(kind)
		if err := fn(rec); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (s *pgStore) Erase(ctx context.Context, keys []identity.Key, at time.Time) (int, error) {
	n := 0
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(l) FROM unnest($1::bigint[]) AS l`, sortedLocks(keys)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO fleet_tombstones (key, at) SELECT k, $2 FROM unnest($1::bytea[]) AS k ON CONFLICT DO NOTHING`, keyBytes(keys), at); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `WITH gone AS (DELETE FROM fleet_records WHERE (key, id) IN (SELECT unnest(keys), id FROM fleet_records WHERE key = ANY($1)) RETURNING id)
			SELECT count(DISTINCT id) FROM gone`, keyBytes(keys)).Scan(&n)
	})
	return n, err
}

func (s *pgStore) Tombstoned(ctx context.Context, keys []identity.Key) (bool, error) {
	var ok bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM fleet_tombstones WHERE key = ANY($1))`, keyBytes(keys)).Scan(&ok)
	return ok, err
}
