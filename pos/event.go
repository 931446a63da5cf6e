package pos

import (
	"math"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// This file is the one place where till and wallet notifications become
// connected.Events.

// The wallet vocabulary: track event names.
const (
	// EventPassAdded: a wallet pass was added to a phone's wallet.
	EventPassAdded = "Wallet Pass Added"
	// EventPassUpdated: a phone fetched a pass's latest version.
	EventPassUpdated = "Wallet Pass Updated"
	// EventPassRemoved: a wallet pass was removed (or its updates off).
	EventPassRemoved = "Wallet Pass Removed"
	// EventPassRelevant: a pass became relevant at a store (its holder is
	// within the pass's relevance radius of one of its locations).
	EventPassRelevant = "Wallet Pass Relevant"
)

// IDType names the identifiers this package pseudonymises; it is also
// their context.externalIds type.
type IDType string

// The identifier types.
const (
	IDCardFingerprint IDType = "card_fingerprint" // a card's fingerprint (Square, Stripe)
	IDPaymentToken    IDType = "payment_token"    // a reusable payment method (Stripe generated_card)
	IDCustomer        IDType = "pos_customer_id"  // the merchant's customer id at the till
	IDLoyalty         IDType = "loyalty_id"       // a loyalty account or member number
	IDWalletPass      IDType = "wallet_pass"      // a wallet pass (Apple type+serial, Google objectId)
	IDWalletDevice    IDType = "wallet_device"    // an Apple deviceLibraryIdentifier
)

// Pseudonym returns the pseudonym this package sends for an identifier of
// type t: p's pseudonym of "<t>:<value>", the type keeping equal values of
// different types apart. Loyalty ids are first put in their identity form
// (upper case, without spaces and '-'), so an app that reports the
// customer's loyalty id with Pseudonym(p, IDLoyalty, id) and the till
// agree. It returns "" for an empty value or a nil p.
func Pseudonym(p *connected.Pseudonymizer, t IDType, value string) string {
	if value == "" || p == nil {
		return ""
	}
	if t == IDLoyalty {
		value = strings.Map(func(r rune) rune {
			switch {
			case r == ' ' || r == '-' || r == '\t':
				return -1
			case r >= 'a' && r <= 'z':
				return r - 'a' + 'A'
			}
			return r
		}, value)
	}
	var buf [160]byte
	in := append(append(append(buf[:0], t...), ':'), value...)
	return p.Pseudonym(string(in))
}

// Options controls the mapping of notifications to connected events.
type Options struct {
	// Pseudonymizer pseudonymises card fingerprints, payment tokens,
	// customer and loyalty ids, pass serials and wallet devices (see
	// Pseudonym). Required: without it, Event refuses with ErrNoKey any
	// notification that carries one.
	Pseudonymizer *connected.Pseudonymizer
	// UserID is the customer's userId, when the caller already knows it
	// (from its own loyalty lookup, say). Default: none; the event is then
	// identified by the strongest pseudonym it carries.
	UserID string
	// Channel overrides context.channel: default pos for payments, mobile
	// for pass changes, store for pass relevance.
	Channel connected.Channel
}

// namespace of the message ids derived here
var messageIDSpace = uuid.MustParse("8c1d4b6e-0f3a-5b2c-9d7e-4a5b6c7d8e9f")

func messageID(parts ...string) string {
	var buf [256]byte
	b := buf[:0]
	for _, p := range parts {
		b = append(append(b, p...), 0)
	}
	return uuid.NewSHA1(messageIDSpace, b).String()
}

// Event maps a completed payment to connected "Order Completed" (category
// transaction, channel pos) at the payment's time, with a messageId
// derived from the source and the payment id, so payment.created and
// every payment.updated of one Square payment, or a Stripe charge and its
// PaymentIntent, give one id and dedupe downstream. Properties: order_id
// (the payment id when there is no order), payment_id, total and
// revenue (major units), currency, store_id, receipt_number,
// payment_method, card_brand, entry_method, source. Identifiers go into
// context.externalIds as pseudonyms (see Pseudonym; collection users,
// encoding none): loyalty_id, pos_customer_id, card_fingerprint,
// payment_token. userId is opts.UserID; without one, anonymousId is the
// strongest pseudonym (loyalty, customer, fingerprint, token), or
// "payment:<payment id>" for a payment with no identifier (cash).
//
// It returns an *EventError: ErrNotCompleted for a payment not completed,
// ErrThin for a Square order notification, ErrUnsupported for refunds and
// other types, ErrNoKey when an identifier is present and there is no
// Pseudonymizer.
func (n *Notification) Event(opts Options) (connected.Event, error) {
	switch {
	case n.Kind == KindOrder:
		return connected.Event{}, &EventError{Type: n.Type, Reason: "order state " + n.Order.State, Err: ErrThin}
	case n.Kind != KindPayment:
		return connected.Event{}, &EventError{Type: n.Type, Err: ErrUnsupported}
	case !completingType(n.Format, n.Type):
		return connected.Event{}, &EventError{Type: n.Type, Err: ErrUnsupported}
	case !n.Payment.Completed:
		return connected.Event{}, &EventError{Type: n.Type, Reason: "status " + n.Payment.Status, Err: ErrNotCompleted}
	}
	p := &n.Payment
	ids := [4]struct {
		t IDType
		v string
	}{{IDLoyalty, p.LoyaltyID}, {IDCustomer, p.CustomerID}, {IDCardFingerprint, p.CardFingerprint}, {IDPaymentToken, p.PaymentToken}}
	var ext []connected.ExternalID
	for _, id := range ids {
		if id.v == "" {
			continue
		}
		if opts.Pseudonymizer == nil {
			return connected.Event{}, &EventError{Type: n.Type, Reason: string(id.t), Err: ErrNoKey}
		}
		if ext == nil {
			ext = make([]connected.ExternalID, 0, 4)
		}
		ext = append(ext, connected.ExternalID{ID: Pseudonym(opts.Pseudonymizer, id.t, id.v), Type: string(id.t), Collection: "users", Encoding: "none"})
	}
	orderID := p.OrderID
	if orderID == "" {
		orderID = p.ID
	}
	total := p.Amount.Decimal()
	props := connected.Properties{
		"order_id":   orderID,
		"payment_id": p.ID,
		"total":      total,
		"revenue":    total,
		"currency":   p.Amount.Currency,
		"source":     n.Format,
	}
	opt := func(k, v string) {
		if v != "" {
			props[k] = v
		}
	}
	opt("store_id", p.LocationID)
	opt("receipt_number", p.ReceiptNumber)
	opt("payment_method", strings.ToLower(p.Method))
	opt("card_brand", strings.ToLower(p.CardBrand))
	opt("entry_method", strings.ToLower(p.EntryMethod))
	ev := connected.Event{
		Type:              connected.TypeTrack,
		Event:             connected.EventOrderCompleted,
		MessageID:         messageID(n.Format, "payment", p.ID),
		UserID:            opts.UserID,
		OriginalTimestamp: p.Time,
		Properties:        props,
		Category:          connected.CategoryTransaction,
		Context: connected.Context{
			Channel:     channel(opts.Channel, connected.ChannelPOS),
			Location:    connected.Location{PlaceID: p.LocationID},
			ExternalIDs: ext,
		},
	}
	if ev.UserID == "" {
		if len(ext) > 0 {
			ev.AnonymousID = ext[0].ID
		} else {
			ev.AnonymousID = "payment:" + p.ID
		}
	}
	return ev, nil
}

// completingType reports whether a notification type can complete a sale.
func completingType(format, typ string) bool {
	switch format {
	case "square":
		return typ == "payment.created" || typ == "payment.updated"
	case "stripe":
		return typ == "charge.succeeded" || typ == "charge.captured" || typ == "payment_intent.succeeded"
	}
	return false
}

func channel(override, def connected.Channel) connected.Channel {
	if override != "" {
		return override
	}
	return def
}

// passID returns the pseudonym of a pass.
func passID(p *connected.Pseudonymizer, platform Platform, passType, serial string) string {
	if platform == PlatformApple {
		return Pseudonym(p, IDWalletPass, "apple:"+passType+":"+serial)
	}
	return Pseudonym(p, IDWalletPass, "google:"+serial)
}

// Event maps a pass change to "Wallet Pass Added", "Wallet Pass Updated"
// or "Wallet Pass Removed" at time at (the webhook's arrival: neither
// platform says when it happened), channel mobile, category behavioral.
// anonymousId and the wallet_pass externalId are the pass's pseudonym;
// an Apple device is a wallet_device externalId, pseudonymised. Properties:
// platform, pass_type_id, pass_id (the pseudonym), operation. The
// messageId derives from platform, operation, pass and device (Apple) or
// nonce (Google), so a retried callback dedupes. It returns an
// *EventError (ErrNoKey) without a Pseudonymizer, and (ErrMissing) for a
// zero change.
func (c *PassChange) Event(opts Options, at time.Time) (connected.Event, error) {
	name := ""
	switch c.Op {
	case PassAdded:
		name = EventPassAdded
	case PassUpdated:
		name = EventPassUpdated
	case PassRemoved:
		name = EventPassRemoved
	}
	typ := "wallet." + c.Platform.String()
	switch {
	case name == "" || c.Serial == "" || c.PassType == "":
		return connected.Event{}, &EventError{Type: typ, Reason: "empty pass change", Err: ErrMissing}
	case opts.Pseudonymizer == nil:
		return connected.Event{}, &EventError{Type: typ, Reason: string(IDWalletPass), Err: ErrNoKey}
	}
	pid := passID(opts.Pseudonymizer, c.Platform, c.PassType, c.Serial)
	ext := []connected.ExternalID{{ID: pid, Type: string(IDWalletPass), Collection: "users", Encoding: "none"}}
	dedupe := c.Nonce
	if c.Device != "" {
		dev := Pseudonym(opts.Pseudonymizer, IDWalletDevice, c.Device)
		ext = append(ext, connected.ExternalID{ID: dev, Type: string(IDWalletDevice), Collection: "users", Encoding: "none"})
		dedupe = dev
	}
	ev := connected.Event{
		Type:              connected.TypeTrack,
		Event:             name,
		MessageID:         messageID(typ, c.Op.String(), pid, dedupe, timeKey(at, c)),
		UserID:            opts.UserID,
		AnonymousID:       pid,
		OriginalTimestamp: at,
		Properties: connected.Properties{
			"platform":     c.Platform.String(),
			"pass_type_id": c.PassType,
			"pass_id":      pid,
			"operation":    c.Op.String(),
		},
		Category: connected.CategoryBehavioral,
		Context:  connected.Context{Channel: channel(opts.Channel, connected.ChannelMobile), ExternalIDs: ext},
	}
	return ev, nil
}

// timeKey is part of a pass change's dedupe key: Google's nonce dedupes
// on its own; an Apple request has no id, so its time (to the second)
// tells repeated operations apart.
func timeKey(at time.Time, c *PassChange) string {
	if c.Nonce != "" {
		return ""
	}
	return at.UTC().Format(time.RFC3339)
}

// PassRelevance says that a pass is relevant at a store: its holder is
// near one of the pass's locations (see Pass.RelevantAt).
type PassRelevance struct {
	Pass    *Pass
	PlaceID string    // the store
	Time    time.Time // when the holder was there
	Meters  float64   // distance to the pass location, from RelevantAt
	Index   int       // the pass location, from RelevantAt
}

// Event maps r to "Wallet Pass Relevant", category location, channel
// store, context.location.placeId = PlaceID, at r.Time; anonymousId and
// the wallet_pass externalId are the pass's pseudonym. Properties:
// platform (apple), pass_type_id, pass_id, place_id, distance_m (to the
// metre), relevant_text (the location's, when set). It returns an
// *EventError (ErrMissing) for a relevance without pass, place or a valid
// location index, and (ErrNoKey) without a Pseudonymizer.
func (r *PassRelevance) Event(opts Options) (connected.Event, error) {
	const typ = "wallet.relevance"
	switch {
	case r.Pass == nil || r.PlaceID == "" || r.Index < 0 || r.Index >= len(r.Pass.Locations):
		return connected.Event{}, &EventError{Type: typ, Reason: "pass, place and location index are required", Err: ErrMissing}
	case opts.Pseudonymizer == nil:
		return connected.Event{}, &EventError{Type: typ, Reason: string(IDWalletPass), Err: ErrNoKey}
	}
	pid := passID(opts.Pseudonymizer, PlatformApple, r.Pass.PassType, r.Pass.Serial)
	props := connected.Properties{
		"platform":     PlatformApple.String(),
		"pass_type_id": r.Pass.PassType,
		"pass_id":      pid,
		"place_id":     r.PlaceID,
		"distance_m":   math.Round(r.Meters),
	}
	if t := r.Pass.Locations[r.Index].RelevantText; t != "" {
		props["relevant_text"] = t
	}
	return connected.Event{
		Type:              connected.TypeTrack,
		Event:             EventPassRelevant,
		MessageID:         messageID(typ, pid, r.PlaceID, r.Time.UTC().Format(time.RFC3339)),
		UserID:            opts.UserID,
		AnonymousID:       pid,
		OriginalTimestamp: r.Time,
		Properties:        props,
		Category:          connected.CategoryLocation,
		Context: connected.Context{
			Channel:     channel(opts.Channel, connected.ChannelStore),
			Location:    connected.Location{PlaceID: r.PlaceID},
			ExternalIDs: []connected.ExternalID{{ID: pid, Type: string(IDWalletPass), Collection: "users", Encoding: "none"}},
		},
	}, nil
}
