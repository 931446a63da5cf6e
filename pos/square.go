package pos

import (
	"strings"
	"sync"

	"github.com/touchpoint-sdk/touchpoint/internal/jsonscan"
)

// The keys the Square decoder keeps, per object (case labels below are
// indices in these lists); members with other keys are skipped, and
// validated, by the scanner in one loop.
var (
	squareEventKeys   = jsonscan.NewKeys("type", "event_id", "created_at", "data")
	squareDataKeys    = jsonscan.NewKeys("object")
	squareObjectKeys  = jsonscan.NewKeys("payment", "order_created", "order_updated", "order_fulfillment_updated")
	squarePaymentKeys = jsonscan.NewKeys("id", "status", "created_at", "amount_money", "total_money", "location_id",
		"order_id", "customer_id", "receipt_number", "source_type", "card_details")
	squareCardDetailsKeys = jsonscan.NewKeys("entry_method", "card")
	squareCardKeys        = jsonscan.NewKeys("card_brand", "fingerprint")
	squareOrderKeys       = jsonscan.NewKeys("order_id", "location_id", "state", "version", "created_at", "updated_at")
	moneyKeys             = jsonscan.NewKeys("amount", "currency")
)

// DecodeSquare decodes a Square v2 webhook body (payment.created,
// payment.updated; order.created, order.updated,
// order.fulfillment.updated), as documented in Square's webhook reference:
// the envelope {merchant_id, type, event_id, created_at, data{type, id,
// object}} with a full Payment in data.object.payment, or a thin order in
// data.object.order_created / order_updated / order_fulfillment_updated.
//
// Verify the x-square-hmacsha256-signature header before decoding: the
// decoder trusts its input's origin, not its shape.
//
// It returns a *DecodeError (ErrSyntax, ErrType, ErrMissing, ErrInvalid,
// ErrUnsupported for other types) naming the field, and no partial
// Notification. Required: type, event_id, and for a payment its id,
// status, created_at and amount_money {amount: whole minor units >= 0,
// currency: three letters}; for an order its order_id and state. Unknown
// fields are skipped. Strings alias nothing: the Notification does not
// keep body.
func DecodeSquare(body []byte) (Notification, error) {
	if !jsonscan.Indexed(len(body)) {
		var n Notification
		// a direct call: through a func value n would escape, an allocation more
		d := newDec("square", body)
		if err := decodeSquare(&d, &n); err != nil {
			return Notification{}, err
		}
		n.own(body)
		return n, nil
	}
	return decodePooled(squareDecoders.Get().(*SquareDecoder), body)
}

// squareDecoders holds the decoders DecodeSquare borrows.
var squareDecoders = sync.Pool{New: func() any { return new(SquareDecoder) }}

// decodeSquare is DecodeSquare of d's body into n (zero on entry), whose
// strings then alias the body; on error n holds a partial value the
// caller drops.
func decodeSquare(d *dec, n *Notification) error {
	n.Format = "square"
	var sawData bool
	it := d.s.Object()
	for k := it.NextKey(squareEventKeys); k >= 0; k = it.NextKey(squareEventKeys) {
		switch k {
		case 0: // type
			n.Type = d.word("type")
		case 1: // event_id
			n.EventID = d.str("event_id")
		case 2: // created_at
			n.Created = d.rfc3339("created_at")
		case 3: // data
			sawData = true
			d.squareData(n)
		}
	}
	if err := d.finish(); err != nil {
		return err
	}
	switch {
	case n.Type == "":
		d.fail("type", -1, ErrMissing)
	case n.EventID == "":
		d.fail("event_id", -1, ErrMissing)
	case !strings.HasPrefix(n.Type, "payment.") && !strings.HasPrefix(n.Type, "order."):
		d.fail("type", -1, &detail{ErrUnsupported, n.Type})
	case !sawData || n.Kind == 0:
		d.fail("data.object", -1, ErrMissing)
	case strings.HasPrefix(n.Type, "payment.") != (n.Kind == KindPayment):
		d.fail("data.object", -1, &detail{ErrInvalid, "object does not match type " + n.Type})
	}
	if d.err == nil && n.Kind == KindPayment {
		d.checkSquarePayment(&n.Payment)
	}
	if d.err == nil && n.Kind == KindOrder {
		switch {
		case n.Order.OrderID == "":
			d.fail("data.object.order.order_id", -1, ErrMissing)
		case n.Order.State == "":
			d.fail("data.object.order.state", -1, ErrMissing)
		}
	}
	if d.err != nil {
		return d.err
	}
	return nil
}

func (d *dec) squareData(n *Notification) {
	it := d.s.Object()
	for it.NextKey(squareDataKeys) >= 0 { // object
		obj := d.s.Object()
		for k := obj.NextKey(squareObjectKeys); k >= 0; k = obj.NextKey(squareObjectKeys) {
			if k == 0 { // payment
				n.Kind = KindPayment
				d.squarePayment(&n.Payment)
			} else { // order_created, order_updated, order_fulfillment_updated
				n.Kind = KindOrder
				d.squareOrder(&n.Order)
			}
		}
	}
	d.check("data")
}

const sqPay = "data.object.payment."

func (d *dec) squarePayment(p *Payment) {
	var amount, total Money
	var hasAmount, hasTotal bool
	it := d.s.Object()
	for k := it.NextKey(squarePaymentKeys); k >= 0; k = it.NextKey(squarePaymentKeys) {
		switch k {
		case 0: // id
			p.ID = d.str(sqPay + "id")
		case 1: // status
			p.Status = d.word(sqPay + "status")
		case 2: // created_at
			p.Time = d.rfc3339(sqPay + "created_at")
		case 3: // amount_money
			amount, hasAmount = d.money(sqPay+"amount_money", sqPay+"amount_money.amount", sqPay+"amount_money.currency")
		case 4: // total_money
			total, hasTotal = d.money(sqPay+"total_money", sqPay+"total_money.amount", sqPay+"total_money.currency")
		case 5: // location_id
			p.LocationID = d.str(sqPay + "location_id")
		case 6: // order_id
			p.OrderID = d.str(sqPay + "order_id")
		case 7: // customer_id
			p.CustomerID = d.str(sqPay + "customer_id")
		case 8: // receipt_number
			p.ReceiptNumber = d.str(sqPay + "receipt_number")
		case 9: // source_type
			p.Method = d.word(sqPay + "source_type")
		case 10: // card_details
			d.squareCardDetails(p)
		}
		if !d.ok() {
			return
		}
	}
	switch {
	case hasTotal:
		p.Amount = total
	case hasAmount:
		p.Amount = amount
	}
	p.Completed = p.Status == "COMPLETED"
}

func (d *dec) checkSquarePayment(p *Payment) {
	switch {
	case p.ID == "":
		d.fail(sqPay+"id", -1, ErrMissing)
	case p.Status == "":
		d.fail(sqPay+"status", -1, ErrMissing)
	case p.Time.IsZero():
		d.fail(sqPay+"created_at", -1, ErrMissing)
	case p.Amount.Currency == "":
		d.fail(sqPay+"amount_money", -1, ErrMissing)
	}
}

func (d *dec) squareCardDetails(p *Payment) {
	if d.null() {
		return
	}
	it := d.s.Object()
	for k := it.NextKey(squareCardDetailsKeys); k >= 0; k = it.NextKey(squareCardDetailsKeys) {
		if k == 0 { // entry_method
			p.EntryMethod = d.word(sqPay + "card_details.entry_method")
			continue
		}
		card := d.s.Object() // card; last_4, bin, exp_month, exp_year, cardholder_name: never read
		for k := card.NextKey(squareCardKeys); k >= 0; k = card.NextKey(squareCardKeys) {
			if k == 0 { // card_brand
				p.CardBrand = d.word(sqPay + "card_details.card.card_brand")
			} else { // fingerprint
				p.CardFingerprint = d.str(sqPay + "card_details.card.fingerprint")
			}
		}
	}
	d.check(sqPay + "card_details")
}

const sqOrder = "data.object.order."

func (d *dec) squareOrder(o *OrderChange) {
	it := d.s.Object()
	for k := it.NextKey(squareOrderKeys); k >= 0; k = it.NextKey(squareOrderKeys) {
		switch k {
		case 0: // order_id
			o.OrderID = d.str(sqOrder + "order_id")
		case 1: // location_id
			o.LocationID = d.str(sqOrder + "location_id")
		case 2: // state
			o.State = d.word(sqOrder + "state")
		case 3: // version
			v, _ := d.amount(sqOrder + "version")
			o.Version = v
		case 4: // created_at
			o.Created = d.rfc3339(sqOrder + "created_at")
		case 5: // updated_at
			o.Updated = d.rfc3339(sqOrder + "updated_at")
		}
	}
	d.check("data.object.order")
}
