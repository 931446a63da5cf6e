package identity

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"strings"
	"sync"
)

// The file store's layout, in its directory:
//
//	snapshot.tpid        the latest snapshot (absent until the first Compact)
//	log-<gen>.tpid       the log of changes since that snapshot (gen: 16 hex)
//	snapshot.tmp         a snapshot being written (deleted on open)
//
// Both files start with a 24-byte header:
//
//	magic[8] ("TPIDSNAP" or "TPIDLOG\x00") | version u16 (1) | reserved u16 (0)
//	| generation u64 | CRC-32C of the previous 20 bytes u32
//
// followed by frames: payload length u32 | CRC-32C(payload) u32 | payload
// (one entry, at most 16 MiB). Integers are big-endian.
//
// Crash safety: appends are fsynced (unless WithoutSync); on open the log is
// read up to its first torn or corrupt frame and truncated there, so a crash
// mid-append loses at most that append. Compact writes snapshot.tmp with
// generation G+1, fsyncs it, renames it over snapshot.tpid, fsyncs the
// directory, then creates log-(G+1) and removes log-G: whatever the moment
// of a crash, open finds either the old snapshot and its log, or the new
// snapshot (and a missing or empty new log). A corrupt snapshot is an error:
// it was written whole before it was renamed into place.

const (
	fileVersion  = 1
	headerSize   = 24
	maxFrameSize = 16 << 20
	snapName     = "snapshot.tpid"
	snapTmp      = "snapshot.tmp"
)

// The files' magic numbers.
const (
	snapMagic = "TPIDSNAP"
	logMagic  = "TPIDLOG\x00"
)

// castagnoli returns the CRC-32C table (crc32 builds it once).
func castagnoli() *crc32.Table { return crc32.MakeTable(crc32.Castagnoli) }

// FileStore is the durable local Store: a snapshot file plus an append-only
// log in one directory, all I/O confined to it (os.Root). It is safe for
// concurrent use; one directory must be used by one FileStore at a time.
type FileStore struct {
	mu        sync.Mutex
	root      *os.Root
	log       *os.File
	gen       uint64
	size      int64 // valid bytes in the log
	sync      bool
	truncated int64
	closed    bool
}

var _ Store = (*FileStore)(nil)

// FileStoreOption configures OpenFileStore.
type FileStoreOption interface {
	applyFile(*FileStore)
}

type fileOption func(*FileStore)

func (f fileOption) applyFile(s *FileStore) { f(s) }

// WithoutSync makes the store skip fsync: appends survive a process crash
// but not a power loss. For tests and benchmarks. Default: every Append and
// Compact is fsynced.
func WithoutSync() FileStoreOption { return fileOption(func(s *FileStore) { s.sync = false }) }

// OpenFileStore opens (creating it if needed, mode 0700) the store in dir,
// recovering from an interrupted append or compaction as described above.
// It returns a *FormatError (ErrCorrupt) for a corrupt snapshot or a log
// header it cannot read, or the I/O error. Close it when done (a graph
// given it with WithStore does).
func OpenFileStore(dir string, opts ...FileStoreOption) (*FileStore, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	s := &FileStore{root: root, sync: true}
	for _, o := range opts {
		if o == nil {
			root.Close()
			return nil, &ConfigError{Option: "OpenFileStore", Reason: "nil FileStoreOption"}
		}
		o.applyFile(s)
	}
	if err := s.open(); err != nil {
		root.Close()
		return nil, err
	}
	return s, nil
}

func logName(gen uint64) string { return fmt.Sprintf("log-%016x.tpid", gen) }

func (s *FileStore) open() error {
	if err := s.root.Remove(snapTmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if f, err := s.root.Open(snapName); err == nil {
		gen, err := readHeader(bufio.NewReader(f), snapMagic, "snapshot")
		f.Close()
		if err != nil {
			return err
		}
		s.gen = gen
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	// obsolete logs of earlier generations
	entries, err := fs.ReadDir(s.root.FS(), ".")
	if err != nil {
		return err
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "log-") && e.Name() != logName(s.gen) {
			if err := s.root.Remove(e.Name()); err != nil {
				return err
			}
		}
	}
	f, err := s.root.OpenFile(logName(s.gen), os.O_RDWR, 0o600)
	if errors.Is(err, fs.ErrNotExist) {
		return s.createLog(s.gen)
	}
	if err != nil {
		return err
	}
	valid, err := scanLog(f, s.gen)
	if err != nil {
		f.Close()
		return err
	}
	if valid < headerSize {
		// a crash while creating the log: start it again
		f.Close()
		return s.createLog(s.gen)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	if st.Size() > valid {
		s.truncated = st.Size() - valid
		if err := f.Truncate(valid); err != nil {
			f.Close()
			return err
		}
		if err := s.fsync(f); err != nil {
			f.Close()
			return err
		}
	}
	if _, err := f.Seek(valid, io.SeekStart); err != nil {
		f.Close()
		return err
	}
	s.log, s.size = f, valid
	return nil
}

// createLog creates an empty log of generation gen and makes it current.
func (s *FileStore) createLog(gen uint64) error {
	f, err := s.root.OpenFile(logName(gen), os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	h := fileHeader(logMagic, gen)
	if _, err := f.Write(h[:]); err != nil {
		f.Close()
		return err
	}
	if err := s.fsync(f); err != nil {
		f.Close()
		return err
	}
	if err := s.syncDir(); err != nil {
		f.Close()
		return err
	}
	s.log, s.size = f, headerSize
	return nil
}

func (s *FileStore) fsync(f *os.File) error {
	if !s.sync {
		return nil
	}
	return f.Sync()
}

func (s *FileStore) syncDir() error {
	if !s.sync {
		return nil
	}
	d, err := s.root.Open(".")
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Load calls fn for every entry of the snapshot, then of the log.
func (s *FileStore) Load(ctx context.Context, fn func([]byte) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	if f, err := s.root.Open(snapName); err == nil {
		err := s.loadFile(ctx, f, snapMagic, "snapshot", -1, fn)
		f.Close()
		if err != nil {
			return err
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	f, err := s.root.Open(logName(s.gen))
	if err != nil {
		return err
	}
	defer f.Close()
	if s.size <= headerSize {
		return nil
	}
	return s.loadFile(ctx, f, logMagic, "log", s.size, fn)
}

func (s *FileStore) loadFile(ctx context.Context, f *os.File, magic string, source string, limit int64, fn func([]byte) error) error {
	st, err := f.Stat()
	if err != nil {
		return err
	}
	size := st.Size()
	if limit >= 0 {
		size = min(size, limit)
	}
	r := bufio.NewReaderSize(f, 64<<10)
	if _, err := readHeader(r, magic, source); err != nil {
		return err
	}
	off := int64(headerSize)
	var buf []byte
	for limit < 0 || off < limit {
		if err := ctx.Err(); err != nil {
			return err
		}
		b, err := readFrame(r, off, size-off, source, buf)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		buf = b
		if err := fn(b); err != nil {
			return err
		}
		off += 8 + int64(len(b))
	}
	return nil
}

// Append writes entries as frames at the end of the log and fsyncs it.
func (s *FileStore) Append(_ context.Context, entries ...[]byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	var buf []byte
	for _, e := range entries {
		if len(e) == 0 || len(e) > maxFrameSize {
			return &FormatError{Source: "entry", Offset: 0, Err: errors.New("entry size out of range")}
		}
		buf = appendFrame(buf, e)
	}
	if _, err := s.log.Write(buf); err != nil {
		// take back a partial write so the log stays a valid prefix
		_ = s.log.Truncate(s.size)
		_, _ = s.log.Seek(s.size, io.SeekStart)
		return err
	}
	if err := s.fsync(s.log); err != nil {
		return err
	}
	s.size += int64(len(buf))
	return nil
}

// Compact writes a new snapshot and starts an empty log.
func (s *FileStore) Compact(_ context.Context, snapshot func(emit func([]byte) error) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	gen := s.gen + 1
	f, err := s.root.OpenFile(snapTmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	fail := func(err error) error {
		f.Close()
		_ = s.root.Remove(snapTmp)
		return err
	}
	w := bufio.NewWriterSize(f, 64<<10)
	h := fileHeader(snapMagic, gen)
	w.Write(h[:])
	var frame []byte
	err = snapshot(func(e []byte) error {
		if len(e) == 0 || len(e) > maxFrameSize {
			return &FormatError{Source: "entry", Offset: 0, Err: errors.New("entry size out of range")}
		}
		frame = appendFrame(frame[:0], e)
		_, err := w.Write(frame)
		return err
	})
	if err != nil {
		return fail(err)
	}
	if err := w.Flush(); err != nil {
		return fail(err)
	}
	if err := s.fsync(f); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		_ = s.root.Remove(snapTmp)
		return err
	}
	if err := s.root.Rename(snapTmp, snapName); err != nil {
		_ = s.root.Remove(snapTmp)
		return err
	}
	if err := s.syncDir(); err != nil {
		return err
	}
	old, oldGen := s.log, s.gen
	s.gen = gen
	if err := s.createLog(gen); err != nil {
		return err
	}
	old.Close()
	if err := s.root.Remove(logName(oldGen)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return s.syncDir()
}

// Close closes the log. It is idempotent; other methods then return
// ErrClosed.
func (s *FileStore) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	err := s.log.Close()
	if rerr := s.root.Close(); err == nil {
		err = rerr
	}
	return err
}

// TruncatedBytes returns how many bytes of a torn or corrupt log tail were
// cut off when the store was opened.
func (s *FileStore) TruncatedBytes() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.truncated
}
