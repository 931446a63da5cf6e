package durable

import (
	"bufio"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
)

// Append writes recs as frames at the end of the log with one write and,
// under SyncAlways, one fsync. When it returns nil, all of them are
// durable (see the package doc); on error none of them is kept: a partial
// write is cut off again. ctx is checked before writing; the write itself
// is not interruptible. Errors: ErrRecordSize (nothing written),
// ErrSchemaMismatch, ErrClosed, or the I/O error. If a failed write cannot
// be taken back, the store is broken: every later call returns that error
// and the caller should reopen it.
func (s *Store) Append(ctx context.Context, recs ...[]byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.schema != s.cfg.Schema {
		return ErrSchemaMismatch
	}
	if len(recs) == 0 {
		return nil
	}
	buf := s.wbuf[:0]
	for _, r := range recs {
		if len(r) == 0 || len(r) > MaxRecord {
			return ErrRecordSize
		}
		buf = appendFrame(buf, r)
	}
	if cap(buf) <= 1<<20 {
		s.wbuf = buf // keep a moderate buffer for the next call
	}
	_, err := s.log.Write(buf)
	if err == nil {
		err = s.fsync(s.log)
	}
	if err != nil {
		s.rollback()
		return err
	}
	s.size += int64(len(buf))
	s.records += len(recs)
	return nil
}

// rollback cuts the log back to its last good size after a failed write
// or fsync, or marks the store broken.
func (s *Store) rollback() {
	if terr := s.log.Truncate(s.size); terr != nil {
		s.broken = terr
		return
	}
	if _, serr := s.log.Seek(s.size, io.SeekStart); serr != nil {
		s.broken = serr
	}
}

// Sync fsyncs the log, whatever the policy: with SyncNever it is the
// caller's commit point.
func (s *Store) Sync() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(); err != nil {
		return err
	}
	return s.log.Sync()
}

// Compact replaces the store's contents by a new snapshot — the records
// fill emits, in the current schema — and an empty log, atomically: after a
// crash, Replay gives either the old contents or the new ones. If fill (or
// emit, for a record of bad size: ErrRecordSize) returns an error, or ctx
// ends, Compact returns it and changes nothing. emit must be called only
// during fill.
func (s *Store) Compact(ctx context.Context, fill func(emit func(rec []byte) error) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(); err != nil {
		return err
	}
	gen := s.gen + 1
	f, err := s.root.OpenFile(tmpName, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	fail := func(err error) error {
		f.Close()
		_ = s.root.Remove(tmpName)
		return err
	}
	w := bufio.NewWriterSize(f, 256<<10)
	h := encodeHeader(s.snapMagic(), s.cfg.Schema, gen)
	w.Write(h[:])
	var frame []byte
	n := 0
	err = fill(func(rec []byte) error {
		if len(rec) == 0 || len(rec) > MaxRecord {
			return ErrRecordSize
		}
		if n++; n&1023 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		frame = appendFrame(frame[:0], rec)
		_, err := w.Write(frame)
		return err
	})
	if err == nil {
		err = ctx.Err()
	}
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = s.fsync(f)
	}
	if err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		_ = s.root.Remove(tmpName)
		return err
	}
	if err := s.root.Rename(tmpName, s.snapName); err != nil {
		_ = s.root.Remove(tmpName)
		return err
	}
	// From here the new snapshot is the store's contents.
	old, oldGen := s.log, s.gen
	s.gen, s.schema, s.hasSnap = gen, s.cfg.Schema, true
	if err := s.syncDir(); err != nil {
		s.broken = err
		return err
	}
	if err := s.createLog(gen); err != nil {
		s.broken = err
		return err
	}
	old.Close()
	if err := s.root.Remove(s.logName(oldGen)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return s.syncDir()
}

// Close releases the lock and the files. It is idempotent; other methods
// then return ErrClosed.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	var err error
	if s.log != nil {
		err = s.log.Close()
	}
	if rerr := s.release(); err == nil {
		err = rerr
	}
	return err
}

// release unlocks the directory and closes the root.
func (s *Store) release() error {
	err := unlockDir(s.lock, s.dir)
	if rerr := s.root.Close(); err == nil {
		err = rerr
	}
	return err
}

// Recovery reports what Open cut off the log (zero Bytes: nothing).
func (s *Store) Recovery() Recovery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.recovery
}

// Schema returns the schema of the files on disk: Config.Schema, or an
// older one until Compact migrates them.
func (s *Store) Schema() uint16 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.schema
}

// LogStats returns the number of records and bytes (headers and frames
// included) in the log since the last snapshot: what a caller's compaction
// policy looks at.
func (s *Store) LogStats() (records int, bytes int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.records, s.size
}
