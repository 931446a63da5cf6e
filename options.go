package touchpoint

import (
	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
	"github.com/touchpoint-sdk/touchpoint/identity"
	"github.com/touchpoint-sdk/touchpoint/transport"
	"github.com/touchpoint-sdk/touchpoint/transport/spool"
)

// Option configures New. Options are applied in order; for an option given
// twice the last one wins, except those that add (WithDestination,
// WithMiddleware and the lower-layer pass-throughs), which accumulate.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// config is what the options set; New validates it.
type config struct {
	primary      Destination
	dests        []Destination
	spoolDir     string
	durable      *bool
	secret       []byte
	identity     bool
	identityOpts []identity.Option
	linkFacts    connected.Handler
	consentMap   map[string]consent.Purpose
	ledger       *consent.Ledger
	callbacks    transport.Callbacks
	middleware   []connected.Middleware
	clientOpts   []connected.Option
	batcherOpts  []transport.BatcherOption
	retryOpts    []transport.RetryOption
	httpOpts     []transport.HTTPOption
	spoolOpts    []spool.Option
}

// WithProtocol sets the wire protocol of the endpoint given to New.
// Default Segment, which Segment and every Segment-compatible collector
// accept; RudderStack adds the per-message fields a RudderStack data plane
// requires.
func WithProtocol(p Protocol) Option {
	return optionFunc(func(c *config) { c.primary.Protocol = p })
}

// WithName names the endpoint given to New in Stats, in the consent audit
// trail and as its spool subdirectory. Default "default". Names are 1 to 64
// characters from a-z, 0-9, '-' and '_', unique among destinations.
func WithName(name string) Option {
	return optionFunc(func(c *config) { c.primary.Name = name })
}

// WithPurpose puts the endpoint given to New under consent: it then
// receives only records whose subject consented to p (and, for location or
// health data, to those purposes too), like any destination added with
// WithDestination. By default it has no purpose: it is the collector of
// record, receives every event with its context.consent, and the consent
// decisions for it are the collector's (as with Segment, which applies
// consent per downstream destination). A Purpose requires WithSecret.
func WithPurpose(p consent.Purpose) Option {
	return optionFunc(func(c *config) { c.primary.Purpose = p })
}

// WithDestination adds a destination besides the endpoint given to New:
// the same chain (Batcher, spool when WithSpool is given, Retry, HTTP) to
// its own endpoint, behind the consent router. d.Purpose is required, and
// so is WithSecret (the audit trail's key is derived from it). May be given
// several times; at most consent.MaxDestinations destinations have a
// purpose.
func WithDestination(d Destination) Option {
	return optionFunc(func(c *config) { c.dests = append(c.dests, d) })
}

// WithSpool puts a durable on-disk queue (transport/spool) between each
// destination's Batcher and its Retry, in dir/<destination name>: batches
// are written to disk before they are sent, survive restarts and outages,
// and are sent again after the next New with the same dir. Default: no
// spool; an empty dir means none.
//
// With a spool, Track waits for the disk by default (see WithDurable), and
// the retry contract is the spool's: a batch that still fails retryably when
// Retry's budget ends stays on disk and is tried again with backoff, for as
// long as it takes; only permanent failures (a 4xx other than 408, 413 and
// 429) leave the disk, reported to the failure callback.
func WithSpool(dir string) Option {
	return optionFunc(func(c *config) { c.spoolDir = dir })
}

// WithDurable sets whether Track (and every other emit) returns only once
// the event is written to the spool (true), or once it is queued in memory
// (false; a crash may then lose events accepted in the last flush
// interval). Default: true with WithSpool, false without. true without
// WithSpool is a configuration error: there is no disk to wait for.
func WithDurable(on bool) Option {
	return optionFunc(func(c *config) { c.durable = &on })
}

// WithSecret sets the one secret the Client derives every key from (keyed
// HMAC-SHA256, one key per use): partition keys, identity-graph hashes,
// device pseudonyms (Client.Pseudonymizer) and the consent audit trail.
// At least 16 bytes; the slice is copied. Required by WithIdentity,
// WithPurpose and WithDestination. Keep it secret and stable: rotating it
// changes every pseudonym and partition key. Default: none (partition keys
// are then plain SHA-256 hashes of the identity).
func WithSecret(secret []byte) Option {
	return optionFunc(func(c *config) { c.secret = append([]byte(nil), secret...) })
}

// WithIdentity turns identity stitching on: an identity.Graph (in memory,
// or in the store given by identity.WithStore) links each event's
// identifiers, and every record carries its canonical profile, so that
// consent given under one identifier holds for the person's other ones.
// opts configure the graph. Identity-link facts are not emitted unless
// WithLinkFacts routes them. Requires WithSecret. Default: off.
func WithIdentity(opts ...identity.Option) Option {
	return optionFunc(func(c *config) { c.identity = true; c.identityOpts = opts })
}

// WithLinkFacts sends the identity graph's link facts (records of event
// "Identity Linked", for a central graph) to h, which the Client then owns:
// Shutdown shuts it down if it implements connected.Shutdowner. Default: no
// link facts are emitted; they never go to a destination unless routed here.
func WithLinkFacts(h connected.Handler) Option {
	return optionFunc(func(c *config) { c.linkFacts = h })
}

// WithConsent reads the consent object of incoming events
// (context.consent.categoryPreferences, Segment's format) into the consent
// ledger with mapping from the consent manager's category ids to purposes
// (consent.NewSegmentReader), so that an Identify carrying
// {"Marketing": true} grants PurposeMarketing to its subject from the
// event's time. Default: no reader; record consent in Client.Consent()
// directly.
func WithConsent(mapping map[string]consent.Purpose) Option {
	return optionFunc(func(c *config) { c.consentMap = mapping })
}

// WithConsentLedger makes the Client decide with l (a durable one from
// consent.OpenLedger, say) instead of a ledger of its own in memory. The
// caller keeps ownership: Shutdown does not close l. Default: a new
// in-memory ledger, owned by the Client, when any destination has a purpose
// or WithConsent is given. A memory ledger forgets consent on restart, so
// consent-gated destinations refuse (never over-share) until it is given
// again.
func WithConsentLedger(l *consent.Ledger) Option {
	return optionFunc(func(c *config) { c.ledger = l })
}

// WithCallbacks receives delivery outcomes from every destination's
// Batcher and spool: what was acknowledged, and every record given up on
// with its reason (which is also counted in Stats). Callbacks run on the
// components' own dispatcher goroutines, never on the caller's.
// Default: none (drops are still counted).
func WithCallbacks(cb transport.Callbacks) Option {
	return optionFunc(func(c *config) { c.callbacks = cb })
}

// WithMiddleware adds middleware in front of identity stitching and the
// consent reader (tracking-plan validation, enrichment). It accumulates.
func WithMiddleware(mw ...connected.Middleware) Option {
	return optionFunc(func(c *config) { c.middleware = append(c.middleware, mw...) })
}

// WithClientOptions passes options to connected.New (clock, id generator,
// channel, library, logger, size limits). They come before New's own: a
// connected.WithMiddleware here runs before identity, as WithMiddleware
// does, and with WithSecret the derived partition-key secret replaces a
// connected.WithPartitionKeySecret given here.
func WithClientOptions(opts ...connected.Option) Option {
	return optionFunc(func(c *config) { c.clientOpts = append(c.clientOpts, opts...) })
}

// WithBatcherOptions passes options to every destination's
// transport.NewBatcher (batch size, flush interval, queue limits,
// overflow). They come after New's own (callbacks, durable), so they win.
func WithBatcherOptions(opts ...transport.BatcherOption) Option {
	return optionFunc(func(c *config) { c.batcherOpts = append(c.batcherOpts, opts...) })
}

// WithRetryOptions passes options to every destination's transport.NewRetry
// (backoff, jitter, budget). Retry is always on: it is what keeps a brief
// outage from becoming a failure callback.
func WithRetryOptions(opts ...transport.RetryOption) Option {
	return optionFunc(func(c *config) { c.retryOpts = append(c.retryOpts, opts...) })
}

// WithHTTPOptions passes options to every destination's HTTP sender
// (compression, timeouts, headers, an http.Client). Destination.HTTPOptions
// come after them. The default compression is gzip, which every
// Segment-compatible collector accepts.
func WithHTTPOptions(opts ...transport.HTTPOption) Option {
	return optionFunc(func(c *config) { c.httpOpts = append(c.httpOpts, opts...) })
}

// WithSpoolOptions passes options to every destination's spool.Open (size
// bound, sync interval, drain tuning). They come after New's own
// (callbacks), so they win. Without WithSpool they are unused.
func WithSpoolOptions(opts ...spool.Option) Option {
	return optionFunc(func(c *config) { c.spoolOpts = append(c.spoolOpts, opts...) })
}
