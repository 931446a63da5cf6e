package natstransport

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport"
)

// Sender publishes Touchpoint records to a JetStream stream. See the
// package documentation for the wire format, the guarantees and the errors.
//
// Sender is safe for concurrent use. Create it with New or NewFromConn; call
// Shutdown when done.
type Sender struct {
	nc   *nats.Conn
	own  bool
	js   jetstream.JetStream
	subj *subject
	ce   connected.CloudEventsOptions
	cfg  config
	// slots is a counting semaphore: one token per published record that
	// still awaits its acknowledgement, WithMaxPending in all.
	slots chan struct{}
	ctr   transport.Counters
	dups  atomic.Uint64

	mu       sync.Mutex
	closed   bool
	inflight int
	idle     chan struct{} // closed when inflight drops to 0 after Shutdown began
	once     sync.Once
}

var (
	_ transport.Sender     = (*Sender)(nil)
	_ connected.Shutdowner = (*Sender)(nil)
)

// Stats is a snapshot of the Sender's counters: transport.Stats (Requests
// counts Send calls that published, Delivered and Bytes the acknowledged
// records and their payload bytes) and Duplicates, the acknowledged
// records JetStream reported as duplicates of a stored Nats-Msg-Id, and so
// did not store again.
type Stats struct {
	transport.Stats
	Duplicates uint64
}

// New connects to the NATS server(s) at url (comma-separated URLs are
// accepted, as by nats.Connect) and returns a Sender that publishes to the
// subjects subjectTemplate gives (see ParseSubject and the Placeholder
// constants). ce gives the CloudEvents source (required), type prefix and
// data schema of the headers. ctx bounds connecting (its deadline, if any,
// becomes the dial timeout) and the stream setup of WithStream.
//
// The Sender owns the connection: Shutdown closes it.
func New(ctx context.Context, url, subjectTemplate string, ce connected.CloudEventsOptions, opts ...Option) (*Sender, error) {
	cfg, subj, err := prepare(subjectTemplate, ce, opts)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("natstransport: New: %w", err)
	}
	nopts := []nats.Option{nats.Name(connected.LibraryName + " natstransport")}
	if dl, ok := ctx.Deadline(); ok {
		nopts = append(nopts, nats.Timeout(time.Until(dl)))
	}
	nopts = append(nopts, cfg.connOpts...)
	nc, err := nats.Connect(url, nopts...)
	if err != nil {
		return nil, fmt.Errorf("natstransport: connect %s: %w", url, err)
	}
	s, err := newSender(ctx, nc, true, subj, ce, cfg)
	if err != nil {
		nc.Close()
		return nil, err
	}
	return s, nil
}

// NewFromConn returns a Sender that publishes through nc, which it
// borrows: Shutdown releases the Sender's JetStream publisher (its reply
// subscription) but does not close nc. subjectTemplate and ce are as for
// New; ctx bounds the stream setup of WithStream.
func NewFromConn(ctx context.Context, nc *nats.Conn, subjectTemplate string, ce connected.CloudEventsOptions, opts ...Option) (*Sender, error) {
	cfg, subj, err := prepare(subjectTemplate, ce, opts)
	if err != nil {
		return nil, err
	}
	if cfg.connSet {
		return nil, ErrConnOptionsBorrowed
	}
	if nc == nil {
		return nil, errors.New("natstransport: NewFromConn: nil connection")
	}
	return newSender(ctx, nc, false, subj, ce, cfg)
}

func prepare(subjectTemplate string, ce connected.CloudEventsOptions, opts []Option) (config, *subject, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return cfg, nil, err
	}
	subj, err := parseSubject(subjectTemplate)
	if err != nil {
		return cfg, nil, err
	}
	if err := ce.Validate(); err != nil {
		return cfg, nil, fmt.Errorf("natstransport: %w", err)
	}
	return cfg, subj, nil
}

func newSender(ctx context.Context, nc *nats.Conn, own bool, subj *subject, ce connected.CloudEventsOptions, cfg config) (*Sender, error) {
	// JetStream's own bound is twice ours: records a canceled Send stopped
	// waiting for keep their place there until acknowledged or timed out.
	js, err := jetstream.New(nc,
		jetstream.WithPublishAsyncMaxPending(2*cfg.maxPending),
		jetstream.WithPublishAsyncTimeout(cfg.ackTimeout))
	if err != nil {
		return nil, fmt.Errorf("natstransport: %w", err)
	}
	if cfg.stream != nil {
		if _, err := js.CreateOrUpdateStream(ctx, *cfg.stream); err != nil {
			return nil, fmt.Errorf("natstransport: create or update stream %q: %w", cfg.stream.Name, err)
		}
	}
	return &Sender{nc: nc, own: own, js: js, subj: subj, ce: ce, cfg: cfg,
		slots: make(chan struct{}, cfg.maxPending)}, nil
}

// Conn returns the connection the Sender publishes on, owned or borrowed.
// Do not close an owned connection: call Shutdown.
func (s *Sender) Conn() *nats.Conn { return s.nc }

// Send publishes one JetStream message per record of batch, asynchronously
// and at most WithMaxPending unacknowledged at once, and waits until
// JetStream acknowledged or failed every one of them, or until ctx is done.
// See the package documentation for the errors.
func (s *Sender) Send(ctx context.Context, batch []*connected.Record) error {
	if !s.enter() {
		return transport.ErrClosed
	}
	defer s.exit()
	if len(batch) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("natstransport: send: %w", err)
	}
	s.ctr.Requests.Add(1)

	p := &publication{s: s, futs: make([]jetstream.PubAckFuture, len(batch)), errs: make([]error, len(batch))}
	vals := make([]string, len(batch)*maxHeaders)
	for i, r := range batch {
		msg, err := s.message(r, vals[i*maxHeaders:(i+1)*maxHeaders:(i+1)*maxHeaders])
		if err != nil {
			p.errs[i] = transport.Permanent(err)
			continue
		}
		if err := p.acquire(ctx, i); err != nil {
			return s.abort(p, i, len(batch), err)
		}
		f, err := s.js.PublishMsgAsync(msg)
		if err != nil {
			<-s.slots
			p.errs[i] = err
			continue
		}
		p.futs[i] = f
	}
	for p.next < len(batch) {
		if err := p.resolveNext(ctx); err != nil {
			return s.abort(p, len(batch), len(batch), err)
		}
	}
	return s.outcome(batch, p)
}

// abort gives up waiting: it releases the slots of the records published
// up to end whose acknowledgement was not awaited (JetStream still resolves
// them, or times them out), and returns the context's error.
func (s *Sender) abort(p *publication, end, n int, cause error) error {
	pending := 0
	for i := p.next; i < end; i++ {
		if p.futs[i] != nil {
			<-s.slots
			pending++
		}
	}
	err := fmt.Errorf("natstransport: send: %d of %d records unacknowledged: %w", pending+n-end, n, cause)
	s.ctr.Fail(err, time.Now())
	return err
}

// publication tracks the records of one Send: their futures, in order, and
// the index of the oldest one not yet resolved.
type publication struct {
	s    *Sender
	futs []jetstream.PubAckFuture // nil: not published (errs says why)
	errs []error
	next int
	acks int
}

// acquire takes a slot for record i. While all slots are taken and this
// Send has unresolved records, it resolves its oldest one to free a slot, so
// that a Send larger than the bound never waits on itself.
func (p *publication) acquire(ctx context.Context, i int) error {
	for {
		select {
		case p.s.slots <- struct{}{}:
			return nil
		default:
		}
		if p.next < i {
			if err := p.resolveNext(ctx); err != nil {
				return err
			}
			continue
		}
		select {
		case p.s.slots <- struct{}{}:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// resolveNext waits for the acknowledgement of the oldest unresolved record
// and frees its slot.
func (p *publication) resolveNext(ctx context.Context) error {
	f := p.futs[p.next]
	if f == nil {
		p.next++
		return nil
	}
	select {
	case ack := <-f.Ok():
		if ack.Duplicate {
			p.s.dups.Add(1)
		}
		p.acks++
	case err := <-f.Err():
		p.errs[p.next] = err
	case <-ctx.Done():
		return ctx.Err()
	}
	<-p.s.slots
	p.next++
	return nil
}

// outcome turns per-record errors into Send's result and updates the
// counters.
func (s *Sender) outcome(batch []*connected.Record, p *publication) error {
	var perm, retry []int
	var permErr, retryErr error
	var bytes uint64
	for i, err := range p.errs {
		switch {
		case err == nil:
			bytes += uint64(len(batch[i].Payload))
		case retryable(err):
			retry = append(retry, i)
			if retryErr == nil {
				retryErr = &RecordError{ID: batch[i].ID, Err: err}
			}
		default:
			perm = append(perm, i)
			if permErr == nil {
				permErr = &RecordError{ID: batch[i].ID, Err: err}
			}
		}
	}
	s.ctr.Delivered.Add(uint64(len(batch) - len(perm) - len(retry)))
	s.ctr.Bytes.Add(bytes)
	var out []error
	if len(perm) > 0 {
		out = append(out, &transport.BatchError{Failed: perm, Retryable: false, Err: permErr})
	}
	if len(retry) > 0 {
		out = append(out, &transport.BatchError{Failed: retry, Retryable: true, Err: retryErr})
	}
	var err error
	switch len(out) {
	case 0:
		return nil
	case 1:
		err = out[0]
	default:
		err = errors.Join(out...)
	}
	s.ctr.Fail(err, time.Now())
	return err
}

func (s *Sender) enter() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.inflight++
	return true
}

func (s *Sender) exit() {
	s.mu.Lock()
	s.inflight--
	if s.inflight == 0 && s.idle != nil {
		close(s.idle)
		s.idle = nil
	}
	s.mu.Unlock()
}

// Shutdown stops accepting batches (Send then returns transport.ErrClosed),
// waits until the sends in flight return or ctx is done, then releases the
// Sender's JetStream publisher (records still awaiting an acknowledgement
// fail with jetstream.ErrJetStreamPublisherClosed) and, for a Sender made
// by New, closes its connection. A borrowed connection (NewFromConn) is
// never closed. Shutdown is idempotent; it returns ctx's error, wrapped,
// when ctx ended before the sends in flight returned.
func (s *Sender) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	var wait chan struct{}
	if s.inflight > 0 {
		if s.idle == nil {
			s.idle = make(chan struct{})
		}
		wait = s.idle
	}
	s.mu.Unlock()
	var err error
	if wait != nil {
		select {
		case <-wait:
		case <-ctx.Done():
			err = fmt.Errorf("natstransport: shutdown: sends still in flight: %w", ctx.Err())
		}
	}
	s.once.Do(func() {
		s.js.CleanupPublisher()
		if s.own {
			s.nc.Close()
		}
	})
	return err
}

// Stats returns the Sender's counters.
func (s *Sender) Stats() Stats {
	return Stats{Stats: s.ctr.Snapshot(), Duplicates: s.dups.Load()}
}
