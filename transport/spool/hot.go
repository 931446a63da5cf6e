package spool

import "github.com/touchpoint-sdk/touchpoint/connected"

// The hot cache: appended batches the drain has not read yet, kept in
// memory (references to the records the Batcher handed over, no copy) so
// that the drain sends them without reading them back. They are a cache:
// the disk copy is the truth. Guarded by Spool.mu. It is used only when the
// next Sender is not a transport.Borrower (see hotBudget).
//
// A batch is admitted only while the cache has room and leaves it when the
// drain takes it: when the drain is behind by more than the budget, the
// cache keeps the batches the drain reaches next instead of the newest ones
// (which, replacing older ones, would all be gone before the drain got
// there), and the drain reads from disk only the batches appended while the
// cache was full.

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

// hotBudget is the hot cache's budget: none when the next Sender is a
// transport.Borrower, maxHotBytes otherwise. For a Borrower the drain reads
// every batch back into the same few buffers, which stay in the CPU's
// caches; holding the Batcher's records instead keeps their memory alive
// for longer, and measured (transport/benchmarks, touchpoint-spool row)
// that cost more CPU per event than the reads, and about 30 MiB of peak
// RSS. Without a Borrower every read allocates, and the cache saves that.
func (s *Spool) hotBudget() int {
	if s.borrow {
		return 0
	}
	return maxHotBytes
}

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
	if s.hotBytes+n > s.hotBudget() {
		return // full: the drain reads this one from disk
	}
	s.hot = append(s.hot, hotBatch{seq: seq, off: off, end: end, recs: append([]*connected.Record(nil), recs...), first: first, bytes: n})
	s.hotBytes += n
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
