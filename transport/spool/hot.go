package spool

import (
	"encoding/binary"
	"fmt"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// The hot cache: appended batches the drain has not read yet, kept in
// memory so that the drain sends them without reading them back. They are
// a cache: the disk copy is the truth. Guarded by Spool.mu.
//
// What it keeps depends on the next Sender:
//   - a transport.Borrower: the frames as written (the Send buffer, handed
//     over instead of being pooled again; bytes the garbage collector need
//     not scan). The drain decodes them into its reusable read buffers as
//     it would decode a read, without the read and without checking their
//     checksums, which were computed over these very bytes. The buffer
//     goes back to the pool when the drain reuses the read buffer.
//   - any other Sender: references to the records the Batcher handed over
//     (no copy), sent as they are. Such a Sender may keep them, and every
//     read would allocate.
//
// A batch is admitted only while the cache has room and leaves it when the
// drain takes it: when the drain is behind by more than the budget, the
// cache keeps the batches the drain reaches next instead of the newest ones
// (which, replacing older ones, would all be gone before the drain got
// there), and the drain reads from disk only the batches appended while the
// cache was full.

// hotBatch is one appended batch kept in memory: recs or frames.
type hotBatch struct {
	seq      uint64
	off, end int64
	recs     []*connected.Record
	frames   *[]byte // the batch's frames, sealed, when the next Sender is a Borrower
	n        int     // records
	first    uint64  // record sequence number of the first record
	bytes    int     // payload bytes
}

// maxHotBytes bounds the payload bytes kept in the hot cache: of records,
// and of frames (a smaller bound: a drain that keeps up is near the end,
// and a burst the drain does not keep up with reads from disk anyway).
const (
	maxHotBytes       = 8 << 20
	maxHotFramesBytes = 4 << 20
)

// hotBudget is the hot cache's bound for the next Sender.
func (s *Spool) hotBudget() int {
	if s.borrow {
		return maxHotFramesBytes
	}
	return maxHotBytes
}

// cacheLocked remembers the batch just written at [off, end) of segment
// seq: recs, the records the frames in buf encode. For a Borrower it keeps
// buf and reports true: the cache then owns it.
func (s *Spool) cacheLocked(seq uint64, off, end int64, first uint64, recs []*connected.Record, buf *[]byte) bool {
	if recs == nil || len(recs) > s.cfg.drainEvents {
		return false
	}
	n := 0
	for _, r := range recs {
		n += len(r.Payload)
	}
	if n > s.cfg.drainBytes {
		return false
	}
	if s.hotBytes+n > s.hotBudget() {
		return false // full: the drain reads this one from disk
	}
	h := hotBatch{seq: seq, off: off, end: end, n: len(recs), first: first, bytes: n}
	if s.borrow {
		h.frames = buf
	} else {
		h.recs = append([]*connected.Record(nil), recs...)
	}
	s.hot = append(s.hot, h)
	s.hotBytes += n
	return s.borrow
}

// hotLimitLocked returns where a disk read of segment seq from off must stop
// so as not to read a batch the cache holds: the offset of the first cached
// batch after off in that segment, or limit.
func (s *Spool) hotLimitLocked(seq uint64, off, limit int64) int64 {
	for _, h := range s.hot {
		if h.seq > seq || (h.seq == seq && h.off >= limit) {
			break
		}
		if h.seq == seq && h.off > off {
			return h.off
		}
	}
	return limit
}

// popHotLocked removes the oldest cached batch from the cache and returns
// it; what it holds (its frames) is then the caller's.
func (s *Spool) popHotLocked() hotBatch {
	h := s.hot[0]
	s.hotBytes -= h.bytes
	s.hot[0] = hotBatch{}
	s.hot = s.hot[1:]
	return h
}

// dropHotLocked discards the oldest cached batch, which the drain did not
// take (it read past it, or its segment was evicted).
func (s *Spool) dropHotLocked() {
	if h := s.popHotLocked(); h.frames != nil {
		s.putBuf(h.frames)
	}
}

// forgetHotLocked gives back what a cached batch the drain will not take
// holds.
func (s *Spool) forgetHotLocked(h *hotBatch) {
	s.hotBytes -= h.bytes
	if h.frames != nil {
		s.putBuf(h.frames)
	}
}

// takeHotLocked returns the cached batch that starts at the read position,
// discarding cached batches the drain has already read from disk; ok is
// false when there is none.
func (s *Spool) takeHotLocked() (h hotBatch, ok bool) {
	for len(s.hot) > 0 {
		h = s.hot[0]
		if h.seq < s.readSeq || (h.seq == s.readSeq && h.off < s.readOff) {
			s.dropHotLocked()
			continue
		}
		if h.seq == s.readSeq && h.off == s.readOff {
			s.popHotLocked()
			s.readOff = h.end
			return h, true
		}
		return hotBatch{}, false
	}
	return hotBatch{}, false
}

// decodeHot decodes the n record frames of a cached batch into rb's slab.
// The records alias frames.
func decodeHot(frames []byte, n int, rb *readBuf) ([]*connected.Record, error) {
	slab := rb.records(n)[:n]
	recs := make([]*connected.Record, n)
	pos := 0
	for i := range n {
		if len(frames)-pos < frameOverhead {
			return nil, fmt.Errorf("%d of %d frames", i, n)
		}
		l := frameOverhead + int(binary.BigEndian.Uint32(frames[pos+4:]))
		if l > len(frames)-pos {
			return nil, fmt.Errorf("frame %d cut short", i)
		}
		r := &slab[i]
		*r = connected.Record{} // a reused slab holds an older batch's
		if _, err := decodeBody(frames[pos+frameOverhead:pos+l], r); err != nil {
			return nil, fmt.Errorf("frame %d: %w", i, err)
		}
		recs[i] = r
		pos += l
	}
	if pos != len(frames) {
		return nil, fmt.Errorf("%d bytes after %d frames", len(frames)-pos, n)
	}
	return recs, nil
}
