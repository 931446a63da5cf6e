package spool

// Acknowledgement and space: moving the ack file forward, deleting
// settled segments, and evicting under the byte bound.

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport"
)

// ack records that the frames of the item's segment before its end are
// settled, counts and reports records lost in a damaged region, and moves
// the ack file forward. Segments wholly acknowledged are deleted after the
// ack file says so: a crash in between leaves them to be deleted by the
// next Open, never a hole that looks like a lost segment.
func (s *Spool) ack(it *drainItem) {
	if it.lossErr != nil {
		s.lose(it.lossErr)
	}
	s.mu.Lock()
	i := s.segIndexLocked(it.seq)
	if i < 0 { // evicted meanwhile
		s.mu.Unlock()
		return
	}
	sg := s.segs[i]
	before := sg.acked
	sg.acked = min(sg.acked+len(it.recs)+it.lost, sg.records)
	if it.end >= sg.size && i < len(s.segs)-1 {
		sg.acked = sg.records // sealed and read to the end
	}
	sg.ackOff = it.end
	s.depth -= sg.acked - before
	s.ackNext = it.next
	s.trimLocked()
	s.broadcastLocked()
	now := time.Now()
	if len(s.trash) == 0 && now.Sub(s.ackAt) < ackInterval {
		s.ackDirty = true // written when the drain goes idle, or by a later ack
		s.mu.Unlock()
		return
	}
	s.mu.Unlock()
	s.writeAckNow()
}

// ackInterval bounds how often a busy drain rewrites the ack file. The ack
// file only limits what is replayed after a crash (at-least-once), so a
// stale one costs duplicates, never loss.
const ackInterval = 50 * time.Millisecond

// flushAck writes the ack file if it is behind.
func (s *Spool) flushAck() {
	s.mu.Lock()
	dirty := s.ackDirty || len(s.trash) > 0
	s.mu.Unlock()
	if dirty {
		s.writeAckNow()
	}
}

// writeAckNow writes the acknowledged position, then deletes the segments
// it leaves behind.
func (s *Spool) writeAckNow() {
	s.mu.Lock()
	head := s.segs[0]
	pos := ackPos{seq: head.seq, off: head.ackOff, next: s.ackNext}
	trash := s.trash
	s.trash, s.ackDirty, s.ackAt = nil, false, time.Now()
	s.mu.Unlock()
	if err := writeAck(s.fs, pos, s.cfg.syncInterval == 0); err != nil {
		s.ctr.Fail(err, time.Now())
		s.mu.Lock()
		s.trash = append(trash, s.trash...) // delete them after a later ack
		s.ackDirty = true
		s.mu.Unlock()
		return
	}
	s.removeSegments(trash)
}

// removeSegments deletes acknowledged segment files.
func (s *Spool) removeSegments(segs []*segment) {
	for _, sg := range segs {
		if err := s.fs.Remove(segName(sg.seq)); err != nil && !errors.Is(err, os.ErrNotExist) {
			s.ctr.Fail(fmt.Errorf("spool: remove %s: %w", segName(sg.seq), err), time.Now())
		}
	}
}

// trimLocked drops wholly acknowledged segments before the read position,
// except the active one, from the bookkeeping; their files go to the trash,
// deleted after the next ack file write.
func (s *Spool) trimLocked() {
	for len(s.segs) > 1 {
		h := s.segs[0]
		if h.acked < h.records || h.seq == s.readSeq {
			return
		}
		s.bytes -= h.size
		s.trash = append(s.trash, h)
		s.segs[0] = nil
		s.segs = s.segs[1:]
	}
}

// evictLocked empties the oldest sealed segment that the drain is not
// reading, reporting its records as evicted. The file stays, as a tombstone
// (so that the next Open does not take the hole for lost records), until
// the drain passes it. It returns false if there is none.
func (s *Spool) evictLocked() bool {
	for i := 0; i < len(s.segs)-1; i++ {
		sg := s.segs[i]
		if sg.seq <= s.readSeq || sg.tomb {
			continue
		}
		name := segName(sg.seq)
		var lost []*connected.Record
		f, err := s.fs.OpenFile(name, os.O_RDWR)
		if err == nil {
			for off := sg.ackOff; off < sg.size; {
				br, err := readBatch(f, sg, off, sg.size, 1<<20, 1<<30, 0, nil)
				lost = append(lost, br.recs...)
				if err != nil || br.end == off {
					break
				}
				off = br.end
			}
			err = errors.Join(s.tombstoneLocked(f, sg, s.segs[i+1].firstSeq), f.Close())
		}
		if err != nil {
			s.ctr.Fail(fmt.Errorf("spool: evict %s: %w", name, err), time.Now())
			return false
		}
		n := sg.records - sg.acked
		s.depth -= n
		s.bytes -= sg.size - headerSize
		sg.size, sg.records, sg.acked, sg.ackOff, sg.tomb, sg.skips = headerSize, 0, 0, headerSize, true, nil
		kept := s.hot[:0]
		for i := range s.hot {
			if h := &s.hot[i]; h.seq != sg.seq {
				kept = append(kept, *h)
			} else {
				s.forgetHotLocked(h)
			}
		}
		clear(s.hot[len(kept):])
		s.hot = kept
		s.ctr.Drop(transport.ReasonEvicted, n)
		s.disp.Failure(transport.Failure{Records: lost, Reason: transport.ReasonEvicted, Err: ErrFull})
		return true
	}
	return false
}

// tombstoneLocked turns segment sg, open as f, into an eviction tombstone:
// the header first (synced: from then on its frames do not count), then the
// frames are cut off.
func (s *Spool) tombstoneLocked(f File, sg *segment, end uint64) error {
	if _, err := f.WriteAt(appendHeader(nil, tombstoneEvicted, sg.firstSeq, end), 0); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	return f.Truncate(headerSize)
}
