// Package durable is the crash-safe local store that identity, the consent
// ledger and activation share: one directory holding a snapshot and an
// append-only log of opaque records, with a versioned header, checksummed
// frames, a torn-tail tolerant open and an exclusive lock. It knows nothing
// about what the records mean; each user picks its own magic numbers, file
// extension and schema version (Config) and encodes its own records.
//
// # Use
//
//	var (
//		ctx                                 context.Context
//		dir                                 string
//		rec                                 []byte
//		applySnapshotRecord, applyLogRecord func(rec []byte) error
//	)
//	st, err := durable.Open(dir, durable.Config{Name: "TPCL", Ext: "tpcl"})
//	...
//	err = st.Replay(ctx, applySnapshotRecord, applyLogRecord) // rebuild state
//	err = st.Append(ctx, rec)                                 // write-ahead, one fsync per call
//	err = st.Compact(ctx, func(emit func([]byte) error) error { ... }) // new snapshot, empty log
//	err = st.Close()
//
// # Files
//
// In its directory (created mode 0700, all I/O confined to it by os.Root):
//
//	snapshot.<ext>       the latest snapshot (absent until the first Compact)
//	log-<gen>.<ext>      the records appended since that snapshot (gen: 16 hex digits)
//	snapshot.tmp         a snapshot being written (deleted on open)
//
// Both files start with a 24-byte header:
//
//	magic[8] | format version u16 (1) | schema u16 | generation u64
//	| CRC-32C of the previous 20 bytes u32
//
// The snapshot's magic is Name+"SNAP", the log's Name+"LOG\x00". The format
// version is this package's framing; schema is the user's record version
// (Config.Schema; identity's files, written before this package existed,
// carry 0 there). The header is followed by frames:
//
//	payload length u32 | CRC-32C(payload) u32 | payload (1 byte .. 16 MiB)
//
// Integers are big-endian.
//
// # Crash safety
//
// Append writes all its records with one write and, under SyncAlways (the
// default), one fsync before it returns. A record whose Append returned nil
// survives a process kill (the write reached the kernel) and, under
// SyncAlways, a power loss. On open the log is read up to its first torn or
// corrupt frame and truncated there: a crash mid-append loses at most that
// append. What was cut is reported (Store.Recovery, Config.OnTruncate), never
// dropped silently. A flipped bit inside the log is indistinguishable from a
// torn write and is handled the same way: the log keeps the frames before it.
//
// Compact writes snapshot.tmp with generation G+1, fsyncs it, renames it over
// the snapshot, fsyncs the directory, then creates log-(G+1) and removes
// log-G: whatever the moment of a crash, open finds either the old snapshot
// and its log, or the new snapshot (and a missing or empty new log). A
// corrupt snapshot is an error (*FormatError matching ErrCorrupt), not a
// truncation: it was written whole before it was renamed into place.
//
// # Locking
//
// Open takes an exclusive, non-blocking flock(2) on the directory, released
// by Close or by the process's death (a SIGKILL leaves no stale lock). A
// second opener, in this process or another, gets a *LockedError matching
// ErrLocked. On platforms without flock the lock covers this process only.
//
// # Schema versions
//
// Config.Schema is the schema this code writes. Open refuses files with a
// newer schema (ErrUnsupportedVersion). Files with an older one are replayed
// as they are (Store.Schema says which), and Append refuses to mix schemas
// (ErrSchemaMismatch) until Compact has rewritten the contents in the current
// schema: that is the migration.
//
// # Concurrency and cost
//
// A Store is safe for concurrent use; calls are serialized by a mutex, and
// it starts no goroutines. Records passed to Append and emitted during
// Compact belong to the caller (they are copied into the write); the slice a
// Replay callback receives is reused for the next record and must not be
// retained.
package durable
