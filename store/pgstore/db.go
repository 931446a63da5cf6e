package pgstore

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"slices"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgxpool"
)

// DB opens the stores kept in one PostgreSQL database. It holds the pool
// (the caller's: DB never closes it) and the key that seals records. It is
// safe for concurrent use and starts no goroutines.
type DB struct {
	pool      *pgxpool.Pool
	seal      *sealer // nil: plaintext
	keyCheck  []byte
	plaintext bool
}

// Option configures Open.
type Option interface{ apply(*config) }

type config struct {
	plaintext bool
	noMigrate bool
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// WithPlaintext stores records as their owners encode them, unsealed:
// readable with SQL, and holding whatever the records hold — identity
// values when the graph keeps plaintext (identity.WithPlaintext), consent
// subject ids as recorded. It holds personal data in the clear: leave it
// off (the default) to keep every record sealed.
func WithPlaintext() Option { return optionFunc(func(c *config) { c.plaintext = true }) }

// WithoutMigrate makes Open check the schema version instead of migrating,
// for deployments that run Migrate as a separate step. Default: Open
// migrates.
func WithoutMigrate() Option { return optionFunc(func(c *config) { c.noMigrate = true }) }

// Open prepares the database behind pool: it runs Migrate (see
// WithoutMigrate) and returns a DB whose stores seal every record with
// AES-256-GCM under a key derived from key (at least 16 bytes; copied), so
// that no identifier — not even a keyed hash — is readable in any table.
// Every process of a fleet that shares stores must use the same key; a
// store written under another key is refused (ErrKeyMismatch). The pool
// stays the caller's. Errors: a *ConfigError, a *MigrationError, a
// *SchemaVersionError, or PostgreSQL's error.
func Open(ctx context.Context, pool *pgxpool.Pool, key []byte, opts ...Option) (*DB, error) {
	if pool == nil {
		return nil, &ConfigError{Option: "Open(pool)", Reason: "nil pool"}
	}
	if len(key) < 16 {
		return nil, &ConfigError{Option: "Open(key)", Reason: "the key must be at least 16 bytes"}
	}
	var cfg config
	for _, o := range opts {
		if o == nil {
			return nil, &ConfigError{Option: "Option", Reason: "nil option"}
		}
		o.apply(&cfg)
	}
	if cfg.noMigrate {
		have, err := schemaVersion(ctx, pool)
		if err != nil {
			return nil, err
		}
		if have != SchemaVersion {
			return nil, &SchemaVersionError{Have: have, Want: SchemaVersion}
		}
	} else if _, err := Migrate(ctx, pool); err != nil {
		return nil, err
	}
	db := &DB{pool: pool, plaintext: cfg.plaintext, keyCheck: derive(key, "touchpoint/pgstore/key-check")[:16]}
	if !cfg.plaintext {
		s, err := newSealer(derive(key, "touchpoint/pgstore/seal/v1"))
		if err != nil {
			return nil, err
		}
		db.seal = s
	}
	return db, nil
}

// derive returns HMAC-SHA256(key, label).
func derive(key []byte, label string) []byte {
	m := hmac.New(sha256.New, slices.Clone(key))
	m.Write([]byte(label))
	return m.Sum(nil)
}

const (
	kindIdentity   = "identity"
	kindConsent    = "consent"
	kindActivation = "activation"
)

// openStore finds or creates the store (kind, name) and checks its key and
// mode.
func (db *DB) openStore(ctx context.Context, kind, name string, guardFirst bool) (*logStore, error) {
	if name == "" || len(name) > 128 || !utf8.ValidString(name) || containsNUL(name) {
		return nil, &ConfigError{Option: kind + " store name", Reason: "must be 1-128 bytes of UTF-8 without NUL"}
	}
	if _, err := db.pool.Exec(ctx, `INSERT INTO touchpoint_stores (kind, name, sealed, key_check)
		VALUES ($1, $2, $3, $4) ON CONFLICT (kind, name) DO NOTHING`, kind, name, !db.plaintext, db.keyCheck); err != nil {
		return nil, &StoreError{Kind: kind, Name: name, Reason: "create", Err: err}
	}
	var (
		id     int64
		sealed bool
		check  []byte
	)
	if err := db.pool.QueryRow(ctx, "SELECT id, sealed, key_check FROM touchpoint_stores WHERE kind = $1 AND name = $2",
		kind, name).Scan(&id, &sealed, &check); err != nil {
		return nil, &StoreError{Kind: kind, Name: name, Reason: "open", Err: err}
	}
	switch {
	case !hmac.Equal(check, db.keyCheck):
		return nil, &StoreError{Kind: kind, Name: name, Reason: "written under another key", Err: ErrKeyMismatch}
	case sealed && db.plaintext:
		return nil, &StoreError{Kind: kind, Name: name, Reason: "its records are sealed, this DB keeps plaintext", Err: ErrKeyMismatch}
	case !sealed && !db.plaintext:
		return nil, &StoreError{Kind: kind, Name: name, Reason: "its records are plaintext, this DB seals (open with WithPlaintext)", Err: ErrKeyMismatch}
	}
	return newLogStore(db, kind, name, id, guardFirst), nil
}

func containsNUL(s string) bool {
	for i := range len(s) {
		if s[i] == 0 {
			return true
		}
	}
	return false
}
