package mqtttransport

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/eclipse/paho.golang/autopaho"
	"github.com/eclipse/paho.golang/paho"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/internal/brokersend"
	"github.com/touchpoint-sdk/touchpoint/transport"
)

// Sender publishes Touchpoint records to an MQTT 5 broker, QoS 1. See the
// package documentation for the wire format, the guarantees and the errors.
//
// Sender is safe for concurrent use. Create it with New or
// NewFromConnection; call Shutdown when done.
type Sender struct {
	cm    *autopaho.ConnectionManager
	own   bool
	topic *topic
	ce    connected.CloudEventsOptions
	cfg   senderConfig

	core brokersend.Core // admission, counters, outcome, one release
}

var (
	_ transport.Sender     = (*Sender)(nil)
	_ connected.Shutdowner = (*Sender)(nil)
)

// New connects to the MQTT 5 broker at serverURL (mqtt://host:1883,
// tls://host:8883, ws://..., wss://...) with autopaho, which reconnects
// by itself, and returns a Sender publishing to the topics topicTemplate
// gives (see ParseTopic and the Placeholder constants). ce gives the
// CloudEvents source (required), type prefix and data schema of the user
// properties. New waits until the first connection is up or ctx is done;
// its error then includes the last connection attempt's.
//
// The Sender owns the connection: Shutdown disconnects it.
func New(ctx context.Context, serverURL, topicTemplate string, ce connected.CloudEventsOptions, opts ...Option) (*Sender, error) {
	if ctx == nil {
		return nil, fmt.Errorf("%w passed to mqtttransport.New", transport.ErrNilContext)
	}
	cfg, tp, err := prepareSender(topicTemplate, ce, opts)
	if err != nil {
		return nil, err
	}
	u, err := parseServerURL(serverURL)
	if err != nil {
		return nil, err
	}
	cm, err := start(ctx, u, cfg.conn, nil, nil)
	if err != nil {
		return nil, err
	}
	return &Sender{cm: cm, own: true, topic: tp, ce: ce, cfg: cfg, core: brokersend.Core{Name: "mqtttransport"}}, nil
}

// NewFromConnection returns a Sender that publishes through cm, which it
// borrows: Shutdown waits for this Sender's sends but does not disconnect
// cm. topicTemplate and ce are as for New. Connection options
// (ConnOption) are refused with ErrConnectionOptionsBorrowed.
func NewFromConnection(cm *autopaho.ConnectionManager, topicTemplate string, ce connected.CloudEventsOptions, opts ...Option) (*Sender, error) {
	cfg, tp, err := prepareSender(topicTemplate, ce, opts)
	if err != nil {
		return nil, err
	}
	if cfg.conn.set {
		return nil, ErrConnectionOptionsBorrowed
	}
	if cm == nil {
		return nil, errors.New("mqtttransport: NewFromConnection: nil connection manager")
	}
	return &Sender{cm: cm, topic: tp, ce: ce, cfg: cfg, core: brokersend.Core{Name: "mqtttransport"}}, nil
}

func prepareSender(topicTemplate string, ce connected.CloudEventsOptions, opts []Option) (senderConfig, *topic, error) {
	cfg, err := newSenderConfig(opts)
	if err != nil {
		return cfg, nil, err
	}
	tp, err := parseTopic(topicTemplate)
	if err != nil {
		return cfg, nil, err
	}
	if err := ce.Validate(); err != nil {
		return cfg, nil, fmt.Errorf("mqtttransport: %w", err)
	}
	return cfg, tp, nil
}

// ConnectionManager returns the connection the Sender publishes on, owned
// or borrowed. Do not disconnect an owned one: call Shutdown.
func (s *Sender) ConnectionManager() *autopaho.ConnectionManager { return s.cm }

// Send publishes one QoS 1 message per record of batch and waits for every
// PUBACK, or until ctx is done. It first waits (honouring ctx) for the
// connection to be up. Records of one partition key are published one
// after the other, in batch order; different keys go out concurrently, up
// to WithMaxInFlight. See the package documentation for the errors.
func (s *Sender) Send(ctx context.Context, batch []*connected.Record) error {
	if ok, err := s.core.Begin(ctx, len(batch)); !ok {
		return err
	}
	defer s.core.End()

	errs := make([]error, len(batch))
	pubs := make([]paho.Publish, len(batch))
	props := make([]paho.PublishProperties, len(batch))
	users := make([]paho.UserProperty, 0, len(batch)*maxUserProperties)
	format := new(byte)
	*format = 1
	var groups [][]int
	byKey := make(map[string]int)
	for i, r := range batch {
		var err error
		users, err = s.message(&pubs[i], &props[i], users, format, r)
		if err != nil {
			errs[i] = transport.Permanent(err)
			continue
		}
		g, ok := byKey[r.PartitionKey]
		if !ok {
			g = len(groups)
			byKey[r.PartitionKey] = g
			groups = append(groups, nil)
		}
		groups[g] = append(groups[g], i)
	}

	if len(groups) > 0 {
		if err := s.awaitConnection(ctx); err != nil {
			s.core.Counters.Fail(err, time.Now())
			return err
		}
		s.publishGroups(ctx, batch, groups, pubs, errs)
	}
	return s.core.Outcome(ctx, batch, errs, policy)
}

// awaitConnection waits for the connection to be up, at most WithConnectWait
// and until ctx is done.
func (s *Sender) awaitConnection(ctx context.Context) error {
	wctx, cancel := context.WithTimeout(ctx, s.cfg.connectWait)
	defer cancel()
	err := s.cm.AwaitConnection(wctx)
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return fmt.Errorf("mqtttransport: send: waiting for the connection: %w", ctx.Err())
	case wctx.Err() != nil:
		return fmt.Errorf("mqtttransport: send: not connected after %v: %w", s.cfg.connectWait, autopaho.ConnectionDownError)
	default: // the connection manager has shut down: its owner disconnected it
		return transport.Permanent(fmt.Errorf("mqtttransport: send: %w", err))
	}
}

// publishGroups publishes the records. With one goroutine allowed (or one
// key) it publishes them all in batch order; otherwise each group (one
// partition key) in order, groups concurrently on at most WithMaxInFlight
// goroutines that end before it returns.
func (s *Sender) publishGroups(ctx context.Context, batch []*connected.Record, groups [][]int, pubs []paho.Publish, errs []error) {
	workers := min(s.cfg.maxInFlight, len(groups))
	if workers == 1 {
		all := make([]int, 0, len(batch))
		for i := range batch {
			if errs[i] == nil {
				all = append(all, i)
			}
		}
		s.publishInOrder(ctx, batch, all, pubs, errs)
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				g := int(next.Add(1) - 1)
				if g >= len(groups) {
					return
				}
				s.publishInOrder(ctx, batch, groups[g], pubs, errs)
			}
		})
	}
	wg.Wait()
}

// publishInOrder publishes the records idxs names one after the other,
// each after the previous one's PUBACK. After a retryable failure it holds
// back the later records of the same partition key, so that a retry cannot
// store them before the failed one.
func (s *Sender) publishInOrder(ctx context.Context, batch []*connected.Record, idxs []int, pubs []paho.Publish, errs []error) {
	var held map[string]bool // keys with a retryable failure; allocated on the first
	for _, i := range idxs {
		key := batch[i].PartitionKey
		if held[key] {
			errs[i] = errHeldBack
			continue
		}
		if err := ctx.Err(); err != nil {
			errs[i] = err
			continue
		}
		resp, err := s.cm.Publish(ctx, &pubs[i])
		if err != nil {
			if ctx.Err() == nil && (errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)) {
				// paho's own packet timeout, not the caller's context.
				err = fmt.Errorf("%w: %w", errNoPuback, err)
			}
			if resp != nil && resp.ReasonCode >= 0x80 {
				pe := &PubackError{ReasonCode: resp.ReasonCode}
				if resp.Properties != nil {
					pe.Reason = resp.Properties.ReasonString
				}
				err = pe
			}
			errs[i] = err
			if retryable(err) {
				if held == nil {
					held = make(map[string]bool)
				}
				held[key] = true
			}
		}
	}
}

// policy classifies the records' errors for Core.Outcome: a record held
// back behind a failed one of its partition key is cited only when no
// other retryable failure explains the batch.
var policy = brokersend.Policy{
	Retryable: retryable,
	Secondary: func(err error) bool { return errors.Is(err, errHeldBack) },
	Record:    func(id string, err error) error { return &RecordError{ID: id, Err: err} },
}

// Shutdown stops accepting batches (Send then returns transport.ErrClosed),
// waits until the sends in flight return or ctx is done, and then, for a
// Sender made by New, disconnects (a DISCONNECT packet, then autopaho's
// goroutines end; bounded by ctx). A borrowed connection
// (NewFromConnection) is never disconnected. Shutdown is idempotent; it
// returns ctx's error, wrapped, when ctx ended first.
func (s *Sender) Shutdown(ctx context.Context) error {
	if !s.own {
		return s.core.Shutdown(ctx, nil)
	}
	return s.core.Shutdown(ctx, func() error {
		if err := s.cm.Disconnect(ctx); err != nil {
			return fmt.Errorf("disconnect: %w", err)
		}
		return nil
	})
}

// Stats returns the Sender's counters: Requests counts Send calls that
// published, Delivered and Bytes the acknowledged records and their
// payload bytes, LastError the latest failure.
func (s *Sender) Stats() transport.Stats { return s.core.Counters.Snapshot() }
