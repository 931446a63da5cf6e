package touchpoint

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
	"github.com/touchpoint-sdk/touchpoint/transport"
	"github.com/touchpoint-sdk/touchpoint/transport/spool"
)

// Protocol is the wire protocol of a destination's HTTP endpoint.
type Protocol uint8

const (
	// Segment is Segment's HTTP Tracking API, POST <endpoint>/v1/batch with
	// the write key as Basic auth user (transport.NewSegment). Segment and
	// the Segment-compatible collectors accept it. The default.
	Segment Protocol = iota
	// RudderStack is a RudderStack data plane's /v1/batch, with the
	// per-message channel and sentAt it requires (transport.NewRudderStack).
	RudderStack
)

// String returns "segment" or "rudderstack".
func (p Protocol) String() string {
	switch p {
	case Segment:
		return "segment"
	case RudderStack:
		return "rudderstack"
	}
	return fmt.Sprintf("Protocol(%d)", uint8(p))
}

// Destination is one more place events go to (WithDestination), under
// consent: it receives a record only if the record's subject consented to
// Purpose at the event's time, and only records of its Categories.
type Destination struct {
	// Name identifies it in Stats and the audit trail, and names its spool
	// subdirectory: 1 to 64 characters from a-z, 0-9, '-' and '_'. Required.
	Name string
	// Endpoint is the collector's base URL (".../v1/batch" is appended).
	// Required.
	Endpoint string
	// WriteKey authenticates to the endpoint.
	WriteKey string
	// Protocol is the endpoint's wire protocol. Default Segment.
	Protocol Protocol
	// Purpose is what the destination uses data for (consent.PurposeMarketing,
	// say). Required.
	Purpose consent.Purpose
	// Categories are the data categories it may receive. Default: behavioral,
	// transaction, identity, device and location (location only with the
	// subject's location consent as well). Health, biometric and presence
	// data reach a destination only if listed here, and never one whose
	// purpose is marketing or advertising.
	Categories []connected.Category
	// OnRefusal is what happens to a record it may not receive: consent.Drop
	// (the default), consent.Strip or consent.Hold. Every refusal is counted
	// (Stats) and audited.
	OnRefusal consent.Action
	// HTTPOptions tune its HTTP sender, after WithHTTPOptions.
	HTTPOptions []transport.HTTPOption
}

// defaultCategories are what a destination receives when it names none.
var defaultCategories = []connected.Category{
	connected.CategoryBehavioral, connected.CategoryTransaction, connected.CategoryIdentity,
	connected.CategoryDevice, connected.CategoryLocation,
}

// chain is one destination's delivery chain, owned by its Batcher:
// Batcher -> [spool] -> Retry -> HTTP. Shutting the Batcher down shuts the
// rest down.
type chain struct {
	dest    Destination
	http    *transport.HTTP
	retry   *transport.Retry
	spool   *spool.Spool
	batcher *transport.Batcher
}

func validName(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func (d *Destination) where() string { return fmt.Sprintf("destination %q", d.Name) }

// check validates d; primary is the endpoint given to New, which may have no
// purpose.
func (d *Destination) check(primary bool) error {
	switch {
	case !validName(d.Name):
		return &ConfigError{Where: d.where(), Reason: "name must be 1 to 64 characters from a-z, 0-9, '-' and '_'"}
	case d.Endpoint == "":
		return &ConfigError{Where: d.where(), Reason: "endpoint is empty"}
	case d.Protocol > RudderStack:
		return &ConfigError{Where: d.where(), Reason: "unknown protocol " + d.Protocol.String()}
	case !primary && d.Purpose == "":
		return &ConfigError{Where: d.where(), Reason: "a destination added with WithDestination needs a Purpose"}
	case d.Purpose != "" && !d.Purpose.Valid():
		return &ConfigError{Where: d.where(), Reason: fmt.Sprintf("invalid purpose %q", d.Purpose)}
	}
	return nil
}

// newChain builds d's chain. On error everything built is shut down.
func newChain(cfg *config, d Destination) (_ *chain, err error) {
	c := &chain{dest: d}
	httpOpts := append(append([]transport.HTTPOption(nil), cfg.httpOpts...), d.HTTPOptions...)
	switch d.Protocol {
	case RudderStack:
		c.http, err = transport.NewRudderStack(d.Endpoint, d.WriteKey, httpOpts...)
	default:
		c.http, err = transport.NewSegment(d.Endpoint, d.WriteKey, httpOpts...)
	}
	if err != nil {
		return nil, &ConfigError{Where: d.where(), Err: err}
	}
	var next transport.Sender = c.http
	defer func() {
		if err != nil {
			_ = shutdownNow(next)
		}
	}()
	if c.retry, err = transport.NewRetry(c.http, cfg.retryOpts...); err != nil {
		return nil, &ConfigError{Where: d.where(), Reason: "retry", Err: err}
	}
	next = c.retry
	if cfg.spoolDir != "" {
		opts := append([]spool.Option{spool.WithCallbacks(cfg.callbacks)}, cfg.spoolOpts...)
		// Open's failures (a locked or unreadable directory) are not
		// configuration mistakes only: keep the error as it is.
		if c.spool, err = spool.Open(filepath.Join(cfg.spoolDir, d.Name), c.retry, opts...); err != nil {
			return nil, fmt.Errorf("touchpoint: %s: spool: %w", d.where(), err)
		}
		next = c.spool
	}
	bopts := []transport.BatcherOption{transport.WithCallbacks(cfg.callbacks)}
	if cfg.durable != nil && *cfg.durable || cfg.durable == nil && cfg.spoolDir != "" {
		bopts = append(bopts, transport.WithDurable(true))
	}
	if c.batcher, err = transport.NewBatcher(next, append(bopts, cfg.batcherOpts...)...); err != nil {
		return nil, &ConfigError{Where: d.where(), Reason: "batcher", Err: err}
	}
	return c, nil
}

// stats returns the chain's counters.
func (c *chain) stats() DestinationStats {
	s := DestinationStats{Name: c.dest.Name, Purpose: c.dest.Purpose,
		Batcher: c.batcher.Stats(), Retry: c.retry.Stats(), HTTP: c.http.Stats()}
	if c.spool != nil {
		s.Spool = c.spool.Stats()
	}
	return s
}

// shutdownNow shuts s down without waiting for anything in flight: it is
// used only when New fails, before anything was accepted.
func shutdownNow(s any) error {
	sd, ok := s.(connected.Shutdowner)
	if !ok {
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := sd.Shutdown(ctx)
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// fanout hands each record to the collector of record and to the consent
// router, and owns both.
type fanout struct {
	collector *transport.Batcher
	router    *consent.Router
}

// Handle offers r to both, even if the first refuses it, and returns their
// errors joined.
func (f *fanout) Handle(ctx context.Context, r *connected.Record) error {
	return errors.Join(f.collector.Handle(ctx, r), f.router.Handle(ctx, r))
}

// Flush flushes both.
func (f *fanout) Flush(ctx context.Context) error {
	return errors.Join(f.collector.Flush(ctx), f.router.Flush(ctx))
}

// Shutdown shuts both down.
func (f *fanout) Shutdown(ctx context.Context) error {
	return errors.Join(f.collector.Shutdown(ctx), f.router.Shutdown(ctx))
}
