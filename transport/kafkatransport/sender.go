package kafkatransport

import (
	"context"
	"errors"
	"fmt"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/internal/brokersend"
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

	core brokersend.Core // admission, counters, outcome, one release
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
	return &Sender{cl: cl, own: true, topic: topic, ce: ce, core: brokersend.Core{Name: "kafkatransport"}}, nil
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
	return &Sender{cl: cl, topic: topic, ce: ce, core: brokersend.Core{Name: "kafkatransport"}}, nil
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
	if ok, err := s.core.Begin(ctx, len(batch)); !ok {
		return err
	}
	defer s.core.End()

	p := brokersend.NewResults(len(batch))
	krs := make([]kgo.Record, len(batch))
	hdrs := make([]kgo.RecordHeader, 0, len(batch)*maxHeaders)
	vals := make([]byte, 0, valueBytes(batch, s.ce))
	for i, r := range batch {
		start := len(hdrs)
		var err error
		hdrs, vals, err = appendHeaders(hdrs, vals, r, s.ce)
		if err != nil {
			p.Set(i, transport.Permanent(err))
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
		s.cl.Produce(ctx, kr, func(_ *kgo.Record, err error) { p.Set(i, err) })
	}

	select {
	case <-p.Done():
	case <-ctx.Done():
		select {
		case <-p.Done(): // finished at the same moment: report the real outcome
		default:
			return s.core.Abandon(p.Pending(), len(batch), ctx.Err())
		}
	}
	return s.outcome(ctx, batch, p.Errors())
}

// policy classifies the records' errors for Core.Outcome.
var policy = brokersend.Policy{
	Retryable: retryable,
	Record:    func(id string, err error) error { return &RecordError{ID: id, Err: err} },
}

// outcome turns per-record errors into Send's result and updates the
// counters. Records that failed because the caller gave up (ctx done) are
// not the records' fault, whatever franz-go reported for them: Send then
// returns ctx's error.
func (s *Sender) outcome(ctx context.Context, batch []*connected.Record, errs []error) error {
	return s.core.Outcome(ctx, batch, errs, policy)
}

// Shutdown stops accepting batches (Send then returns transport.ErrClosed),
// waits until the sends in flight return or ctx is done, and then, for a
// Sender made by New, closes its kgo.Client, which fails whatever is still
// buffered. A borrowed client (NewFromClient) is never closed. Shutdown is
// idempotent; it returns ctx's error, wrapped, when ctx ended before the
// sends in flight returned.
func (s *Sender) Shutdown(ctx context.Context) error {
	if !s.own {
		return s.core.Shutdown(ctx, nil)
	}
	return s.core.Shutdown(ctx, func() error { s.cl.Close(); return nil })
}

// Stats returns the Sender's counters: Requests counts Send calls that
// produced, Delivered and Bytes the acknowledged records and their payload
// bytes, LastError the latest failure.
func (s *Sender) Stats() transport.Stats { return s.core.Counters.Snapshot() }
