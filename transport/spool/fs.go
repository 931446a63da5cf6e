package spool

import (
	"io"
	"os"
	"path/filepath"
)

// FS is the file system a Spool uses. Names are slash-free file names inside
// the spool directory. The default is the operating system's (WithFS
// replaces it: tests inject disk-full and crash failures through it).
// Implementations must be safe for concurrent use.
type FS interface {
	// MkdirAll creates the directory if needed.
	MkdirAll() error
	// OpenFile opens a file with os.OpenFile flags.
	OpenFile(name string, flag int) (File, error)
	// Remove deletes a file.
	Remove(name string) error
	// Rename replaces newname with oldname atomically.
	Rename(oldname, newname string) error
	// List returns the names of the files in the directory.
	List() ([]string, error)
	// SyncDir makes creations, renames and removals durable.
	SyncDir() error
}

// File is an open spool file.
type File interface {
	io.ReaderAt
	io.WriterAt
	Sync() error
	Truncate(size int64) error
	Size() (int64, error)
	Close() error
}

// DirFS returns the operating system file system rooted at dir.
func DirFS(dir string) FS { return osFS{dir: dir} }

type osFS struct{ dir string }

func (o osFS) path(name string) string { return filepath.Join(o.dir, name) }

func (o osFS) MkdirAll() error { return os.MkdirAll(o.dir, 0o755) }

func (o osFS) OpenFile(name string, flag int) (File, error) {
	f, err := os.OpenFile(o.path(name), flag, 0o644)
	if err != nil {
		return nil, err
	}
	return osFile{f}, nil
}

func (o osFS) Remove(name string) error { return os.Remove(o.path(name)) }

func (o osFS) Rename(oldname, newname string) error {
	return os.Rename(o.path(oldname), o.path(newname))
}

func (o osFS) List() ([]string, error) {
	ents, err := os.ReadDir(o.dir)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(ents))
	for _, e := range ents {
		if e.Type().IsRegular() {
			names = append(names, e.Name())
		}
	}
	return names, nil
}

func (o osFS) SyncDir() error {
	d, err := os.Open(o.dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

type osFile struct{ *os.File }

func (f osFile) Size() (int64, error) {
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	return st.Size(), nil
}
