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

// Start wires the service with the one-call API: 3 constructors.
func Start(ctx context.Context, cfg Config) (*Service, error) {
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
	tracker, err := beacon.NewTracker(cfg.Zones)
	if err != nil {
		return nil, errors.Join(err, client.Shutdown(ctx))
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
			for _, z := range zones {
				e, zerr := z.Event(beacon.EventOptions{Pseudonymizer: client.Pseudonymizer()})
				if err = errors.Join(err, zerr); zerr == nil {
					err = errors.Join(err, client.Track(ctx, e))
				}
			}
			return err
		})
	if err != nil {
		return nil, errors.Join(err, client.Shutdown(ctx))
	}
	return &Service{Client: client, source: source}, nil
}

// Login is what the app's login handler calls: who the customer is, the
// phone's BLE identity (as ESPresense names it), and the consent banner's
// choices.
func (s *Service) Login(ctx context.Context, userID, anonymousID, bleID string, choices map[string]bool) error {
	return s.Identify(ctx, touchpoint.Event{UserID: userID, AnonymousID: anonymousID, Context: connected.Context{
		Device: connected.Device{ID: s.Pseudonymizer().Pseudonym(bleID)}, Consent: connected.Consent{CategoryPreferences: choices}}})
}

// Shutdown stops the MQTT source, then delivers what is queued.
func (s *Service) Shutdown(ctx context.Context) error {
	return errors.Join(s.source.Shutdown(ctx), s.Client.Shutdown(ctx))
}

// sourceStats reports what the MQTT source received and handled.
func (s *Service) sourceStats() mqtttransport.SourceStats { return s.source.Stats() }
