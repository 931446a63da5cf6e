package main

import (
	"fmt"

	"github.com/touchpoint-sdk/touchpoint/pos"
)

// The till: payments reach the store back-end as the payment provider's
// webhooks (Square at the shoe counter, a Stripe Terminal reader at the
// checkout). pos decodes them into Order Completed; card fingerprints,
// customer and loyalty ids leave only as pseudonyms.

// tillPayment decodes one webhook body and emits its Order Completed.
// userID is set when the till's loyalty lookup already knows the customer
// (Ana scanned her app at the counter); otherwise the event is identified
// by its strongest pseudonym (Olga's loyalty number in the charge's
// metadata), which identity resolves to her profile.
func tillPayment(p *shopper, file string, decode func([]byte) (pos.Notification, error), userID string) func(*sim) error {
	return func(s *sim) error {
		body, err := payload(file)
		if err != nil {
			return err
		}
		n, err := decode(body)
		if err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		e, err := n.Event(pos.Options{Pseudonymizer: s.p.pseudonyms, UserID: userID})
		if err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		s.p.journal.own(p, p.userID)
		if n.Payment.LoyaltyID != "" {
			s.p.journal.own(p, pos.Pseudonym(s.p.pseudonyms, pos.IDLoyalty, n.Payment.LoyaltyID))
		}
		return s.p.client.Track(s.ctx, e)
	}
}
