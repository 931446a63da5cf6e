package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/touchpoint-sdk/touchpoint/beacon"
	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
	"github.com/touchpoint-sdk/touchpoint/home"
	"github.com/touchpoint-sdk/touchpoint/identity"
	"github.com/touchpoint-sdk/touchpoint/transport"
	"github.com/touchpoint-sdk/touchpoint/transport/kafkatransport"
	"github.com/touchpoint-sdk/touchpoint/transport/mqtttransport"
	"github.com/touchpoint-sdk/touchpoint/transport/natstransport"
	"github.com/touchpoint-sdk/touchpoint/transport/spool"
)

// libraryName is context.library.name of every event the gateway emits.
const libraryName = "touchpoint-gateway"

// trackerSkew is how far out of order sightings may arrive: messages from
// several gateways interleave with the ticker's Advance. Older ones get
// beacon.ErrLate; exits wait this long for a late gateway.
const trackerSkew = 2 * time.Second

// keys are derived from the master secret, one per use, so that no two
// components share a key: device pseudonyms, the identity graph's keyed
// hashes, partition keys, and the consent audit trail.
type keys struct {
	device, identity, partition, audit []byte
}

func deriveKeys(secret []byte) keys {
	k := func(label string) []byte {
		m := hmac.New(sha256.New, secret)
		m.Write([]byte("touchpoint/examples/gateway/" + label))
		return m.Sum(nil)
	}
	return keys{device: k("device"), identity: k("identity"), partition: k("partition"), audit: k("audit")}
}

// gateway is one running pipeline. Its state machines (tracker, sessions)
// are guarded by mu, which is also held while their events are emitted, so
// that one subject's events enter the pipeline in order.
type gateway struct {
	cfg   *config
	log   *slog.Logger
	keys  keys
	pseud *connected.Pseudonymizer // device pseudonyms, under keys.device
	now   func() time.Time

	spool   *spool.Spool // nil without -spool
	batcher *transport.Batcher
	ledger  *consent.Ledger
	gate    *consent.Gate
	graph   *identity.Graph
	ident   *identity.Middleware
	bridge  *consentBridge
	client  *connected.Client
	source  *mqtttransport.Source

	mu        sync.Mutex
	tracker   *beacon.Tracker
	sessions  map[string]*gattSession // by device id as published
	zbuf      []beacon.ZoneEvent
	home      *home.Tracker     // nil without a smart-home input
	stream    *home.Statestream // nil without -ha-statestream
	cbuf      []home.StateChange
	obuf      []home.Occurrence
	maxExit   time.Duration
	tickStop  chan struct{}
	tickDone  chan struct{}
	tickCtx   context.Context // cancelled when shutdown gives up waiting
	tickEnd   context.CancelFunc
	undeliver atomic.Int64 // records reported to a failure callback
	ctr       counters

	shutOnce sync.Once
	shutRep  Report
	shutErr  error
}

// newGateway builds the delivery chain and the state machines; start
// connects to the broker.
func newGateway(cfg *config) (_ *gateway, err error) {
	g := &gateway{cfg: cfg, log: cfg.logger, keys: deriveKeys(cfg.Secret), now: time.Now,
		sessions: map[string]*gattSession{}, maxExit: cfg.maxExitTimeout()}
	if g.log == nil {
		g.log = slog.New(slog.DiscardHandler)
	}
	if g.pseud, err = connected.NewPseudonymizer(g.keys.device); err != nil {
		return nil, err
	}
	if cfg.RandomSecret {
		g.log.Warn("no -secret-file: using a random secret, device pseudonyms will change on restart")
	}
	g.tracker, err = beacon.NewTracker(trackerZones(cfg.Zones, cfg.Place),
		beacon.WithDefaults(beacon.ZoneConfig{EnterRSSI: cfg.EnterRSSI, ExitTimeout: cfg.ExitTimeout, Dwell: cfg.Dwell}),
		beacon.WithMaxSkew(trackerSkew))
	if err != nil {
		return nil, fmt.Errorf("zones: %w", err)
	}
	if err := g.newHome(); err != nil {
		return nil, err
	}

	// Delivery: sender <- Retry <- [spool] <- Batcher.
	sender, err := newSender(cfg)
	if err != nil {
		return nil, err
	}
	var next transport.Sender
	if next, err = transport.NewRetry(sender); err != nil {
		_ = shutdownSender(sender)
		return nil, err
	}
	failures := transport.Callbacks{OnFailure: g.onFailure}
	if cfg.SpoolDir != "" {
		if g.spool, err = spool.Open(cfg.SpoolDir, next, spool.WithCallbacks(failures)); err != nil {
			_ = shutdownSender(sender)
			return nil, err
		}
		next = g.spool
		if n := g.spool.Pending(); n > 0 {
			g.log.Info("spool: sending records left by the last run", "pending", n)
		}
	}
	g.batcher, err = transport.NewBatcher(next, transport.WithCallbacks(failures),
		transport.WithOverflow(transport.OverflowBlock), transport.WithOrderedPartitions(true))
	if err != nil {
		_ = shutdownSender(next)
		return nil, err
	}
	// From here on, a failure shuts the chain down through the batcher.
	defer func() {
		if err != nil {
			ctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
			defer cancel()
			_ = g.batcher.Shutdown(ctx)
			if g.graph != nil {
				_ = g.graph.Shutdown(ctx)
			}
		}
	}()

	// Identity, consent, client.
	mode := identity.ConsentOptOut
	if cfg.LinkOptIn {
		mode = identity.ConsentOptIn
	}
	graphOpts := []identity.Option{identity.WithConsentMode(mode)}
	if cfg.StateDir != "" {
		store, err := identity.OpenFileStore(filepath.Join(cfg.StateDir, "identity"))
		if err != nil {
			return nil, fmt.Errorf("-state: %w", err)
		}
		graphOpts = append(graphOpts, identity.WithStore(store))
	}
	if g.graph, err = identity.New(g.keys.identity, graphOpts...); err != nil {
		return nil, err
	}
	if g.ident, err = identity.NewMiddleware(g.graph,
		identity.WithSource(cloudEventsSource(cfg))); err != nil {
		return nil, err
	}
	if cfg.StateDir != "" {
		g.ledger, err = consent.OpenLedger(filepath.Join(cfg.StateDir, "consent"))
	} else {
		g.ledger, err = consent.NewLedger()
	}
	if err != nil {
		return nil, fmt.Errorf("consent ledger: %w", err)
	}
	if err = g.recordConsent(context.Background()); err != nil {
		return nil, err
	}
	g.bridge = newConsentBridge(g.ledger)
	// The sink is the fleet's stream: it carries the identity-link facts
	// too (other gateways' graphs replay them), when it takes identity
	// records and is not ad tech.
	linkFacts := slices.Contains(cfg.Categories, connected.CategoryIdentity) &&
		cfg.Purpose != consent.PurposeMarketing && cfg.Purpose != consent.PurposeAdvertising
	g.gate, err = consent.NewGate(g.ledger, g.keys.audit, consent.Destination{Name: cfg.Deliver, Purpose: cfg.Purpose,
		Categories: cfg.Categories, OnRefusal: consent.Drop, LinkFacts: linkFacts})
	if err != nil {
		return nil, err
	}
	g.client, err = connected.New(g.batcher,
		connected.WithMiddleware(g.ident.Middleware(), g.bridge.wrap, g.gate.Middleware()),
		connected.WithLibrary(libraryName, connected.Version),
		connected.WithPartitionKeySecret(g.keys.partition),
		connected.WithLogger(g.log))
	if err != nil {
		return nil, err
	}
	return g, nil
}

// cloudEventsSource names this gateway in CloudEvents and link facts.
func cloudEventsSource(cfg *config) string { return "urn:touchpoint:gateway:" + cfg.Place }

// newSender builds the sink -deliver chooses. Each sender owns its
// connection; the chain shuts it down.
func newSender(cfg *config) (transport.Sender, error) {
	ce := connected.CloudEventsOptions{Source: cloudEventsSource(cfg)}
	switch cfg.Deliver {
	case deliverHTTP:
		return transport.NewSegment(cfg.URL, cfg.WriteKey)
	case deliverKafka:
		return kafkatransport.New(cfg.Brokers, cfg.KafkaTopic, ce)
	case deliverNATS:
		var opts []natstransport.Option
		if cfg.NATSStream != "" {
			opts = append(opts, natstransport.WithStream(jetstream.StreamConfig{
				Name: cfg.NATSStream, Subjects: []string{streamSubjects(cfg.NATSSubject)}}))
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return natstransport.New(ctx, cfg.NATS, cfg.NATSSubject, ce, opts...)
	}
	return transport.NewFile(cfg.Out)
}

// streamSubjects is the subject filter a stream needs for template: its
// literal leading tokens, then ">".
func streamSubjects(template string) string {
	tokens := strings.Split(template, ".")
	for i, t := range tokens {
		if strings.Contains(t, "{") {
			return strings.Join(append(tokens[:i:i], ">"), ".")
		}
	}
	return template
}

func shutdownSender(s transport.Sender) error {
	if sd, ok := s.(connected.Shutdowner); ok {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return sd.Shutdown(ctx)
	}
	return nil
}

// onFailure receives every record the batcher or the spool gave up on.
// Nothing else is lost: refusals by the consent gate are counted in its
// stats, on purpose.
func (g *gateway) onFailure(f transport.Failure) {
	g.undeliver.Add(int64(len(f.Records)))
	g.log.Error("records undelivered", "count", len(f.Records), "reason", f.Reason, "err", f.Err)
}

// start subscribes to the gateways' topics and starts the ticker that lets
// time pass for the state machines (exits, dwells, idle wearables).
func (g *gateway) start(ctx context.Context) error {
	opts := []mqtttransport.SourceOption{mqtttransport.WithErrorHandler(func(err error) {
		g.log.Debug("message refused", "err", err)
	})}
	if g.cfg.ClientID != "" {
		opts = append(opts, mqtttransport.WithClientID(g.cfg.ClientID))
	}
	src, err := mqtttransport.NewSource(ctx, g.cfg.Broker, g.cfg.Topics, g.handle, opts...)
	if err != nil {
		return err
	}
	g.source = src
	g.tickStop, g.tickDone = make(chan struct{}), make(chan struct{})
	g.tickCtx, g.tickEnd = context.WithCancel(context.Background())
	go g.tick()
	g.log.Info("gateway running", "broker", g.cfg.Broker, "topics", g.cfg.Topics, "deliver", g.cfg.Deliver,
		"spool", g.cfg.SpoolDir, "place", g.cfg.Place)
	return nil
}

// tick advances the state machines every second until shutdown.
func (g *gateway) tick() {
	defer close(g.tickDone)
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-g.tickStop:
			return
		case <-t.C:
			if err := g.advance(g.tickCtx, g.now(), false); err != nil {
				g.log.Warn("advance", "err", err)
			}
		}
	}
}

// advance fires what is due by now: tracker exits and dwells, and the
// disconnection of wearables idle for -wearable-idle (all of them, and
// every open visit, when final).
func (g *gateway) advance(ctx context.Context, now time.Time, final bool) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	until := now
	if final {
		// Nobody will be heard any more: close every visit, stamped last
		// seen + exit timeout exactly as if the subject had left.
		until = now.Add(g.maxExit + trackerSkew + time.Second)
	}
	g.zbuf = g.tracker.Advance(g.zbuf[:0], until)
	err := g.emitZoneEvents(ctx, g.zbuf)
	return errors.Join(err, g.advanceHome(ctx, now, final), g.disconnectIdle(ctx, now, final))
}

// errStopped is returned by run when the gateway could not start.
var errStopped = errors.New("gateway stopped before it was running")

// run runs the gateway until ctx is done, then shuts it down within
// cfg.ShutdownTimeout. It returns an error if the gateway could not start,
// or if records were undelivered and not kept in the spool.
func run(ctx context.Context, cfg *config) error {
	g, err := newGateway(cfg)
	if err != nil {
		return err
	}
	if err := g.start(ctx); err != nil {
		sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
		defer cancel()
		_, serr := g.shutdown(sctx)
		if ctx.Err() != nil {
			err = fmt.Errorf("%w: %w", errStopped, err)
		}
		return errors.Join(err, serr)
	}
	if cfg.onReady != nil {
		cfg.onReady(g)
	}
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	rep, err := g.shutdown(sctx)
	if cfg.onDone != nil {
		cfg.onDone(rep)
	}
	return err
}
