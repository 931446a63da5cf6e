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
	segs    []*segment
	nextSeq uint64 // record sequence number for the next record written
	expect  uint64 // record sequence number expected at the read position, 0 if unknown
	losses  []Loss
	notes   []string // what recovery repaired or ignored, for Stats.LastError
}

// recoverDir scans the spool directory: it reads the ack position, deletes
// segments wholly acknowledged, and scans every other segment, salvaging
// every frame that checks and counting the records it cannot recover
// (damaged frames, deleted or emptied segments). Damage is neutralised so
// that a later recovery does not count it again: interior damage becomes a
// filler frame, a lost segment a tombstone, a segment with nothing readable
// is renamed *.corrupt (kept for inspection) and replaced by a tombstone,
// and the damaged tail of the last segment is truncated.
func recoverDir(fsys FS, syncDir bool) (*recovery, error) {
	names, err := fsys.List()
	if err != nil {
		return nil, fmt.Errorf("spool: list directory: %w", err)
	}
	ack, err := readAck(fsys)
	if err != nil {
		return nil, err
	}
	rec := &recovery{nextSeq: 1}
	var seqs []uint64
	for _, n := range names {
		seq, ok := parseSegName(n)
		if ok {
			seqs = append(seqs, seq)
		} else if isSegLike(n) {
			rec.notes = append(rec.notes, fmt.Sprintf("ignored %q: not a segment name this spool writes", n))
		}
	}
	slices.Sort(seqs)
	t := &tally{expect: ack.next}
	rec.expect = ack.next
	rec.nextSeq = max(rec.nextSeq, ack.next)
	dirChanged := false
	var prev uint64
	tombPrev := false
	for i, seq := range seqs {
		name := segName(seq)
		if seq < ack.seq {
			if err := fsys.Remove(name); err != nil && !errors.Is(err, os.ErrNotExist) {
				return nil, fmt.Errorf("spool: remove acknowledged %s: %w", name, err)
			}
			dirChanged = true
			continue
		}
		gapFrom := prev + 1
		if prev == 0 && ack.next != 0 {
			gapFrom = ack.seq // the acknowledged segment itself should be here
		}
		if (prev != 0 || ack.next != 0) && seq > gapFrom && !tombPrev {
			what := fmt.Sprintf("segment %s missing", segName(gapFrom))
			if seq-1 > gapFrom {
				what = fmt.Sprintf("segments %s to %s missing", segName(gapFrom), segName(seq-1))
			}
			t.damage(what, 1)
			if err := writeTombstone(fsys, gapFrom, tombstoneLost, 0, 0); err != nil {
				rec.notes = append(rec.notes, err.Error())
			} else {
				rec.segs = append(rec.segs, &segment{seq: gapFrom, size: headerSize, ackOff: headerSize, tomb: true})
				dirChanged = true
			}
		}
		last := i == len(seqs)-1
		nLoss := len(t.losses)
		s, changed, err := recoverSegment(fsys, name, seq, ack, last, t, rec)
		if err != nil {
			return nil, err
		}
		for k := nLoss; k < len(t.losses); k++ {
			if t.losses[k].Where != "" {
				continue
			}
			// Records are missing with no damage to show for it: the
			// previous segment was cut short. Mark its end as counted.
			t.losses[k].Where = "before " + name
			if n := len(rec.segs); n > 0 && !rec.segs[n-1].tomb && rec.segs[n-1].seq == prev {
				p := rec.segs[n-1]
				t.losses[k].Where = fmt.Sprintf("%s offset %d (cut short)", segName(p.seq), p.size)
				if err := appendFillerTo(fsys, p); err != nil {
					rec.notes = append(rec.notes, err.Error())
				}
			}
		}
		dirChanged = dirChanged || changed
		prev, tombPrev = seq, false
		if s == nil {
			continue
		}
		tombPrev = s.tomb
		rec.segs = append(rec.segs, s)
	}
	t.flush()
	rec.losses = t.losses
	if dirChanged && syncDir {
		if err := fsys.SyncDir(); err != nil {
			return nil, fmt.Errorf("spool: sync directory: %w", err)
		}
	}
	return rec, nil
}

// recoverSegment scans one segment and repairs it; it returns nil if the
// segment was removed (empty, last). Repairs are best effort: one that
// fails is noted, and the damage is skipped in memory instead (it will be
// counted again by the next Open).
func recoverSegment(fsys FS, name string, seq uint64, ack ackPos, last bool, t *tally, rec *recovery) (*segment, bool, error) {
	f, err := fsys.OpenFile(name, os.O_RDWR)
	if err != nil {
		return nil, false, fmt.Errorf("spool: open %s: %w", name, err)
	}
	defer func() {
		if f != nil {
			f.Close()
		}
	}()
	size, err := f.Size()
	if err != nil {
		return nil, false, fmt.Errorf("spool: stat %s: %w", name, err)
	}
	failed := func(what string, err error) {
		rec.notes = append(rec.notes, fmt.Sprintf("%s %s: %v", what, name, err))
	}
	from := int64(0)
	if seq == ack.seq {
		from = ack.off
	}
	if size < headerSizeV1 {
		// Nothing was ever written (a crash right after creating the
		// active segment), or a middle segment was emptied.
		if last {
			if err := fsys.Remove(name); err != nil {
				return nil, false, fmt.Errorf("spool: remove empty %s: %w", name, err)
			}
			return nil, true, nil
		}
		t.damage(name+" empty", 1)
		rec.notes = append(rec.notes, name+" was empty: marked lost")
		if _, err := f.WriteAt(appendHeader(nil, tombstoneLost, 0, 0), 0); err != nil {
			failed("mark lost", err)
		} else if err := f.Sync(); err != nil {
			failed("sync", err)
		} else {
			size = headerSize
		}
		return &segment{seq: seq, size: size, ackOff: size, tomb: true}, true, nil
	}
	res, err := scanSegment(f, name, size, from, t)
	if err != nil {
		return nil, false, err // a newer release's data, or unreadable: leave it alone
	}
	if res.hdrOK && res.hdr.flags != 0 {
		if res.hdr.firstSeq != 0 {
			t.point(res.hdr.firstSeq)
		}
		t.forget()
		if res.hdr.endSeq != 0 {
			t.point(res.hdr.endSeq)
		}
		rec.nextSeq = max(rec.nextSeq, res.hdr.endSeq)
		return &segment{seq: seq, size: size, ackOff: size, tomb: true, firstSeq: res.hdr.firstSeq}, false, nil
	}
	rec.nextSeq = max(rec.nextSeq, res.maxSeq+1, res.hdr.firstSeq)
	start := res.hdr.size
	changed := false
	if !res.hdrOK {
		if res.first < 0 {
			// Nothing readable at all: set it aside.
			f.Close()
			f = nil
			if last && size <= headerSize {
				if err := fsys.Remove(name); err != nil {
					return nil, false, fmt.Errorf("spool: remove unreadable %s: %w", name, err)
				}
				return nil, true, nil
			}
			if err := fsys.Rename(name, name+".corrupt"); err != nil {
				return nil, false, fmt.Errorf("spool: set aside unreadable %s: %w", name, err)
			}
			rec.notes = append(rec.notes, fmt.Sprintf("%s unreadable: renamed %s.corrupt", name, name))
			if err := writeTombstone(fsys, seq, tombstoneLost, 0, 0); err != nil {
				failed("replace", err)
				return nil, true, nil
			}
			return &segment{seq: seq, size: headerSize, ackOff: headerSize, tomb: true}, true, nil
		}
		// Frames were found: write a fresh header of their version.
		hdr := appendHeader(nil, 0, 0, 0)
		if res.firstV1 || res.first < headerSize {
			hdr = []byte{'T', 'P', 'S', 'P', 1, 0, 0, 0}
		}
		start = int64(len(hdr))
		res.hdr.version = hdr[4]
		if _, err := f.WriteAt(hdr, 0); err != nil {
			failed("repair header of", err)
		} else {
			changed = true
			rec.notes = append(rec.notes, name+": damaged header repaired")
		}
	}
	s := &segment{seq: seq, size: size, records: res.records, ackOff: min(max(from, start), size),
		firstSeq: res.hdr.firstSeq, v1: res.hdr.version == 1, frameVer: res.frameVersion}
	if !res.hdrOK && res.first > start {
		s.skips = append(s.skips, region{start: start, end: res.first})
	}
	for _, rg := range res.regions {
		rg.start = max(rg.start, start)
		if rg.end <= rg.start {
			continue
		}
		s.skips = append(s.skips, rg) // until the filler is written, and if it cannot be
		if rg.end-rg.start < fillerMin {
			continue
		}
		if _, err := f.WriteAt(appendFiller(nil, int(rg.end-rg.start), 0), rg.start); err != nil {
			failed("neutralise damage in", err)
			continue
		}
		changed = true
	}
	if res.tail != nil {
		cut := max(res.validEnd, start)
		if err := f.Truncate(cut); err != nil {
			failed("truncate damaged tail of", err)
			s.skips = append(s.skips, region{start: cut, end: size})
		} else {
			s.size, changed = cut, true
			if !last {
				// A sealed segment: mark the damage as counted.
				if _, err := f.WriteAt(appendFiller(nil, fillerMin, 0), cut); err != nil {
					failed("mark damaged tail of", err)
				} else {
					s.size += fillerMin
				}
			}
		}
		s.ackOff = min(s.ackOff, s.size)
	}
	if changed {
		if err := f.Sync(); err != nil {
			failed("sync", err)
		}
	}
	return s, false, nil
}

// appendFillerTo appends a filler frame to segment p, so that records
// missing after its end are not counted again.
func appendFillerTo(fsys FS, p *segment) error {
	f, err := fsys.OpenFile(segName(p.seq), os.O_RDWR)
	if err != nil {
		return fmt.Errorf("spool: mark end of %s: %w", segName(p.seq), err)
	}
	_, err = f.WriteAt(appendFiller(nil, fillerMin, 0), p.size)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("spool: mark end of %s: %w", segName(p.seq), err)
	}
	p.size += fillerMin
	return nil
}

// writeTombstone creates segment seq as a tombstone. It never replaces a
// file that exists.
func writeTombstone(fsys FS, seq uint64, flags byte, first, end uint64) error {
	name := segName(seq)
	f, err := fsys.OpenFile(name, os.O_CREATE|os.O_EXCL|os.O_WRONLY)
	if err != nil {
		return fmt.Errorf("spool: create tombstone %s: %w", name, err)
	}
	_, err = f.WriteAt(appendHeader(nil, flags, first, end), 0)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("spool: write tombstone %s: %w", name, err)
	}
	return nil
}

// readAck returns the acknowledged position, or the zero position when there
// is none. A damaged ack file means nothing is known to be acknowledged:
// everything is replayed (duplicates, never loss).
func readAck(fsys FS) (ackPos, error) {
	f, err := fsys.OpenFile("ack", os.O_RDONLY)
	if errors.Is(err, os.ErrNotExist) {
		return ackPos{}, nil
	}
	if err != nil {
		return ackPos{}, fmt.Errorf("spool: open ack: %w", err)
	}
	defer f.Close()
	b := make([]byte, ackSize+1)
	n, err := f.ReadAt(b, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return ackPos{}, fmt.Errorf("spool: read ack: %w", err)
	}
	a, err := parseAck(b[:n])
	if errors.Is(err, ErrVersion) {
		return ackPos{}, &FormatError{File: "ack", Err: err}
	}
	if err != nil || a.seq > maxSegSeq {
		return ackPos{}, nil
	}
	return a, nil
}

// writeAck replaces the ack file atomically: write ack.tmp, (sync), rename,
// (sync the directory).
func writeAck(fsys FS, a ackPos, durable bool) error {
	f, err := fsys.OpenFile("ack.tmp", os.O_CREATE|os.O_WRONLY|os.O_TRUNC)
	if err != nil && fsys.Remove("ack.tmp") == nil {
		// Something other than a file of ours was in the way (a link
		// leading out of the directory, say): it is gone, try again.
		f, err = fsys.OpenFile("ack.tmp", os.O_CREATE|os.O_WRONLY|os.O_TRUNC)
	}
	if err != nil {
		return fmt.Errorf("spool: write ack: %w", err)
	}
	_, err = f.WriteAt(ackRecord(a), 0)
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
