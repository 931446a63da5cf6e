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
	in   *inbox
	subj *subject
	ce   connected.CloudEventsOptions
	cfg  config
	// slots is a counting semaphore: one token per published record that
	// still awaits its acknowledgement, WithMaxPending in all.
	slots chan struct{}
	ctr   transport.Counters
	dups  atomic.Uint64

	inflight transport.InFlight // Send calls in progress; closed by Shutdown
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
	if ctx == nil {
		return nil, fmt.Errorf("%w passed to natstransport.New", transport.ErrNilContext)
	}
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
// borrows: Shutdown ends the Sender's acknowledgement subscription but does
// not close nc. subjectTemplate and ce are as for New; ctx bounds the
// stream setup of WithStream.
func NewFromConn(ctx context.Context, nc *nats.Conn, subjectTemplate string, ce connected.CloudEventsOptions, opts ...Option) (*Sender, error) {
	if ctx == nil {
		return nil, fmt.Errorf("%w passed to natstransport.NewFromConn", transport.ErrNilContext)
	}
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
	if cfg.stream != nil {
		js, err := jetstream.New(nc)
		if err != nil {
			return nil, fmt.Errorf("natstransport: %w", err)
		}
		if _, err := js.CreateOrUpdateStream(ctx, *cfg.stream); err != nil {
			return nil, fmt.Errorf("natstransport: create or update stream %q: %w", cfg.stream.Name, err)
		}
	}
	in, err := newInbox(nc)
	if err != nil {
		return nil, fmt.Errorf("natstransport: subscribe for acknowledgements: %w", err)
	}
	return &Sender{nc: nc, own: own, in: in, subj: subj, ce: ce, cfg: cfg,
		slots: make(chan struct{}, cfg.maxPending)}, nil
}

// Conn returns the connection the Sender publishes on, owned or borrowed.
// Do not close an owned connection: call Shutdown.
func (s *Sender) Conn() *nats.Conn { return s.nc }

// errAckTimeout fails the records of a Send still unacknowledged after
// WithAckTimeout.
var errAckTimeout = fmt.Errorf("natstransport: no acknowledgement within the ack timeout: %w", jetstream.ErrAsyncPublishTimeout)

// Send publishes one JetStream message per record of batch, at most
// WithMaxPending of the Sender's unacknowledged at once, and waits until
// JetStream acknowledged or failed every one of them, until ctx is done, or
// until WithAckTimeout has passed since Send began. See the package
// documentation for the errors.
func (s *Sender) Send(ctx context.Context, batch []*connected.Record) error {
	if ctx == nil {
		return fmt.Errorf("%w passed to natstransport.Sender.Send", transport.ErrNilContext)
	}
	if !s.inflight.Enter() {
		return transport.ErrClosed
	}
	defer s.inflight.Exit()
	if len(batch) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("natstransport: send: %w", err)
	}
	s.ctr.Requests.Add(1)
	timer := time.NewTimer(s.cfg.ackTimeout)
	defer timer.Stop()

	p := &publication{s: s, errs: make([]error, len(batch)), done: make(chan struct{}),
		tokens: make([]string, 0, len(batch))}
	p.remaining = len(batch)
	vals := make([]string, len(batch)*maxHeaders)
	for i, r := range batch {
		msg, err := s.message(r, vals[i*maxHeaders:(i+1)*maxHeaders:(i+1)*maxHeaders])
		if err != nil {
			p.fail(i, transport.Permanent(err))
			continue
		}
		select {
		case s.slots <- struct{}{}:
		case <-ctx.Done():
			return s.abort(p, batch, i, ctx.Err())
		case <-timer.C:
			p.failFrom(batch, i, errAckTimeout)
			s.in.cancel(p, errAckTimeout)
			return s.outcome(batch, p)
		}
		msg.Reply = s.in.register(p, i)
		if err := s.nc.PublishMsg(msg); err != nil {
			s.in.cancel1(p, i, msg.Reply, err)
		}
	}
	select {
	case <-p.done:
	case <-ctx.Done():
		select {
		case <-p.done:
		default:
			return s.abort(p, batch, len(batch), ctx.Err())
		}
	case <-timer.C:
		s.in.cancel(p, errAckTimeout)
	}
	return s.outcome(batch, p)
}

// abort gives up waiting because ctx ended: the records not yet
// acknowledged stop waiting (a late acknowledgement is dropped) and Send
// returns the context's error.
func (s *Sender) abort(p *publication, batch []*connected.Record, published int, cause error) error {
	p.failFrom(batch, published, cause)
	s.in.cancel(p, cause)
	p.mu.Lock()
	pending := p.failedBy(cause)
	p.mu.Unlock()
	err := fmt.Errorf("natstransport: send: %d of %d records unacknowledged: %w", pending, len(batch), cause)
	s.ctr.Fail(err, time.Now())
	return err
}

// publication tracks the records of one Send. Results are written under
// mu, by the Send's goroutine or the acknowledgement goroutine; done is
// closed when every record has one.
type publication struct {
	s         *Sender
	mu        sync.Mutex
	errs      []error
	remaining int
	done      chan struct{}
	tokens    []string // reply tokens, in publish order (Send's goroutine only)
}

// resolve records the result of record i, published, and frees its slot.
func (p *publication) resolve(i int, err error, dup bool) {
	<-p.s.slots
	if err == nil && dup {
		p.s.dups.Add(1)
	}
	p.fail(i, err)
}

// fail records the result of record i (nil: acknowledged).
func (p *publication) fail(i int, err error) {
	p.mu.Lock()
	p.errs[i] = err
	p.remaining--
	if p.remaining == 0 {
		close(p.done)
	}
	p.mu.Unlock()
}

// failFrom fails the records from index i on, none of them published.
func (p *publication) failFrom(batch []*connected.Record, i int, err error) {
	for ; i < len(batch); i++ {
		p.fail(i, err)
	}
}

// failedBy counts the records that failed with err. p.mu must be held.
func (p *publication) failedBy(err error) int {
	n := 0
	for _, e := range p.errs {
		if e == err {
			n++
		}
	}
	return n
}

// outcome turns per-record errors into Send's result and updates the
// counters.
func (s *Sender) outcome(batch []*connected.Record, p *publication) error {
	p.mu.Lock()
	errs := append([]error(nil), p.errs...)
	p.mu.Unlock()
	var perm, retry []int
	var permErr, retryErr error
	var bytes uint64
	for i, err := range errs {
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
	err := transport.BatchOutcome(perm, retry, permErr, retryErr)
	if err != nil {
		s.ctr.Fail(err, time.Now())
	}
	return err
}

// errShutdown fails the records still awaiting an acknowledgement when
// Shutdown gives up waiting for the sends in flight.
var errShutdown = fmt.Errorf("%w: shut down before the acknowledgement arrived", transport.ErrClosed)

// Shutdown stops accepting batches (Send then returns transport.ErrClosed),
// waits until the sends in flight return or ctx is done, then ends the
// Sender's acknowledgement subscription (records still awaiting one fail,
// permanently, with an error matching transport.ErrClosed) and, for a
// Sender made by New, closes its connection. A borrowed connection
// (NewFromConn) is never closed. Shutdown is idempotent; it returns ctx's
// error, wrapped, when ctx ended before the sends in flight returned.
func (s *Sender) Shutdown(ctx context.Context) error {
	if ctx == nil {
		return fmt.Errorf("%w passed to natstransport.Sender.Shutdown", transport.ErrNilContext)
	}
	var err error
	if werr := s.inflight.Close(ctx); werr != nil {
		err = fmt.Errorf("natstransport: shutdown: sends still in flight: %w", werr)
	}
	s.once.Do(func() {
		_ = s.in.sub.Unsubscribe() // fails only when the connection is already closed
		s.in.cancelAll(errShutdown)
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
