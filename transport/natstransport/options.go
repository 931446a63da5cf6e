package natstransport

import (
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Defaults of the Sender.
const (
	// DefaultMaxPending is how many published records may await their
	// JetStream acknowledgement at once, per Sender.
	DefaultMaxPending = 1024
	// DefaultAckTimeout is how long a Send waits for room under
	// WithMaxPending and for its acknowledgements before the records still
	// unacknowledged fail, retryably.
	DefaultAckTimeout = 10 * time.Second
)

// Option configures New and NewFromConn.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	maxPending int
	ackTimeout time.Duration
	stream     *jetstream.StreamConfig
	connOpts   []nats.Option
	connSet    bool
}

func newConfig(opts []Option) (config, error) {
	c := config{maxPending: DefaultMaxPending, ackTimeout: DefaultAckTimeout}
	for _, o := range opts {
		if o == nil {
			return c, errors.New("natstransport: nil Option")
		}
		o.apply(&c)
	}
	switch {
	case c.maxPending < 1 || c.maxPending > 1<<16:
		return c, fmt.Errorf("natstransport: WithMaxPending(%d): must be in [1, 65536]", c.maxPending)
	case c.ackTimeout <= 0:
		return c, fmt.Errorf("natstransport: WithAckTimeout(%v): must be > 0", c.ackTimeout)
	case c.stream != nil && c.stream.Name == "":
		return c, errors.New("natstransport: WithStream: the stream config has no Name")
	}
	return c, nil
}

// WithMaxPending bounds how many published records may await their
// acknowledgement at once, across all concurrent Sends of one Sender; a
// Send waits (honouring its context) for acknowledgements before publishing
// more. Default DefaultMaxPending (1,024). Valid: 1 to 65,536.
func WithMaxPending(n int) Option { return optionFunc(func(c *config) { c.maxPending = n }) }

// WithAckTimeout bounds each Send, from its start: records not
// acknowledged by then (or not yet published for want of room under
// WithMaxPending) fail, retryably, with an error matching
// jetstream.ErrAsyncPublishTimeout; a late acknowledgement is ignored.
// Default DefaultAckTimeout (10 s). Must be > 0.
func WithAckTimeout(d time.Duration) Option { return optionFunc(func(c *config) { c.ackTimeout = d }) }

// WithStream makes New and NewFromConn create the stream, or update it to
// cfg if it exists (jetstream.CreateOrUpdateStream), before returning.
// cfg.Subjects must cover the subjects the template produces, and
// cfg.Duplicates is the window in which JetStream drops a record whose
// Nats-Msg-Id it has already stored (JetStream's default: 2 minutes).
// Default: the stream is left alone and must exist, or every record fails
// with a retryable "no response from stream".
func WithStream(cfg jetstream.StreamConfig) Option {
	return optionFunc(func(c *config) { c.stream = &cfg })
}

// WithConnOptions adds nats.go options to the connection New opens, after
// the Sender's own (a connection name), so they may override them:
// credentials, TLS, reconnect policy, nats.InProcessServer, and so on.
// Options accumulate. Default: none. NewFromConn refuses this option with
// ErrConnOptionsBorrowed.
func WithConnOptions(opts ...nats.Option) Option {
	return optionFunc(func(c *config) {
		c.connOpts = append(c.connOpts, opts...)
		c.connSet = true
	})
}
