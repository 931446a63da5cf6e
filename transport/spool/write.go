package spool

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport"
)

// The write path: Send appends a batch's frames to the active segment,
// rolls segments, and group-commits them with one fsync (syncLoop).

// rollLocked seals the active segment and starts a new one. A name that is
// taken (by something that is not a segment) is skipped.
func (s *Spool) rollLocked() error {
	seq := uint64(1)
	if n := len(s.segs); n > 0 {
		seq = s.segs[n-1].seq + 1
	}
	if s.w != nil {
		err := s.w.Sync()
		if cerr := s.w.Close(); err == nil {
			err = cerr
		}
		s.w, s.dirty = nil, false
		if err != nil && !s.wbroken {
			return fmt.Errorf("spool: seal segment: %w", err)
		}
	}
	var f File
	var name string
	for tries := 0; ; tries++ {
		if seq > maxSegSeq {
			return fmt.Errorf("spool: segment numbers exhausted at %d", seq)
		}
		name = segName(seq)
		var err error
		f, err = s.fs.OpenFile(name, os.O_CREATE|os.O_EXCL|os.O_RDWR)
		if err == nil {
			break
		}
		if errors.Is(err, os.ErrExist) && tries < 16 {
			s.ctr.Fail(fmt.Errorf("spool: %s is taken by something else: skipped", name), time.Now())
			seq++
			continue
		}
		return fmt.Errorf("spool: create %s: %w", name, err)
	}
	if _, err := f.WriteAt(appendHeader(nil, 0, s.nextSeq, 0), 0); err != nil {
		f.Close()
		_ = s.fs.Remove(name)
		return fmt.Errorf("spool: write header of %s: %w", name, err)
	}
	if err := s.fs.SyncDir(); err != nil {
		f.Close()
		_ = s.fs.Remove(name)
		return fmt.Errorf("spool: sync directory: %w", err)
	}
	s.w, s.wbroken = f, false
	s.segs = append(s.segs, &segment{seq: seq, size: headerSize, ackOff: headerSize, firstSeq: s.nextSeq})
	s.bytes += headerSize
	return nil
}

// Send appends batch to the spool. It returns nil once the records are
// written; ErrClosed after Shutdown; for a full disk bound, ctx's error
// (OverflowBlock) or a permanent *transport.BatchError with ErrFull
// (ReasonSpoolFull); for an I/O error (a full disk, say), a retryable
// *transport.BatchError naming the cause (ReasonSpoolError). A record too
// large to frame fails permanently on its own. A nil ctx returns
// transport.ErrNilContext and appends nothing.
func (s *Spool) Send(ctx context.Context, batch []*connected.Record) error {
	if ctx == nil {
		return fmt.Errorf("%w passed to Spool.Send", transport.ErrNilContext)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(batch) == 0 {
		return nil
	}
	bp := s.getBuf()
	cached := false // the hot cache took bp
	defer func() {
		if !cached {
			s.putBuf(bp)
		}
	}()
	size := 0
	for _, r := range batch {
		size += FrameSize(r)
	}
	buf := slices.Grow(*bp, size) // once: growing frame by frame copied the batch over and over
	var tooLarge []int
	var tlErr error
	for i, r := range batch {
		var err error
		if buf, err = appendFrame(buf, r); err != nil {
			tooLarge, tlErr = append(tooLarge, i), err
		}
	}
	*bp = buf
	k := len(batch) - len(tooLarge)
	var keep []*connected.Record
	if len(tooLarge) == 0 {
		keep = batch
	}
	var err error
	if cached, err = s.append(ctx, buf, k, keep, bp); err != nil {
		return err
	}
	s.ctr.Enqueued.Add(uint64(k))
	select {
	case s.wake <- struct{}{}:
	default:
	}
	if len(tooLarge) > 0 {
		return &transport.BatchError{Failed: tooLarge, Err: &transport.ReasonError{Reason: transport.ReasonTooLarge, Err: tlErr}}
	}
	return nil
}

// append writes buf, the frames of k records (keep, when they are all of
// the batch's), and reports whether the hot cache took bp, buf's pooled
// buffer.
func (s *Spool) append(ctx context.Context, buf []byte, k int, keep []*connected.Record, bp *[]byte) (bool, error) {
	all := func(n int) []int {
		out := make([]int, n)
		for i := range out {
			out[i] = i
		}
		return out
	}
	if k == 0 {
		return false, nil
	}
	s.mu.Lock()
	for {
		if s.closed {
			s.mu.Unlock()
			return false, transport.ErrClosed
		}
		if s.bytes+int64(len(buf)) <= s.cfg.maxBytes {
			break
		}
		if s.cfg.overflow == transport.OverflowBlock {
			ch := s.waitChLocked()
			s.mu.Unlock()
			select {
			case <-ctx.Done():
				return false, fmt.Errorf("spool: waiting for disk space: %w", ctx.Err())
			case <-ch:
			}
			s.mu.Lock()
			continue
		}
		if s.cfg.overflow == transport.OverflowDropOldest && s.evictLocked() {
			continue
		}
		s.mu.Unlock()
		s.ctr.Drop(transport.ReasonSpoolFull, k)
		return false, &transport.BatchError{Failed: all(k), Err: &transport.ReasonError{Reason: transport.ReasonSpoolFull,
			Err: fmt.Errorf("%w: %d bytes on disk, limit %d", ErrFull, s.Stats().SpoolBytes, s.cfg.maxBytes)}}
	}
	defer s.mu.Unlock()
	act := s.segs[len(s.segs)-1]
	if s.wbroken || act.size >= s.cfg.segmentBytes {
		if err := s.rollLocked(); err != nil {
			return false, s.ioError(err, k)
		}
		act = s.segs[len(s.segs)-1]
	}
	first := s.nextSeq
	sealFrames(buf, first)
	n, err := s.w.WriteAt(buf, act.size)
	if err != nil {
		err = fmt.Errorf("spool: append to %s: %w", segName(act.seq), err)
		if n > 0 {
			if terr := s.w.Truncate(act.size); terr != nil {
				s.wbroken = true // never append after a torn frame
			}
		}
		return false, s.ioError(err, k)
	}
	s.nextSeq += uint64(k)
	cached := s.cacheLocked(act.seq, act.size, act.size+int64(n), first, keep, bp)
	act.size += int64(n)
	act.records += k
	s.depth += k
	s.bytes += int64(n)
	s.dirty = true
	if s.cfg.syncInterval == 0 {
		if err := s.w.Sync(); err != nil {
			return cached, s.ioError(fmt.Errorf("spool: sync %s: %w", segName(act.seq), err), k)
		}
		s.dirty = false
	}
	return cached, nil
}

func (s *Spool) ioError(err error, k int) error {
	s.ctr.Fail(err, time.Now())
	failed := make([]int, k)
	for i := range failed {
		failed[i] = i
	}
	return &transport.BatchError{Failed: failed, Retryable: true, Err: &transport.ReasonError{Reason: transport.ReasonSpoolError, Err: err}}
}

func (s *Spool) getBuf() *[]byte {
	if b, ok := s.bufs.Get().(*[]byte); ok {
		*b = (*b)[:0]
		return b
	}
	return new([]byte) // Send grows it to the batch's size
}

func (s *Spool) putBuf(b *[]byte) {
	if cap(*b) <= 8<<20 {
		s.bufs.Put(b)
	}
}

func (s *Spool) waitChLocked() <-chan struct{} {
	if s.changed == nil {
		s.changed = make(chan struct{})
	}
	return s.changed
}

func (s *Spool) broadcastLocked() {
	if s.changed != nil {
		close(s.changed)
		s.changed = nil
	}
}

// syncLoop fsyncs the active segment every sync interval when it changed:
// group commit.
func (s *Spool) syncLoop() {
	t := time.NewTicker(s.cfg.syncInterval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
		s.mu.Lock()
		w := s.w
		dirty := s.dirty && w != nil
		s.dirty = false
		s.mu.Unlock()
		if !dirty {
			continue
		}
		// Sync outside the lock so appends go on meanwhile. A roll may close
		// w concurrently; it syncs the file itself before closing.
		if err := w.Sync(); err != nil && !errors.Is(err, os.ErrClosed) {
			s.ctr.Fail(fmt.Errorf("spool: group commit: %w", err), time.Now())
			s.mu.Lock()
			s.dirty = true
			s.mu.Unlock()
		}
	}
}

// sealFrames numbers the frames of buf from first on and checksums them.
func sealFrames(buf []byte, first uint64) {
	for pos := 0; pos < len(buf); first++ {
		n := frameOverhead + int(binary.BigEndian.Uint32(buf[pos+4:]))
		sealFrame(buf[pos:pos+n], first)
		pos += n
	}
}
