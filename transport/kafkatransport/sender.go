package kafkatransport

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport"
)

// Sender produces Touchpoint records to one Kafka topic. See the package
// documentation for the wire format, the guarantees and the errors.
//
// Sender is safe for concurrent use. Create it with New or NewFromClient;
// call Shutdown when done.
type Sender struct {
	cl    *kgo.Client
	own   bool
	topic string
	ce    connected.CloudEventsOptions
	ctr   transport.Counters

	inflight transport.InFlight // Send calls in progress; closed by Shutdown
	once     sync.Once          // closes an owned client once
}

var (
	_ transport.Sender     = (*Sender)(nil)
	_ connected.Shutdowner = (*Sender)(nil)
)

// New returns a Sender that produces to topic through a kgo.Client of its
// own, created with seeds as the seed brokers, acks=all, the idempotent
// producer, no linger and the delivery timeout (WithDeliveryTimeout), then
// any WithClientOptions. The client connects
// lazily: New does not wait for a broker. ce gives the CloudEvents source
// (required), type prefix and data schema of the headers.
//
// The Sender owns the client: Shutdown closes it.
func New(seeds []string, topic string, ce connected.CloudEventsOptions, opts ...Option) (*Sender, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	if len(seeds) == 0 {
		return nil, errors.New("kafkatransport: New: no seed brokers")
	}
	if err := validate(topic, ce); err != nil {
		return nil, err
	}
	kopts := []kgo.Opt{
		kgo.SeedBrokers(seeds...),
		kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.ProducerLinger(0),
		kgo.RecordDeliveryTimeout(cfg.deliveryTimeout),
	}
	kopts = append(kopts, cfg.clientOpts...)
	cl, err := kgo.NewClient(kopts...)
	if err != nil {
		return nil, fmt.Errorf("kafkatransport: New: %w", err)
	}
	return &Sender{cl: cl, own: true, topic: topic, ce: ce}, nil
}

// NewFromClient returns a Sender that produces to topic through cl, which
// it borrows: Shutdown waits for this Sender's sends but does not close cl,
// and cl's producer configuration applies unchanged (franz-go's defaults
// are an idempotent producer with acks=all). ce is as for New.
func NewFromClient(cl *kgo.Client, topic string, ce connected.CloudEventsOptions, opts ...Option) (*Sender, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	if cfg.clientSet {
		return nil, ErrClientOptionsBorrowed
	}
	if cl == nil {
		return nil, errors.New("kafkatransport: NewFromClient: nil client")
	}
	if err := validate(topic, ce); err != nil {
		return nil, err
	}
	return &Sender{cl: cl, topic: topic, ce: ce}, nil
}

func validate(topic string, ce connected.CloudEventsOptions) error {
	if err := ValidateTopic(topic); err != nil {
		return err
	}
	if err := ce.Validate(); err != nil {
		return fmt.Errorf("kafkatransport: %w", err)
	}
	return nil
}

// Client returns the kgo.Client the Sender produces with, owned or
// borrowed. Do not close an owned client: call Shutdown.
func (s *Sender) Client() *kgo.Client { return s.cl }

// Send produces one Kafka record per record of batch and waits until the
// broker acknowledged or failed every one of them, or until ctx is done.
// See the package documentation for the errors.
func (s *Sender) Send(ctx context.Context, batch []*connected.Record) error {
	if ctx == nil {
		return fmt.Errorf("%w passed to kafkatransport.Sender.Send", transport.ErrNilContext)
	}
	if !s.inflight.Enter() {
		return transport.ErrClosed
	}
	defer s.inflight.Exit()
	if len(batch) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("kafkatransport: send: %w", err)
	}
	s.ctr.Requests.Add(1)

	p := &pending{errs: make([]error, len(batch)), done: make(chan struct{})}
	p.remaining.Store(int64(len(batch)))
	krs := make([]kgo.Record, len(batch))
	hdrs := make([]kgo.RecordHeader, 0, len(batch)*maxHeaders)
	vals := make([]byte, 0, valueBytes(batch, s.ce))
	for i, r := range batch {
		start := len(hdrs)
		var err error
		hdrs, vals, err = appendHeaders(hdrs, vals, r, s.ce)
		if err != nil {
			p.finish(i, transport.Permanent(err))
			continue
		}
		kr := &krs[i]
		kr.Topic = s.topic
		if r.PartitionKey != "" {
			start := len(vals)
			vals = append(vals, r.PartitionKey...)
			kr.Key = vals[start:len(vals):len(vals)]
		}
		kr.Value = r.Payload
		kr.Headers = hdrs[start:len(hdrs):len(hdrs)]
		s.cl.Produce(ctx, kr, func(_ *kgo.Record, err error) { p.finish(i, err) })
	}

	select {
	case <-p.done:
	case <-ctx.Done():
		select {
		case <-p.done: // finished at the same moment: report the real outcome
		default:
			err := fmt.Errorf("kafkatransport: send: %d of %d records unacknowledged: %w", p.remaining.Load(), len(batch), ctx.Err())
			s.ctr.Fail(err, time.Now())
			return err
		}
	}
	return s.outcome(ctx, batch, p.errs)
}

// outcome turns per-record errors into Send's result and updates the
// counters.
func (s *Sender) outcome(ctx context.Context, batch []*connected.Record, errs []error) error {
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
	if len(perm) == 0 && len(retry) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		// Records failed because the caller gave up: that is not the
		// records' fault, whatever franz-go reported for them.
		err = fmt.Errorf("kafkatransport: send: %d of %d records failed: %w", len(perm)+len(retry), len(batch), err)
		s.ctr.Fail(err, time.Now())
		return err
	}
	err := transport.BatchOutcome(perm, retry, permErr, retryErr)
	if err != nil {
		s.ctr.Fail(err, time.Now())
	}
	return err
}

// pending tracks the records of one Send. Each index is written by exactly
// one finish call; done is closed after the last one, which orders those
// writes before the reads in outcome.
type pending struct {
	errs      []error
	remaining atomic.Int64
	done      chan struct{}
}

func (p *pending) finish(i int, err error) {
	p.errs[i] = err
	if p.remaining.Add(-1) == 0 {
		close(p.done)
	}
}

// Shutdown stops accepting batches (Send then returns transport.ErrClosed),
// waits until the sends in flight return or ctx is done, and then, for a
// Sender made by New, closes its kgo.Client, which fails whatever is still
// buffered. A borrowed client (NewFromClient) is never closed. Shutdown is
// idempotent; it returns ctx's error, wrapped, when ctx ended before the
// sends in flight returned.
func (s *Sender) Shutdown(ctx context.Context) error {
	if ctx == nil {
		return fmt.Errorf("%w passed to kafkatransport.Sender.Shutdown", transport.ErrNilContext)
	}
	var err error
	if werr := s.inflight.Close(ctx); werr != nil {
		err = fmt.Errorf("kafkatransport: shutdown: sends still in flight: %w", werr)
	}
	if s.own {
		s.once.Do(s.cl.Close)
	}
	return err
}

// Stats returns the Sender's counters: Requests counts Send calls that
// produced, Delivered and Bytes the acknowledged records and their payload
// bytes, LastError the latest failure.
func (s *Sender) Stats() transport.Stats { return s.ctr.Snapshot() }
