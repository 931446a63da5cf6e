package kafkatransport

import (
	"errors"

	"github.com/twmb/franz-go/pkg/kgo"
)

// MessageIDHeader is the name of the Kafka header that carries the record's
// messageId (also in ce_id): the dedupe key of every Touchpoint destination.
const MessageIDHeader = "messageId"

// Option configures New and NewFromClient.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	clientOpts []kgo.Opt
	clientSet  bool
}

func newConfig(opts []Option) (config, error) {
	var c config
	for _, o := range opts {
		if o == nil {
			return c, errors.New("kafkatransport: nil Option")
		}
		o.apply(&c)
	}
	return c, nil
}

// WithClientOptions adds franz-go options to the client New creates, after
// the Sender's own (seed brokers, acks=all, idempotence, no linger), so
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
