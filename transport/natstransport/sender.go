package natstransport

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/internal/brokersend"
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
	dups  atomic.Uint64

	core brokersend.Core // admission, counters, outcome, one release
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
		slots: make(chan struct{}, cfg.maxPending), core: brokersend.Core{Name: "natstransport"}}, nil
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
	if ok, err := s.core.Begin(ctx, len(batch)); !ok {
		return err
	}
	defer s.core.End()
	timer := time.NewTimer(s.cfg.ackTimeout)
	defer timer.Stop()

	p := &publication{s: s, Results: brokersend.NewResults(len(batch)), tokens: make([]string, 0, len(batch))}
	vals := make([]string, len(batch)*maxHeaders)
	for i, r := range batch {
		msg, err := s.message(r, vals[i*maxHeaders:(i+1)*maxHeaders:(i+1)*maxHeaders])
		if err != nil {
			p.Set(i, transport.Permanent(err))
			continue
		}
		select {
		case s.slots <- struct{}{}:
		case <-ctx.Done():
			return s.abort(p, batch, i, ctx.Err())
		case <-timer.C:
			p.SetFrom(i, errAckTimeout)
			s.in.cancel(p, errAckTimeout)
			return s.outcome(ctx, batch, p)
		}
		msg.Reply = s.in.register(p, i)
		if err := s.nc.PublishMsg(msg); err != nil {
			s.in.cancel1(p, i, msg.Reply, err)
		}
	}
	select {
	case <-p.Done():
	case <-ctx.Done():
		select {
		case <-p.Done():
		default:
			return s.abort(p, batch, len(batch), ctx.Err())
		}
	case <-timer.C:
		s.in.cancel(p, errAckTimeout)
	}
	return s.outcome(ctx, batch, p)
}

// abort gives up waiting because ctx ended: the records not yet
// acknowledged stop waiting (a late acknowledgement is dropped) and Send
// returns the context's error.
func (s *Sender) abort(p *publication, batch []*connected.Record, published int, cause error) error {
	p.SetFrom(published, cause)
	s.in.cancel(p, cause)
	return s.core.Abandon(p.Count(cause), len(batch), cause)
}

// publication tracks the records of one Send: their results (set by the
// Send's goroutine or the acknowledgement goroutine) and reply tokens.
type publication struct {
	s *Sender
	*brokersend.Results
	tokens []string // reply tokens, in publish order (Send's goroutine only)
}

// resolve records the result of record i, published, and frees its slot.
func (p *publication) resolve(i int, err error, dup bool) {
	<-p.s.slots
	if err == nil && dup {
		p.s.dups.Add(1)
	}
	p.Set(i, err)
}

// policy classifies the records' errors for Core.Outcome.
var policy = brokersend.Policy{
	Retryable: retryable,
	Record:    func(id string, err error) error { return &RecordError{ID: id, Err: err} },
}

// outcome turns per-record errors into Send's result and updates the
// counters.
func (s *Sender) outcome(ctx context.Context, batch []*connected.Record, p *publication) error {
	return s.core.Outcome(ctx, batch, p.Errors(), policy)
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
	return s.core.Shutdown(ctx, func() error {
		_ = s.in.sub.Unsubscribe() // fails only when the connection is already closed
		s.in.cancelAll(errShutdown)
		if s.own {
			s.nc.Close()
		}
		return nil
	})
}

// Stats returns the Sender's counters.
func (s *Sender) Stats() Stats {
	return Stats{Stats: s.core.Counters.Snapshot(), Duplicates: s.dups.Load()}
}
