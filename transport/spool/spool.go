package spool

import (
	"context"
	"errors"
	"fmt"
	"io"
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

	// hot holds the most recently appended batches in memory (their records,
	// or for a Borrower their frames), in disk order, so that a drain that
	// keeps up sends them without reading them back. They are a cache: the
	// disk copy is the truth (hot.go).
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

// backoff returns the drain's retry schedule.
func (s *Spool) backoff() *retry.Schedule {
	return retry.Policy{Initial: s.cfg.backoffInitial, Max: s.cfg.backoffMax, Multiplier: 2, Jitter: 0.5}.Start(time.Now)
}
