package pgstore

import (
	"context"
	"errors"
	"os"
	"testing"
	"testing/fstest"

	"github.com/jackc/pgx/v5/pgxpool"
)

// TestMigrationErrorRollsBack: when the second of two migrations fails,
// Migrate returns a *MigrationError naming it and the first is rolled back
// too: the schema is as before.
func TestMigrationErrorRollsBack(t *testing.T) {
	url := os.Getenv("TOUCHPOINT_POSTGRES_URL")
	if url == "" {
		t.Skip("no PostgreSQL: set TOUCHPOINT_POSTGRES_URL (CI starts one with .ci/postgres.sh)")
	}
	ctx := context.Background()
	admin, err := pxPool(ctx, url, "")
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	const sch = "pgstore_test_rollback"
	admin.Exec(ctx, "DROP SCHEMA IF EXISTS "+sch+" CASCADE")
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+sch); err != nil {
		t.Fatal(err)
	}
	defer admin.Exec(ctx, "DROP SCHEMA "+sch+" CASCADE")
	pool, err := pxPool(ctx, url, sch)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()

	ms, err := loadMigrations(fstest.MapFS{
		"migrations/0001_a.sql": {Data: []byte("CREATE TABLE touchpoint_a (x int)")},
		"migrations/0002_b.sql": {Data: []byte("CREATE TABLE touchpoint_b (x no_such_type)")},
	})
	if err != nil {
		t.Fatal(err)
	}
	n, err := migrate(ctx, pool, ms)
	var me *MigrationError
	if n != 0 || !errors.As(err, &me) || me.Version != 2 || me.Name != "0002_b.sql" {
		t.Fatalf("migrate = %d, %v; want a *MigrationError for 0002_b.sql", n, err)
	}
	var exists bool
	pool.QueryRow(ctx, "SELECT to_regclass('touchpoint_a') IS NOT NULL").Scan(&exists)
	if v, err := schemaVersion(ctx, pool); exists || v != 0 || err != nil {
		t.Fatalf("after the failure: table a exists = %v, version %d, %v", exists, v, err)
	}

	for name, fs := range map[string]fstest.MapFS{
		"gap":      {"migrations/0001_a.sql": {}, "migrations/0003_c.sql": {}},
		"bad name": {"migrations/first.sql": {}},
	} {
		if _, err := loadMigrations(fs); !errors.As(err, &me) {
			t.Errorf("%s: %v, want a *MigrationError", name, err)
		}
	}
	if ms, err := loadMigrations(migrationFS); err != nil || len(ms) != SchemaVersion {
		t.Fatalf("embedded migrations: %d, %v; SchemaVersion %d", len(ms), err, SchemaVersion)
	}
}

func pxPool(ctx context.Context, url, schema string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, err
	}
	if schema != "" {
		cfg.ConnConfig.RuntimeParams["search_path"] = schema
	}
	return pgxpool.NewWithConfig(ctx, cfg)
}
