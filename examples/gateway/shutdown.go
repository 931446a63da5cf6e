package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/touchpoint-sdk/touchpoint/connected/consent"
	"github.com/touchpoint-sdk/touchpoint/identity"
	"github.com/touchpoint-sdk/touchpoint/transport"
	"github.com/touchpoint-sdk/touchpoint/transport/mqtttransport"
)

// Report is what a run did: the gateway's own counters and those of each
// component, in pipeline order. Every event the client accepted (Emitted)
// and every identity-link fact (Identity.Facts) was offered to the consent
// gate, which delivered it to the batcher or refused it (Gate.Dropped by
// reason); the batcher handed what it got to the spool (or the sink); the
// spool delivered it, or still holds it (Pending). Undelivered counts what
// was given up on: it is zero unless something is wrong.
type Report struct {
	Messages       uint64 // MQTT messages handled
	ParseErrors    uint64 // malformed messages (typed decoder errors)
	Ignored        uint64 // well-formed but unusable messages
	Sightings      uint64 // sightings the tracker applied
	ZoneEvents     uint64 // zone events produced
	WearableEvents uint64 // wearable occurrences produced
	HomeChanges    uint64 // smart-home state changes decoded (statestream, Zigbee2MQTT)
	HomeEvents     uint64 // smart-home occurrences produced
	// StatestreamDropped counts valid statestream messages dropped because
	// their entity had no pending change (retained attributes replayed on
	// subscribe, attributes after the settle time).
	StatestreamDropped uint64
	Emitted            uint64 // events the client accepted
	EmitErrors         uint64 // events the client refused

	Source   mqtttransport.SourceStats
	Identity identity.MiddlewareStats
	Gate     consent.DestinationStats
	Batcher  transport.Stats
	Spool    transport.Stats // zero without -spool
	// Delivered is the number of records the sink acknowledged.
	Delivered uint64
	// Pending is the number of records in the spool, sent after the next
	// start when the run has ended.
	Pending int
	// Undelivered is the number of records the batcher or the spool gave up
	// on (reported to their failure callbacks).
	Undelivered int64
}

// report returns a snapshot of the counters. It may be called at any time.
func (g *gateway) report() Report {
	r := Report{
		Messages: g.ctr.messages.Load(), ParseErrors: g.ctr.parseErrors.Load(), Ignored: g.ctr.ignored.Load(),
		Sightings: g.ctr.sightings.Load(), ZoneEvents: g.ctr.zoneEvents.Load(),
		WearableEvents: g.ctr.wearableEvents.Load(), HomeChanges: g.ctr.homeChanges.Load(), HomeEvents: g.ctr.homeEvents.Load(),
		Emitted: g.ctr.emitted.Load(), EmitErrors: g.ctr.emitErrors.Load(),
		Identity: g.ident.Stats(), Gate: g.gate.Stats(), Batcher: g.batcher.Stats(),
		Undelivered: g.undeliver.Load(),
	}
	if g.source != nil {
		r.Source = g.source.Stats()
	}
	if g.stream != nil {
		g.mu.Lock()
		r.StatestreamDropped = g.stream.Dropped()
		g.mu.Unlock()
	}
	r.Delivered = r.Batcher.Delivered
	if g.spool != nil {
		r.Spool, r.Pending = g.spool.Stats(), g.spool.Pending()
		r.Delivered = r.Spool.Delivered
	}
	return r
}

// shutdown stops the gateway in the order that loses nothing:
//
//  1. the MQTT source: no new messages (it waits for the one in progress);
//  2. the ticker;
//  3. the state machines are flushed: every open visit gets its Zone
//     Exited (stamped last seen + exit timeout), every wearable session its
//     Device Disconnected (and Workout Completed);
//  4. the client, which shuts down the batcher (it hands everything it
//     holds to the spool, or to the sink), then the spool (it drains until
//     ctx ends; what is left stays on disk), Retry and the sender;
//  5. the consent gate and the identity graph.
//
// It returns an error if records were undelivered and not kept in the
// spool, events could not be emitted, or a component failed to stop. Later
// calls return the first call's result.
func (g *gateway) shutdown(ctx context.Context) (Report, error) {
	g.shutOnce.Do(func() { g.shutRep, g.shutErr = g.stop(ctx) })
	return g.shutRep, g.shutErr
}

func (g *gateway) stop(ctx context.Context) (Report, error) {
	var errs []error
	if g.source != nil {
		errs = append(errs, g.source.Shutdown(ctx))
	}
	if g.tickStop != nil {
		// A tick blocked on a full queue may wait as long as shutdown may.
		defer context.AfterFunc(ctx, g.tickEnd)()
		close(g.tickStop)
		<-g.tickDone
		g.tickEnd()
	}
	errs = append(errs, g.advance(ctx, g.now(), true))
	errs = append(errs, g.client.Shutdown(ctx))
	if err := g.gate.Shutdown(ctx); err != nil {
		errs = append(errs, fmt.Errorf("consent gate: %w", err))
	}
	if err := g.graph.Shutdown(ctx); err != nil {
		errs = append(errs, fmt.Errorf("identity graph: %w", err))
	}
	if err := g.ledger.Shutdown(ctx); err != nil {
		errs = append(errs, fmt.Errorf("consent ledger: %w", err))
	}
	rep := g.report()
	refused := uint64(0)
	for _, n := range rep.Gate.Dropped {
		refused += n
	}
	g.log.Info("gateway stopped", "messages", rep.Messages, "malformed", rep.ParseErrors,
		"zone_events", rep.ZoneEvents, "wearable_events", rep.WearableEvents, "home_events", rep.HomeEvents, "emitted", rep.Emitted,
		"consent_refused", refused, "consent_passed", rep.Gate.Delivered, "delivered", rep.Delivered, "spool_pending", rep.Pending,
		"undelivered", rep.Undelivered)
	if rep.Undelivered > 0 {
		errs = append(errs, fmt.Errorf("%d records undelivered (see the log for reasons)", rep.Undelivered))
	}
	if rep.EmitErrors > 0 {
		errs = append(errs, fmt.Errorf("%d events could not be emitted (see the log for reasons)", rep.EmitErrors))
	}
	return rep, errors.Join(errs...)
}
