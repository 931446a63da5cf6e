package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/touchpoint-sdk/touchpoint/beacon"
	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
	"github.com/touchpoint-sdk/touchpoint/identity"
)

// Where consent comes from.
//
// A store gateway sees devices, not people. The people behind them gave (or
// refused) consent somewhere else: the loyalty app, a kiosk, the CMP. This
// template reads those decisions from a JSON file (-consent), keyed by the
// device ids the firmware reports:
//
//	{"consents": [
//	  {"device": "ibeacon:e2c56db5-dffb-48d2-b060-d0f5a71096e0:1:7",
//	   "granted": ["analytics", "location", "linking"], "denied": ["marketing"],
//	   "effective": "2026-01-01T00:00:00Z", "source": "app_setting",
//	   "document": "privacy-2026-01", "jurisdiction": "EU"}]}
//
// "device" is a beacon id in beacon.ParseBeaconID form (iBeacon, Eddystone,
// "address:AA:BB:..."), an ESPresense id ("irk:..."), a GATT device name
// (gatt.go) or "household:<id>" for the smart-home household of -household
// (homein.go: its events carry home.HouseholdPseudonym, the pseudonym of
// that very string). It is pseudonymised on load like every id the gateway sees;
// the file is the only place it is in the clear. Replace loadConsent with a
// call to your consent service to go further; the ledger and the gate stay
// as they are.
//
// The consent gate checks the record's subject, which is its profile once
// identity middleware has stitched it. consentBridge therefore copies a
// device's decisions to the profile the device resolves to, the first time
// it sees that pair. Without a decision, nothing reaches the sink: unknown
// means denied.

// consentEntry is one device's decisions in the consent file.
type consentEntry struct {
	Device       string            `json:"device"`
	Granted      []consent.Purpose `json:"granted,omitempty"`
	Denied       []consent.Purpose `json:"denied,omitempty"`
	Effective    time.Time         `json:"effective"`
	Source       consent.Source    `json:"source,omitempty"` // default app_setting
	Document     string            `json:"document,omitempty"`
	Jurisdiction string            `json:"jurisdiction,omitempty"`
}

// loadConsent reads the consent file; "" means no decisions at all.
func loadConsent(path string) ([]consentEntry, error) {
	if path == "" {
		return nil, nil
	}
	var f struct {
		Consents []consentEntry `json:"consents"`
	}
	if err := decodeFile(path, &f); err != nil {
		return nil, fmt.Errorf("-consent: %w", err)
	}
	for i := range f.Consents {
		e := &f.Consents[i]
		bad := func(field string, err error) error {
			return fmt.Errorf("-consent: %w", &fileError{Path: path, Field: "consents[" + strconv.Itoa(i) + "]." + field, Err: err})
		}
		switch {
		case e.Device == "":
			return nil, bad("device", errors.New("is empty"))
		case e.Effective.IsZero():
			return nil, bad("effective", errors.New("is missing"))
		case len(e.Granted)+len(e.Denied) == 0:
			return nil, bad("granted", errors.New("neither granted nor denied lists a purpose"))
		}
		for _, p := range append(append([]consent.Purpose(nil), e.Granted...), e.Denied...) {
			if !p.Valid() {
				return nil, bad("granted", fmt.Errorf("%q is not a consent purpose", p))
			}
		}
		if e.Source == "" {
			e.Source = consent.SourceAppSetting
		}
	}
	return f.Consents, nil
}

// devicePseudonym is the pseudonym of a device named in the consent file:
// beacon ids in their canonical text form (the form beacon.ZoneEvent.Event
// pseudonymises), anything else as written (ESPresense and GATT ids, as
// the zone and wearable events pseudonymise them).
func devicePseudonym(p *connected.Pseudonymizer, device string) string {
	if id, err := beacon.ParseBeaconID(device); err == nil {
		return p.Pseudonym(id.String())
	}
	return p.Pseudonym(device)
}

// recordConsent records the consent file's decisions in the ledger, under
// each device's pseudonym, and a linking decision also in the identity
// graph (for both identifiers the device's events carry).
func (g *gateway) recordConsent(ctx context.Context) error {
	for i, e := range g.cfg.Consents {
		subject := devicePseudonym(g.pseud, e.Device)
		record := func(p consent.Purpose, granted bool) error {
			f := consent.Fact{Subject: subject, Purpose: p, Granted: granted, Effective: e.Effective,
				Source: e.Source, Document: e.Document, Jurisdiction: e.Jurisdiction}
			if _, err := g.ledger.Record(ctx, f); err != nil {
				return fmt.Errorf("consent entry %d: %w", i, err)
			}
			if p != consent.PurposeLinking {
				return nil
			}
			for _, t := range []identity.Type{identity.TypeAnonymousID, identity.TypeDeviceID} {
				c := identity.Consent{ID: identity.Identifier{Type: t, Value: subject}, Granted: granted,
					At: e.Effective, EventID: "consent-file:" + strconv.Itoa(i)}
				if err := g.graph.SetLinkConsent(ctx, c); err != nil {
					return fmt.Errorf("consent entry %d: linking: %w", i, err)
				}
			}
			return nil
		}
		for _, p := range e.Granted {
			if err := record(p, true); err != nil {
				return err
			}
		}
		for _, p := range e.Denied {
			if err := record(p, false); err != nil {
				return err
			}
		}
	}
	return nil
}

// consentBridge copies a device's consent decisions to the profile its
// events resolve to. It sits between identity middleware and the gate.
type consentBridge struct {
	ledger *consent.Ledger
	mu     sync.Mutex
	done   map[[2]string]struct{} // (device, profile) pairs copied
}

func newConsentBridge(l *consent.Ledger) *consentBridge {
	return &consentBridge{ledger: l, done: map[[2]string]struct{}{}}
}

// wrap is the connected.Middleware.
func (b *consentBridge) wrap(next connected.Handler) connected.Handler {
	return connected.HandlerFunc(func(ctx context.Context, r *connected.Record) error {
		dev, profile := r.AnonymousID, r.ProfileID
		if dev != "" && profile != "" && dev != profile {
			if err := b.copy(ctx, dev, profile); err != nil {
				return err
			}
		}
		return next.Handle(ctx, r)
	})
}

// copy records dev's facts for profile once per pair; devices without
// decisions cost a map lookup in the ledger and nothing else.
func (b *consentBridge) copy(ctx context.Context, dev, profile string) error {
	purposes := b.ledger.Purposes(dev)
	if len(purposes) == 0 {
		return nil
	}
	key := [2]string{dev, profile}
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.done[key]; ok {
		return nil
	}
	for _, p := range purposes {
		for _, f := range b.ledger.History(dev, p) {
			f.Subject = profile
			if _, err := b.ledger.Record(ctx, f); err != nil {
				return fmt.Errorf("consent bridge: %w", err)
			}
		}
	}
	b.done[key] = struct{}{}
	return nil
}
