// Package pgstore keeps Touchpoint's state in PostgreSQL, so that a fleet
// of gateways and hub instances shares one identity graph, one consent
// ledger and one activation state: IdentityStore is an identity.Store,
// ConsentStore a consent.LedgerStore and ActivationStore an
// activation.Store, all opened from a DB (Open) over a pgx pool.
//
// # Layout
//
// Each store is what the file stores keep — a snapshot and a log of the
// records appended since — in three tables (touchpoint_stores,
// touchpoint_snapshot, touchpoint_log). The schema is versioned: the
// migrations are embedded in this module and Open applies the missing ones
// (Migrate: one transaction under an advisory lock, recorded in
// touchpoint_schema_migrations, safe when several processes start at
// once). A database migrated by newer code is refused (ErrSchemaTooNew).
//
// # No identifiers in the clear
//
// Records are sealed with AES-256-GCM under a key derived from the key
// given to Open, bound to their store's kind and name: no identifier — no
// value, not even a keyed hash — is readable in any table, and a record
// altered or moved in the database does not open (ErrCorrupt). Only
// WithPlaintext, an explicit opt-in, stores records as their owners encode
// them. Erasure works as on disk: the graph or ledger compacts its store,
// and the erased person's records leave the tables.
//
// # Several writers
//
// Stores of the same kind and name opened by several processes share
// their contents. Appends are transactions that take log sequence numbers
// in commit order; a Load is one consistent snapshot. Since an identity
// graph's profiles do not depend on the order of its facts, a graph loaded
// after any interleaving of writers derives the same profiles (tested
// with concurrent writers on two pools). Compaction deletes only what the
// compacting instance has seen, and refuses (ErrConflict) when another
// instance compacted after it loaded. A graph, ledger or engine sees the
// others' records when it is created again from the store.
//
// # Batches
//
// Append commits before it returns. Batch holds the records appended
// while a function runs and commits them in one transaction at its end:
// a consumer applying a poll's worth of identity facts pays one commit for
// all of them (the README gives the measured rate). IdentityStore.BatchIn
// puts those records on the caller's pgx.Batch instead, so that they
// commit in one transaction with the caller's own writes (the fleet hub's
// records and applied message ids): one commit per poll for both.
// IdentityStore.PrepareBatch splits BatchIn in two, for a consumer that
// applies the next poll while this one commits. The records a batch
// appends are written as a few log rows (packs of up to 256, schema
// version 2), not one row each.
//
// # Contracts
//
// DB and the stores are safe for concurrent use and start no goroutines.
// Every method that talks to PostgreSQL takes a context first and honours
// it. The pool belongs to the caller: Close on a store releases the store,
// never the pool. Errors are typed: *ConfigError, *MigrationError,
// *SchemaVersionError, *StoreError (naming kind, name and record), and
// the sentinels they match.
package pgstore
