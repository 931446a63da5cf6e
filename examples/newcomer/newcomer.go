package main

import (
	"context"
	"errors"

	"github.com/touchpoint-sdk/touchpoint"
	"github.com/touchpoint-sdk/touchpoint/beacon"
	"github.com/touchpoint-sdk/touchpoint/beacon/gateway"
	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
	"github.com/touchpoint-sdk/touchpoint/transport/mqtttransport"
)

// Start wires the service with the one-call API, in 3 constructors: the
// Client, the zone tracker, and the MQTT source (which the Client then
// owns: its Shutdown stops the source first, then drains).
func Start(ctx context.Context, cfg Config) (*touchpoint.Client, error) {
	tracker, err := beacon.NewTracker(cfg.Zones)
	if err != nil {
		return nil, err
	}
	client, err := touchpoint.New(cfg.DataPlaneURL, cfg.WriteKey,
		touchpoint.WithProtocol(touchpoint.RudderStack),
		touchpoint.WithSpool(cfg.SpoolDir),
		touchpoint.WithSecret(cfg.Secret),
		touchpoint.WithIdentity(),
		touchpoint.WithConsent(map[string]consent.Purpose{"Marketing": consent.PurposeMarketing, "Location": consent.PurposeLocation}),
		touchpoint.WithDestination(touchpoint.Destination{Name: "marketing", Purpose: consent.PurposeMarketing,
			Endpoint: cfg.MarketingURL, WriteKey: cfg.MarketingKey}))
	if err != nil {
		return nil, err
	}
	// ESPresense nodes publish one report per device and room; the Source
	// hands them over one at a time, so the tracker needs no lock.
	source, err := mqtttransport.NewSource(ctx, cfg.BrokerURL, []string{"espresense/devices/#"},
		func(ctx context.Context, m mqtttransport.Message) error {
			r, err := gateway.ParseESPresense(m.Topic, m.Payload, m.Received)
			if err != nil {
				return err
			}
			zones, err := tracker.Observe(nil, r.Sighting)
			return errors.Join(err, client.TrackZones(ctx, zones))
		})
	if err == nil {
		err = client.Attach(source)
	}
	if err != nil {
		return nil, errors.Join(err, client.Shutdown(ctx))
	}
	return client, nil
}

// Login is what the app's login handler calls: who the customer is, the
// phone's BLE identity (as ESPresense names it), and the consent banner's
// choices. Identity links the three, so consent given here holds for the
// phone's zone events too.
func Login(ctx context.Context, client *touchpoint.Client, userID, anonymousID, bleID string, choices map[string]bool) error {
	return client.Identify(ctx, touchpoint.Event{UserID: userID, AnonymousID: anonymousID, Context: connected.Context{
		Device: connected.Device{ID: client.Pseudonymizer().Pseudonym(bleID)}, Consent: connected.Consent{CategoryPreferences: choices}}})
}
