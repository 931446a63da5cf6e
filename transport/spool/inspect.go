package spool

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"sync"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// Inventory is what Inspect found in a spool directory: its segments, the
// records that Open would send, and the losses and repairs that Open would
// report and make. It is a snapshot taken without the directory's lock;
// see Inspect.
type Inventory struct {
	// Segments are the segment files after the acknowledged position, in
	// order, as Open would keep them (tombstones of lost segments included).
	Segments []SegmentInfo
	// Pending is the number of readable records not yet acknowledged.
	Pending int
	// Losses are the records Open would count as lost, and where: damaged
	// frames, a torn tail, segments deleted or emptied.
	Losses []Loss
	// Notes are the repairs Open would make (a damaged header rewritten, an
	// unreadable segment set aside as *.corrupt) and the files it ignores.
	Notes []string
	// Corrupt names the *.corrupt files already set aside by an earlier Open.
	Corrupt []string

	fs     *overlayFS
	segs   []*segment
	walkMu sync.Mutex // serialises Walk
}

// SegmentInfo describes one segment file.
type SegmentInfo struct {
	Name      string // file name
	Size      int64  // bytes on disk
	Version   int    // version of its record frames (1, 2 or 3), or of its header (1 or 2) when none is left
	FirstSeq  uint64 // record sequence number of its first frame, 0 if unknown
	Records   int    // readable records after the acknowledged position
	Tombstone bool   // holds no frames: it stands for records evicted or lost
	Missing   bool   // not on disk: Open would write a tombstone for it
}

// Entry is one readable record passed to Inventory.Walk.
type Entry struct {
	Segment string // segment file name
	Offset  int64  // byte offset of the frame in it
	Seq     uint64 // record sequence number, 0 for a version-1 frame
	Record  *connected.Record
}

// LostRecords returns how many records the Losses count (a lower bound
// where a Loss is Estimated).
func (in *Inventory) LostRecords() int {
	n := 0
	for _, l := range in.Losses {
		n += l.Records
	}
	return n
}

// Inspect reads the spool in dir without opening it: it takes no lock,
// starts no goroutine and writes nothing. It runs the recovery that Open
// would run against a copy-on-write view of the directory, so the Inventory
// reports exactly what Open would salvage, count as lost and repair, while
// the files stay as they are. A spool that a running Spool has open may be
// changing: the end of its last segment may then show as a torn write, and
// segments may be deleted under Walk (an error matching fs.ErrNotExist).
//
// It fails if dir does not exist or cannot be read, and with an error
// matching ErrVersion if the directory holds data of a newer format.
func Inspect(dir string) (*Inventory, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("spool: inspect: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("spool: inspect %s: not a directory", dir)
	}
	ov := &overlayFS{base: DirFS(dir), files: map[string]*[]byte{}, gone: map[string]bool{}}
	names, err := ov.base.List()
	if err != nil {
		return nil, fmt.Errorf("spool: inspect: %w", err)
	}
	in := &Inventory{fs: ov}
	for _, n := range names {
		if len(n) > len(".corrupt") && n[len(n)-len(".corrupt"):] == ".corrupt" {
			in.Corrupt = append(in.Corrupt, n)
		}
	}
	rec, err := recoverDir(ov, false)
	if err != nil {
		return nil, err
	}
	in.Losses, in.Notes = rec.losses, rec.notes
	in.segs = rec.segs
	for _, s := range rec.segs {
		name := segName(s.seq)
		info := SegmentInfo{Name: name, Version: FormatVersion, FirstSeq: s.firstSeq, Records: s.records, Tombstone: s.tomb}
		if s.v1 {
			info.Version = 1
		}
		if s.frameVer > 0 {
			info.Version = int(s.frameVer)
		}
		if fi, err := os.Stat(dir + string(os.PathSeparator) + name); err == nil {
			info.Size = fi.Size()
		} else {
			info.Missing = true
		}
		in.Pending += s.records
		in.Segments = append(in.Segments, info)
	}
	return in, nil
}

// Walk calls fn for every readable record not yet acknowledged, in spool
// order (the order Open's drain would send them), and stops at fn's first
// error, which it returns. Damage that Open would skip is skipped (the
// Inventory's Losses report it). The Record passed to fn is fn's to keep.
// Walk reads the files again: it returns an error if they changed so that a
// frame recovery found readable no longer is.
func (in *Inventory) Walk(fn func(Entry) error) error {
	in.walkMu.Lock()
	defer in.walkMu.Unlock()
	for _, s := range in.segs {
		if s.tomb || s.records == 0 {
			continue
		}
		if err := in.walkSegment(s, fn); err != nil {
			return err
		}
	}
	return nil
}

func (in *Inventory) walkSegment(s *segment, fn func(Entry) error) error {
	name := segName(s.seq)
	f, err := in.fs.OpenFile(name, os.O_RDONLY)
	if err != nil {
		return fmt.Errorf("spool: inspect %s: %w", name, err)
	}
	defer f.Close()
	if s.size <= s.ackOff {
		return nil
	}
	buf := make([]byte, s.size-s.ackOff)
	n, err := f.ReadAt(buf, s.ackOff)
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("spool: inspect %s: %w", name, err)
	}
	buf = buf[:n]
	for pos := 0; pos < len(buf); {
		off := s.ackOff + int64(pos)
		if i := slices.IndexFunc(s.skips, func(rg region) bool { return off >= rg.start && off < rg.end }); i >= 0 {
			pos = int(s.skips[i].end - s.ackOff)
			continue
		}
		body, fl, err := frameAt(buf[pos:], s.v1)
		if err != nil {
			return &FormatError{File: name, Offset: off, Err: err}
		}
		pos += fl
		if body[0] == versionFiller {
			continue
		}
		r := new(connected.Record)
		seq, err := decodeBody(append([]byte(nil), body...), r)
		if err != nil {
			return &FormatError{File: name, Offset: off, Err: err}
		}
		if err := fn(Entry{Segment: name, Offset: off, Seq: seq, Record: r}); err != nil {
			return err
		}
	}
	return nil
}

// overlayFS is a copy-on-write view of a directory: reads go to the base
// file system until a file is written, renamed or created; from then on it
// lives in memory. Nothing reaches the base but reads.
type overlayFS struct {
	base  FS
	mu    sync.Mutex
	files map[string]*[]byte // files written, created or renamed in the view
	gone  map[string]bool    // base files removed or renamed away in the view
}

func (o *overlayFS) MkdirAll() error { return nil }
func (o *overlayFS) SyncDir() error  { return nil }

func (o *overlayFS) OpenFile(name string, flag int) (File, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	create, excl := flag&os.O_CREATE != 0, flag&os.O_EXCL != 0
	if d, ok := o.files[name]; ok {
		if create && excl {
			return nil, &os.PathError{Op: "open", Path: name, Err: fs.ErrExist}
		}
		if flag&os.O_TRUNC != 0 {
			*d = (*d)[:0]
		}
		return &overlayFile{o: o, name: name}, nil
	}
	var base File
	if !o.gone[name] {
		f, err := o.base.OpenFile(name, os.O_RDONLY)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		base = f
	}
	switch {
	case base != nil && create && excl:
		base.Close()
		return nil, &os.PathError{Op: "open", Path: name, Err: fs.ErrExist}
	case base != nil && flag&os.O_TRUNC != 0:
		base.Close()
		base = nil
		o.files[name] = new([]byte)
	case base == nil && create:
		o.files[name] = new([]byte)
	case base == nil:
		return nil, &os.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	delete(o.gone, name)
	return &overlayFile{o: o, name: name, base: base}, nil
}

// load returns the view's copy of name, reading it from the base first if
// the view has none. Called with o.mu held.
func (o *overlayFS) load(name string) (*[]byte, error) {
	if d, ok := o.files[name]; ok {
		return d, nil
	}
	if o.gone[name] {
		return nil, &os.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	f, err := o.base.OpenFile(name, os.O_RDONLY)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	size, err := f.Size()
	if err != nil {
		return nil, err
	}
	b := make([]byte, size)
	if _, err := f.ReadAt(b, 0); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	o.files[name] = &b
	return &b, nil
}

func (o *overlayFS) Remove(name string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	_, inView := o.files[name]
	if !inView {
		if _, err := o.load(name); err != nil {
			return err
		}
	}
	delete(o.files, name)
	o.gone[name] = true
	return nil
}

func (o *overlayFS) Rename(oldname, newname string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	d, err := o.load(oldname)
	if err != nil {
		return err
	}
	delete(o.files, oldname)
	o.gone[oldname] = true
	o.files[newname] = d
	delete(o.gone, newname)
	return nil
}

func (o *overlayFS) List() ([]string, error) {
	names, err := o.base.List()
	if err != nil {
		return nil, err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	out := names[:0]
	for _, n := range names {
		if _, ok := o.files[n]; !ok && !o.gone[n] {
			out = append(out, n)
		}
	}
	for n := range o.files {
		out = append(out, n)
	}
	slices.Sort(out)
	return out, nil
}

// overlayFile reads the base file until the view holds a copy of it.
type overlayFile struct {
	o    *overlayFS
	name string
	base File // nil when the file exists only in the view
}

// data returns the view's copy, or nil if reads still go to the base.
func (f *overlayFile) data() *[]byte {
	f.o.mu.Lock()
	defer f.o.mu.Unlock()
	return f.o.files[f.name]
}

func (f *overlayFile) ReadAt(p []byte, off int64) (int, error) {
	d := f.data()
	if d == nil {
		return f.base.ReadAt(p, off)
	}
	f.o.mu.Lock()
	defer f.o.mu.Unlock()
	if off >= int64(len(*d)) {
		return 0, io.EOF
	}
	n := copy(p, (*d)[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// own makes sure the view holds a copy of the file. Called with o.mu held.
func (f *overlayFile) own() (*[]byte, error) {
	if d, ok := f.o.files[f.name]; ok {
		return d, nil
	}
	size, err := f.base.Size()
	if err != nil {
		return nil, err
	}
	b := make([]byte, size)
	if _, err := f.base.ReadAt(b, 0); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	f.o.files[f.name] = &b
	return &b, nil
}

func (f *overlayFile) WriteAt(p []byte, off int64) (int, error) {
	f.o.mu.Lock()
	defer f.o.mu.Unlock()
	d, err := f.own()
	if err != nil {
		return 0, err
	}
	if end := off + int64(len(p)); end > int64(len(*d)) {
		*d = append(*d, make([]byte, end-int64(len(*d)))...)
	}
	return copy((*d)[off:], p), nil
}

func (f *overlayFile) Truncate(size int64) error {
	f.o.mu.Lock()
	defer f.o.mu.Unlock()
	d, err := f.own()
	if err != nil {
		return err
	}
	if size <= int64(len(*d)) {
		*d = (*d)[:size]
	} else {
		*d = append(*d, make([]byte, size-int64(len(*d)))...)
	}
	return nil
}

func (f *overlayFile) Size() (int64, error) {
	if d := f.data(); d != nil {
		f.o.mu.Lock()
		defer f.o.mu.Unlock()
		return int64(len(*d)), nil
	}
	return f.base.Size()
}

func (f *overlayFile) Sync() error { return nil }

func (f *overlayFile) Close() error {
	if f.base != nil {
		return f.base.Close()
	}
	return nil
}
