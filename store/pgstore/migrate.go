package pgstore

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// SchemaVersion is the schema version this code uses: the number of the
// last migration embedded in the module.
const SchemaVersion = 2

// migrateLockKey is the advisory lock that serializes Migrate across
// processes ("touchpoint" in ASCII).
const migrateLockKey int64 = 0x746f756368706f69

type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations returns the embedded migrations, numbered 1, 2, ... from
// their file names (NNNN_what.sql).
func loadMigrations(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, n := range names {
		base := path.Base(n)
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v < 1 {
			return nil, &MigrationError{Name: base, Err: errors.New("file name is not NNNN_name.sql")}
		}
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, &MigrationError{Version: v, Name: base, Err: err}
		}
		ms = append(ms, migration{version: v, name: base, sql: string(b)})
	}
	slices.SortFunc(ms, func(a, b migration) int { return a.version - b.version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, &MigrationError{Version: m.version, Name: m.name, Err: fmt.Errorf("versions must run 1, 2, ...; want %d here", i+1)}
		}
	}
	return ms, nil
}

// Migrate brings the database's schema to SchemaVersion: it applies the
// embedded migrations not yet recorded in the table
// touchpoint_schema_migrations, in order, in one transaction under an
// advisory lock, so that concurrent callers (several hub instances
// starting together) apply each migration once and a failure leaves the
// schema as it was. It returns how many migrations it applied (0 when the
// schema is current). Errors: a *MigrationError naming the migration that
// failed, a *SchemaVersionError matching ErrSchemaTooNew when the database
// was migrated by newer code, or PostgreSQL's error. The pool is the
// caller's; Migrate holds one connection while it runs.
func Migrate(ctx context.Context, pool *pgxpool.Pool) (int, error) {
	if pool == nil {
		return 0, &ConfigError{Option: "Migrate(pool)", Reason: "nil pool"}
	}
	ms, err := loadMigrations(migrationFS)
	if err != nil {
		return 0, err
	}
	return migrate(ctx, pool, ms)
}

func migrate(ctx context.Context, pool *pgxpool.Pool, ms []migration) (applied int, err error) {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return 0, err
	}
	defer func() {
		if err != nil {
			tx.Rollback(context.WithoutCancel(ctx))
			applied = 0
		}
	}()
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", migrateLockKey); err != nil {
		return 0, err
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS touchpoint_schema_migrations (
		version    integer     PRIMARY KEY,
		name       text        NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return 0, err
	}
	have, err := schemaVersion(ctx, tx)
	if err != nil {
		return 0, err
	}
	if have > len(ms) {
		return 0, &SchemaVersionError{Have: have, Want: len(ms)}
	}
	for _, m := range ms[have:] {
		if _, err := tx.Exec(ctx, m.sql); err != nil {
			return 0, &MigrationError{Version: m.version, Name: m.name, Err: err}
		}
		if _, err := tx.Exec(ctx, "INSERT INTO touchpoint_schema_migrations (version, name) VALUES ($1, $2)", m.version, m.name); err != nil {
			return 0, &MigrationError{Version: m.version, Name: m.name, Err: err}
		}
		applied++
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, err
	}
	return applied, nil
}

type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// schemaVersion returns the highest applied migration (0 for none, or
// when the table does not exist).
func schemaVersion(ctx context.Context, q querier) (int, error) {
	var exists bool
	if err := q.QueryRow(ctx, "SELECT to_regclass('touchpoint_schema_migrations') IS NOT NULL").Scan(&exists); err != nil || !exists {
		return 0, err
	}
	var v int
	err := q.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM touchpoint_schema_migrations").Scan(&v)
	return v, err
}
