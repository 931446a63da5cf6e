package pgstore_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/store/pgstore"
)

// TestMigrateConcurrentAndIdempotent: eight callers migrating one empty
// database at once apply each migration exactly once between them; later
// calls apply nothing.
func TestMigrateConcurrentAndIdempotent(t *testing.T) {
	pool := poolIn(t, schema(t))
	ctx := context.Background()
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		total int
		errs  []error
	)
	for range 8 {
		wg.Go(func() {
			n, err := pgstore.Migrate(ctx, pool)
			mu.Lock()
			defer mu.Unlock()
			total += n
			if err != nil {
				errs = append(errs, err)
			}
		})
	}
	wg.Wait()
	if len(errs) > 0 || total != pgstore.SchemaVersion {
		t.Fatalf("concurrent Migrate applied %d migrations in all (want %d), errors %v", total, pgstore.SchemaVersion, errs)
	}
	var rows int
	if err := pool.QueryRow(ctx, "SELECT count(*) FROM touchpoint_schema_migrations").Scan(&rows); err != nil || rows != pgstore.SchemaVersion {
		t.Fatalf("schema_migrations rows = %d, %v", rows, err)
	}
	if n, err := pgstore.Migrate(ctx, pool); n != 0 || err != nil {
		t.Fatalf("second Migrate = %d, %v; want 0, nil", n, err)
	}
}

// TestSchemaVersionChecks: a database migrated by newer code is refused
// with ErrSchemaTooNew; WithoutMigrate refuses an unmigrated database
// with ErrSchemaTooOld and accepts a current one.
func TestSchemaVersionChecks(t *testing.T) {
	pool := poolIn(t, schema(t))
	ctx := context.Background()
	var sv *pgstore.SchemaVersionError
	_, err := pgstore.Open(ctx, pool, testKey, pgstore.WithoutMigrate())
	if !errors.Is(err, pgstore.ErrSchemaTooOld) || !errors.As(err, &sv) || sv.Have != 0 || sv.Want != pgstore.SchemaVersion {
		t.Fatalf("WithoutMigrate on an empty database: %v", err)
	}
	if _, err := pgstore.Open(ctx, pool, testKey); err != nil {
		t.Fatal(err)
	}
	if _, err := pgstore.Open(ctx, pool, testKey, pgstore.WithoutMigrate()); err != nil {
		t.Fatalf("WithoutMigrate on a current database: %v", err)
	}
	if _, err := pool.Exec(ctx, "INSERT INTO touchpoint_schema_migrations (version, name) VALUES (99, '0099_future.sql')"); err != nil {
		t.Fatal(err)
	}
	_, err = pgstore.Open(ctx, pool, testKey)
	if !errors.Is(err, pgstore.ErrSchemaTooNew) || errors.Is(err, pgstore.ErrSchemaTooOld) || !errors.As(err, &sv) || sv.Have != 99 {
		t.Fatalf("Open on a newer schema: %v", err)
	}
	if _, err := pgstore.Migrate(ctx, pool); !errors.Is(err, pgstore.ErrSchemaTooNew) {
		t.Fatalf("Migrate on a newer schema: %v", err)
	}
}

// TestOpenConfigErrors: a nil pool, a short key and a nil option are
// *ConfigErrors.
func TestOpenConfigErrors(t *testing.T) {
	ctx := context.Background()
	var ce *pgstore.ConfigError
	if _, err := pgstore.Open(ctx, nil, testKey); !errors.As(err, &ce) {
		t.Errorf("nil pool: %v", err)
	}
	if _, err := pgstore.Migrate(ctx, nil); !errors.As(err, &ce) {
		t.Errorf("Migrate(nil): %v", err)
	}
	pool := poolIn(t, schema(t))
	if _, err := pgstore.Open(ctx, pool, []byte("short")); !errors.As(err, &ce) {
		t.Errorf("short key: %v", err)
	}
	if _, err := pgstore.Open(ctx, pool, testKey, nil); !errors.As(err, &ce) {
		t.Errorf("nil option: %v", err)
	}
	db, err := pgstore.Open(ctx, pool, testKey)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"", string(make([]byte, 129)), "a\x00b", "\xff"} {
		if _, err := db.IdentityStore(ctx, name); !errors.As(err, &ce) {
			t.Errorf("store name %q: %v", name, err)
		}
	}
}
