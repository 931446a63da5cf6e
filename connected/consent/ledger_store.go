package consent

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/touchpoint-sdk/touchpoint/internal/durable"
)

// tombKey keys the tombstones of erased subjects: a tombstone is the first
// 16 bytes of SHA-256(key || subject id). The key is random per ledger; a
// durable ledger keeps it in its store (the tombstones must match after a
// restart), so whoever can read the store can test whether a known id was
// erased, but the tombstones match nothing outside it.
type tombKey [32]byte

// tomb is a tombstone.
type tomb [16]byte

func newTombKey(k *tombKey) error {
	if _, err := rand.Read(k[:]); err != nil {
		return fmt.Errorf("consent: tombstone key: %w", err)
	}
	return nil
}

// tomb returns the tombstone of subject. It does not allocate for ids of up
// to maxSubject bytes.
func (k *tombKey) tomb(subject string) tomb {
	var sum [32]byte
	if len(subject) <= maxSubject {
		var buf [len(tombKey{}) + maxSubject]byte
		n := copy(buf[:], k[:])
		n += copy(buf[n:], subject)
		sum = sha256.Sum256(buf[:n])
	} else {
		h := sha256.New()
		h.Write(k[:])
		h.Write([]byte(subject))
		h.Sum(sum[:0])
	}
	var t tomb
	copy(t[:], sum[:])
	return t
}

// defaultCompactAfter is how many facts a durable ledger appends before it
// compacts its store by itself.
const defaultCompactAfter = 1 << 16

// durableConfig holds the options of OpenLedger.
type durableConfig struct {
	set          bool // a store option was given
	noSync       bool
	compactAfter int
	onRecover    func(cut int64, cause error)
}

// WithLedgerSync sets whether a durable ledger fsyncs every change before
// Record or Erase returns. Default true: a recorded fact survives a power
// loss. With false it survives a process crash (the write reached the
// kernel) but not a power loss. OpenLedger only.
func WithLedgerSync(sync bool) LedgerOption {
	return ledgerOptionFunc(func(l *Ledger) { l.dcfg.set, l.dcfg.noSync = true, !sync })
}

// WithCompactAfter makes a durable ledger rewrite its store as a snapshot
// (dropping the log) after n facts were appended since the last one, in the
// Record call that appends the n-th. Default 65536; n must be at least 1.
// OpenLedger only.
func WithCompactAfter(n int) LedgerOption {
	return ledgerOptionFunc(func(l *Ledger) { l.dcfg.set, l.dcfg.compactAfter = true, n })
}

// WithLedgerRecovery calls fn during OpenLedger when the store's log ended
// in a torn or corrupt frame (a crash during a write) that was cut off: cut
// is the number of bytes removed and cause the *FormatError found there.
// At most the change being written at the crash is lost; it had not been
// acknowledged. Default: none. OpenLedger only.
func WithLedgerRecovery(fn func(cut int64, cause error)) LedgerOption {
	return ledgerOptionFunc(func(l *Ledger) { l.dcfg.set, l.dcfg.onRecover = true, fn })
}

// OpenLedger opens the durable ledger in dir (creating the directory, mode
// 0700, and an empty ledger if needed), rebuilding every fact and erasure
// from it. Every Record and Erase is written ahead to the store —
// a snapshot plus an append-only log of versioned, checksummed records,
// the same crash-safe store identity's FileStore uses — and fsynced before
// it returns (see WithLedgerSync), so a gateway restart, a crash or a
// SIGKILL forgets no grant and no revocation that was acknowledged. The
// files hold subject ids as recorded; Erase removes an erased subject's
// facts from them at once (it compacts the store), keeping only its
// tombstone.
//
// One directory is used by one Ledger at a time: a second opener, in this
// process or another, gets ErrLedgerLocked. Errors: a *ConfigError for a
// bad option, ErrLedgerLocked, a *FormatError (ErrCorrupt) for a store it
// cannot read, or the I/O error. Close the ledger when done. Facts come
// back with their Effective time in UTC.
func OpenLedger(dir string, opts ...LedgerOption) (*Ledger, error) {
	l, err := newLedger(opts)
	if err != nil {
		return nil, err
	}
	cfg := durable.Config{Name: "TPCL", Ext: "tpcl", Schema: ledgerSchema}
	if l.dcfg.noSync {
		cfg.Sync = durable.SyncNever
	}
	st, err := durable.Open(dir, cfg)
	if err != nil {
		return nil, storeErr(err)
	}
	if rc := st.Recovery(); rc.Bytes > 0 && l.dcfg.onRecover != nil {
		l.dcfg.onRecover(rc.Bytes, storeErr(rc.Cause))
	}
	l.store = fileLedgerStore{st}
	if err := l.replay(context.Background()); err != nil {
		st.Close()
		return nil, err
	}
	return l, nil
}

// LedgerStore is where a durable ledger keeps its facts, erasures and
// tombstone key when it is not the file store of OpenLedger (a database,
// say: store/pgstore): a snapshot and the records appended since, opaque
// to the store (their format is the ledger's own, versioned). The ledger
// calls its methods one at a time (it holds its write lock). Record slices
// belong to the caller during each call: a store copies what it keeps.
// The records hold subject ids as recorded; a store that must not keep
// them readable protects them itself.
type LedgerStore interface {
	// Load calls snapshot for each snapshot record, then log for each
	// record appended since, in order. An error from a callback stops Load
	// and is returned.
	Load(ctx context.Context, snapshot, log func(rec []byte) error) error
	// Append writes records durably, in order, as one unit: after an
	// error, a later Load sees all of them or none.
	Append(ctx context.Context, recs ...[]byte) error
	// Compact replaces the snapshot with what fill emits and empties the
	// log, atomically. If fill returns an error, Compact returns it and
	// changes nothing.
	Compact(ctx context.Context, fill func(emit func(rec []byte) error) error) error
	// Close releases the store.
	Close() error
}

// fileLedgerStore is the LedgerStore of OpenLedger.
type fileLedgerStore struct{ *durable.Store }

func (f fileLedgerStore) Load(ctx context.Context, snapshot, log func([]byte) error) error {
	return f.Replay(ctx, snapshot, log)
}

// OpenLedgerStore opens a durable ledger on st, rebuilding every fact and
// erasure from it (an empty store gets a new tombstone key first). It
// behaves as a ledger from OpenLedger — every Record and Erase is written
// ahead to st before it takes effect, Erase compacts st, WithCompactAfter
// applies — except that durability is what st promises. The ledger owns st
// and closes it in Close. Errors: a *ConfigError for a nil store or a file
// store option (WithLedgerSync, WithLedgerRecovery), a *FormatError for
// records it cannot read, or st's error.
func OpenLedgerStore(ctx context.Context, st LedgerStore, opts ...LedgerOption) (*Ledger, error) {
	if st == nil {
		return nil, &ConfigError{Field: "OpenLedgerStore", Reason: "nil LedgerStore"}
	}
	l, err := newLedger(opts)
	if err != nil {
		return nil, err
	}
	if l.dcfg.noSync || l.dcfg.onRecover != nil {
		return nil, &ConfigError{Field: "LedgerOption", Reason: "WithLedgerSync and WithLedgerRecovery concern OpenLedger's files"}
	}
	l.store = st
	if err := l.replay(ctx); err != nil {
		return nil, err
	}
	return l, nil
}

// replay rebuilds the ledger from its store, writing a new tombstone key
// into an empty store.
func (l *Ledger) replay(ctx context.Context) error {
	haveKey := false
	logged := 0
	intern := make(map[string]string)
	apply := func(b []byte) error {
		e, err := decodeLedgerEntry(b, intern)
		if err != nil {
			return err
		}
		if !haveKey && e.op != opKey {
			return &FormatError{Source: "entry", Offset: 0, Err: errors.New("store does not start with its tombstone key")}
		}
		switch e.op {
		case opKey:
			if haveKey && e.key != l.key {
				return &FormatError{Source: "entry", Offset: 1, Err: errors.New("a second, different tombstone key")}
			}
			l.key, haveKey = e.key, true
		case opFact:
			if _, _, err := l.apply(e.fact); err != nil && !errors.Is(err, ErrErased) {
				return err // (a fact recorded before an erasure whose compaction did not finish is skipped)
			}
		case opErase:
			l.erased[e.tomb] = struct{}{}
			for s := range l.subjects {
				if l.key.tomb(s) == e.tomb {
					delete(l.subjects, s)
				}
			}
		}
		return nil
	}
	logApply := func(b []byte) error { logged++; return apply(b) }
	if err := l.store.Load(ctx, apply, logApply); err != nil {
		return storeErr(err)
	}
	l.written = logged
	if haveKey {
		return nil
	}
	if err := newTombKey(&l.key); err != nil {
		return err
	}
	return storeErr(l.store.Append(ctx, encodeKeyEntry(&l.key)))
}

// persistFact appends f to the store; wmu is held.
func (l *Ledger) persistFact(ctx context.Context, f *Fact) error {
	if err := l.store.Append(ctx, encodeFactEntry(f)); err != nil {
		return storeErr(err)
	}
	l.written++
	return nil
}

// maybeCompact compacts once WithCompactAfter facts were appended since the
// last snapshot; wmu is held and the last fact applied. A failure leaves
// the old snapshot and log, which hold everything; the next Record tries
// again.
func (l *Ledger) maybeCompact(ctx context.Context) error {
	if l.store == nil || l.written < l.dcfg.compactAfter {
		return nil
	}
	if err := l.compactLocked(ctx); err != nil {
		return fmt.Errorf("consent: fact recorded, but compacting the ledger store failed: %w", err)
	}
	return nil
}

// Compact rewrites a durable ledger's store as one snapshot of what it
// holds now and an empty log (Record does this by itself, see
// WithCompactAfter). It does nothing for a memory-only ledger. It returns
// ErrLedgerClosed after Close, or the store's error (the old contents then
// stay in force).
func (l *Ledger) Compact(ctx context.Context) error {
	l.wmu.Lock()
	defer l.wmu.Unlock()
	if l.closed {
		return ErrLedgerClosed
	}
	if l.store == nil {
		return nil
	}
	return l.compactLocked(ctx)
}

// compactLocked writes the snapshot; wmu is held, so nothing changes.
func (l *Ledger) compactLocked(ctx context.Context) error {
	err := l.store.Compact(ctx, func(emit func([]byte) error) error {
		if err := emit(encodeKeyEntry(&l.key)); err != nil {
			return err
		}
		l.mu.RLock()
		defer l.mu.RUnlock()
		for t := range l.erased {
			if err := emit(encodeEraseEntry(t, 0)); err != nil {
				return err
			}
		}
		for _, st := range l.subjects {
			for i := range st.builtin {
				for j := range st.builtin[i].facts {
					if err := emit(encodeFactEntry(&st.builtin[i].facts[j])); err != nil {
						return err
					}
				}
			}
			for i := range st.custom {
				for j := range st.custom[i].h.facts {
					if err := emit(encodeFactEntry(&st.custom[i].h.facts[j])); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		return storeErr(err)
	}
	l.written = 0
	return nil
}

// Close closes a durable ledger's store.
//
// Deprecated: use Shutdown, the lifecycle verb of every Touchpoint
// component. Close will be removed in the next release.
func (l *Ledger) Close() error { return l.Shutdown(context.Background()) }

// Shutdown closes a durable ledger's store and releases its directory (a
// memory ledger has nothing to release). It is idempotent. Afterwards
// Record, Erase and Compact return ErrLedgerClosed; the readers (At,
// Permits, the Router) keep answering from memory. Closing does not block
// on anything the context could bound (every write was synced when it
// returned), so ctx is not consulted.
func (l *Ledger) Shutdown(_ context.Context) error {
	l.wmu.Lock()
	defer l.wmu.Unlock()
	if l.closed {
		return nil
	}
	l.closed = true
	if l.store == nil {
		return nil
	}
	return storeErr(l.store.Close())
}

// Durable reports whether the ledger writes to a store (OpenLedger).
func (l *Ledger) Durable() bool { return l.store != nil }

// storeErr turns the shared store's errors into this package's.
func storeErr(err error) error {
	var fe *durable.FormatError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &fe):
		return &FormatError{Source: string(fe.File), Offset: fe.Offset, Err: fe.Err}
	case errors.Is(err, durable.ErrLocked):
		return fmt.Errorf("%w: %w", ErrLedgerLocked, err)
	case errors.Is(err, durable.ErrClosed):
		return ErrLedgerClosed
	}
	return err
}
