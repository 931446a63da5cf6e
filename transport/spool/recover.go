package spool

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
)

// recovery is what Open found on disk.
type recovery struct {
	segs      []*segment
	corrupt   int64 // bytes cut off torn or corrupt tails
	tornFiles []string
}

// recoverDir scans the spool directory: it reads the ack position, deletes
// segments wholly acknowledged, validates every other segment and truncates
// each at its first bad frame.
func recoverDir(fsys FS, syncDir bool) (*recovery, error) {
	names, err := fsys.List()
	if err != nil {
		return nil, fmt.Errorf("spool: list directory: %w", err)
	}
	ackSeq, ackOff, err := readAck(fsys)
	if err != nil {
		return nil, err
	}
	var seqs []uint64
	for _, n := range names {
		if seq, ok := parseSegName(n); ok {
			seqs = append(seqs, seq)
		}
	}
	slices.Sort(seqs)
	rec := &recovery{}
	removed := false
	for _, seq := range seqs {
		name := segName(seq)
		if seq < ackSeq {
			if err := fsys.Remove(name); err != nil && !errors.Is(err, os.ErrNotExist) {
				return nil, fmt.Errorf("spool: remove acknowledged %s: %w", name, err)
			}
			removed = true
			continue
		}
		s, err := recoverSegment(fsys, name, seq, ackSeq, ackOff, rec)
		if err != nil {
			return nil, err
		}
		if s == nil {
			removed = true
			continue
		}
		rec.segs = append(rec.segs, s)
	}
	if removed && syncDir {
		if err := fsys.SyncDir(); err != nil {
			return nil, fmt.Errorf("spool: sync directory: %w", err)
		}
	}
	return rec, nil
}

// recoverSegment validates one segment; it returns nil if the segment held
// nothing readable and was removed.
func recoverSegment(fsys FS, name string, seq, ackSeq uint64, ackOff int64, rec *recovery) (*segment, error) {
	f, err := fsys.OpenFile(name, os.O_RDWR)
	if err != nil {
		return nil, fmt.Errorf("spool: open %s: %w", name, err)
	}
	defer f.Close()
	size, err := f.Size()
	if err != nil {
		return nil, fmt.Errorf("spool: stat %s: %w", name, err)
	}
	off := int64(-1)
	if seq == ackSeq {
		off = ackOff
	}
	res := scanSegment(f, name, size, off)
	if res.err != nil && errors.Is(res.err, ErrVersion) {
		return nil, res.err // written by a newer release: do not destroy it
	}
	if res.err != nil {
		rec.corrupt += size - res.validEnd
		rec.tornFiles = append(rec.tornFiles, name)
		if res.validEnd <= headerSize && res.records == 0 {
			if err := fsys.Remove(name); err != nil {
				return nil, fmt.Errorf("spool: remove empty %s: %w", name, err)
			}
			return nil, nil
		}
		if err := f.Truncate(res.validEnd); err != nil {
			return nil, fmt.Errorf("spool: truncate torn tail of %s at %d: %w", name, res.validEnd, err)
		}
		if err := f.Sync(); err != nil {
			return nil, fmt.Errorf("spool: sync %s: %w", name, err)
		}
	}
	s := &segment{seq: seq, size: res.validEnd, records: res.records}
	if seq == ackSeq {
		s.acked = res.before
		s.ackOff = max(min(ackOff, res.validEnd), headerSize)
	} else {
		s.ackOff = headerSize
	}
	return s, nil
}

// readAck returns the acknowledged position, or (0, 0) when there is none.
// A damaged ack file means nothing is known to be acknowledged: everything
// is replayed (duplicates, never loss).
func readAck(fsys FS) (uint64, int64, error) {
	f, err := fsys.OpenFile("ack", os.O_RDONLY)
	if errors.Is(err, os.ErrNotExist) {
		return 0, 0, nil
	}
	if err != nil {
		return 0, 0, fmt.Errorf("spool: open ack: %w", err)
	}
	defer f.Close()
	b := make([]byte, ackSize+1)
	n, err := f.ReadAt(b, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return 0, 0, fmt.Errorf("spool: read ack: %w", err)
	}
	seq, off, err := parseAck(b[:n])
	if errors.Is(err, ErrVersion) {
		return 0, 0, &FormatError{File: "ack", Err: err}
	}
	if err != nil {
		return 0, 0, nil
	}
	return seq, off, nil
}

// writeAck replaces the ack file atomically: write ack.tmp, (sync), rename,
// (sync the directory).
func writeAck(fsys FS, seq uint64, off int64, durable bool) error {
	f, err := fsys.OpenFile("ack.tmp", os.O_CREATE|os.O_WRONLY|os.O_TRUNC)
	if err != nil {
		return fmt.Errorf("spool: write ack: %w", err)
	}
	_, err = f.WriteAt(ackRecord(seq, off), 0)
	if err == nil && durable {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = fsys.Rename("ack.tmp", "ack")
	}
	if err == nil && durable {
		err = fsys.SyncDir()
	}
	if err != nil {
		return fmt.Errorf("spool: write ack: %w", err)
	}
	return nil
}
