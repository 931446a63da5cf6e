package spool

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/internal/retry"
	"github.com/touchpoint-sdk/touchpoint/transport"
)

// Spool is a durable on-disk queue. It is a transport.Sender: Send appends
// the batch to the current segment file and returns once it is written
// (fsynced too with WithSyncInterval(0)); that is what "sent" means to the
// Batcher in front of it. A drain goroutine reads the segments in order and
// hands batches to the next Sender (usually a transport.Retry around an HTTP
// sender); a batch is acknowledged, and its segment deleted once wholly
// acknowledged, only after the next Sender delivered it or failed it
// permanently. Retryable failures are retried with backoff for as long as
// it takes: they never leave the disk.
//
// Delivery is at-least-once: after a crash, frames after the last
// acknowledgement are sent again (receivers dedupe on messageId).
//
// Spool is safe for concurrent use.
type Spool struct {
	cfg  config
	fs   FS
	next transport.Sender
	// borrow: next keeps nothing of a batch after Send returns
	// (transport.Borrows), so the drain may reuse its read buffers.
	borrow bool
	disp   *transport.Dispatcher
	ctr    transport.Counters

	mu       sync.Mutex
	segs     []*segment // oldest first; the last is the active one
	w        File       // the active segment, open for appending
	wbroken  bool       // an append failed and could not be undone: roll first
	depth    int        // records not acknowledged
	bytes    int64      // sum of segment sizes
	closed   bool
	dirty    bool
	changed  chan struct{}
	readSeq  uint64
	readOff  int64
	nextSeq  uint64     // record sequence number of the next record appended
	ackNext  uint64     // record sequence number after the acknowledged position, 0 if unknown
	trash    []*segment // acknowledged segments to delete once the ack file says so
	ackDirty bool       // the ack file is behind
	ackAt    time.Time  // when it was last written
	lock     io.Closer  // the directory lock, nil without a Locker

	// hot holds the most recently appended batches in memory, in disk order,
	// so that a drain that keeps up sends them without reading them back.
	// They are a cache: the disk copy is the truth.
	hot      []hotBatch
	hotBytes int

	wake        chan struct{} // capacity 1: data was appended
	stop        chan struct{}
	drainCtx    context.Context
	cancelDrain context.CancelFunc
	wg          sync.WaitGroup
	bufs        sync.Pool

	shutOnce sync.Once
	shutDone chan struct{}
	shutErr  error
}

var (
	_ transport.Sender     = (*Spool)(nil)
	_ connected.Shutdowner = (*Spool)(nil)
)

// Open opens (creating if needed) the spool in dir, locks it, recovers it
// (salvaging every frame that checks, counting and reporting the records it
// cannot recover, truncating a torn tail, dropping acknowledged segments),
// and starts the drain goroutine that sends everything not yet
// acknowledged to next, plus a group-commit goroutine unless
// WithSyncInterval(0). Call Shutdown to stop them and release the lock; it
// also shuts down next if it implements connected.Shutdowner. Records lost
// to damage are in Stats().Dropped[transport.ReasonCorrupt] once Open
// returns, and reported to the failure callback.
//
// Open fails with a *LockError matching ErrLocked if another Spool has the
// directory open; with a descriptive error if dir cannot be created, read
// or written (permissions, a full disk: errors.Is(err, syscall.ENOSPC));
// and with ErrVersion if it holds data of a newer format, which it leaves
// untouched.
func Open(dir string, next transport.Sender, opts ...Option) (*Spool, error) {
	if next == nil {
		return nil, errors.New("spool: Open: nil Sender")
	}
	cfg, err := newConfig(dir, opts)
	if err != nil {
		return nil, err
	}
	if err := cfg.fs.MkdirAll(); err != nil {
		return nil, fmt.Errorf("spool: create directory %s: %w", dir, err)
	}
	var lock io.Closer
	if l, ok := cfg.fs.(Locker); ok {
		if lock, err = l.Lock(); err != nil {
			return nil, err
		}
	}
	s, err := open(cfg, next)
	if err != nil {
		if lock != nil {
			lock.Close()
		}
		return nil, err
	}
	s.lock = lock
	return s, nil
}

func open(cfg config, next transport.Sender) (*Spool, error) {
	rec, err := recoverDir(cfg.fs, true)
	if err != nil {
		return nil, err
	}
	s := &Spool{cfg: cfg, fs: cfg.fs, next: next, borrow: transport.Borrows(next), segs: rec.segs, nextSeq: rec.nextSeq,
		wake: make(chan struct{}, 1), stop: make(chan struct{}), shutDone: make(chan struct{})}
	for _, sg := range s.segs {
		s.depth += sg.records - sg.acked
		s.bytes += sg.size
	}
	if err := s.rollLocked(); err != nil {
		return nil, err
	}
	s.readSeq, s.readOff = s.segs[0].seq, s.segs[0].ackOff
	s.ackNext = rec.expect
	s.disp = transport.NewDispatcher(cfg.callbacks)
	if len(rec.notes) > 0 {
		s.ctr.Fail(fmt.Errorf("spool: recovery: %s", strings.Join(rec.notes, "; ")), time.Now())
	}
	if len(rec.losses) > 0 {
		s.lose(&LossError{Losses: rec.losses})
	}
	s.drainCtx, s.cancelDrain = context.WithCancel(context.Background())
	s.wg.Go(s.drain)
	if cfg.syncInterval > 0 {
		s.wg.Go(s.syncLoop)
	}
	return s, nil
}

// lose counts and reports records that cannot be recovered.
func (s *Spool) lose(e *LossError) {
	n := e.Records()
	if n <= 0 {
		return
	}
	s.ctr.Drop(transport.ReasonCorrupt, n)
	s.ctr.Fail(e, time.Now())
	s.disp.Failure(transport.Failure{Reason: transport.ReasonCorrupt, Unreadable: n, Err: e})
}

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
	defer s.putBuf(bp)
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
	if err := s.append(ctx, buf, k, keep); err != nil {
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

func (s *Spool) append(ctx context.Context, buf []byte, k int, keep []*connected.Record) error {
	all := func(n int) []int {
		out := make([]int, n)
		for i := range out {
			out[i] = i
		}
		return out
	}
	if k == 0 {
		return nil
	}
	s.mu.Lock()
	for {
		if s.closed {
			s.mu.Unlock()
			return transport.ErrClosed
		}
		if s.bytes+int64(len(buf)) <= s.cfg.maxBytes {
			break
		}
		if s.cfg.overflow == transport.OverflowBlock {
			ch := s.waitChLocked()
			s.mu.Unlock()
			select {
			case <-ctx.Done():
				return fmt.Errorf("spool: waiting for disk space: %w", ctx.Err())
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
		return &transport.BatchError{Failed: all(k), Err: &transport.ReasonError{Reason: transport.ReasonSpoolFull,
			Err: fmt.Errorf("%w: %d bytes on disk, limit %d", ErrFull, s.Stats().SpoolBytes, s.cfg.maxBytes)}}
	}
	defer s.mu.Unlock()
	act := s.segs[len(s.segs)-1]
	if s.wbroken || act.size >= s.cfg.segmentBytes {
		if err := s.rollLocked(); err != nil {
			return s.ioError(err, k)
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
		return s.ioError(err, k)
	}
	s.nextSeq += uint64(k)
	s.cacheLocked(act.seq, act.size, act.size+int64(n), first, keep)
	act.size += int64(n)
	act.records += k
	s.depth += k
	s.bytes += int64(n)
	s.dirty = true
	if s.cfg.syncInterval == 0 {
		if err := s.w.Sync(); err != nil {
			return s.ioError(fmt.Errorf("spool: sync %s: %w", segName(act.seq), err), k)
		}
		s.dirty = false
	}
	return nil
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

// Pending returns how many records are on disk, not yet acknowledged.
func (s *Spool) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.depth
}

// Stats returns the spool's counters: Enqueued counts records appended,
// Delivered those the drain delivered; SpoolDepth and SpoolBytes describe
// the disk.
func (s *Spool) Stats() transport.Stats {
	st := s.ctr.Snapshot()
	s.mu.Lock()
	st.SpoolDepth, st.SpoolBytes = s.depth, s.bytes
	s.mu.Unlock()
	return st
}

// Shutdown stops accepting batches (Send then returns ErrClosed). Unless
// WithDrainOnShutdown(false), it keeps draining until the spool is empty or
// ctx ends; then it stops the drain (a send in flight is cancelled and its
// records stay on disk), syncs and closes the files, and shuts down the next
// Sender. Records left on disk are not lost: the next Open sends them; see
// Pending. It is idempotent; later calls return the first call's result.
// A nil ctx returns transport.ErrNilContext and shuts nothing down, so a
// later Shutdown with a context still drains.
func (s *Spool) Shutdown(ctx context.Context) error {
	if ctx == nil {
		return fmt.Errorf("%w passed to Spool.Shutdown", transport.ErrNilContext)
	}
	s.shutOnce.Do(func() {
		defer close(s.shutDone)
		s.shutErr = s.shutdown(ctx)
	})
	<-s.shutDone
	return s.shutErr
}

func (s *Spool) shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	s.broadcastLocked()
	for s.cfg.drainOnShutdown && s.depth > 0 && ctx.Err() == nil {
		ch := s.waitChLocked()
		s.mu.Unlock()
		select {
		case <-ctx.Done():
		case <-ch:
		}
		s.mu.Lock()
	}
	s.mu.Unlock()
	s.cancelDrain()
	close(s.stop)
	s.wg.Wait()
	var errs []error
	s.mu.Lock()
	if s.w != nil {
		if err := errors.Join(s.w.Sync(), s.w.Close()); err != nil && !s.wbroken {
			errs = append(errs, fmt.Errorf("spool: close active segment: %w", err))
		}
		s.w = nil
	}
	s.mu.Unlock()
	s.flushAck()
	if sd, ok := s.next.(connected.Shutdowner); ok {
		if err := sd.Shutdown(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	s.disp.Shutdown(context.Background())
	if s.lock != nil {
		if err := s.lock.Close(); err != nil {
			errs = append(errs, fmt.Errorf("spool: release lock: %w", err))
		}
	}
	return errors.Join(errs...)
}

// sealFrames numbers the frames of buf from first on and checksums them.
func sealFrames(buf []byte, first uint64) {
	for pos := 0; pos < len(buf); first++ {
		n := frameOverhead + int(binary.BigEndian.Uint32(buf[pos+4:]))
		sealFrame(buf[pos:pos+n], first)
		pos += n
	}
}

// backoff returns the drain's retry schedule.
func (s *Spool) backoff() *retry.Schedule {
	return retry.Policy{Initial: s.cfg.backoffInitial, Max: s.cfg.backoffMax, Multiplier: 2, Jitter: 0.5}.Start(time.Now)
}
