package spool

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport"
)

// drainItem is one batch read for the drain: from the hot cache or disk.
type drainItem struct {
	seq     uint64
	end     int64
	recs    []*connected.Record
	readErr error // a format error ends the segment after recs
}

// drain sends the spool's records to the next Sender in order, up to
// WithDrainConcurrency batches at a time, and acknowledges them in order
// once each is settled. The window slides: a batch is read and sent as soon
// as the oldest one is acknowledged, so with a concurrency above 1 the
// Sender keeps working while the collector answers.
func (s *Spool) drain() {
	rd := &reader{s: s}
	defer rd.close()
	k := s.cfg.drainConcurrency
	var window []*inflightBatch // oldest first
	var sends sync.WaitGroup
	defer sends.Wait()
	ioErr := false
	for {
		for len(window) < k && !ioErr {
			it, ok, err := rd.next()
			if err != nil {
				s.ctr.Fail(err, time.Now())
				ioErr = true
				break
			}
			if !ok {
				break
			}
			ib := &inflightBatch{item: it, done: make(chan struct{})}
			window = append(window, ib)
			sends.Go(func() {
				defer close(ib.done)
				ib.ok = len(ib.item.recs) == 0 || s.deliver(ib.item.recs)
			})
		}
		if len(window) == 0 {
			if ioErr {
				if !s.pause() {
					return
				}
				ioErr = false
				continue
			}
			select {
			case <-s.stop:
				return
			case <-s.wake:
			}
			continue
		}
		head := window[0]
		if len(window) < k && !ioErr {
			select { // more to read may arrive while the head is out
			case <-head.done:
			case <-s.wake:
				continue
			}
		} else {
			<-head.done
		}
		for len(window) > 0 {
			ib := window[0]
			select {
			case <-ib.done:
			default:
				ib = nil
			}
			if ib == nil {
				break
			}
			if !ib.ok {
				return // stopping: this batch and the ones after it stay on disk
			}
			window[0] = nil
			window = window[1:]
			s.ack(ib.item.seq, ib.item.end, len(ib.item.recs), ib.item.readErr)
		}
	}
}

// inflightBatch is a batch of the drain's window: ok is set before done is
// closed.
type inflightBatch struct {
	item drainItem
	ok   bool
	done chan struct{}
}

// reader reads batches at the spool's read position, which runs ahead of
// the acknowledged position by the batches in flight.
type reader struct {
	s     *Spool
	f     File
	fSeq  uint64
	fOpen bool
}

func (rd *reader) close() {
	if rd.fOpen {
		rd.f.Close()
	}
}

// next returns the next batch; ok is false when there is nothing to read.
func (rd *reader) next() (drainItem, bool, error) {
	s := rd.s
	seq, off, limit, hot, ok := s.nextRead()
	if hot != nil {
		return drainItem{seq: seq, end: limit, recs: hot}, true, nil
	}
	if !ok {
		return drainItem{}, false, nil
	}
	if !rd.fOpen || rd.fSeq != seq {
		if rd.fOpen {
			rd.f.Close()
			rd.fOpen = false
		}
		f, err := s.fs.OpenFile(segName(seq), os.O_RDONLY)
		if err != nil {
			return drainItem{}, false, fmt.Errorf("spool: open %s for reading: %w", segName(seq), err)
		}
		rd.f, rd.fSeq, rd.fOpen = f, seq, true
	}
	batch, end, err := readBatch(rd.f, segName(seq), off, limit, s.cfg.drainEvents, s.cfg.drainBytes)
	var fe *FormatError
	if err != nil && !errors.As(err, &fe) {
		return drainItem{}, false, err // an I/O error: try again later
	}
	s.mu.Lock()
	if s.readSeq == seq && s.readOff == off {
		s.readOff = end
		if err != nil {
			if i := s.segIndexLocked(seq); i >= 0 {
				s.readOff = s.segs[i].size // the rest of the segment is unreadable
			}
		}
	}
	s.mu.Unlock()
	return drainItem{seq: seq, end: end, recs: batch, readErr: err}, true, nil
}

// pause waits a little after an I/O error; false means stop.
func (s *Spool) pause() bool {
	t := time.NewTimer(s.cfg.backoffInitial)
	defer t.Stop()
	select {
	case <-s.stop:
		return false
	case <-t.C:
		return true
	}
}

// nextRead returns the position to read from, moving to the next segment
// when the current one is exhausted and sealed; ok is false when there is
// nothing to read. When the batch at that position is still cached in
// memory, it returns its records as hot, with limit the offset after them.
func (s *Spool) nextRead() (seq uint64, off, limit int64, hot []*connected.Record, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		if recs, end := s.takeHotLocked(); recs != nil {
			return s.readSeq, s.readOff, end, recs, true
		}
		i := s.segIndexLocked(s.readSeq)
		if i < 0 { // evicted: continue with the next segment
			for i = 0; i < len(s.segs) && s.segs[i].seq < s.readSeq; i++ {
			}
			sg := s.segs[i]
			s.readSeq, s.readOff = sg.seq, sg.ackOff
		}
		sg := s.segs[i]
		if s.readOff < sg.size {
			return sg.seq, s.readOff, sg.size, nil, true
		}
		if i == len(s.segs)-1 {
			return 0, 0, 0, nil, false
		}
		nx := s.segs[i+1]
		s.readSeq, s.readOff = nx.seq, nx.ackOff
		s.trimLocked()
	}
}

func (s *Spool) segIndexLocked(seq uint64) int {
	for i, sg := range s.segs {
		if sg.seq == seq {
			return i
		}
	}
	return -1
}

// deliver sends batch until every record is delivered or failed
// permanently; false means the spool is stopping and the batch stays on disk.
func (s *Spool) deliver(batch []*connected.Record) bool {
	var sched interface {
		Next(time.Duration) (time.Duration, bool)
	}
	pending := batch
	for {
		err := s.next.Send(s.drainCtx, pending)
		if err != nil && s.drainCtx.Err() != nil {
			return false // stopping: nothing is settled, the batch stays on disk
		}
		perm, retryable := transport.Outcome(err, len(pending))
		s.settle(pending, err, perm, retryable)
		if len(retryable) == 0 {
			return true
		}
		if s.drainCtx.Err() != nil {
			return false
		}
		next := make([]*connected.Record, len(retryable))
		for k, i := range retryable {
			next[k] = pending[i]
		}
		pending = next
		s.ctr.Retried.Add(uint64(len(pending)))
		if sched == nil {
			sched = s.backoff()
		}
		wait, _ := sched.Next(transport.RetryAfter(err))
		t := time.NewTimer(wait)
		select {
		case <-s.drainCtx.Done():
			t.Stop()
			return false
		case <-t.C:
		}
	}
}

// settle counts and reports one attempt's outcome.
func (s *Spool) settle(sent []*connected.Record, err error, perm, retryable []int) {
	failed := len(perm) + len(retryable)
	if err != nil {
		s.ctr.Fail(err, time.Now())
	}
	if len(perm) > 0 {
		recs := make([]*connected.Record, len(perm))
		for k, i := range perm {
			recs[k] = sent[i]
		}
		s.ctr.Drop(transport.ReasonRejected, len(recs))
		s.disp.Failure(transport.Failure{Records: recs, Reason: transport.ReasonRejected, Err: err})
	}
	if failed == len(sent) {
		return
	}
	bad := make(map[int]bool, failed)
	for _, i := range perm {
		bad[i] = true
	}
	for _, i := range retryable {
		bad[i] = true
	}
	var ok []*connected.Record
	var n uint64
	for i, r := range sent {
		if !bad[i] {
			n += uint64(len(r.Payload))
			if s.disp.WantsSuccess() {
				ok = append(ok, r)
			}
		}
	}
	s.ctr.Delivered.Add(uint64(len(sent) - failed))
	s.ctr.Bytes.Add(n)
	s.disp.Success(ok)
}

// ack records that the frames of segment seq before end are settled. A
// format error found while reading skips the rest of that segment.
func (s *Spool) ack(seq uint64, end int64, n int, readErr error) {
	s.mu.Lock()
	i := s.segIndexLocked(seq)
	if i < 0 { // evicted meanwhile
		s.mu.Unlock()
		return
	}
	sg := s.segs[i]
	sg.acked += n
	sg.ackOff = end
	s.depth -= n
	if readErr != nil {
		lost := sg.records - sg.acked
		s.depth -= lost
		sg.acked = sg.records
		sg.ackOff = sg.size
		s.corrupt += sg.size - end
		s.ctr.Drop(transport.ReasonCorrupt, lost)
		s.ctr.Fail(readErr, time.Now())
	}
	s.trimLocked()
	head := s.segs[0]
	hseq, hoff := head.seq, head.ackOff
	s.broadcastLocked()
	s.mu.Unlock()
	if err := writeAck(s.fs, hseq, hoff, s.cfg.syncInterval == 0); err != nil {
		s.ctr.Fail(err, time.Now())
	}
}

// trimLocked deletes wholly acknowledged segments before the read position,
// except the active one.
func (s *Spool) trimLocked() {
	for len(s.segs) > 1 {
		h := s.segs[0]
		if h.acked < h.records || h.seq == s.readSeq {
			return
		}
		if err := s.fs.Remove(segName(h.seq)); err != nil && !errors.Is(err, os.ErrNotExist) {
			s.ctr.Fail(fmt.Errorf("spool: remove %s: %w", segName(h.seq), err), time.Now())
			return
		}
		s.bytes -= h.size
		s.segs = s.segs[1:]
	}
}

// evictLocked deletes the oldest sealed segment that the drain is not
// reading, reporting its records as evicted. It returns false if there is
// none.
func (s *Spool) evictLocked() bool {
	for i := 0; i < len(s.segs)-1; i++ {
		sg := s.segs[i]
		if sg.seq <= s.readSeq {
			continue
		}
		name := segName(sg.seq)
		var lost []*connected.Record
		if f, err := s.fs.OpenFile(name, os.O_RDONLY); err == nil {
			off := sg.ackOff
			for off < sg.size {
				b, end, err := readBatch(f, name, off, sg.size, 1<<20, 1<<30)
				lost = append(lost, b...)
				if err != nil || end == off {
					break
				}
				off = end
			}
			f.Close()
		}
		if err := s.fs.Remove(name); err != nil && !errors.Is(err, os.ErrNotExist) {
			s.ctr.Fail(fmt.Errorf("spool: evict %s: %w", name, err), time.Now())
			return false
		}
		n := sg.records - sg.acked
		s.depth -= n
		s.bytes -= sg.size
		s.segs = append(s.segs[:i], s.segs[i+1:]...)
		kept := s.hot[:0]
		for _, h := range s.hot {
			if h.seq != sg.seq {
				kept = append(kept, h)
			} else {
				s.hotBytes -= h.bytes
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

// hotBatch is one appended batch kept in memory.
type hotBatch struct {
	seq      uint64
	off, end int64
	recs     []*connected.Record
	bytes    int
}

// maxHotBytes bounds the payload bytes kept in the hot cache.
const maxHotBytes = 8 << 20

// cacheLocked remembers the batch just written at [off, end) of segment seq.
func (s *Spool) cacheLocked(seq uint64, off, end int64, recs []*connected.Record) {
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
	s.hot = append(s.hot, hotBatch{seq: seq, off: off, end: end, recs: append([]*connected.Record(nil), recs...), bytes: n})
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
func (s *Spool) takeHotLocked() ([]*connected.Record, int64) {
	for len(s.hot) > 0 {
		h := s.hot[0]
		if h.seq < s.readSeq || (h.seq == s.readSeq && h.off < s.readOff) {
			s.dropHotLocked()
			continue
		}
		if h.seq == s.readSeq && h.off == s.readOff {
			s.dropHotLocked()
			s.readOff = h.end
			return h.recs, h.end
		}
		return nil, 0
	}
	return nil, 0
}
