package identity

import (
	"context"
	"errors"
	"fmt"

	"github.com/touchpoint-sdk/touchpoint/internal/durable"
)

// FileStore is the durable local Store: a snapshot file plus an append-only
// log in one directory, kept by the module's shared crash-safe store
// (internal/durable; the consent ledger uses the same one). It is safe for
// concurrent use. One directory is used by one FileStore at a time: a
// second opener, in this process or another, gets ErrStoreLocked.
//
// The layout, in its directory:
//
//	snapshot.tpid        the latest snapshot (absent until the first Compact)
//	log-<gen>.tpid       the log of changes since that snapshot (gen: 16 hex)
//	snapshot.tmp         a snapshot being written (deleted on open)
//
// Both files start with a 24-byte header:
//
//	magic[8] ("TPIDSNAP" or "TPIDLOG\x00") | version u16 (1) | schema u16 (0)
//	| generation u64 | CRC-32C of the previous 20 bytes u32
//
// followed by frames: payload length u32 | CRC-32C(payload) u32 | payload
// (one entry, at most 16 MiB). Integers are big-endian. (The schema field
// was "reserved, 0" before the store was shared; the bytes are the same.)
//
// Crash safety: appends are fsynced (unless WithoutSync); on open the log is
// read up to its first torn or corrupt frame and truncated there, so a crash
// mid-append loses at most that append; the cut is reported
// (TruncatedBytes, WithTruncateHandler). Compact writes snapshot.tmp with
// generation G+1, fsyncs it, renames it over snapshot.tpid, fsyncs the
// directory, then creates log-(G+1) and removes log-G: whatever the moment
// of a crash, open finds either the old snapshot and its log, or the new
// snapshot (and a missing or empty new log). A corrupt snapshot is an error:
// it was written whole before it was renamed into place.
type FileStore struct {
	st        *durable.Store
	truncated int64
}

var _ Store = (*FileStore)(nil)

// FileStoreOption configures OpenFileStore.
type FileStoreOption interface {
	applyFile(*fileConfig)
}

type fileConfig struct {
	cfg        durable.Config
	onTruncate func(cut int64, cause error)
}

type fileOption func(*fileConfig)

func (f fileOption) applyFile(c *fileConfig) { f(c) }

// WithoutSync makes the store skip fsync: appends survive a process crash
// but not a power loss. For tests and benchmarks. Default: every Append and
// Compact is fsynced.
func WithoutSync() FileStoreOption {
	return fileOption(func(c *fileConfig) { c.cfg.Sync = durable.SyncNever })
}

// WithTruncateHandler calls fn, during OpenFileStore, when the log ended in
// a torn or corrupt frame that was cut off: cut is the number of bytes
// removed and cause the *FormatError found there. Default: none (the count
// is still reported by TruncatedBytes).
func WithTruncateHandler(fn func(cut int64, cause error)) FileStoreOption {
	return fileOption(func(c *fileConfig) { c.onTruncate = fn })
}

// OpenFileStore opens (creating it if needed, mode 0700) the store in dir,
// locks it, and recovers from an interrupted append or compaction as
// described above. It returns ErrStoreLocked if another FileStore has dir
// open, a *FormatError (ErrCorrupt) for a corrupt snapshot or a log header
// it cannot read, or the I/O error. Close it when done (a graph given it
// with WithStore does).
func OpenFileStore(dir string, opts ...FileStoreOption) (*FileStore, error) {
	c := fileConfig{cfg: durable.Config{Name: "TPID", Ext: "tpid", Schema: 0}}
	for _, o := range opts {
		if o == nil {
			return nil, &ConfigError{Option: "OpenFileStore", Reason: "nil FileStoreOption"}
		}
		o.applyFile(&c)
	}
	st, err := durable.Open(dir, c.cfg)
	if err != nil {
		return nil, storeError(err, dir)
	}
	s := &FileStore{st: st}
	if rc := st.Recovery(); rc.Bytes > 0 {
		s.truncated = rc.Bytes
		if c.onTruncate != nil {
			c.onTruncate(rc.Bytes, storeError(rc.Cause, dir))
		}
	}
	return s, nil
}

// storeError turns the shared store's errors into this package's: a
// *FormatError with the same source, offset and cause, ErrClosed,
// ErrStoreLocked. Other errors (I/O, a Load callback's) pass unchanged.
func storeError(err error, dir string) error {
	var fe *durable.FormatError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &fe):
		cause := fe.Err
		switch {
		case errors.Is(cause, durable.ErrTruncated):
			cause = ErrTruncated
		case errors.Is(cause, durable.ErrChecksum):
			cause = ErrChecksum
		case errors.Is(cause, durable.ErrUnsupportedVersion):
			cause = ErrUnsupportedVersion
		}
		return &FormatError{Source: string(fe.File), Offset: fe.Offset, Err: cause}
	case errors.Is(err, durable.ErrClosed):
		return ErrClosed
	case errors.Is(err, durable.ErrLocked):
		return fmt.Errorf("identity: open file store %s: %w", dir, ErrStoreLocked)
	case errors.Is(err, durable.ErrRecordSize):
		return &FormatError{Source: "entry", Offset: 0, Err: errors.New("entry size out of range")}
	}
	return err
}

// Load calls fn for every entry of the snapshot, then of the log.
func (s *FileStore) Load(ctx context.Context, fn func([]byte) error) error {
	return storeError(s.st.Replay(ctx, fn, fn), "")
}

// Append writes entries as frames at the end of the log and fsyncs it
// (unless WithoutSync), all with one write: on error none of them is kept.
func (s *FileStore) Append(ctx context.Context, entries ...[]byte) error {
	return storeError(s.st.Append(ctx, entries...), "")
}

// Compact writes a new snapshot and starts an empty log.
func (s *FileStore) Compact(ctx context.Context, snapshot func(emit func([]byte) error) error) error {
	return storeError(s.st.Compact(ctx, snapshot), "")
}

// Close closes the files and releases the directory's lock. It is
// idempotent; other methods then return ErrClosed.
func (s *FileStore) Close() error { return storeError(s.st.Close(), "") }

// TruncatedBytes returns how many bytes of a torn or corrupt log tail were
// cut off when the store was opened.
func (s *FileStore) TruncatedBytes() int64 { return s.truncated }
