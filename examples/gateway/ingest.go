package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/touchpoint-sdk/touchpoint/beacon"
	firmware "github.com/touchpoint-sdk/touchpoint/beacon/gateway"
	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport/mqtttransport"
)

// counters are the gateway's own counts, next to those of the components
// (see Report).
type counters struct {
	messages       atomic.Uint64 // MQTT messages handled
	parseErrors    atomic.Uint64 // messages refused as malformed (typed decoder errors)
	ignored        atomic.Uint64 // well-formed but unusable: telemetry-only frames, late or signal-less sightings
	sightings      atomic.Uint64 // sightings the tracker applied
	zoneEvents     atomic.Uint64 // zone events produced
	wearableEvents atomic.Uint64 // wearable occurrences produced
	homeChanges    atomic.Uint64 // smart-home state changes decoded
	homeEvents     atomic.Uint64 // smart-home occurrences produced
	emitted        atomic.Uint64 // events the client accepted
	emitErrors     atomic.Uint64 // events the client refused (invalid, closed, queue wait cancelled)
}

// The message formats, told apart by the topic's shape.
const (
	formatUnknown = iota
	formatOpenMQTTGateway
	formatESPresense
	formatGATT
)

// errUnknownTopic is returned for a message whose topic has none of the
// known shapes (a -topics filter broader than the formats).
var errUnknownTopic = errors.New("topic has no known format")

// classify tells the format from the topic: ESPresense publishes to
// <prefix>/devices/<id>/<room> (and before 4.0 to <prefix>/rooms/<room>),
// OpenMQTTGateway and Theengs Gateway to <base>/<gateway>/BTtoMQTT[/<MAC>]
// and to their presence topics, raw GATT notifications (this
// gateway's own topic, see gatt.go) go to <prefix>/gatt/<device>.
func classify(topic string) int {
	levels := strings.Split(topic, "/")
	n := len(levels)
	switch {
	case n >= 4 && levels[n-3] == "devices", n >= 3 && levels[n-2] == "rooms":
		return formatESPresense
	case n >= 3 && (levels[n-1] == "BTtoMQTT" || levels[n-2] == "BTtoMQTT"),
		n >= 2 && (levels[n-2] == "presence" || levels[n-1] == "presence"):
		return formatOpenMQTTGateway
	case n >= 2 && levels[n-2] == "gatt" && levels[n-1] != "":
		return formatGATT
	}
	return formatUnknown
}

// handle is the mqtttransport.Handler: it decodes one message and feeds the
// state machine it belongs to. It runs on the MQTT connection's receiving
// goroutine, one message at a time; a slow pipeline (a full batcher queue)
// slows the subscription down instead of dropping. An error is counted and
// logged by the Source; the message is not retried.
func (g *gateway) handle(ctx context.Context, m mqtttransport.Message) error {
	g.ctr.messages.Add(1)
	var err error
	format := g.cfg.homeFormat(m.Topic)
	if format == formatUnknown {
		format = classify(m.Topic)
	}
	switch format {
	case formatStatestream:
		err = g.handleStatestream(ctx, m)
	case formatZigbee:
		err = g.handleZigbee(ctx, m)
	case formatOpenMQTTGateway:
		err = g.handleOpenMQTTGateway(ctx, m)
	case formatESPresense:
		err = g.handleESPresense(ctx, m)
	case formatGATT:
		err = g.handleGATT(ctx, m)
	default:
		g.ctr.parseErrors.Add(1)
		err = errUnknownTopic
	}
	return err
}

// parseFailed counts a decoder error and passes it on.
func (g *gateway) parseFailed(err error) error {
	g.ctr.parseErrors.Add(1)
	return err
}

// handleOpenMQTTGateway rebuilds the advertisement and decodes it like a
// local scan; with the firmware's default settings (no raw data) the
// beacon identity comes from its decoded iBeacon fields (Frame). Beacons
// are tracked by their frame id; other devices (phones, wearables, tags
// sending sensor frames) by their address; telemetry-only frames
// (Eddystone-TLM) carry no identity and are skipped, the beacon's UID or
// URL frames place it.
func (g *gateway) handleOpenMQTTGateway(ctx context.Context, m mqtttransport.Message) error {
	msg, err := firmware.ParseOpenMQTTGateway(m.Topic, m.Payload, m.Received)
	if err != nil {
		return g.parseFailed(err)
	}
	f, err := msg.Frame()
	switch {
	case errors.Is(err, beacon.ErrNotBeacon):
		f = beacon.Frame{} // a device heard by the gateway: tracked by address
	case err != nil:
		return g.parseFailed(err)
	default:
		if _, ok := f.ID(); !ok {
			g.ctr.ignored.Add(1)
			return nil
		}
	}
	return g.observe(ctx, beacon.NewSighting(&msg.Advertisement, &f, ""))
}

// handleESPresense feeds an ESPresense report. iBeacon reports locate the
// beacon itself; other ids (irk:..., apple:..., MACs) name a device: the
// decoder marks them SubjectIsDevice, and beacon.ZoneEvent.Event turns
// them into pseudonyms (zoneEvent), so they leave the gateway only as such.
func (g *gateway) handleESPresense(ctx context.Context, m mqtttransport.Message) error {
	msg, err := firmware.ParseESPresense(m.Topic, m.Payload, m.Received)
	if err != nil {
		return g.parseFailed(err)
	}
	return g.observe(ctx, msg.Sighting)
}

// observe applies one sighting and emits the zone events it causes.
func (g *gateway) observe(ctx context.Context, s beacon.Sighting) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	evs, err := g.tracker.Observe(g.zbuf[:0], s)
	g.zbuf = evs
	if err != nil {
		// ErrLate or ErrNoSignal: a well-formed sighting the tracker cannot use.
		g.ctr.ignored.Add(1)
		return err
	}
	g.ctr.sightings.Add(1)
	return g.emitZoneEvents(ctx, evs)
}

// emitZoneEvents turns zone events into connected events and emits them.
// g.mu is held.
func (g *gateway) emitZoneEvents(ctx context.Context, evs []beacon.ZoneEvent) error {
	var errs []error
	for i := range evs {
		g.ctr.zoneEvents.Add(1)
		ev, err := g.zoneEvent(&evs[i])
		if err == nil {
			err = g.client.Track(ctx, ev)
		}
		errs = append(errs, g.emitted(err))
	}
	return errors.Join(errs...)
}

// emitted counts the outcome of one emit.
func (g *gateway) emitted(err error) error {
	if err != nil {
		g.ctr.emitErrors.Add(1)
		g.log.Warn("event not emitted", "err", err)
		return fmt.Errorf("emit: %w", err)
	}
	g.ctr.emitted.Add(1)
	return nil
}

// zoneEvent maps a zone event to a connected event. Device subjects (a
// transmitter, or an ESPresense device id) become anonymousId and
// context.device.id as the library's pseudonym; the gateway never sets
// RawDeviceIDs.
func (g *gateway) zoneEvent(ze *beacon.ZoneEvent) (connected.Event, error) {
	return ze.Event(beacon.EventOptions{Pseudonymizer: g.pseud})
}
