package main

import (
	"embed"
	"fmt"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
	"github.com/touchpoint-sdk/touchpoint/home"
	"github.com/touchpoint-sdk/touchpoint/identity"
)

// payloads are the webhook and message bodies the day receives, written in
// the vendors' formats (Home Assistant websocket events, a Square payment
// webhook, a Stripe charge event, AR try-on messages): see
// testdata/payloads.
//
//go:embed testdata/payloads/*.json
var payloads embed.FS

func payload(name string) ([]byte, error) { return payloads.ReadFile("testdata/payloads/" + name) }

// The smart-TV household: Mia and Leo share a flat whose Home Assistant
// instance reports the living-room TV and who is home. The store's app
// connected the household (its HA instance id) to both accounts, so both
// carry the household's pseudonym as a household_id: identity links them
// into one household and keeps them two people. Household events are the
// household's, not either person's: they carry the household pseudonym as
// anonymousId and the household's own consent (given by the account holder
// in the TV app: analytics, advertising on the ad-supported plan, and
// location for presence).
const haInstance = "7f3c2a90e1d84b6fa0c4e2d9b1a35c77" // the HA instance's uuid

// household returns the household's pseudonym (its anonymousId and
// household_id).
func (s *sim) household() string { return home.HouseholdPseudonym(s.p.pseudonyms, haInstance) }

// linkHousehold: a member connects the household in the app; the
// identify carries the household's pseudonym as a household_id.
func linkHousehold(p *shopper) func(*sim) error {
	return func(s *sim) error {
		return track(p, connected.Event{Type: connected.TypeIdentify, UserID: p.userID, Category: connected.CategoryIdentity,
			Context: connected.Context{Channel: connected.ChannelMobile, ExternalIDs: []connected.ExternalID{
				{ID: s.household(), Type: string(identity.TypeHouseholdID), Collection: "households", Encoding: "none"}}}})(s)
	}
}

// householdConsent records the household's consent for its own events.
func householdConsent(hh *shopper, purposes ...consent.Purpose) func(*sim) error {
	return func(s *sim) error {
		s.p.journal.own(hh, s.household())
		for _, pur := range purposes {
			if _, err := s.p.ledger.Record(s.ctx, consent.Fact{Subject: s.household(), Purpose: pur, Granted: true,
				Effective: s.now, Source: consent.SourceAppSetting, Document: "privacy-2026-09", Jurisdiction: "EU"}); err != nil {
				return err
			}
		}
		return nil
	}
}

// homeEvent decodes one Home Assistant websocket message, follows it with
// the household's home.Tracker and emits what it finds: a TV starting to
// play is a Media Session Started (content type and app, never the title),
// a person leaving is a Presence Changed (presence: never to marketing or
// advertising, and only with location consent).
func homeEvent(hh *shopper, file string) func(*sim) error {
	return func(s *sim) error {
		msg, err := payload(file)
		if err != nil {
			return err
		}
		var c home.StateChange
		if err := home.DecodeWebSocket(msg, &c); err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		occ, err := s.p.home.Observe(nil, &c)
		if err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		s.p.journal.own(hh, s.household())
		for _, o := range occ {
			e, err := o.Event(home.EventOptions{Pseudonymizer: s.p.pseudonyms})
			if err != nil {
				return err
			}
			if err := s.p.client.Track(s.ctx, e); err != nil {
				return fmt.Errorf("home event: %w", err)
			}
		}
		return nil
	}
}

// newHomeTracker follows the household's devices.
func newHomeTracker() (*home.Tracker, error) {
	return home.NewTracker(home.Config{Household: haInstance})
}
