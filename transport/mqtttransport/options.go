package mqtttransport

import (
	"errors"
	"fmt"
	"time"

	"github.com/eclipse/paho.golang/autopaho"
)

// Defaults of the Sender.
const (
	// DefaultMaxInFlight is how many partition keys a Send publishes
	// concurrently by default.
	DefaultMaxInFlight = 16
	// DefaultConnectWait is how long a Send waits for the connection to be
	// up before failing its batch, retryably.
	DefaultConnectWait = 30 * time.Second
)

// Option configures New and NewFromConnection.
type Option interface{ applySender(*senderConfig) }

// SourceOption configures NewSource and NewSourceFromConnection.
type SourceOption interface{ applySource(*sourceConfig) }

// ConnOption configures the connection New and NewSource open; it is both
// an Option and a SourceOption. The constructors that borrow a connection
// refuse it with ErrConnectionOptionsBorrowed.
type ConnOption interface {
	Option
	SourceOption
}

type connConfig struct {
	clientID string
	user     string
	pass     []byte
	tweaks   []func(*autopaho.ClientConfig)
	set      bool
}

type connOption func(*connConfig)

func (f connOption) applySender(c *senderConfig) { f(&c.conn); c.conn.set = true }
func (f connOption) applySource(c *sourceConfig) { f(&c.conn); c.conn.set = true }

// WithClientID sets the MQTT client identifier. Default: "touchpoint-"
// followed by 16 random hex digits, new for each constructor call.
func WithClientID(id string) ConnOption {
	return connOption(func(c *connConfig) { c.clientID = id })
}

// WithCredentials sets the user name and password of the CONNECT packet.
// Default: none (anonymous).
func WithCredentials(user string, password []byte) ConnOption {
	return connOption(func(c *connConfig) { c.user, c.pass = user, password })
}

// WithClientConfig lets f adjust the autopaho configuration just before
// the connection starts, after the package has set its own fields (server
// URL, client id, credentials, keep-alive 30 s, clean start, session expiry
// 0, reconnect backoff from 250 ms to 30 s, and the callbacks it needs):
// TLS (TlsCfg), a persistent session (CleanStartOnInitialConnection,
// SessionExpiryInterval), loggers, and so on. f must not replace
// OnConnectionUp, OnConnectError or OnPublishReceived, which the Sender and
// Source rely on; wrap them instead. Functions accumulate, applied in
// order. Default: none.
func WithClientConfig(f func(*autopaho.ClientConfig)) ConnOption {
	return connOption(func(c *connConfig) { c.tweaks = append(c.tweaks, f) })
}

type senderOption func(*senderConfig)

func (f senderOption) applySender(c *senderConfig) { f(c) }

type senderConfig struct {
	conn        connConfig
	maxInFlight int
	connectWait time.Duration
}

func newSenderConfig(opts []Option) (senderConfig, error) {
	c := senderConfig{maxInFlight: DefaultMaxInFlight, connectWait: DefaultConnectWait}
	for _, o := range opts {
		if o == nil {
			return c, errors.New("mqtttransport: nil Option")
		}
		o.applySender(&c)
	}
	switch {
	case c.maxInFlight < 1 || c.maxInFlight > 1024:
		return c, fmt.Errorf("mqtttransport: WithMaxInFlight(%d): must be in [1, 1024]", c.maxInFlight)
	case c.connectWait <= 0:
		return c, fmt.Errorf("mqtttransport: WithConnectWait(%v): must be > 0", c.connectWait)
	}
	return c, c.conn.validate()
}

// WithMaxInFlight sets how many partition keys one Send publishes
// concurrently; the records of one key are published one after the other,
// each waiting for its PUBACK, so that they stay in order. With 1, a Send
// publishes all its records one by one in batch order, which keeps the
// order across keys too (at one round trip per record). The broker's
// Receive Maximum bounds the messages in flight as well. Default
// DefaultMaxInFlight (16). Valid: 1 to 1,024.
func WithMaxInFlight(n int) Option { return senderOption(func(c *senderConfig) { c.maxInFlight = n }) }

// WithConnectWait bounds how long a Send waits for the connection to be up
// (autopaho reconnects in the background) before it fails the whole batch
// with a retryable error matching autopaho.ConnectionDownError, so that a
// transport.Retry above can back off and count instead of the Send
// holding its batch through an outage. Waiting for each PUBACK is bounded
// separately, by paho's PacketTimeout (10 s; set it with
// WithClientConfig). Default DefaultConnectWait (30 s). Must be > 0.
func WithConnectWait(d time.Duration) Option {
	return senderOption(func(c *senderConfig) { c.connectWait = d })
}

type sourceOption func(*sourceConfig)

func (f sourceOption) applySource(c *sourceConfig) { f(c) }

type sourceConfig struct {
	conn    connConfig
	qos     byte
	now     func() time.Time
	onError func(error)
}

func newSourceConfig(opts []SourceOption) (sourceConfig, error) {
	c := sourceConfig{qos: 1, now: time.Now}
	for _, o := range opts {
		if o == nil {
			return c, errors.New("mqtttransport: nil SourceOption")
		}
		o.applySource(&c)
	}
	switch {
	case c.qos > 2:
		return c, fmt.Errorf("mqtttransport: WithSubscribeQoS(%d): must be 0, 1 or 2", c.qos)
	case c.now == nil:
		return c, errors.New("mqtttransport: WithClock: nil clock")
	}
	return c, c.conn.validate()
}

func (c *connConfig) validate() error {
	for _, f := range c.tweaks {
		if f == nil {
			return errors.New("mqtttransport: WithClientConfig: nil function")
		}
	}
	return nil
}

// WithSubscribeQoS sets the maximum QoS of the Source's subscriptions.
// Default 1 (at least once: the broker redelivers a message the Source did
// not acknowledge, and the Source acknowledges after the handler returns).
// Valid: 0, 1, 2.
func WithSubscribeQoS(qos byte) SourceOption {
	return sourceOption(func(c *sourceConfig) { c.qos = qos })
}

// WithClock sets the clock that stamps Message.Received. Default time.Now.
func WithClock(now func() time.Time) SourceOption {
	return sourceOption(func(c *sourceConfig) { c.now = now })
}

// WithErrorHandler sets a function that receives the errors the Source
// cannot return: a handler's error (wrapped in a *HandlerError), and a
// failed resubscription after a reconnection. It is called on the
// connection's receiving goroutine and must not block. Default: errors are
// only counted (SourceStats) and kept as LastError.
func WithErrorHandler(f func(error)) SourceOption {
	return sourceOption(func(c *sourceConfig) { c.onError = f })
}
