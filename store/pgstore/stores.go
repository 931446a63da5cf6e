package pgstore

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/touchpoint-sdk/touchpoint/activation"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
	"github.com/touchpoint-sdk/touchpoint/identity"
)

// IdentityStore keeps an identity graph in PostgreSQL: an identity.Store
// (give it to identity.New with identity.WithStore). The graph's entries
// hold keyed hashes, and values only when the graph keeps plaintext; the
// store seals them all (see Open).
//
// Several graphs — hub instances, each with its own IdentityStore of the
// same name — may write one store at a time: appends get sequence numbers
// in commit order, and since a graph's result does not depend on the
// order of its facts, a graph loaded from the store derives the same
// profiles whatever the writers' interleaving. A graph sees the others'
// entries when it is created (loaded) again. Compact keeps the entries of
// other writers that this graph has not seen, and refuses with ErrConflict
// if another writer compacted since this graph loaded (identity.Graph.Erase
// then returns that error after the erasure took effect in memory and in
// the log; reopen the graph and Compact to take the erased data off the
// tables).
//
// Durability: Append returns after PostgreSQL committed (as durable as the
// server's synchronous_commit setting makes it), except inside Batch. It
// is safe for concurrent use; Close does not close the DB's pool.
type IdentityStore struct{ s *logStore }

var _ identity.Store = (*IdentityStore)(nil)

// IdentityStore opens (creating) the identity store called name (1-128
// bytes of UTF-8). Errors: a *ConfigError for a bad name, a *StoreError
// matching ErrKeyMismatch for a store written under another key or mode,
// or a *StoreError wrapping PostgreSQL's error.
func (db *DB) IdentityStore(ctx context.Context, name string) (*IdentityStore, error) {
	s, err := db.openStore(ctx, kindIdentity, name, false)
	if err != nil {
		return nil, err
	}
	return &IdentityStore{s: s}, nil
}

// Load implements identity.Store: the snapshot's entries, then the log's,
// as of one consistent moment.
func (st *IdentityStore) Load(ctx context.Context, fn func(entry []byte) error) error {
	return st.s.load(ctx, fn, fn)
}

// Append implements identity.Store: the entries are committed as one unit
// (inside Batch: held until the batch ends).
func (st *IdentityStore) Append(ctx context.Context, entries ...[]byte) error {
	return st.s.appendRecs(ctx, entries)
}

// Compact implements identity.Store (see IdentityStore for what it keeps
// and when it refuses).
func (st *IdentityStore) Compact(ctx context.Context, snapshot func(emit func(entry []byte) error) error) error {
	return st.s.compact(ctx, snapshot)
}

// Batch runs fn and writes every entry appended while it runs — by the
// graph's Link, LinkKeys, SetLinkConsent or Erase — in one transaction when
// fn returns: a consumer applies a poll's worth of facts at the cost of one
// commit (see the README for the rate). The graph applies each fact in
// memory before the batch is written, so a consumer must commit its input
// offsets only after Batch returned nil. If the write fails (or ctx ends
// first), Batch returns an error matching ErrDiverged and the store
// refuses every later call: close the graph and create it again from a new
// store of the same name, which then holds none of the batch. Batches nest
// (the outermost writes); Compact inside a batch writes what is held
// first. fn's error is returned (joined with the write's); the entries it
// appended are written all the same.
func (st *IdentityStore) Batch(ctx context.Context, fn func(ctx context.Context) error) error {
	return st.s.batch(ctx, fn)
}

// BatchIn is Batch with the entries written in the caller's transaction:
// it runs fn, then calls send with a pgx.Batch holding the statements that
// append what fn appended (none when it appended nothing). send queues its
// own statements after them and sends the batch, which PostgreSQL runs as
// one implicit transaction (one Sync), so the entries commit together
// with the caller's writes or not at all — one commit per poll where Batch
// and the caller's write take two. The append holds the store's row lock
// until that commit.
//
// If send returns an error (or the append finds another writer's first
// record, ErrConflict), BatchIn returns it joined with ErrDiverged and the
// store refuses every later call, as Batch does. If fn fails, send is not
// called: the entries fn appended are written on their own, as Batch
// writes them, and fn's error is returned. BatchIn does not nest: inside a
// Batch or BatchIn it returns a *StoreError matching ErrNested. The
// store's other writes wait until send returned: send must not write to
// the store (see PrepareBatch).
func (st *IdentityStore) BatchIn(ctx context.Context, fn func(ctx context.Context) error, send func(ctx context.Context, b *pgx.Batch) error) error {
	return st.s.batchIn(ctx, fn, send)
}

// PrepareBatch is BatchIn split in two, for a caller that pipelines
// (applies the next poll to the graph while this one commits): it runs
// fn and returns the statements that append what fn appended, on a new
// pgx.Batch, and done. The caller queues its own statements after them,
// sends the batch when it likes, from any goroutine, and then calls done
// once with the send's error (nil when the batch committed); done
// returns it, joined with ErrDiverged when the entries were not written
// (the send failed, or ErrConflict), and the store then refuses every
// later call, as after a failed Batch. Calling done again does nothing.
//
// Between PrepareBatch and done the store is usable: the next
// PrepareBatch may run while this batch is in flight. Send the batches of
// one store in the order PrepareBatch returned them, each after the one
// before committed: a batch's entries may follow from the ones before
// (the graph applied them in memory in that order). A write outside a
// batch meanwhile (an Erase's entries, a Compact) waits until every
// prepared batch is done, so entries reach the log in the order the graph
// applied them: call done on every path, or such writes wait forever. If
// fn fails, the entries it appended are written on their own, as Batch
// writes them (after the batches in flight, so a batch prepared before
// must be sent by another goroutine, as a pipeline does, or this waits
// for it forever), and fn's error is returned with a nil batch. PrepareBatch does not nest: inside a Batch it returns
// a *StoreError matching ErrNested.
func (st *IdentityStore) PrepareBatch(ctx context.Context, fn func(ctx context.Context) error) (b *pgx.Batch, done func(sendErr error) error, err error) {
	return st.s.prepareBatch(ctx, fn)
}

// Close implements identity.Store: later calls return ErrClosed. The DB's
// pool stays open.
func (st *IdentityStore) Close() error { return st.s.close() }

// ConsentStore keeps a consent ledger in PostgreSQL: a consent.LedgerStore
// (open the ledger with consent.OpenLedgerStore). The ledger's records hold
// subject ids as recorded; the store seals them (see Open), and Erase's
// compaction deletes an erased subject's facts from the tables.
//
// Several ledgers may share a store as several graphs share an
// IdentityStore (see there), with one more rule: the ledger writes a
// random tombstone key into an empty store, so of two ledgers opened on
// the same empty store only the first to write succeeds; the other's
// OpenLedgerStore (or first Record) returns a *StoreError matching
// ErrConflict, and opening it again reads the first one's key. A ledger
// sees the others' facts when opened again. It is safe for concurrent use;
// Close does not close the DB's pool.
type ConsentStore struct{ s *logStore }

var _ consent.LedgerStore = (*ConsentStore)(nil)

// ConsentStore opens (creating) the consent store called name. Errors as
// for IdentityStore.
func (db *DB) ConsentStore(ctx context.Context, name string) (*ConsentStore, error) {
	s, err := db.openStore(ctx, kindConsent, name, true)
	if err != nil {
		return nil, err
	}
	return &ConsentStore{s: s}, nil
}

// Load implements consent.LedgerStore.
func (st *ConsentStore) Load(ctx context.Context, snapshot, log func(rec []byte) error) error {
	return st.s.load(ctx, snapshot, log)
}

// Append implements consent.LedgerStore: committed as one unit before it
// returns (inside Batch: when the batch ends).
func (st *ConsentStore) Append(ctx context.Context, recs ...[]byte) error {
	return st.s.appendRecs(ctx, recs)
}

// Compact implements consent.LedgerStore (see IdentityStore for what it
// keeps and when it refuses).
func (st *ConsentStore) Compact(ctx context.Context, fill func(emit func(rec []byte) error) error) error {
	return st.s.compact(ctx, fill)
}

// Batch is IdentityStore.Batch for a ledger's Record calls.
func (st *ConsentStore) Batch(ctx context.Context, fn func(ctx context.Context) error) error {
	return st.s.batch(ctx, fn)
}

// Close implements consent.LedgerStore; the DB's pool stays open.
func (st *ConsentStore) Close() error { return st.s.close() }

// ActivationStore keeps an activation engine's state in PostgreSQL: an
// activation.Store (give it to the engine as its store). The engine's
// records hold keyed hashes of identifiers and the facts and traits it
// keeps; the store seals them (see Open). Sharing between writers follows
// IdentityStore. It is safe for concurrent use; Close does not close the
// DB's pool.
type ActivationStore struct{ s *logStore }

var _ activation.Store = (*ActivationStore)(nil)

// ActivationStore opens (creating) the activation store called name.
// Errors as for IdentityStore.
func (db *DB) ActivationStore(ctx context.Context, name string) (*ActivationStore, error) {
	s, err := db.openStore(ctx, kindActivation, name, false)
	if err != nil {
		return nil, err
	}
	return &ActivationStore{s: s}, nil
}

// Load implements activation.Store.
func (st *ActivationStore) Load(ctx context.Context, snapshot, log func(rec []byte) error) error {
	return st.s.load(ctx, snapshot, log)
}

// Append implements activation.Store: committed as one unit before it
// returns (inside Batch: when the batch ends).
func (st *ActivationStore) Append(ctx context.Context, recs ...[]byte) error {
	return st.s.appendRecs(ctx, recs)
}

// Compact implements activation.Store (see IdentityStore for what it keeps
// and when it refuses).
func (st *ActivationStore) Compact(ctx context.Context, fill func(emit func(rec []byte) error) error) error {
	return st.s.compact(ctx, fill)
}

// Batch is IdentityStore.Batch for an engine's Process calls.
func (st *ActivationStore) Batch(ctx context.Context, fn func(ctx context.Context) error) error {
	return st.s.batch(ctx, fn)
}

// Close implements activation.Store; the DB's pool stays open.
func (st *ActivationStore) Close() error { return st.s.close() }
