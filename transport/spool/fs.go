package spool

import (
	"io"
	"os"
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

// Locker is implemented by a file system that can lock the spool
// directory. Open calls Lock once and closes what it returns at Shutdown
// (or when Open fails); a file system without it (an in-memory one in a
// test) is not locked.
type Locker interface {
	// Lock takes an exclusive lock on the directory. It fails at once,
	// with an error matching ErrLocked, when someone else holds it.
	Lock() (io.Closer, error)
}

// DirFS returns the operating system file system rooted at dir. Every name
// is resolved inside dir (os.Root): a symbolic link planted in the
// directory cannot redirect a write elsewhere. It implements Locker with
// flock(2) on the file "lock" (no locking where flock does not exist).
func DirFS(dir string) FS { return osFS{dir: dir} }

type osFS struct{ dir string }

var _ Locker = osFS{}

func (o osFS) MkdirAll() error { return os.MkdirAll(o.dir, 0o755) }

// in runs f with the directory opened as an os.Root.
func (o osFS) in(f func(r *os.Root) error) error {
	r, err := os.OpenRoot(o.dir)
	if err != nil {
		return err
	}
	defer r.Close()
	return f(r)
}

func (o osFS) OpenFile(name string, flag int) (File, error) {
	var f *os.File
	err := o.in(func(r *os.Root) (err error) {
		f, err = r.OpenFile(name, flag, 0o644)
		return err
	})
	if err != nil {
		return nil, err
	}
	return osFile{f}, nil
}

func (o osFS) Remove(name string) error {
	return o.in(func(r *os.Root) error { return r.Remove(name) })
}

func (o osFS) Rename(oldname, newname string) error {
	return o.in(func(r *os.Root) error { return r.Rename(oldname, newname) })
}

func (o osFS) Lock() (io.Closer, error) {
	var f *os.File
	err := o.in(func(r *os.Root) (err error) {
		f, err = r.OpenFile("lock", os.O_CREATE|os.O_RDWR, 0o644)
		return err
	})
	if err != nil {
		return nil, &LockError{Dir: o.dir, Err: err}
	}
	if err := flock(f); err != nil {
		f.Close()
		return nil, &LockError{Dir: o.dir, Err: err}
	}
	return f, nil
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
