package pgstore

import (
	"errors"
	"fmt"
)

// Sentinel errors. Match them with errors.Is; the typed errors below wrap
// them.
var (
	// ErrClosed is returned by a store's methods after Close.
	ErrClosed = errors.New("pgstore: store closed")
	// ErrKeyMismatch: the store was written under another key, or sealed
	// where this DB keeps plaintext (or the reverse).
	ErrKeyMismatch = errors.New("pgstore: store written under another key or mode")
	// ErrConflict: another writer changed the store in a way this one
	// cannot merge (it compacted since this one loaded, or wrote the first
	// record of a store this one loaded empty). Reopen and retry.
	ErrConflict = errors.New("pgstore: concurrent change by another writer")
	// ErrDiverged: a batch's records could not be written after the caller
	// had applied them in memory; the store refuses every later call. Close
	// the graph (ledger, engine) and open it again from the database.
	ErrDiverged = errors.New("pgstore: batch not written; memory is ahead of the database")
	// ErrNested: IdentityStore.BatchIn was called inside a batch.
	ErrNested = errors.New("pgstore: BatchIn inside a batch")
	// ErrCorrupt: a record does not open (wrong key, or altered in the
	// database).
	ErrCorrupt = errors.New("pgstore: record does not open")
	// ErrSchemaTooNew: the database's schema is newer than this code.
	ErrSchemaTooNew = errors.New("pgstore: database schema is newer than this code")
	// ErrSchemaTooOld: the database's schema is older than this code and
	// migrations were turned off (WithoutMigrate).
	ErrSchemaTooOld = errors.New("pgstore: database schema is older than this code")
)

// ConfigError reports an invalid argument or option.
type ConfigError struct {
	Option string // the option or argument
	Reason string
}

func (e *ConfigError) Error() string { return "pgstore: " + e.Option + ": " + e.Reason }

// MigrationError says which migration failed; the transaction that applied
// it was rolled back, so the schema is as it was before Migrate.
type MigrationError struct {
	Version int    // the migration's version
	Name    string // its file name
	Err     error  // PostgreSQL's error
}

func (e *MigrationError) Error() string {
	return fmt.Sprintf("pgstore: migration %d (%s): %v", e.Version, e.Name, e.Err)
}

func (e *MigrationError) Unwrap() error { return e.Err }

// SchemaVersionError says the database's schema version is not the one
// this code uses. It matches ErrSchemaTooNew or ErrSchemaTooOld.
type SchemaVersionError struct {
	Have int // the database's version (0: no schema)
	Want int // this code's version (SchemaVersion)
}

func (e *SchemaVersionError) Error() string {
	return fmt.Sprintf("pgstore: database schema version %d, this code uses %d", e.Have, e.Want)
}

// Is matches ErrSchemaTooNew or ErrSchemaTooOld.
func (e *SchemaVersionError) Is(target error) bool {
	return (target == ErrSchemaTooNew && e.Have > e.Want) || (target == ErrSchemaTooOld && e.Have < e.Want)
}

// StoreError says which store (kind and name) an error concerns, and which
// record (log sequence number, or snapshot position) when one does.
type StoreError struct {
	Kind   string // "identity", "consent" or "activation"
	Name   string // the store's name
	Record string // "log 42", "snapshot 7", or empty
	Reason string
	Err    error // ErrKeyMismatch, ErrConflict, ErrDiverged, ErrCorrupt, or PostgreSQL's error
}

func (e *StoreError) Error() string {
	s := "pgstore: " + e.Kind + " store " + fmt.Sprintf("%q", e.Name)
	if e.Record != "" {
		s += " " + e.Record
	}
	if e.Reason != "" {
		s += ": " + e.Reason
	}
	return s + ": " + e.Err.Error()
}

func (e *StoreError) Unwrap() error { return e.Err }
