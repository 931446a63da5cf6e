package spool

import "github.com/touchpoint-sdk/touchpoint/connected"

// The hot cache: the most recently appended batches, kept in memory so that
// a drain that keeps up sends them without reading them back. They are a
// cache: the disk copy is the truth. Guarded by Spool.mu.

// hotBatch is one appended batch kept in memory.
type hotBatch struct {
	seq      uint64
	off, end int64
	recs     []*connected.Record
	first    uint64 // record sequence number of recs[0]
	bytes    int
}

// maxHotBytes bounds the payload bytes kept in the hot cache.
const maxHotBytes = 8 << 20

// cacheLocked remembers the batch just written at [off, end) of segment seq.
func (s *Spool) cacheLocked(seq uint64, off, end int64, first uint64, recs []*connected.Record) {
	if recs == nil || len(recs) > s.cfg.drainEvents {
		return
	}
	n := 0
	for _, r := range recs {
		n += len(r.Payload)
	}
	if n > s.cfg.drainBytes {
		return
	}
	s.hot = append(s.hot, hotBatch{seq: seq, off: off, end: end, recs: append([]*connected.Record(nil), recs...), first: first, bytes: n})
	s.hotBytes += n
	for s.hotBytes > maxHotBytes && len(s.hot) > 0 {
		s.dropHotLocked()
	}
}

func (s *Spool) dropHotLocked() {
	s.hotBytes -= s.hot[0].bytes
	s.hot[0] = hotBatch{}
	s.hot = s.hot[1:]
}

// takeHotLocked returns the cached batch that starts at the read position,
// discarding cached batches the drain has already read from disk.
func (s *Spool) takeHotLocked() ([]*connected.Record, int64, uint64) {
	for len(s.hot) > 0 {
		h := s.hot[0]
		if h.seq < s.readSeq || (h.seq == s.readSeq && h.off < s.readOff) {
			s.dropHotLocked()
			continue
		}
		if h.seq == s.readSeq && h.off == s.readOff {
			s.dropHotLocked()
			s.readOff = h.end
			return h.recs, h.end, h.first
		}
		return nil, 0, 0
	}
	return nil, 0, 0
}
