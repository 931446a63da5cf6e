package pos

import "strings"

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
	d := newDec("square", body)
	var n Notification
	n.Format = "square"
	var sawData bool
	it := d.s.Object()
	for it.Next() {
		switch string(it.Key()) {
		case "type":
			n.Type = d.str("type")
		case "event_id":
			n.EventID = d.str("event_id")
		case "created_at":
			n.Created = d.rfc3339("created_at")
		case "data":
			sawData = true
			d.squareData(&n)
		default:
			d.s.Skip()
		}
	}
	if err := d.finish(); err != nil {
		return Notification{}, err
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
		return Notification{}, d.err
	}
	return n, nil
}

func (d *dec) squareData(n *Notification) {
	it := d.s.Object()
	for it.Next() {
		if string(it.Key()) != "object" {
			d.s.Skip()
			continue
		}
		obj := d.s.Object()
		for obj.Next() {
			switch string(obj.Key()) {
			case "payment":
				n.Kind = KindPayment
				d.squarePayment(&n.Payment)
			case "order_created", "order_updated", "order_fulfillment_updated":
				n.Kind = KindOrder
				d.squareOrder(&n.Order)
			default:
				d.s.Skip()
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
	for it.Next() {
		switch string(it.Key()) {
		case "id":
			p.ID = d.str(sqPay + "id")
		case "status":
			p.Status = d.str(sqPay + "status")
		case "created_at":
			p.Time = d.rfc3339(sqPay + "created_at")
		case "amount_money":
			amount, hasAmount = d.money(sqPay+"amount_money", sqPay+"amount_money.amount", sqPay+"amount_money.currency")
		case "total_money":
			total, hasTotal = d.money(sqPay+"total_money", sqPay+"total_money.amount", sqPay+"total_money.currency")
		case "location_id":
			p.LocationID = d.str(sqPay + "location_id")
		case "order_id":
			p.OrderID = d.str(sqPay + "order_id")
		case "customer_id":
			p.CustomerID = d.str(sqPay + "customer_id")
		case "receipt_number":
			p.ReceiptNumber = d.str(sqPay + "receipt_number")
		case "source_type":
			p.Method = d.str(sqPay + "source_type")
		case "card_details":
			d.squareCardDetails(p)
		default:
			d.s.Skip()
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
	for it.Next() {
		switch string(it.Key()) {
		case "entry_method":
			p.EntryMethod = d.str(sqPay + "card_details.entry_method")
		case "card":
			card := d.s.Object()
			for card.Next() {
				switch string(card.Key()) {
				case "card_brand":
					p.CardBrand = d.str(sqPay + "card_details.card.card_brand")
				case "fingerprint":
					p.CardFingerprint = d.str(sqPay + "card_details.card.fingerprint")
				default: // last_4, bin, exp_month, exp_year, cardholder_name: never read
					d.s.Skip()
				}
			}
		default:
			d.s.Skip()
		}
	}
	d.check(sqPay + "card_details")
}

const sqOrder = "data.object.order."

func (d *dec) squareOrder(o *OrderChange) {
	it := d.s.Object()
	for it.Next() {
		switch string(it.Key()) {
		case "order_id":
			o.OrderID = d.str(sqOrder + "order_id")
		case "location_id":
			o.LocationID = d.str(sqOrder + "location_id")
		case "state":
			o.State = d.str(sqOrder + "state")
		case "version":
			v, _ := d.amount(sqOrder + "version")
			o.Version = v
		case "created_at":
			o.Created = d.rfc3339(sqOrder + "created_at")
		case "updated_at":
			o.Updated = d.rfc3339(sqOrder + "updated_at")
		default:
			d.s.Skip()
		}
	}
	d.check("data.object.order")
}
