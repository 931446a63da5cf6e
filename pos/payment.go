package pos

import "time"

// Kind says what a decoded notification carries.
type Kind uint8

// The kinds of notification.
const (
	// KindPayment: a payment (Square payment.*, Stripe charge.* and
	// payment_intent.*); Notification.Payment is set.
	KindPayment Kind = iota + 1
	// KindOrder: a thin order notification (Square order.*);
	// Notification.Order is set.
	KindOrder
)

// Notification is one decoded till webhook.
type Notification struct {
	Format  string    // "square" or "stripe"
	Type    string    // the webhook's type, e.g. "payment.updated", "charge.succeeded"
	EventID string    // the webhook's id (Square event_id, Stripe evt_…): the delivery dedupe key
	Created time.Time // when the webhook was created, not when the sale happened
	Kind    Kind
	Payment Payment     // KindPayment
	Order   OrderChange // KindOrder
}

// Payment is a payment at the till. Card numbers and their fragments
// (last 4 digits, BIN), expiry dates, cardholder names, emails and
// billing details are never decoded: they are skipped unread.
type Payment struct {
	// ID is the payment: Square's payment id; Stripe's PaymentIntent id,
	// or the charge id for a charge without one. Both a Stripe charge and
	// its PaymentIntent have the same ID, so their events dedupe.
	ID string
	// ChargeID is Stripe's charge id (ch_…), when the payload is a charge
	// or names its latest charge.
	ChargeID string
	// OrderID is Square's order_id, or Stripe's metadata.order_id.
	OrderID string
	// LocationID is Square's location_id, or Stripe's metadata.store_id.
	LocationID string
	// Status is the source's status (COMPLETED, APPROVED, ...; succeeded,
	// requires_capture, ...).
	Status string
	// Completed is true for a payment whose money is taken: Square status
	// COMPLETED; Stripe status succeeded and, for a charge, captured.
	Completed bool
	// Amount is the total taken (Square total_money, else amount_money;
	// Stripe amount_received or amount_captured when set, else amount).
	Amount Money
	// Time is when the payment was made (Square created_at, Stripe
	// created): the event time.
	Time time.Time
	// ReceiptNumber is the receipt's number, when the source gives one.
	ReceiptNumber string
	// Method is how it was paid: Square source_type (CARD, CASH, WALLET,
	// ...), Stripe payment_method_details.type (card_present, card, ...).
	Method string
	// CardBrand is the card's brand (VISA, visa, ...), when a card paid.
	CardBrand string
	// EntryMethod is how the card was read (Square entry_method such as
	// CONTACTLESS; Stripe read_method such as contactless_emv).
	EntryMethod string
	// CardFingerprint identifies the card number without revealing it
	// (Square card.fingerprint, Stripe fingerprint). It leaves this package
	// only as a keyed pseudonym.
	CardFingerprint string
	// PaymentToken is a reusable payment method minted from the card
	// (Stripe card_present generated_card, pm_…). Pseudonymised like the
	// fingerprint.
	PaymentToken string
	// CustomerID is the merchant's customer (Square customer_id, Stripe
	// customer).
	CustomerID string
	// LoyaltyID is a loyalty account or member number (Stripe
	// metadata.loyalty_id).
	LoyaltyID string
}

// OrderChange is a thin Square order notification: the order's id, state
// and version, without line items or amounts.
type OrderChange struct {
	OrderID    string
	LocationID string
	State      string // OPEN, COMPLETED, CANCELED, DRAFT
	Version    int64
	Created    time.Time
	Updated    time.Time
}

// own makes n's strings independent of the payload they came from.
func (n *Notification) own(payload []byte) {
	p, o := &n.Payment, &n.Order
	own(payload, &n.Format, &n.Type, &n.EventID,
		&p.ID, &p.ChargeID, &p.OrderID, &p.LocationID, &p.Status, &p.Amount.Currency, &p.ReceiptNumber, &p.Method,
		&p.CardBrand, &p.EntryMethod, &p.CardFingerprint, &p.PaymentToken, &p.CustomerID, &p.LoyaltyID,
		&o.OrderID, &o.LocationID, &o.State)
}
