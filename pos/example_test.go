package pos_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/pos"
)

// exampleKey is for the examples only: load the real key from a secret
// store, and use the same key everywhere identifiers are pseudonymised.
var exampleKey = []byte("example-key-0123456789abcdef")

// A Stripe Terminal charge becomes "Order Completed"; the loyalty id,
// customer, card fingerprint and generated card leave as pseudonyms.
func ExampleDecodeStripe() {
	body := []byte(`{"id":"evt_1","object":"event","type":"charge.succeeded","created":1772366402,
	 "data":{"object":{"id":"ch_1","object":"charge","amount":2450,"amount_captured":2450,"captured":true,
	  "currency":"eur","created":1772366400,"status":"succeeded","payment_intent":"pi_1","customer":"cus_9",
	  "metadata":{"order_id":"ord_42","store_id":"berlin-mitte","loyalty_id":"GOLD-7712-04"},
	  "payment_method_details":{"type":"card_present","card_present":{"brand":"visa","last4":"4242",
	   "fingerprint":"Xt5EWLLDS7FJjR1c","generated_card":"pm_77","read_method":"contactless_emv"}}}}}`)
	n, err := pos.DecodeStripe(body)
	if err != nil {
		fmt.Println(err)
		return
	}
	p, _ := connected.NewPseudonymizer(exampleKey)
	ev, err := n.Event(pos.Options{Pseudonymizer: p})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ev.Event, ev.Properties["order_id"], ev.Properties["total"], ev.Properties["currency"], ev.Context.Channel)
	for _, x := range ev.Context.ExternalIDs {
		fmt.Println(x.Type, x.ID[:4]+"…")
	}
	// Output:
	// Order Completed ord_42 24.5 EUR pos
	// loyalty_id ps1_…
	// pos_customer_id ps1_…
	// card_fingerprint ps1_…
	// payment_token ps1_…
}

// A Square payment that is only approved makes no event yet; its
// completion does.
func ExampleDecodeSquare() {
	body := []byte(`{"merchant_id":"M1","type":"payment.updated","event_id":"e1","created_at":"2026-03-01T12:00:03Z",
	 "data":{"type":"payment","id":"P1","object":{"payment":{"id":"P1","status":"APPROVED","source_type":"CASH",
	  "created_at":"2026-03-01T12:00:00Z","amount_money":{"amount":1200,"currency":"EUR"},"location_id":"L1"}}}}`)
	n, err := pos.DecodeSquare(body)
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = n.Event(pos.Options{})
	fmt.Println(errors.Is(err, pos.ErrNotCompleted), err)
	n.Payment.Completed = true // as the next payment.updated would say
	ev, err := n.Event(pos.Options{})
	fmt.Println(ev.Event, ev.AnonymousID, ev.Properties["total"], err)
	// Output:
	// true pos: payment.updated: payment not completed (status APPROVED)
	// Order Completed payment:P1 12 <nil>
}

// A payload with the currency as a number is refused, naming the field.
func ExampleDecodeError() {
	_, err := pos.DecodeStripe([]byte(`{"id":"evt_1","type":"charge.succeeded","data":{"object":{"id":"ch_1",
	 "object":"charge","amount":100,"currency":978,"created":1772366400,"status":"succeeded"}}}`))
	var de *pos.DecodeError
	fmt.Println(errors.As(err, &de), de.Field, errors.Is(err, pos.ErrType))
	// Output: true data.object.currency true
}

// An Apple Wallet device registers for a pass: "Wallet Pass Added".
func ExampleDecodeAppleWebService() {
	c, err := pos.DecodeAppleWebService("POST",
		"/passes/v1/devices/6b2c4f8a1d3e/registrations/pass.com.example.loyalty/GOLD-7712-04-A",
		[]byte(`{"pushToken":"5e6f8a0b2c4d"}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	p, _ := connected.NewPseudonymizer(exampleKey)
	ev, _ := c.Event(pos.Options{Pseudonymizer: p}, time.Date(2026, 3, 1, 12, 5, 0, 0, time.UTC))
	fmt.Println(c.Op, c.PassType, ev.Event, ev.Properties["platform"])
	// Output: added pass.com.example.loyalty Wallet Pass Added apple
}

// A Google Wallet save callback (after its signature was verified).
func ExampleDecodeGoogleWalletCallback() {
	c, err := pos.DecodeGoogleWalletCallback([]byte(`{"classId":"3388000000012345678.gold_tier",
	 "objectId":"3388000000012345678.member-771204","expTimeMillis":1772366700000,"eventType":"save","nonce":"n-1"}`))
	fmt.Println(c.Op, c.PassType, c.Nonce, err)
	// Output: added 3388000000012345678.gold_tier n-1 <nil>
}

// A pass is relevant at a store within its radius of one of its
// locations.
func ExampleDecodeApplePass() {
	pass, err := pos.DecodeApplePass([]byte(`{"passTypeIdentifier":"pass.com.example.loyalty","serialNumber":"S1",
	 "maxDistance":50,"locations":[{"latitude":52.52191,"longitude":13.41320,"relevantText":"Gold Card accepted"}]}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	i, m, ok := pass.RelevantAt(52.52210, 13.41290)
	fmt.Printf("%d %.0f m %v (radius %.0f m)\n", i, m, ok, pass.Radius())
	p, _ := connected.NewPseudonymizer(exampleKey)
	r := pos.PassRelevance{Pass: &pass, PlaceID: "berlin-mitte", Time: time.Date(2026, 3, 1, 12, 5, 0, 0, time.UTC), Meters: m, Index: i}
	ev, _ := r.Event(pos.Options{Pseudonymizer: p})
	fmt.Println(ev.Event, ev.Category, ev.Context.Location.PlaceID, ev.Properties["relevant_text"])
	// Output:
	// 0 29 m true (radius 50 m)
	// Wallet Pass Relevant location berlin-mitte Gold Card accepted
}

// The app reports the customer's loyalty id with the till's pseudonym, so
// identity links them.
func ExamplePseudonym() {
	p, _ := connected.NewPseudonymizer(exampleKey)
	app := pos.Pseudonym(p, pos.IDLoyalty, "gold 7712-04")
	till := pos.Pseudonym(p, pos.IDLoyalty, "GOLD-7712-04")
	fmt.Println(app == till, len(app) == connected.PseudonymLen)
	// Output: true true
}

func ExampleMoney_Decimal() {
	fmt.Println(pos.Money{Amount: 2450, Currency: "EUR"}.Decimal(), pos.Money{Amount: 2450, Currency: "JPY"}.Decimal())
	// Output: 24.5 2450
}

// A webhook worker reuses one StripeDecoder: the Notification aliases the
// body and lives until the next Decode, so the event is made and handed
// on (to Client.Track, which encodes it at once) before the next body.
func ExampleStripeDecoder() {
	bodies := [][]byte{
		[]byte(`{"id":"evt_1","type":"payment_intent.succeeded","created":1772366402,"data":{"object":{"id":"pi_1",
		 "object":"payment_intent","amount":2450,"amount_received":2450,"currency":"eur","created":1772366400,
		 "status":"succeeded","metadata":{"order_id":"ord_42"}}}}`),
		[]byte(`{"id":"evt_2","type":"payment_intent.succeeded","data":{"object":{"id":"pi_2","object":"payment_intent"}}}`),
	}
	var d pos.StripeDecoder
	for _, body := range bodies {
		n, err := d.Decode(body)
		if err != nil {
			fmt.Println(err)
			continue
		}
		ev, err := n.Event(pos.Options{})
		fmt.Println(ev.Event, ev.Properties["order_id"], ev.Properties["total"], err)
	}
	// Output:
	// Order Completed ord_42 24.5 <nil>
	// pos: stripe: data.object.status: required field missing
}

// SquareDecoder is the same for Square bodies.
func ExampleSquareDecoder() {
	body := []byte(`{"type":"payment.updated","event_id":"e1","created_at":"2026-03-01T12:00:03Z",
	 "data":{"object":{"payment":{"id":"P1","status":"COMPLETED","source_type":"CASH",
	  "created_at":"2026-03-01T12:00:00Z","amount_money":{"amount":1200,"currency":"EUR"}}}}}`)
	var d pos.SquareDecoder
	n, err := d.Decode(body)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(n.Type, n.Payment.ID, n.Payment.Amount.Decimal(), n.Payment.Amount.Currency)
	// Output:
	// payment.updated P1 12 EUR
}
