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

	"github.com/touchpoint-sdk/touchpoint/transport"
)

// subscribeTimeout bounds a subscription made after a reconnection.
const subscribeTimeout = 10 * time.Second

// Message is one PUBLISH the Source received, as handed to the MessageHandler.
type Message struct {
	Topic string
	// Payload is the message body. It belongs to the handler, which may
	// keep it.
	Payload []byte
	// Received is when the Source received the message, from its clock
	// (WithClock).
	Received time.Time
	// ContentType is the MQTT 5 Content Type property ("" when absent).
	ContentType string
	// UserProperties are the MQTT 5 user properties, in order (nil when
	// absent); a Touchpoint Sender puts the CloudEvents attributes there.
	UserProperties paho.UserProperties
	QoS            byte
	Retained       bool
}

// MessageHandler decodes and handles one received message: typically a gateway's
// firmware frame turned into events (beacon.Parse, a wearable decoder,
// then a connected.Client). The Source calls it on the connection's
// receiving goroutine, one message at a time, in the order the broker
// delivered them; a slow handler slows the connection down (MQTT flow
// control), it loses nothing. ctx is cancelled when Shutdown gives up
// waiting for the handler. An error is counted and passed to
// WithErrorHandler; the message is acknowledged either way (a handler that
// wants a redelivery must not return until it has stored the message).
//
// It is the inbound side (broker to adapter), not a connected.Handler: it
// receives raw MQTT messages, not Touchpoint records.
type MessageHandler func(ctx context.Context, m Message) error

// Handler is the former name of MessageHandler, easily mistaken for a
// connected.Handler.
//
// Deprecated: use MessageHandler. Handler will be removed in the next
// release.
type Handler = MessageHandler

// Source subscribes to topic filters (for example the topics a store's
// BLE gateways publish to) and hands every matching message to a MessageHandler.
//
// Create it with NewSource (it owns its connection) or
// NewSourceFromConnection (it borrows one); call Shutdown when done. Its
// methods are safe for concurrent use.
type Source struct {
	cm      *autopaho.ConnectionManager
	own     bool
	filters []string
	handle  MessageHandler
	cfg     sourceConfig
	runCtx  context.Context
	cancel  context.CancelFunc
	first   chan error // capacity 1: the first subscription's result (owned)

	mu       sync.Mutex
	closed   bool
	active   int
	idle     chan struct{}
	remove   func() // detaches the handler from a borrowed connection
	firstSet bool
	lastErr  error
	lastAt   time.Time
	once     sync.Once

	received, handled, failed atomic.Uint64
}

// SourceStats is a snapshot of a Source's counters.
type SourceStats struct {
	Received      uint64    // messages matching the filters, handed to the handler
	Handled       uint64    // handler calls that returned nil
	Failed        uint64    // handler calls that returned an error
	LastError     string    // the latest handler or subscription error, "" if none
	LastErrorTime time.Time // when it happened, from the Source's clock
}

// HandlerError is what WithErrorHandler receives when the handler fails:
// the message's topic and the handler's error.
type HandlerError struct {
	Topic string
	Err   error
}

func (e *HandlerError) Error() string {
	return "mqtttransport: handler for topic " + e.Topic + ": " + e.Err.Error()
}

// Unwrap returns the handler's error.
func (e *HandlerError) Unwrap() error { return e.Err }

// NewSource connects to the MQTT 5 broker at serverURL (as New does),
// subscribes to filters (see ValidateFilter) with the QoS of
// WithSubscribeQoS, and hands every message matching a filter to handle.
// It waits until the first connection is up and the broker granted the
// subscriptions, or ctx is done. After a reconnection it subscribes again
// by itself (the session is clean by default).
//
// The Source owns the connection: Shutdown disconnects it.
func NewSource(ctx context.Context, serverURL string, filters []string, handle MessageHandler, opts ...SourceOption) (*Source, error) {
	if ctx == nil {
		return nil, fmt.Errorf("%w passed to mqtttransport.NewSource", transport.ErrNilContext)
	}
	s, err := newSource(filters, handle, opts)
	if err != nil {
		return nil, err
	}
	u, err := parseServerURL(serverURL)
	if err != nil {
		return nil, err
	}
	s.own = true
	s.first = make(chan error, 1)
	cm, err := start(ctx, u, s.cfg.conn, s.onConnectionUp, s.onPublish)
	if err != nil {
		s.cancel()
		return nil, err
	}
	s.cm = cm
	select {
	case err = <-s.first:
	case <-ctx.Done():
		err = fmt.Errorf("mqtttransport: subscribe: %w", ctx.Err())
	}
	if err != nil {
		s.cancel()
		stop(cm)
		return nil, err
	}
	return s, nil
}

// NewSourceFromConnection subscribes to filters through cm, which it
// borrows, and hands every matching message to handle. ctx bounds the
// subscription.
//
// autopaho attaches a handler added to a running connection to the
// current network connection only, and a clean session loses
// subscriptions when it reconnects: call Resubscribe from the
// OnConnectionUp callback of cm's configuration. Shutdown detaches the
// handler and unsubscribes; it does not disconnect cm. Connection options
// (ConnOption) are refused with ErrConnectionOptionsBorrowed.
func NewSourceFromConnection(ctx context.Context, cm *autopaho.ConnectionManager, filters []string, handle MessageHandler, opts ...SourceOption) (*Source, error) {
	if ctx == nil {
		return nil, fmt.Errorf("%w passed to mqtttransport.NewSourceFromConnection", transport.ErrNilContext)
	}
	s, err := newSource(filters, handle, opts)
	if err != nil {
		return nil, err
	}
	if s.cfg.conn.set {
		s.cancel()
		return nil, ErrConnectionOptionsBorrowed
	}
	if cm == nil {
		s.cancel()
		return nil, errors.New("mqtttransport: NewSourceFromConnection: nil connection manager")
	}
	s.cm = cm
	if err := s.Resubscribe(ctx); err != nil {
		s.detach()
		s.cancel()
		return nil, err
	}
	return s, nil
}

func newSource(filters []string, handle MessageHandler, opts []SourceOption) (*Source, error) {
	cfg, err := newSourceConfig(opts)
	if err != nil {
		return nil, err
	}
	if len(filters) == 0 {
		return nil, errors.New("mqtttransport: no topic filters")
	}
	for _, f := range filters {
		if err := ValidateFilter(f); err != nil {
			return nil, err
		}
	}
	if handle == nil {
		return nil, errors.New("mqtttransport: nil MessageHandler")
	}
	s := &Source{filters: append([]string(nil), filters...), handle: handle, cfg: cfg}
	s.runCtx, s.cancel = context.WithCancel(context.Background())
	return s, nil
}

// ConnectionManager returns the connection the Source receives on, owned
// or borrowed. Do not disconnect an owned one: call Shutdown.
func (s *Source) ConnectionManager() *autopaho.ConnectionManager { return s.cm }

// Resubscribe subscribes to the Source's filters again and, on a borrowed
// connection, attaches the handler to the current network connection. A
// Source made by NewSource does this by itself after every reconnection;
// one made by NewSourceFromConnection needs it from the connection's
// OnConnectionUp callback. It returns ErrSubscribe (wrapped) when the
// broker refuses a filter, and transport-level errors as they come.
func (s *Source) Resubscribe(ctx context.Context) error {
	if ctx == nil {
		return fmt.Errorf("%w passed to mqtttransport.Source.Resubscribe", transport.ErrNilContext)
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return errors.New("mqtttransport: Resubscribe: source shut down")
	}
	if !s.own {
		if s.remove != nil {
			s.remove()
		}
		s.remove = s.cm.AddOnPublishReceived(func(pr autopaho.PublishReceived) (bool, error) {
			return s.onPublish(pr.PublishReceived)
		})
	}
	s.mu.Unlock()
	return s.subscribe(ctx, s.cm)
}

func (s *Source) subscribe(ctx context.Context, cm *autopaho.ConnectionManager) error {
	sub := &paho.Subscribe{Subscriptions: make([]paho.SubscribeOptions, len(s.filters))}
	for i, f := range s.filters {
		sub.Subscriptions[i] = paho.SubscribeOptions{Topic: f, QoS: s.cfg.qos}
	}
	ack, err := cm.Subscribe(ctx, sub)
	if ack != nil {
		for i, code := range ack.Reasons {
			if code >= 0x80 && i < len(s.filters) {
				return fmt.Errorf("%w: filter %q: reason code 0x%02x", ErrSubscribe, s.filters[i], code)
			}
		}
	}
	if err != nil {
		return fmt.Errorf("mqtttransport: subscribe: %w", err)
	}
	return nil
}

// onConnectionUp subscribes an owned Source after every (re)connection.
// autopaho calls it on its connection goroutine; the subscription is
// bounded by subscribeTimeout and by Shutdown.
func (s *Source) onConnectionUp(cm *autopaho.ConnectionManager, _ *paho.Connack) {
	ctx, cancel := context.WithTimeout(s.runCtx, subscribeTimeout)
	err := s.subscribe(ctx, cm)
	cancel()
	s.mu.Lock()
	first := !s.firstSet
	s.firstSet = true
	s.mu.Unlock()
	if first {
		s.first <- err
		return
	}
	if err != nil {
		s.report(err)
	}
}

// onPublish hands a matching message to the handler. It runs on paho's
// receiving goroutine; returning reports whether the Source handled it.
func (s *Source) onPublish(pr paho.PublishReceived) (bool, error) {
	p := pr.Packet
	if p == nil || !s.matches(p.Topic) {
		return false, nil
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return false, nil
	}
	s.active++
	s.mu.Unlock()
	defer s.done()

	m := Message{Topic: p.Topic, Payload: p.Payload, Received: s.cfg.now(), QoS: p.QoS, Retained: p.Retain}
	if p.Properties != nil {
		m.ContentType, m.UserProperties = p.Properties.ContentType, p.Properties.User
	}
	s.received.Add(1)
	if err := s.handle(s.runCtx, m); err != nil {
		s.failed.Add(1)
		s.report(&HandlerError{Topic: p.Topic, Err: err})
	} else {
		s.handled.Add(1)
	}
	return true, nil
}

func (s *Source) matches(topic string) bool {
	for _, f := range s.filters {
		if matchFilter(f, topic) {
			return true
		}
	}
	return false
}

func (s *Source) report(err error) {
	s.mu.Lock()
	s.lastErr, s.lastAt = err, s.cfg.now()
	s.mu.Unlock()
	if s.cfg.onError != nil {
		s.cfg.onError(err)
	}
}

func (s *Source) done() {
	s.mu.Lock()
	s.active--
	if s.active == 0 && s.idle != nil {
		close(s.idle)
		s.idle = nil
	}
	s.mu.Unlock()
}

func (s *Source) detach() {
	s.mu.Lock()
	if s.remove != nil {
		s.remove()
		s.remove = nil
	}
	s.mu.Unlock()
}

// Shutdown stops handing messages to the handler, waits until a handler
// call in progress returns or ctx is done (the handler's context is then
// cancelled), and then, for a Source made by NewSource, disconnects; for a
// borrowed connection it detaches the handler and unsubscribes from the
// filters (a connection that is down is not an error: a clean session has
// no subscriptions left). Shutdown is idempotent; it returns ctx's error,
// wrapped, when ctx ended first, and the unsubscription's error.
func (s *Source) Shutdown(ctx context.Context) error {
	if ctx == nil {
		return fmt.Errorf("%w passed to mqtttransport.Source.Shutdown", transport.ErrNilContext)
	}
	s.mu.Lock()
	s.closed = true
	var wait chan struct{}
	if s.active > 0 {
		if s.idle == nil {
			s.idle = make(chan struct{})
		}
		wait = s.idle
	}
	s.mu.Unlock()
	var errs []error
	if wait != nil {
		select {
		case <-wait:
		case <-ctx.Done():
			errs = append(errs, fmt.Errorf("mqtttransport: shutdown: handler still running: %w", ctx.Err()))
		}
	}
	s.once.Do(func() {
		s.cancel()
		if s.own {
			if err := s.cm.Disconnect(ctx); err != nil {
				errs = append(errs, fmt.Errorf("mqtttransport: shutdown: disconnect: %w", err))
			}
			return
		}
		s.detach()
		_, err := s.cm.Unsubscribe(ctx, &paho.Unsubscribe{Topics: s.filters})
		if err != nil && !isConnectionDown(err) {
			errs = append(errs, fmt.Errorf("mqtttransport: shutdown: unsubscribe: %w", err))
		}
	})
	return errors.Join(errs...)
}

// Stats returns the Source's counters.
func (s *Source) Stats() SourceStats {
	st := SourceStats{Received: s.received.Load(), Handled: s.handled.Load(), Failed: s.failed.Load()}
	s.mu.Lock()
	if s.lastErr != nil {
		st.LastError, st.LastErrorTime = s.lastErr.Error(), s.lastAt
	}
	s.mu.Unlock()
	return st
}
