package transport

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// File is a Sender that appends each record's payload as one line of
// newline-delimited JSON to a file, rotating it by size: when a batch would
// take the file past the size limit, path is renamed to path.1 (path.1 to
// path.2, and so on, keeping WithFileMaxBackups old files) and a new file is
// started. A batch is never split across files. File is safe for concurrent
// use; Shutdown closes the file.
type File struct {
	path       string
	maxBytes   int64
	maxBackups int
	sync       bool

	mu     sync.Mutex
	f      *os.File
	size   int64
	buf    []byte
	closed bool
	ctr    Counters
}

var (
	_ Sender               = (*File)(nil)
	_ connected.Shutdowner = (*File)(nil)
)

// FileOption configures NewFile.
type FileOption interface{ applyFile(*File) }

type fileOptionFunc func(*File)

func (f fileOptionFunc) applyFile(x *File) { f(x) }

// WithFileMaxBytes sets the size at which the file is rotated. Default
// 64 MiB. A single batch larger than this is written to a file of its own.
func WithFileMaxBytes(n int64) FileOption { return fileOptionFunc(func(f *File) { f.maxBytes = n }) }

// WithFileMaxBackups sets how many rotated files are kept. Default 5; 0
// keeps none (the old file is deleted).
func WithFileMaxBackups(n int) FileOption {
	return fileOptionFunc(func(f *File) { f.maxBackups = n })
}

// WithFileSync makes every Send fsync the file before returning. Default
// off.
func WithFileSync(on bool) FileOption { return fileOptionFunc(func(f *File) { f.sync = on }) }

// NewFile opens (creating or appending to) the file at path.
func NewFile(path string, opts ...FileOption) (*File, error) {
	f := &File{path: path, maxBytes: defaultFileMaxBytes, maxBackups: defaultFileMaxBackups}
	for _, o := range opts {
		if o == nil {
			return nil, errors.New("transport: nil FileOption")
		}
		o.applyFile(f)
	}
	if f.maxBytes < 1 || f.maxBackups < 0 {
		return nil, fmt.Errorf("transport: NewFile: max bytes %d must be >= 1 and max backups %d >= 0", f.maxBytes, f.maxBackups)
	}
	if err := f.open(); err != nil {
		return nil, err
	}
	return f, nil
}

func (f *File) open() error {
	fh, err := os.OpenFile(f.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("transport: open %s: %w", f.path, err)
	}
	st, err := fh.Stat()
	if err != nil {
		fh.Close()
		return fmt.Errorf("transport: stat %s: %w", f.path, err)
	}
	f.f, f.size = fh, st.Size()
	return nil
}

// rotate shifts path.N-1 to path.N ... path to path.1 and opens a new file.
func (f *File) rotate() error {
	if err := f.f.Close(); err != nil {
		return fmt.Errorf("transport: close %s: %w", f.path, err)
	}
	f.f = nil
	if f.maxBackups == 0 {
		if err := os.Remove(f.path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("transport: rotate %s: %w", f.path, err)
		}
		return f.open()
	}
	for i := f.maxBackups - 1; i >= 1; i-- {
		err := os.Rename(f.path+"."+strconv.Itoa(i), f.path+"."+strconv.Itoa(i+1))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("transport: rotate %s: %w", f.path, err)
		}
	}
	if err := os.Rename(f.path, f.path+".1"); err != nil {
		return fmt.Errorf("transport: rotate %s: %w", f.path, err)
	}
	return f.open()
}

// Send appends batch as NDJSON lines in one write. A failed write fails the
// whole batch (retryably). A nil ctx returns ErrNilContext.
func (f *File) Send(ctx context.Context, batch []*connected.Record) error {
	if ctx == nil {
		return nilContext("File.Send")
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return ErrClosed
	}
	if f.f == nil { // a failed rotation: try again
		if err := f.open(); err != nil {
			return err
		}
	}
	f.buf = appendNDJSON(f.buf[:0], batch)
	if f.size > 0 && f.size+int64(len(f.buf)) > f.maxBytes {
		if err := f.rotate(); err != nil {
			return err
		}
	}
	f.ctr.Requests.Add(1)
	n, err := f.f.Write(f.buf)
	f.size += int64(n)
	f.ctr.WireBytes.Add(uint64(n))
	if err == nil && f.sync {
		err = f.f.Sync()
	}
	if cap(f.buf) > maxPooledBuf {
		f.buf = nil
	}
	if err != nil {
		return fmt.Errorf("transport: write %s: %w", f.path, err)
	}
	f.ctr.Delivered.Add(uint64(len(batch)))
	f.ctr.Bytes.Add(uint64(n - len(batch)))
	return nil
}

// Shutdown syncs and closes the file; later Sends return ErrClosed. It is
// idempotent. A nil ctx returns ErrNilContext and closes nothing.
func (f *File) Shutdown(ctx context.Context) error {
	if ctx == nil {
		return nilContext("File.Shutdown")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return nil
	}
	f.closed = true
	if f.f == nil {
		return nil
	}
	err := errors.Join(f.f.Sync(), f.f.Close())
	f.f = nil
	if err != nil {
		return fmt.Errorf("transport: close %s: %w", f.path, err)
	}
	return nil
}

// Stats returns the File's counters.
func (f *File) Stats() Stats { return f.ctr.Snapshot() }
