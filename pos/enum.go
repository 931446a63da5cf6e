package pos

// word reads a string like str, with the same results and errors, and,
// when it is one of the values the platforms document for webhook types,
// statuses, payment methods, card brands and entry methods, returns that
// value as a constant: the common values cost no bytes of the decode's
// one allocation (the fewer bytes a decode allocates, the less garbage
// collection it causes), and no UTF-8 check (they are ASCII).
func (d *dec) word(field string) string { return d.strOr(field, knownWord) }

// knownWord returns b as a constant when it is a documented value, or "".
func knownWord(b []byte) string {
	switch string(b) {
	// Webhook types.
	case "payment.created":
		return "payment.created"
	case "payment.updated":
		return "payment.updated"
	case "order.created":
		return "order.created"
	case "order.updated":
		return "order.updated"
	case "order.fulfillment.updated":
		return "order.fulfillment.updated"
	case "charge.succeeded":
		return "charge.succeeded"
	case "charge.captured":
		return "charge.captured"
	case "charge.updated":
		return "charge.updated"
	case "payment_intent.succeeded":
		return "payment_intent.succeeded"
	// Square payment statuses and order states.
	case "APPROVED":
		return "APPROVED"
	case "PENDING":
		return "PENDING"
	case "COMPLETED":
		return "COMPLETED"
	case "CANCELED":
		return "CANCELED"
	case "FAILED":
		return "FAILED"
	case "OPEN":
		return "OPEN"
	case "DRAFT":
		return "DRAFT"
	// Stripe statuses.
	case "succeeded":
		return "succeeded"
	case "pending":
		return "pending"
	case "failed":
		return "failed"
	case "requires_capture":
		return "requires_capture"
	case "processing":
		return "processing"
	case "canceled":
		return "canceled"
	// Payment methods (Square source_type, Stripe payment_method_details.type).
	case "CARD":
		return "CARD"
	case "CASH":
		return "CASH"
	case "WALLET":
		return "WALLET"
	case "EXTERNAL":
		return "EXTERNAL"
	case "card_present":
		return "card_present"
	case "card":
		return "card"
	case "interac_present":
		return "interac_present"
	// Card brands.
	case "VISA":
		return "VISA"
	case "MASTERCARD":
		return "MASTERCARD"
	case "AMERICAN_EXPRESS":
		return "AMERICAN_EXPRESS"
	case "visa":
		return "visa"
	case "mastercard":
		return "mastercard"
	case "amex":
		return "amex"
	// Entry methods (Square entry_method, Stripe read_method).
	case "CONTACTLESS":
		return "CONTACTLESS"
	case "EMV":
		return "EMV"
	case "KEYED":
		return "KEYED"
	case "SWIPED":
		return "SWIPED"
	case "ON_FILE":
		return "ON_FILE"
	case "contactless_emv":
		return "contactless_emv"
	case "contact_emv":
		return "contact_emv"
	case "magnetic_stripe_track2":
		return "magnetic_stripe_track2"
	}
	return ""
}
