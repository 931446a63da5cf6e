package spool_test

import (
	"io"
	"maps"
	"os"
	"slices"
	"sync"
	"syscall"

	"github.com/touchpoint-sdk/touchpoint/transport/spool"
)

// memFS is an in-memory spool.FS for fault tests: fast enough to open a
// spool once per byte of it. Files are byte slices; a File writes straight
// into them (there is no page cache to lose). full makes every write fail
// with ENOSPC after writing half.
type memFS struct {
	mu    sync.Mutex
	files map[string]*memData
	full  bool
}

type memData struct{ b []byte }

func newMemFS() *memFS { return &memFS{files: map[string]*memData{}} }

// snapshot copies the files.
func (m *memFS) snapshot() map[string][]byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string][]byte, len(m.files))
	for n, d := range m.files {
		out[n] = slices.Clone(d.b)
	}
	return out
}

// memFrom builds a memFS holding copies of files.
func memFrom(files map[string][]byte) *memFS {
	m := newMemFS()
	for n, b := range files {
		m.files[n] = &memData{b: slices.Clone(b)}
	}
	return m
}

func (m *memFS) names() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Sorted(maps.Keys(m.files))
}

func (m *memFS) setFull(on bool) { m.mu.Lock(); m.full = on; m.mu.Unlock() }

func (m *memFS) MkdirAll() error { return nil }

func (m *memFS) OpenFile(name string, flag int) (spool.File, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	d, ok := m.files[name]
	switch {
	case ok && flag&os.O_CREATE != 0 && flag&os.O_EXCL != 0:
		return nil, &os.PathError{Op: "open", Path: name, Err: os.ErrExist}
	case !ok && flag&os.O_CREATE == 0:
		return nil, &os.PathError{Op: "open", Path: name, Err: os.ErrNotExist}
	case !ok:
		d = &memData{}
		m.files[name] = d
	}
	if flag&os.O_TRUNC != 0 {
		d.b = d.b[:0]
	}
	return &memFile{fs: m, d: d}, nil
}

func (m *memFS) Remove(name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.files[name]; !ok {
		return &os.PathError{Op: "remove", Path: name, Err: os.ErrNotExist}
	}
	delete(m.files, name)
	return nil
}

func (m *memFS) Rename(oldname, newname string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	d, ok := m.files[oldname]
	if !ok {
		return &os.PathError{Op: "rename", Path: oldname, Err: os.ErrNotExist}
	}
	delete(m.files, oldname)
	m.files[newname] = d
	return nil
}

func (m *memFS) List() ([]string, error) { return m.names(), nil }

func (m *memFS) SyncDir() error { return nil }

type memFile struct {
	fs     *memFS
	d      *memData
	closed bool
}

func (f *memFile) ReadAt(b []byte, off int64) (int, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if off >= int64(len(f.d.b)) {
		return 0, io.EOF
	}
	n := copy(b, f.d.b[off:])
	if n < len(b) {
		return n, io.EOF
	}
	return n, nil
}

func (f *memFile) WriteAt(b []byte, off int64) (int, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	var err error
	if f.fs.full {
		b, err = b[:len(b)/2], &os.PathError{Op: "write", Path: "mem", Err: syscall.ENOSPC}
	}
	if end := off + int64(len(b)); end > int64(len(f.d.b)) {
		f.d.b = append(f.d.b, make([]byte, end-int64(len(f.d.b)))...)
	}
	copy(f.d.b[off:], b)
	return len(b), err
}

func (f *memFile) Sync() error {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if f.closed {
		return os.ErrClosed
	}
	return nil
}

func (f *memFile) Truncate(size int64) error {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if size < int64(len(f.d.b)) {
		f.d.b = f.d.b[:size]
	} else {
		f.d.b = append(f.d.b, make([]byte, size-int64(len(f.d.b)))...)
	}
	return nil
}

func (f *memFile) Size() (int64, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	return int64(len(f.d.b)), nil
}

func (f *memFile) Close() error {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	f.closed = true
	return nil
}
