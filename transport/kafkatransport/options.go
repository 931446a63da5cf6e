package kafkatransport

import (
	"errors"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// MessageIDHeader is the name of the Kafka header that carries the record's
// messageId (also in ce_id): the dedupe key of every Touchpoint destination.
const MessageIDHeader = "messageId"

// Option configures New and NewFromClient.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// DefaultDeliveryTimeout is how long the client New creates keeps trying
// to deliver a record (retrying retryable broker errors) before failing it
// with kgo.ErrRecordTimeout, which Send reports as retryable.
const DefaultDeliveryTimeout = 30 * time.Second

type config struct {
	clientOpts      []kgo.Opt
	clientSet       bool
	deliveryTimeout time.Duration
}

func newConfig(opts []Option) (config, error) {
	c := config{deliveryTimeout: DefaultDeliveryTimeout}
	for _, o := range opts {
		if o == nil {
			return c, errors.New("kafkatransport: nil Option")
		}
		o.apply(&c)
	}
	if c.deliveryTimeout < time.Second {
		return c, fmt.Errorf("kafkatransport: WithDeliveryTimeout(%v): must be at least 1s (franz-go's minimum)", c.deliveryTimeout)
	}
	return c, nil
}

// WithDeliveryTimeout bounds how long the client New creates tries to
// deliver a record, retrying what Kafka calls retriable, before failing it
// (kgo.RecordDeliveryTimeout): Send then reports a retryable
// kgo.ErrRecordTimeout instead of waiting for as long as its context
// allows, so that a transport.Retry above can back off and count. A record
// already written to a request is failed only once that request is
// answered or times out. Default DefaultDeliveryTimeout (30 s). Must be at
// least 1 s (franz-go's minimum). NewFromClient refuses this option with
// ErrClientOptionsBorrowed.
func WithDeliveryTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) {
		c.deliveryTimeout = d
		c.clientSet = true
	})
}

// WithClientOptions adds franz-go options to the client New creates, after
// the Sender's own (seed brokers, acks=all, idempotence, no linger, the
// delivery timeout), so
// they may override them: TLS (kgo.DialTLSConfig), SASL, a logger,
// kgo.ProducerBatchMaxBytes, kgo.RecordDeliveryTimeout, and so on. Options
// accumulate. Default: none. NewFromClient refuses this option with
// ErrClientOptionsBorrowed.
func WithClientOptions(opts ...kgo.Opt) Option {
	return optionFunc(func(c *config) {
		c.clientOpts = append(c.clientOpts, opts...)
		c.clientSet = true
	})
}
