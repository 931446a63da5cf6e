package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/touchpoint-sdk/touchpoint/home"
	"github.com/touchpoint-sdk/touchpoint/transport/mqtttransport"
)

// Smart-home input, the second input beside the BLE gateways.
//
// A store gateway often shares its broker with a home or showroom hub. Two
// sources are understood, each under its own base topic and enabled by its
// flag:
//
//	-ha-statestream homeassistant   Home Assistant's mqtt_statestream:
//	                                <base>/<domain>/<object_id>/state, .../last_updated,
//	                                .../<attribute> (publish_attributes, publish_timestamps)
//	-zigbee2mqtt zigbee2mqtt        Zigbee2MQTT device state: <base>/<friendly name>
//	                                (bridge, availability, set and get topics are skipped)
//
// Both need -household: the household these devices belong to (the HA
// instance's uuid, the customer account, an id of your own). It leaves the
// gateway only as a keyed pseudonym; grant its consent in the consent file
// under "household:<id>" (see consent.go). Subscribing to the bases is
// automatic ("<base>/#" is added to -topics).
//
// Messages are routed by topic prefix before the BLE formats are looked
// at: a Home Assistant entity named "presence" or a Zigbee friendly name
// "kitchen/presence" would otherwise look like an OpenMQTTGateway presence
// topic. The state changes go through one home.Tracker for the household:
// media sessions (Media Session Started/Ended: content type and app, never
// titles), presence (Presence Changed: home/away, occupied/clear; category
// presence, which the consent gate passes only with location consent and
// never to marketing or advertising), thermostat set-points and device
// states. Add -categories presence,behavioral for the sink to take them.

// The home formats, told apart by prefix (see homeFormat).
const (
	formatStatestream = iota + 100
	formatZigbee
)

// homeFormat returns the home format of topic, or formatUnknown: the topic
// is the base itself or lies under it.
func (c *config) homeFormat(topic string) int {
	under := func(base string) bool {
		return base != "" && (topic == base || strings.HasPrefix(topic, base+"/"))
	}
	switch {
	case under(c.StatestreamBase):
		return formatStatestream
	case under(c.ZigbeeBase):
		return formatZigbee
	}
	return formatUnknown
}

// handleStatestream feeds one statestream message; the changes it
// completes go to the household tracker. A message for an entity without
// a pending change (a retained attribute replayed on subscribe) is
// dropped by the Statestream and counted (Report.StatestreamDropped).
func (g *gateway) handleStatestream(ctx context.Context, m mqtttransport.Message) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	changes, err := g.stream.Decode(g.cbuf[:0], m.Topic, m.Payload, m.Received)
	g.cbuf = changes[:0]
	if err != nil {
		return g.parseFailed(err)
	}
	return g.observeHome(ctx, changes)
}

// handleZigbee feeds one Zigbee2MQTT message. Bridge, availability and
// command topics are well-formed but no state change: counted as ignored.
func (g *gateway) handleZigbee(ctx context.Context, m mqtttransport.Message) error {
	var c home.StateChange
	err := home.DecodeZigbee(g.cfg.ZigbeeBase, m.Topic, m.Payload, m.Received, &c)
	if errors.Is(err, home.ErrNotStateChange) {
		g.ctr.ignored.Add(1)
		g.log.Debug("zigbee2mqtt: not a device state", "topic", m.Topic)
		return nil
	}
	if err != nil {
		return g.parseFailed(err)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.cbuf = append(g.cbuf[:0], c)
	return g.observeHome(ctx, g.cbuf)
}

// observeHome follows state changes and emits the occurrences. g.mu is
// held.
func (g *gateway) observeHome(ctx context.Context, changes []home.StateChange) error {
	var errs []error
	for i := range changes {
		g.ctr.homeChanges.Add(1)
		occ, err := g.home.Observe(g.obuf[:0], &changes[i])
		g.obuf = occ[:0]
		if err != nil {
			g.ctr.parseErrors.Add(1)
			errs = append(errs, err)
			continue
		}
		errs = append(errs, g.emitHome(ctx, occ))
	}
	return errors.Join(errs...)
}

// emitHome turns occurrences into events. g.mu is held.
func (g *gateway) emitHome(ctx context.Context, occ []home.Occurrence) error {
	var errs []error
	for i := range occ {
		g.ctr.homeEvents.Add(1)
		ev, err := occ[i].Event(home.EventOptions{Pseudonymizer: g.pseud})
		if err == nil {
			ev.Context.Location.PlaceID = g.cfg.Place
			err = g.client.Track(ctx, ev)
		}
		errs = append(errs, g.emitted(err))
	}
	return errors.Join(errs...)
}

// advanceHome completes statestream changes whose settle time has passed
// (all of them when final) and appliance cycles that ended. g.mu is held.
func (g *gateway) advanceHome(ctx context.Context, now time.Time, final bool) error {
	if g.home == nil {
		return nil
	}
	var errs []error
	if g.stream != nil {
		g.cbuf = g.stream.Flush(g.cbuf[:0], now, final)
		errs = append(errs, g.observeHome(ctx, g.cbuf))
	}
	occ, err := g.home.Advance(g.obuf[:0], now)
	g.obuf = occ[:0]
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	errs = append(errs, g.emitHome(ctx, occ))
	return errors.Join(errs...)
}

// newHome builds the household tracker and the statestream assembler when
// a home input is enabled. Ignored state changes (devices the tracker does
// not follow, stale changes) are counted and logged with their reason.
func (g *gateway) newHome() error {
	c := g.cfg
	if c.StatestreamBase == "" && c.ZigbeeBase == "" {
		return nil
	}
	var err error
	g.home, err = home.NewTracker(home.Config{Household: c.Household, OnIgnored: func(ig home.Ignored) {
		g.ctr.ignored.Add(1)
		g.log.Debug("home: state change ignored", "reason", ig.Reason.String(), "time", ig.Time)
	}})
	if err != nil {
		return fmt.Errorf("-household: %w", err)
	}
	if c.StatestreamBase != "" {
		if g.stream, err = home.NewStatestream(c.StatestreamBase, c.Settle); err != nil {
			return fmt.Errorf("-ha-statestream: %w", err)
		}
	}
	return nil
}

// validateHome checks the smart-home flags.
func (c *config) validateHome() error {
	on := c.StatestreamBase != "" || c.ZigbeeBase != ""
	switch {
	case on && strings.TrimSpace(c.Household) == "":
		return errors.New("-ha-statestream and -zigbee2mqtt need -household")
	case !on && c.Household != "":
		return errors.New("-household without -ha-statestream or -zigbee2mqtt")
	case c.StatestreamBase != "" && c.StatestreamBase == c.ZigbeeBase:
		return errors.New("-ha-statestream and -zigbee2mqtt have the same base topic")
	case strings.ContainsAny(c.StatestreamBase+c.ZigbeeBase, "+#"):
		return errors.New("-ha-statestream and -zigbee2mqtt take a base topic, not a filter")
	case c.Settle <= 0:
		return errors.New("-ha-settle must be > 0")
	}
	return nil
}
