package spool

import (
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport"
)

// drainItem is one batch read for the drain: from the hot cache or disk,
// or a damaged region skipped (no records, lost > 0 or already counted).
type drainItem struct {
	seq     uint64 // segment
	end     int64
	recs    []*connected.Record
	next    uint64     // record sequence number after the item, 0 if unknown
	lost    int        // records in a damaged region skipped
	lossErr *LossError // describes them
	rb      *readBuf   // the memory recs alias when read from disk, else nil
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
				if len(ib.item.recs) == 0 {
					ib.ok = true
					return
				}
				ib.ok, ib.kept = s.deliver(ib.item.recs)
			})
		}
		if len(window) == 0 {
			rd.idle()    // give the read buffers back
			s.flushAck() // and bring the ack file up to date
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
			s.ack(&ib.item)
			if ib.item.rb != nil && !ib.kept && s.borrow && len(rd.free) <= k {
				rd.free = append(rd.free, ib.item.rb) // nothing refers to its records any more
			}
		}
	}
}

// inflightBatch is a batch of the drain's window: ok and kept are set
// before done is closed. kept means records went to a callback, which may
// keep them.
type inflightBatch struct {
	item drainItem
	ok   bool
	kept bool
	done chan struct{}
}

// reader reads batches at the spool's read position, which runs ahead of
// the acknowledged position by the batches in flight. expect is the record
// sequence number it expects next (0: unknown), to count the records of a
// damaged region exactly.
type reader struct {
	s      *Spool
	f      File
	fSeq   uint64
	fOpen  bool
	expect uint64
	free   []*readBuf // read buffers of acknowledged batches, to reuse
	// frame and payload are the average frame and payload sizes of the last
	// batch read from disk (0: none yet), to size the next read.
	frame, payload int64
}

// hint is how many bytes the next read should ask for: a full batch at the
// last batch's average sizes, an eighth more and 4 KiB, or 0 when unknown.
// Reading the drain's bound (about a megabyte) for a batch of a fifth of
// that read most of the file five times.
func (rd *reader) hint() int64 {
	if rd.frame == 0 {
		return 0
	}
	n := int64(rd.s.cfg.drainEvents)
	if rd.payload > 0 {
		n = min(n, int64(rd.s.cfg.drainBytes)/rd.payload+1)
	}
	return n*rd.frame*9/8 + 4096
}

// buf returns a read buffer to decode the next batch into. A reused one
// gives the cached frames its last records aliased back to the pool.
func (rd *reader) buf() *readBuf {
	if n := len(rd.free); n > 0 {
		rb := rd.free[n-1]
		rd.free[n-1] = nil
		rd.free = rd.free[:n-1]
		if rb.hot != nil {
			rd.s.putBuf(rb.hot)
			rb.hot = nil
		}
		return rb
	}
	return new(readBuf)
}

// idle gives the read buffers back to the garbage collector, and the
// cached frames their records aliased to the pool Send takes buffers from.
func (rd *reader) idle() {
	for _, rb := range rd.free {
		if rb.hot != nil {
			rd.s.putBuf(rb.hot)
		}
	}
	rd.free = nil
}

func (rd *reader) close() {
	if rd.fOpen {
		rd.f.Close()
	}
}

// next returns the next batch; ok is false when there is nothing to read.
func (rd *reader) next() (drainItem, bool, error) {
	s := rd.s
	sg, off, limit, hot, ok := s.nextRead()
	if !ok {
		return drainItem{}, false, nil
	}
	if off <= headerSize && sg.firstSeq != 0 {
		rd.expect = sg.firstSeq // the start of a segment: its header knows
	}
	if hot.recs != nil {
		rd.expect = hot.first + uint64(len(hot.recs))
		return drainItem{seq: sg.seq, end: hot.end, recs: hot.recs, next: rd.expect}, true, nil
	}
	if hot.frames != nil {
		rb := rd.buf()
		recs, err := decodeHot(*hot.frames, hot.n, rb)
		if err != nil {
			// Never expected: frames this process wrote do not decode.
			// Go back and read them from disk, the truth, next time.
			rd.free = append(rd.free, rb)
			s.putBuf(hot.frames)
			s.mu.Lock()
			if s.readSeq == sg.seq && s.readOff == hot.end {
				s.readOff = off
			}
			s.mu.Unlock()
			return drainItem{}, false, fmt.Errorf("spool: cached frames of %s at offset %d: %w", segName(sg.seq), off, err)
		}
		rb.hot = hot.frames
		rd.expect = hot.first + uint64(hot.n)
		return drainItem{seq: sg.seq, end: hot.end, recs: recs, next: rd.expect, rb: rb}, true, nil
	}
	if !rd.fOpen || rd.fSeq != sg.seq {
		if rd.fOpen {
			rd.f.Close()
			rd.fOpen = false
		}
		f, err := s.fs.OpenFile(segName(sg.seq), os.O_RDONLY)
		if err != nil {
			return drainItem{}, false, fmt.Errorf("spool: open %s for reading: %w", segName(sg.seq), err)
		}
		rd.f, rd.fSeq, rd.fOpen = f, sg.seq, true
	}
	rb := rd.buf()
	br, err := readBatch(rd.f, sg, off, limit, s.cfg.drainEvents, s.cfg.drainBytes, rd.hint(), rb)
	if err != nil {
		rd.free = append(rd.free, rb)  // nothing was decoded into it
		return drainItem{}, false, err // an I/O error: try again later
	}
	it := drainItem{seq: sg.seq, end: br.end, recs: br.recs}
	if n := int64(len(br.recs)); n > 0 {
		it.rb = rb
		var p int64
		for _, r := range br.recs {
			p += int64(len(r.Payload))
		}
		rd.frame, rd.payload = max((br.end-off)/n, 1), p/n
	} else {
		rd.free = append(rd.free, rb)
	}
	switch {
	case br.damage != nil:
		it.lost = br.estimate
		estimated := true
		if rd.expect != 0 && br.nextSeq >= rd.expect {
			it.lost, estimated = int(min(br.nextSeq-rd.expect, 1<<31)), false
		}
		if it.lost > 0 {
			it.lossErr = &LossError{Losses: []Loss{{Where: fmt.Sprintf("%s offset %d (%v)", segName(sg.seq), off, br.damage.Err),
				Records: it.lost, Estimated: estimated}}}
		}
		rd.expect = br.nextSeq
	case br.counted:
		rd.expect = 0
	case br.lastSeq != 0:
		rd.expect = br.lastSeq + 1
	case len(br.recs) > 0:
		rd.expect = 0 // version-1 records carry no numbers
	}
	it.next = rd.expect
	s.mu.Lock()
	if s.readSeq == sg.seq && s.readOff == off {
		s.readOff = br.end
	}
	s.mu.Unlock()
	return it, true, nil
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

// nextRead returns the segment and position to read from, moving to the
// next segment when the current one is exhausted and sealed; ok is false
// when there is nothing to read. When the batch at that position is still
// cached in memory, it returns it as hot (the read position is then after
// it); else hot is zero and limit is where a disk read must stop.
func (s *Spool) nextRead() (sg *segment, off, limit int64, hot hotBatch, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		i := s.segIndexLocked(s.readSeq)
		if i < 0 { // evicted: continue with the next segment
			for i = 0; i < len(s.segs) && s.segs[i].seq < s.readSeq; i++ {
			}
			sg := s.segs[i]
			s.readSeq, s.readOff = sg.seq, sg.ackOff
		}
		sg := s.segs[i]
		off := s.readOff
		if h, ok := s.takeHotLocked(); ok {
			return sg, off, h.end, h, true
		}
		if s.readOff < sg.size {
			return sg, s.readOff, s.hotLimitLocked(sg.seq, s.readOff, sg.size), hotBatch{}, true
		}
		if i == len(s.segs)-1 {
			return nil, 0, 0, hotBatch{}, false
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
// permanently; ok false means the spool is stopping and the batch stays on
// disk. kept reports that records of the batch went to a callback.
func (s *Spool) deliver(batch []*connected.Record) (ok, kept bool) {
	var sched interface {
		Next(time.Duration) (time.Duration, bool)
	}
	pending := batch
	for {
		err := s.next.Send(s.drainCtx, pending)
		if err != nil && s.drainCtx.Err() != nil {
			return false, kept // stopping: nothing is settled, the batch stays on disk
		}
		perm, retryable := transport.Outcome(err, len(pending))
		if s.settle(pending, err, perm, retryable) {
			kept = true
		}
		if len(retryable) == 0 {
			return true, kept
		}
		if s.drainCtx.Err() != nil {
			return false, kept
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
			return false, kept
		case <-t.C:
		}
	}
}

// settle counts and reports one attempt's outcome. It returns true when it
// handed records to a callback.
func (s *Spool) settle(sent []*connected.Record, err error, perm, retryable []int) (handed bool) {
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
		handed = true
	}
	if failed == len(sent) {
		return handed
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
	return handed || len(ok) > 0
}
