package main

import (
	"fmt"

	"github.com/touchpoint-sdk/touchpoint/attention"
	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
)

// The virtual try-on: the app lets a shopper try on, in AR, a dress the
// store does not stock. The AR layer reports only user-initiated
// interactions (try-on started and completed), never gaze; the events are
// biometric data. They need the shopper's consent to the attention
// purpose, reach only the destinations whose purpose is attention (the
// stylist's app), never marketing or advertising, and expire after a day.
// The activation journey tryon_offer (purpose attention) turns a completed
// try-on into an offer to order the dress, sent to the stylist.

// stylistSpec is the stylist's app: purpose attention.
var stylistSpec = destinationSpec{"stylist", consent.PurposeAttention,
	[]connected.Category{connected.CategoryBiometric, connected.CategoryBehavioral}, consent.Drop, false}

// tryOn decodes one AR message and emits its event for p.
func tryOn(p *shopper, file string) func(*sim) error {
	return func(s *sim) error {
		msg, err := payload(file)
		if err != nil {
			return err
		}
		var m attention.Message
		if err := attention.Decode(msg, &m); err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		e, err := m.Event(s.now, attention.EventOptions{UserID: p.userID, Pseudonymizer: s.p.pseudonyms})
		if err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		s.p.journal.own(p, p.userID)
		return s.p.client.Track(s.ctx, e)
	}
}
