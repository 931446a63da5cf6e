package pos

import (
	"strings"
	"sync"

	"github.com/touchpoint-sdk/touchpoint/internal/jsonscan"
)

// The keys the Stripe decoder keeps, per object (case labels below are
// indices in these lists); members with other keys are skipped, and
// validated, by the scanner in one loop.
var (
	stripeEventKeys  = jsonscan.NewKeys("id", "type", "created", "data")
	stripeDataKeys   = jsonscan.NewKeys("object")
	stripeObjectKeys = jsonscan.NewKeys("id", "object", "amount", "amount_captured", "amount_received", "currency",
		"customer", "created", "status", "captured", "payment_intent", "latest_charge", "receipt_number",
		"payment_method_details", "metadata")
	stripeMethodKeys   = jsonscan.NewKeys("type", "card_present", "card", "interac_present")
	stripeCardKeys     = jsonscan.NewKeys("brand", "fingerprint", "generated_card", "read_method")
	stripeMetadataKeys = jsonscan.NewKeys("order_id", "store_id", "loyalty_id")
	idKeys             = jsonscan.NewKeys("id")
)

// DecodeStripe decodes a Stripe webhook Event whose data.object is a
// Charge (charge.succeeded, charge.captured, charge.updated, ...) or a
// PaymentIntent (payment_intent.succeeded, ...), as Stripe's API reference
// documents them: {id: evt_…, object: "event", type, created (Unix
// seconds), data{object{…}}}. A Terminal sale's charge carries
// payment_method_details.card_present {brand, fingerprint,
// generated_card, read_method, …}; an online one .card. The metadata keys
// order_id, store_id and loyalty_id, when the integration sets them, give
// the order, the store and the loyalty id.
//
// Verify the Stripe-Signature header before decoding.
//
// It returns a *DecodeError (ErrSyntax, ErrType, ErrMissing, ErrInvalid,
// ErrUnsupported for other object types) naming the field, and no
// partial Notification. Required: id, type, data.object with its id,
// status, created, amount (whole minor units >= 0) and currency (three
// letters; Stripe writes them lower case, the decoder upper-cases them).
func DecodeStripe(body []byte) (Notification, error) {
	if !jsonscan.Indexed(len(body)) {
		var n Notification
		// a direct call: through a func value n would escape, an allocation more
		d := newDec("stripe", body)
		if err := decodeStripe(&d, &n); err != nil {
			return Notification{}, err
		}
		n.own(body)
		return n, nil
	}
	return decodePooled(stripeDecoders.Get().(*StripeDecoder), body)
}

// stripeDecoders holds the decoders DecodeStripe borrows.
var stripeDecoders = sync.Pool{New: func() any { return new(StripeDecoder) }}

// decodeStripe is DecodeStripe of d's body into n (zero on entry), whose
// strings then alias the body; on error n holds a partial value the
// caller drops.
func decodeStripe(d *dec, n *Notification) error {
	n.Format = "stripe"
	var obj stripeObject
	var sawObject bool
	it := d.s.Object()
	for k := it.NextKey(stripeEventKeys); k >= 0; k = it.NextKey(stripeEventKeys) {
		switch k {
		case 0: // id
			n.EventID = d.str("id")
		case 1: // type
			n.Type = d.word("type")
		case 2: // created
			n.Created = d.unix("created")
		case 3: // data
			data := d.s.Object()
			for data.NextKey(stripeDataKeys) >= 0 { // object
				sawObject = true
				d.stripeObject(&obj)
			}
			d.check("data")
		}
	}
	if err := d.finish(); err != nil {
		return err
	}
	const o = "data.object."
	switch {
	case n.EventID == "":
		d.fail("id", -1, ErrMissing)
	case n.Type == "":
		d.fail("type", -1, ErrMissing)
	case !sawObject:
		d.fail("data.object", -1, ErrMissing)
	case obj.object != "charge" && obj.object != "payment_intent":
		d.fail(o+"object", -1, &detail{ErrUnsupported, "object " + quoteShort(obj.object)})
	case !strings.HasPrefix(n.Type, obj.object) || len(n.Type) == len(obj.object) || n.Type[len(obj.object)] != '.':
		d.fail("type", -1, &detail{ErrInvalid, "type " + quoteShort(n.Type) + " does not match object " + obj.object})
	case obj.p.ID == "":
		d.fail(o+"id", -1, ErrMissing)
	case obj.p.Status == "":
		d.fail(o+"status", -1, ErrMissing)
	case obj.p.Time.IsZero():
		d.fail(o+"created", -1, ErrMissing)
	case !obj.hasAmount:
		d.fail(o+"amount", -1, ErrMissing)
	case obj.p.Amount.Currency == "":
		d.fail(o+"currency", -1, ErrMissing)
	}
	if d.err != nil {
		return d.err
	}
	p := obj.p
	if obj.object == "charge" {
		p.ChargeID = p.ID
		if obj.paymentIntent != "" {
			p.ID = obj.paymentIntent
		}
		if obj.captured > 0 {
			p.Amount.Amount = obj.captured
		}
		p.Completed = p.Status == "succeeded" && (!obj.hasCaptured || obj.capturedFlag)
	} else {
		p.ChargeID = obj.latestCharge
		if obj.received > 0 {
			p.Amount.Amount = obj.received
		}
		p.Completed = p.Status == "succeeded"
	}
	n.Kind = KindPayment
	n.Payment = p
	return nil
}

// stripeObject is the union of the Charge and PaymentIntent fields read.
type stripeObject struct {
	p                         Payment
	object                    string
	paymentIntent             string
	latestCharge              string
	captured, received        int64
	hasAmount                 bool
	hasCaptured, capturedFlag bool
}

func (d *dec) stripeObject(o *stripeObject) {
	const f = "data.object."
	it := d.s.Object()
	for k := it.NextKey(stripeObjectKeys); k >= 0; k = it.NextKey(stripeObjectKeys) {
		// billing_details, receipt_email, shipping, ...: never read
		switch k {
		case 0: // id
			o.p.ID = d.str(f + "id")
		case 1: // object
			o.object = d.str(f + "object")
		case 2: // amount
			o.p.Amount.Amount, o.hasAmount = d.amount(f + "amount")
		case 3: // amount_captured
			o.captured, _ = d.amount(f + "amount_captured")
		case 4: // amount_received
			o.received, _ = d.amount(f + "amount_received")
		case 5: // currency
			o.p.Amount.Currency = d.currency(f + "currency")
		case 6: // customer
			if d.s.Peek() == '{' { // expanded Customer object
				o.p.CustomerID = d.expandedID(f + "customer")
			} else {
				o.p.CustomerID = d.str(f + "customer")
			}
		case 7: // created
			o.p.Time = d.unix(f + "created")
		case 8: // status
			o.p.Status = d.word(f + "status")
		case 9: // captured
			o.hasCaptured = true
			o.capturedFlag = d.boolean(f + "captured")
		case 10: // payment_intent
			if d.s.Peek() == '{' {
				o.paymentIntent = d.expandedID(f + "payment_intent")
			} else {
				o.paymentIntent = d.str(f + "payment_intent")
			}
		case 11: // latest_charge
			if d.s.Peek() == '{' {
				o.latestCharge = d.expandedID(f + "latest_charge")
			} else {
				o.latestCharge = d.str(f + "latest_charge")
			}
		case 12: // receipt_number
			o.p.ReceiptNumber = d.str(f + "receipt_number")
		case 13: // payment_method_details
			d.stripeMethod(&o.p)
		case 14: // metadata
			d.stripeMetadata(&o.p)
		}
		if !d.ok() {
			return
		}
	}
	d.check("data.object")
}

// expandedID reads the id of an expanded object.
func (d *dec) expandedID(field string) string {
	var id string
	it := d.s.Object()
	for it.NextKey(idKeys) >= 0 { // id
		id = d.str(field + ".id")
	}
	d.check(field)
	return id
}

func (d *dec) stripeMethod(p *Payment) {
	const f = "data.object.payment_method_details."
	if d.null() {
		return
	}
	it := d.s.Object()
	for k := it.NextKey(stripeMethodKeys); k >= 0; k = it.NextKey(stripeMethodKeys) {
		if k == 0 { // type
			p.Method = d.word(f + "type")
			continue
		}
		// card_present, card, interac_present
		if d.null() {
			continue
		}
		c := d.s.Object()
		// last4, iin, exp_month, exp_year, cardholder_name, emv_auth_data: never read
		for k := c.NextKey(stripeCardKeys); k >= 0; k = c.NextKey(stripeCardKeys) {
			switch k {
			case 0: // brand
				p.CardBrand = d.word(f + "card.brand")
			case 1: // fingerprint
				p.CardFingerprint = d.str(f + "card.fingerprint")
			case 2: // generated_card
				p.PaymentToken = d.str(f + "card.generated_card")
			case 3: // read_method
				p.EntryMethod = d.word(f + "card.read_method")
			}
		}
	}
	d.check("data.object.payment_method_details")
}

func (d *dec) stripeMetadata(p *Payment) {
	const f = "data.object.metadata."
	if d.null() {
		return
	}
	it := d.s.Object()
	for k := it.NextKey(stripeMetadataKeys); k >= 0; k = it.NextKey(stripeMetadataKeys) {
		switch k {
		case 0: // order_id
			p.OrderID = d.str(f + "order_id")
		case 1: // store_id
			p.LocationID = d.str(f + "store_id")
		case 2: // loyalty_id
			p.LoyaltyID = d.str(f + "loyalty_id")
		}
	}
	d.check("data.object.metadata")
}

func quoteShort(s string) string {
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	return "\"" + strings.ToValidUTF8(s, "\uFFFD") + "\""
}
