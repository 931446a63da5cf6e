package durable

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"sync"
)

// SyncPolicy says when a Store calls fsync.
type SyncPolicy uint8

const (
	// SyncAlways fsyncs every Append before it returns, and every file and
	// directory change of Open and Compact. The default.
	SyncAlways SyncPolicy = iota
	// SyncNever never fsyncs (Sync still does): records survive a process
	// kill but not a power loss. For tests, benchmarks, and callers that
	// group their own commits with Sync.
	SyncNever
)

// Config describes a store's files. Name and Ext are required; the rest
// has working zero values.
type Config struct {
	// Name is the 4-byte ASCII prefix of the magic numbers: the snapshot's
	// magic is Name+"SNAP", the log's Name+"LOG\x00" (identity: "TPID").
	Name string
	// Ext is the file extension without the dot, 1-8 bytes of [a-z0-9]
	// (identity: "tpid").
	Ext string
	// Schema is the version of the records this code writes, stored in
	// every header. Files with a newer schema are refused; older ones are
	// replayed and migrated by Compact (see the package doc).
	Schema uint16
	// Sync is the fsync policy. Default SyncAlways.
	Sync SyncPolicy
	// OnTruncate, if set, is called by Open, before it returns, when it cut
	// a torn or corrupt tail off the log. Store.Recovery reports the same.
	OnTruncate func(Recovery)
}

func (c *Config) validate() error {
	if len(c.Name) != 4 {
		return &ConfigError{Field: "Name", Reason: "must be 4 bytes"}
	}
	for i := range len(c.Name) {
		if c.Name[i] < 0x21 || c.Name[i] > 0x7e {
			return &ConfigError{Field: "Name", Reason: "must be printable ASCII"}
		}
	}
	if len(c.Ext) == 0 || len(c.Ext) > 8 {
		return &ConfigError{Field: "Ext", Reason: "must be 1-8 bytes"}
	}
	for i := range len(c.Ext) {
		if ch := c.Ext[i]; !('a' <= ch && ch <= 'z' || '0' <= ch && ch <= '9') {
			return &ConfigError{Field: "Ext", Reason: "must be [a-z0-9]"}
		}
	}
	if c.Sync > SyncNever {
		return &ConfigError{Field: "Sync", Reason: "unknown policy"}
	}
	return nil
}

// Recovery says what Open cut off the end of the log.
type Recovery struct {
	// Offset is where the kept log ends; Bytes how many bytes followed it
	// and were cut (0: nothing was cut).
	Offset, Bytes int64
	// Cause is the *FormatError found at Offset (torn frame, bad checksum,
	// bad length), nil when nothing was cut.
	Cause error
}

// Store is a snapshot plus an append-only log of records in one directory,
// opened by one Store at a time. It is safe for concurrent use; see the
// package doc for the format and the crash guarantees.
type Store struct {
	cfg      Config
	dir      string
	snapName string

	mu       sync.Mutex
	root     *os.Root
	lock     *os.File // the directory, flocked
	log      *os.File
	gen      uint64
	schema   uint16 // the schema of the files on disk
	hasSnap  bool
	size     int64 // valid bytes in the log
	records  int   // records in the log
	recovery Recovery
	wbuf     []byte
	broken   error // set when a failed append could not be taken back
	closed   bool
}

const tmpName = "snapshot.tmp"

// Open opens the store in dir, creating the directory (mode 0700) and an
// empty store if needed, locking it, and recovering from an interrupted
// append or compaction. Errors: *ConfigError (ErrConfig), *LockedError
// (ErrLocked), *FormatError (ErrCorrupt) for a snapshot header or log header
// it cannot read (bad magic, checksum, generation, newer version or
// schema), or the I/O error. Torn or corrupt log frames are not an error:
// the log is cut before them and the cut reported (Recovery). A corrupt
// snapshot frame is reported by Replay.
func Open(dir string, cfg Config) (*Store, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	s := &Store{cfg: cfg, dir: dir, root: root, snapName: "snapshot." + cfg.Ext}
	if s.lock, err = lockDir(root, dir); err != nil {
		root.Close()
		return nil, err
	}
	if err := s.open(); err != nil {
		s.release()
		return nil, err
	}
	if s.recovery.Bytes > 0 && cfg.OnTruncate != nil {
		cfg.OnTruncate(s.recovery)
	}
	return s, nil
}

func (s *Store) snapMagic() string { return s.cfg.Name + "SNAP" }
func (s *Store) logMagic() string  { return s.cfg.Name + "LOG\x00" }

func (s *Store) logName(gen uint64) string {
	return fmt.Sprintf("log-%016x.%s", gen, s.cfg.Ext)
}

func (s *Store) open() error {
	if err := s.root.Remove(tmpName); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	s.schema = s.cfg.Schema
	if f, err := s.root.Open(s.snapName); err == nil {
		h, err := readHeader(f, s.snapMagic(), FileSnapshot, s.cfg.Schema)
		f.Close()
		if err != nil {
			return err
		}
		s.gen, s.schema, s.hasSnap = h.gen, h.schema, true
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	// logs of earlier generations: a crash between Compact's rename and
	// the removal of the old log
	entries, err := fs.ReadDir(s.root.FS(), ".")
	if err != nil {
		return err
	}
	cur := s.logName(s.gen)
	for _, e := range entries {
		n := e.Name()
		if strings.HasPrefix(n, "log-") && strings.HasSuffix(n, "."+s.cfg.Ext) && n != cur {
			if err := s.root.Remove(n); err != nil {
				return err
			}
		}
	}
	f, err := s.root.OpenFile(cur, os.O_RDWR, 0o600)
	if errors.Is(err, fs.ErrNotExist) {
		return s.createLog(s.gen)
	}
	if err != nil {
		return err
	}
	if err := s.recoverLog(f); err != nil {
		f.Close()
		return err
	}
	return nil
}

// recoverLog reads the log f, cuts a torn or corrupt tail, and makes it
// current. A log whose header was never fully written is started again.
func (s *Store) recoverLog(f *os.File) error {
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if st.Size() < HeaderSize {
		f.Close()
		return s.createLog(s.gen) // a crash while creating the log
	}
	var hb [HeaderSize]byte
	if _, err := io.ReadFull(f, hb[:]); err != nil {
		return err
	}
	h, err := parseHeader(hb[:], s.logMagic(), FileLog, s.cfg.Schema)
	if err != nil {
		return err
	}
	if h.gen != s.gen {
		return &FormatError{File: FileLog, Offset: 12, Err: ErrGeneration}
	}
	if !s.hasSnap {
		s.schema = h.schema
	} else {
		s.schema = min(s.schema, h.schema)
	}
	fr := newFrameReader(f, FileLog, HeaderSize, st.Size())
	n := 0
	var cause error
	for {
		_, err := fr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			cause = err
			break
		}
		n++
	}
	valid := fr.off
	if cause != nil {
		s.recovery = Recovery{Offset: valid, Bytes: st.Size() - valid, Cause: cause}
		if err := f.Truncate(valid); err != nil {
			return err
		}
		if err := s.fsync(f); err != nil {
			return err
		}
	}
	if _, err := f.Seek(valid, io.SeekStart); err != nil {
		return err
	}
	s.log, s.size, s.records = f, valid, n
	return nil
}

// createLog creates an empty log of generation gen (in the current
// schema of the files) and makes it current.
func (s *Store) createLog(gen uint64) error {
	f, err := s.root.OpenFile(s.logName(gen), os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	h := encodeHeader(s.logMagic(), s.schema, gen)
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
	s.log, s.size, s.records = f, HeaderSize, 0
	return nil
}

func (s *Store) fsync(f *os.File) error {
	if s.cfg.Sync == SyncNever {
		return nil
	}
	return f.Sync()
}

func (s *Store) syncDir() error {
	if s.cfg.Sync == SyncNever {
		return nil
	}
	return s.lock.Sync() // the directory's own handle
}

// check returns the error every method returns on a closed or broken store.
func (s *Store) check() error {
	if s.closed {
		return ErrClosed
	}
	return s.broken
}

// Replay calls snapshot for every record of the snapshot, then record for
// every record of the log, in order. A nil function skips those records.
// The slice passed is valid only during the call. An error from a callback
// or ctx stops Replay and is returned as it is; a corrupt snapshot frame is
// a *FormatError (the log was checked by Open). Appends wait until Replay
// returns.
func (s *Store) Replay(ctx context.Context, snapshot, record func(rec []byte) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(); err != nil {
		return err
	}
	if s.hasSnap {
		f, err := s.root.Open(s.snapName)
		if err != nil {
			return err
		}
		err = s.replayFile(ctx, f, s.snapMagic(), FileSnapshot, -1, snapshot)
		f.Close()
		if err != nil {
			return err
		}
	}
	if s.size <= HeaderSize {
		return nil
	}
	f, err := s.root.Open(s.logName(s.gen))
	if err != nil {
		return err
	}
	defer f.Close()
	return s.replayFile(ctx, f, s.logMagic(), FileLog, s.size, record)
}

func (s *Store) replayFile(ctx context.Context, f *os.File, magic string, kind FileKind, limit int64, fn func([]byte) error) error {
	if fn == nil {
		return nil
	}
	st, err := f.Stat()
	if err != nil {
		return err
	}
	end := st.Size()
	if limit >= 0 {
		end = min(end, limit)
	}
	fr := newFrameReader(f, kind, HeaderSize, end)
	if _, err := readHeader(fr.r, magic, kind, s.cfg.Schema); err != nil {
		return err
	}
	for i := 0; ; i++ {
		if i&1023 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		rec, err := fr.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := fn(rec); err != nil {
			return err
		}
	}
}
