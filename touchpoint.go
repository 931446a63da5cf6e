package touchpoint

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
	"github.com/touchpoint-sdk/touchpoint/identity"
	"github.com/touchpoint-sdk/touchpoint/transport"
)

// primaryName is the name of the endpoint given to New unless WithName.
const primaryName = "default"

// Client is the usual pipeline in one value: a connected.Client (stamp,
// validate, encode once), optional identity stitching and consent reading,
// and for each destination a transport.Batcher, a spool when WithSpool is
// given, a transport.Retry and an HTTP sender; destinations with a purpose
// sit behind a consent.Router.
//
// A Client is safe for concurrent use. Every method takes a context first:
// it bounds waiting (for queue space, or for the disk when durable), but
// once an event is accepted, cancelling the context does not abort its
// delivery. Call Shutdown when done: it delivers what is queued and stops
// every goroutine and file the Client owns.
type Client struct {
	client    *connected.Client
	chains    []*chain
	router    *consent.Router
	graph     *identity.Graph
	stitch    *identity.Middleware
	ledger    *consent.Ledger
	ownLedger bool
	pseud     *connected.Pseudonymizer
	linkFacts connected.Handler
	producerState
}

// keys are derived from the one secret, one per use, so that no two
// components share a key.
type keys struct{ partition, identity, device, audit []byte }

func deriveKeys(secret []byte) keys {
	k := func(label string) []byte {
		m := hmac.New(sha256.New, secret)
		m.Write([]byte("touchpoint/key/v1/" + label))
		return m.Sum(nil)
	}
	return keys{partition: k("partition"), identity: k("identity"), device: k("device"), audit: k("audit")}
}

// New returns a Client delivering to the collector at endpoint (a base URL:
// "/v1/batch" is appended) with writeKey, in Segment's protocol unless
// WithProtocol says otherwise. With no option that is the whole setup:
//
//   - retries on: transport.Retry's jittered backoff within a 1-minute budget
//     per batch, honouring Retry-After; 408, 429, 5xx and network errors are
//     retried, other 4xx fail at once;
//   - bodies gzipped (every Segment-compatible collector accepts gzip);
//   - batches of up to 2,500 events or 500,000 bytes, sent at least every
//     second (transport's defaults, Segment's limits); a queue bounded at
//     20,000 events that refuses more (transport.ErrQueueFull, counted and
//     reported) rather than grow;
//   - no spool, so Track returns once the event is queued in memory.
//
// Options add a disk spool (WithSpool), identity stitching (WithIdentity),
// consent (WithConsent, WithPurpose) and further destinations with their
// purposes (WithDestination), and pass tuning down to the lower layers.
//
// New starts the Batchers' goroutines (and the spools' drain goroutines,
// which immediately send what a previous run left on disk). It returns a
// *ConfigError (ErrConfig) for an invalid configuration, or the error of a
// spool directory it cannot open (spool.ErrLocked, a permission error).
// On error nothing is left running.
func New(endpoint, writeKey string, opts ...Option) (_ *Client, err error) {
	cfg := &config{primary: Destination{Name: primaryName, Endpoint: endpoint, WriteKey: writeKey}}
	for _, o := range opts {
		if o != nil {
			o.apply(cfg)
		}
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	c := &Client{linkFacts: cfg.linkFacts}
	// From here on, a failure shuts down what was built.
	defer func() {
		if err != nil {
			_ = c.abandon()
		}
	}()
	var k keys
	if cfg.secret != nil {
		k = deriveKeys(cfg.secret)
		if c.pseud, err = connected.NewPseudonymizer(k.device); err != nil {
			return nil, &ConfigError{Where: "WithSecret", Err: err}
		}
	}

	// Delivery: one chain per destination.
	var collector *chain
	var routes []consent.Destination
	for _, d := range append([]Destination{cfg.primary}, cfg.dests...) {
		ch, err := newChain(cfg, d)
		if err != nil {
			return nil, err
		}
		c.chains = append(c.chains, ch)
		if d.Purpose == "" {
			collector = ch
			continue
		}
		cats := d.Categories
		if len(cats) == 0 {
			cats = defaultCategories
		}
		routes = append(routes, consent.Destination{Name: d.Name, Purpose: d.Purpose,
			Categories: cats, OnRefusal: d.OnRefusal, Handler: ch.batcher})
	}

	// Consent: a ledger when anything reads or decides on it.
	if len(routes) > 0 || cfg.consentMap != nil {
		c.ledger, c.ownLedger = cfg.ledger, cfg.ledger == nil
		if c.ownLedger {
			if c.ledger, err = consent.NewLedger(); err != nil {
				return nil, &ConfigError{Where: "consent ledger", Err: err}
			}
		}
	}
	var sink connected.Handler
	if collector != nil {
		sink = collector.batcher
	}
	if len(routes) > 0 {
		if c.router, err = consent.NewRouter(c.ledger, k.audit, routes); err != nil {
			return nil, &ConfigError{Where: "WithDestination", Err: err}
		}
		sink = c.router
		if collector != nil {
			sink = &fanout{collector: collector.batcher, router: c.router}
		}
	}

	// Middleware: the user's, then identity, then the consent reader, so
	// that an event's own consent is recorded for the stitched profile
	// before the router decides on it.
	mw := append([]connected.Middleware(nil), cfg.middleware...)
	if cfg.identity {
		if c.graph, err = identity.New(k.identity, cfg.identityOpts...); err != nil {
			return nil, &ConfigError{Where: "WithIdentity", Err: err}
		}
		mopts := []identity.MiddlewareOption{identity.WithoutLinkFacts()}
		if cfg.linkFacts != nil {
			mopts = []identity.MiddlewareOption{identity.WithLinkFactHandler(cfg.linkFacts)}
		}
		if c.stitch, err = identity.NewMiddleware(c.graph, mopts...); err != nil {
			return nil, &ConfigError{Where: "WithIdentity", Err: err}
		}
		mw = append(mw, c.stitch.Middleware())
	}
	if cfg.consentMap != nil {
		reader, err := consent.NewSegmentReader(cfg.consentMap)
		if err != nil {
			return nil, &ConfigError{Where: "WithConsent", Err: err}
		}
		mw = append(mw, reader.Middleware(c.ledger))
	}
	// The user's client options first: their middleware runs before
	// identity, and the derived partition-key secret wins.
	copts := append(append([]connected.Option(nil), cfg.clientOpts...), connected.WithMiddleware(mw...))
	if cfg.secret != nil {
		copts = append(copts, connected.WithPartitionKeySecret(k.partition))
	}
	if c.client, err = connected.New(sink, copts...); err != nil {
		return nil, &ConfigError{Where: "WithClientOptions", Err: err}
	}
	return c, nil
}

// validate checks what can be checked before anything is built.
func (cfg *config) validate() error {
	if err := cfg.primary.check(true); err != nil {
		return err
	}
	names := map[string]bool{cfg.primary.Name: true}
	for i := range cfg.dests {
		d := &cfg.dests[i]
		if err := d.check(false); err != nil {
			return err
		}
		if names[d.Name] {
			return &ConfigError{Where: d.where(), Reason: "duplicate destination name"}
		}
		names[d.Name] = true
	}
	needSecret := cfg.identity || cfg.primary.Purpose != "" || len(cfg.dests) > 0
	switch {
	case cfg.secret != nil && len(cfg.secret) < connected.MinPseudonymKeyLen:
		return &ConfigError{Where: "WithSecret", Reason: fmt.Sprintf("secret shorter than %d bytes", connected.MinPseudonymKeyLen)}
	case needSecret && cfg.secret == nil:
		return &ConfigError{Where: "WithSecret", Reason: "required by WithIdentity, WithPurpose and WithDestination (keys are derived from it)"}
	case cfg.durable != nil && *cfg.durable && cfg.spoolDir == "":
		return &ConfigError{Where: "WithDurable", Reason: "durable needs WithSpool: there is no disk to wait for"}
	case cfg.linkFacts != nil && !cfg.identity:
		return &ConfigError{Where: "WithLinkFacts", Reason: "link facts need WithIdentity"}
	}
	return nil
}

// abandon shuts down what New built before it failed.
func (c *Client) abandon() error {
	var errs []error
	switch {
	case c.client != nil:
		errs = append(errs, c.client.Shutdown(context.Background()))
	case c.router != nil:
		errs = append(errs, shutdownNow(c.router))
		for _, ch := range c.chains {
			if ch.dest.Purpose == "" {
				errs = append(errs, shutdownNow(ch.batcher))
			}
		}
	default:
		for _, ch := range c.chains {
			errs = append(errs, shutdownNow(ch.batcher))
		}
	}
	if c.linkFacts != nil && c.client == nil {
		errs = append(errs, shutdownNow(c.linkFacts))
	}
	return errors.Join(append(errs, c.closeState())...)
}

// closeState closes the identity graph and the ledger if the Client owns
// them.
func (c *Client) closeState() error {
	var errs []error
	if c.graph != nil {
		errs = append(errs, c.graph.Shutdown(context.Background()))
	}
	if c.ownLedger && c.ledger != nil {
		errs = append(errs, c.ledger.Shutdown(context.Background()))
	}
	return errors.Join(errs...)
}

// Track emits a track event: something a customer did ("Order Completed",
// "Zone Entered"). e.Type may be empty or connected.TypeTrack. It stamps
// messageId and time when empty, validates and encodes the event once, and
// returns a *connected.ValidationError (connected.ErrInvalidEvent) for an
// invalid event, connected.ErrClosed after Shutdown, transport.ErrQueueFull
// when the queue is full, or, when durable, a *transport.DurableError if
// the event could not be written to the spool. Nothing is fixed silently.
func (c *Client) Track(ctx context.Context, e Event) error { return c.client.Track(ctx, e) }

// TrackFields emits a track event named name built from typed fields, the
// fast path: no Properties map, and, with no identity, consent or
// middleware in the way, no allocation per event in steady state. The bytes
// on the wire are those Track writes for the same event. Errors as Track;
// a field given twice is refused with a *connected.ValidationError.
func (c *Client) TrackFields(ctx context.Context, name string, fields ...Field) error {
	return c.client.TrackFields(ctx, name, fields...)
}

// Identify emits an identify event: who the customer is (userId, traits).
// Errors as Track.
func (c *Client) Identify(ctx context.Context, e Event) error { return c.client.Identify(ctx, e) }

// Page emits a page event: a web page view named by e.Name. Errors as Track.
func (c *Client) Page(ctx context.Context, e Event) error { return c.client.Page(ctx, e) }

// Screen emits a screen event: an app screen view named by e.Name. Errors
// as Track.
func (c *Client) Screen(ctx context.Context, e Event) error { return c.client.Screen(ctx, e) }

// Group emits a group event: the customer belongs to e.GroupID. Errors as
// Track.
func (c *Client) Group(ctx context.Context, e Event) error { return c.client.Group(ctx, e) }

// Alias emits an alias event: e.PreviousID and e.UserID are the same
// person. Errors as Track.
func (c *Client) Alias(ctx context.Context, e Event) error { return c.client.Alias(ctx, e) }

// Emit emits an event of any type; e.Type must be set. Errors as Track.
func (c *Client) Emit(ctx context.Context, e Event) error { return c.client.Emit(ctx, e) }

// Flush delivers everything accepted so far, to every destination, and
// returns when each record was sent (with a spool: written to disk) or
// reported to the failure callback, or when ctx is done.
func (c *Client) Flush(ctx context.Context) error { return c.client.Flush(ctx) }

// Shutdown shuts down the producers given to Attach, stops accepting events
// (later calls return connected.ErrClosed), delivers what is queued, and
// stops everything the Client owns: every
// Batcher, spool, Retry and HTTP sender, the consent router, the link-fact
// handler of WithLinkFacts, the identity graph and its own consent ledger.
// It is bounded by ctx: whatever is then undelivered is left on disk (with
// a spool) or reported to the failure callback, and Shutdown returns an
// error saying how many (transport.ErrUndelivered). It is idempotent:
// calling it again, after a timeout say, gives the pipeline another chance
// to drain.
func (c *Client) Shutdown(ctx context.Context) error {
	if ctx == nil {
		return c.client.Shutdown(ctx) // ErrNilContext, and nothing shut down
	}
	errs := []error{c.stopProducers(ctx), c.client.Shutdown(ctx)}
	if c.linkFacts != nil {
		if sd, ok := c.linkFacts.(connected.Shutdowner); ok {
			errs = append(errs, sd.Shutdown(ctx))
		}
	}
	return errors.Join(append(errs, c.closeState())...)
}

// Consent returns the consent ledger the Client decides with, to record
// grants and revocations (Ledger.Record) or erase a subject; nil when no
// destination has a purpose and WithConsent was not given.
func (c *Client) Consent() *consent.Ledger { return c.ledger }

// Identity returns the identity graph (to explain or erase a profile); nil
// without WithIdentity. The Client owns it: Shutdown closes it.
func (c *Client) Identity() *identity.Graph { return c.graph }

// Pseudonymizer returns the keyed pseudonymizer for device identifiers,
// under a key derived from WithSecret (pass it to beacon.EventOptions and
// the other adapters, so that a MAC address or an IRK leaves the process
// only as a pseudonym); nil without WithSecret.
func (c *Client) Pseudonymizer() *connected.Pseudonymizer { return c.pseud }

// DestinationStats is one destination's counters: every record refused,
// dropped or given up on is counted here and was reported to the failure
// callback (WithCallbacks) with its reason.
type DestinationStats struct {
	// Name and Purpose are the destination's ("" for the collector of record).
	Name    string
	Purpose consent.Purpose
	// Batcher counts what it accepted, delivered on and dropped, and its queue.
	Batcher transport.Stats
	// Spool counts what was written to and drained from disk; zero without
	// a spool.
	Spool transport.Stats
	// Retry counts re-sends; HTTP requests, deliveries and wire bytes.
	Retry, HTTP transport.Stats
	// Consent counts the router's decisions for the destination; zero for
	// the collector of record (no purpose).
	Consent consent.DestinationStats
}

// Stats returns every destination's counters, the endpoint given to New
// first, then in the order of WithDestination.
func (c *Client) Stats() []DestinationStats {
	var routed []consent.DestinationStats
	if c.router != nil {
		routed = c.router.Stats()
	}
	out := make([]DestinationStats, 0, len(c.chains))
	for _, ch := range c.chains {
		s := ch.stats()
		for _, r := range routed {
			if r.Name == s.Name {
				s.Consent = r
			}
		}
		out = append(out, s)
	}
	return out
}
