package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"path/filepath"

	"github.com/touchpoint-sdk/touchpoint/beacon"
	"github.com/touchpoint-sdk/touchpoint/beacon/gateway"
	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
	"github.com/touchpoint-sdk/touchpoint/identity"
	"github.com/touchpoint-sdk/touchpoint/transport"
	"github.com/touchpoint-sdk/touchpoint/transport/mqtttransport"
	"github.com/touchpoint-sdk/touchpoint/transport/spool"
)

// This file is the same service wired by hand with the lower layers, as
// the newcomer had to before touchpoint.New: it is kept to measure
// the difference and to show that the layers remain available. The test
// runs it against the same checks as Start.

// HandwiredService is the service StartHandwired builds: Start's Client
// and its Attach, by hand.
type HandwiredService struct {
	client *connected.Client
	graph  *identity.Graph
	ledger *consent.Ledger
	pseud  *connected.Pseudonymizer
	source *mqtttransport.Source
}

// StartHandwired wires what Start wires, with the lower layers.
func StartHandwired(ctx context.Context, cfg Config) (_ *HandwiredService, err error) {
	derive := func(label string) []byte {
		m := hmac.New(sha256.New, cfg.Secret)
		m.Write([]byte("newcomer/" + label))
		return m.Sum(nil)
	}
	s := &HandwiredService{}
	if s.pseud, err = connected.NewPseudonymizer(derive("device")); err != nil {
		return nil, err
	}
	// One chain per destination: Batcher -> spool -> Retry -> HTTP.
	chain := func(name string, sender *transport.HTTP) (*transport.Batcher, error) {
		retry, err := transport.NewRetry(sender)
		if err != nil {
			return nil, errors.Join(err, sender.Shutdown(ctx))
		}
		sp, err := spool.Open(filepath.Join(cfg.SpoolDir, name), retry)
		if err != nil {
			return nil, errors.Join(err, retry.Shutdown(ctx))
		}
		b, err := transport.NewBatcher(sp, transport.WithDurable(true))
		if err != nil {
			return nil, errors.Join(err, sp.Shutdown(ctx))
		}
		return b, nil
	}
	rudderHTTP, err := transport.NewRudderStack(cfg.DataPlaneURL, cfg.WriteKey)
	if err != nil {
		return nil, err
	}
	rudder, err := chain("default", rudderHTTP)
	if err != nil {
		return nil, err
	}
	marketingHTTP, err := transport.NewSegment(cfg.MarketingURL, cfg.MarketingKey)
	if err != nil {
		return nil, errors.Join(err, rudder.Shutdown(ctx))
	}
	marketing, err := chain("marketing", marketingHTTP)
	if err != nil {
		return nil, errors.Join(err, rudder.Shutdown(ctx))
	}
	var router *consent.Router
	defer func() {
		if err != nil {
			if router != nil {
				err = errors.Join(err, router.Shutdown(ctx))
			} else {
				err = errors.Join(err, marketing.Shutdown(ctx))
			}
			err = errors.Join(err, rudder.Shutdown(ctx))
			if s.graph != nil {
				err = errors.Join(err, s.graph.Shutdown(context.Background()))
			}
		}
	}()
	if s.ledger, err = consent.NewLedger(); err != nil {
		return nil, err
	}
	if router, err = consent.NewRouter(s.ledger, derive("audit"), []consent.Destination{{Name: "marketing",
		Purpose: consent.PurposeMarketing, Handler: marketing, Categories: []connected.Category{
			connected.CategoryBehavioral, connected.CategoryTransaction, connected.CategoryIdentity,
			connected.CategoryDevice, connected.CategoryLocation}}}); err != nil {
		return nil, err
	}
	if s.graph, err = identity.New(derive("identity")); err != nil {
		return nil, err
	}
	stitch, err := identity.NewMiddleware(s.graph, identity.WithoutLinkFacts())
	if err != nil {
		return nil, err
	}
	reader, err := consent.NewSegmentReader(map[string]consent.Purpose{"Marketing": consent.PurposeMarketing, "Location": consent.PurposeLocation})
	if err != nil {
		return nil, err
	}
	// Both the data plane and the router get every record.
	fan := &fanout{rudder, router}
	if s.client, err = connected.New(fan, connected.WithPartitionKeySecret(derive("partition")),
		connected.WithMiddleware(stitch.Middleware(), reader.Middleware(s.ledger))); err != nil {
		return nil, err
	}
	tracker, err := beacon.NewTracker(cfg.Zones)
	if err != nil {
		return nil, err
	}
	s.source, err = mqtttransport.NewSource(ctx, cfg.BrokerURL, []string{"espresense/devices/#"},
		func(ctx context.Context, m mqtttransport.Message) error {
			r, err := gateway.ParseESPresense(m.Topic, m.Payload, m.Received)
			if err != nil {
				return err
			}
			zones, err := tracker.Observe(nil, r.Sighting)
			for _, z := range zones {
				e, zerr := z.Event(beacon.EventOptions{Pseudonymizer: s.pseud})
				if err = errors.Join(err, zerr); zerr == nil {
					err = errors.Join(err, s.client.Track(ctx, e))
				}
			}
			return err
		})
	if err != nil {
		return nil, errors.Join(err, s.client.Shutdown(ctx))
	}
	return s, nil
}

// fanout is the glue that hands each record to the data plane's batcher
// and to the consent router.
type fanout struct {
	rudder *transport.Batcher
	router *consent.Router
}

func (f *fanout) Handle(ctx context.Context, r *connected.Record) error {
	return errors.Join(f.rudder.Handle(ctx, r), f.router.Handle(ctx, r))
}
func (f *fanout) Flush(ctx context.Context) error {
	return errors.Join(f.rudder.Flush(ctx), f.router.Flush(ctx))
}
func (f *fanout) Shutdown(ctx context.Context) error {
	return errors.Join(f.rudder.Shutdown(ctx), f.router.Shutdown(ctx))
}

// Track emits a track event.
func (s *HandwiredService) Track(ctx context.Context, e connected.Event) error {
	return s.client.Track(ctx, e)
}

// Login is Login.
func (s *HandwiredService) Login(ctx context.Context, userID, anonymousID, bleID string, choices map[string]bool) error {
	return s.client.Identify(ctx, connected.Event{UserID: userID, AnonymousID: anonymousID, Context: connected.Context{
		Device: connected.Device{ID: s.pseud.Pseudonym(bleID)}, Consent: connected.Consent{CategoryPreferences: choices}}})
}

// Shutdown stops the source, the client (and with it the chains and the
// router), the graph and the ledger.
func (s *HandwiredService) Shutdown(ctx context.Context) error {
	return errors.Join(s.source.Shutdown(ctx), s.client.Shutdown(ctx), s.graph.Shutdown(context.Background()), s.ledger.Shutdown(context.Background()))
}
