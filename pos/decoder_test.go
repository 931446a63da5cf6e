package pos_test

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/pos"
)

// reusable is a StripeDecoder or SquareDecoder.
type reusable interface {
	Decode(body []byte) (*pos.Notification, error)
}

// sameAsOneShot decodes data with d and with decode (DecodeStripe or
// DecodeSquare) and fails unless both give the same Notification or the
// same error.
func sameAsOneShot(t *testing.T, d reusable, decode func([]byte) (pos.Notification, error), data []byte) {
	t.Helper()
	want, werr := decode(data)
	got, err := d.Decode(data)
	if !reflect.DeepEqual(err, werr) {
		t.Fatalf("reused decoder: error %v, one-shot %v", err, werr)
	}
	if err != nil {
		if got != nil {
			t.Fatalf("notification %+v with error %v", got, err)
		}
		return
	}
	if !reflect.DeepEqual(*got, want) {
		t.Fatalf("reused decoder:\n%+v\none-shot:\n%+v", *got, want)
	}
}

// paymentSamples returns the Stripe and the Square samples.
func paymentSamples(t *testing.T) (stripe, square [][]byte) {
	for _, name := range samples(t) {
		switch {
		case strings.HasPrefix(name, "stripe_"):
			stripe = append(stripe, readSample(t, name))
		case strings.HasPrefix(name, "square_"):
			square = append(square, readSample(t, name))
		}
	}
	return stripe, square
}

// decoderCases: the samples of each format, and bodies that exercise what
// a reused decoder must not carry over (escaped strings, an order after a
// payment, an error in between).
func decoderCases(t *testing.T) (stripe, square [][]byte) {
	stripe, square = paymentSamples(t)
	stripe = append(stripe,
		[]byte(`{"id":"evt_\u0031","type":"payment_intent.succeeded","created":1772366402,"data":{"object":{"id":"pi_\"1","object":"payment_intent",`+
			`"amount":5,"amount_received":5,"currency":"jpy","created":1772366400,"status":"succeeded","customer":"cus_\u00e9"}}}`),
		[]byte(`{"id":"evt_2","type":"charge.succeeded","data":{"object":{"id":"ch_2","object":"charge","amount":"5"}}}`), // ErrType
		[]byte(`{"id":"evt_3"`), // truncated
	)
	square = append(square,
		[]byte(`{"type":"payment.updated","event_id":"e\u00e9","data":{"object":{"payment":{"id":"p\n1","status":"COMPLETED",`+
			`"created_at":"2026-03-01T12:00:00Z","amount_money":{"amount":1,"currency":"EUR"},"location_id":"L\"1"}}}}`),
		[]byte(`{"type":"payment.updated","event_id":"e","data":{"object":{"payment":{"id":"p"}}}}`), // ErrMissing
		[]byte(`[]`), // ErrType
	)
	return stripe, square
}

// TestDecodersMatchOneShot: one StripeDecoder and one SquareDecoder,
// each reused across its format's samples and edge cases in two orders,
// give what DecodeStripe and DecodeSquare give, errors included.
func TestDecodersMatchOneShot(t *testing.T) {
	stripe, square := decoderCases(t)
	var sd pos.StripeDecoder
	var qd pos.SquareDecoder
	for round := range 2 {
		for i := range stripe {
			if round == 1 {
				i = len(stripe) - 1 - i
			}
			sameAsOneShot(t, &sd, pos.DecodeStripe, stripe[i])
		}
		for i := range square {
			if round == 1 {
				i = len(square) - 1 - i
			}
			sameAsOneShot(t, &qd, pos.DecodeSquare, square[i])
		}
	}
}

// TestDecoderAliasesBody: the reused decoders' strings alias the body
// (the contract that makes them cheaper), and the next Decode overwrites
// the Notification the last one returned.
func TestDecoderAliasesBody(t *testing.T) {
	body := bytes.Clone(readSample(t, "square_payment_updated_card.json"))
	var d pos.SquareDecoder
	n, err := d.Decode(body)
	if err != nil {
		t.Fatal(err)
	}
	id := strings.Clone(n.Payment.ID)
	if id == "" || !bytes.Contains(body, []byte(`"`+id+`"`)) {
		t.Fatalf("payment id %q not found in the body", id)
	}
	for at := bytes.Index(body, []byte(id)); at >= 0; at = bytes.Index(body, []byte(id)) {
		body[at] = '#' // every copy in the body (data.id repeats it)
	}
	if n.Payment.ID == id {
		t.Errorf("payment id %q did not change with the body: a copy, not an alias", n.Payment.ID)
	}
	order := readSample(t, "square_order_updated.json")
	n2, err := d.Decode(order)
	if err != nil {
		t.Fatal(err)
	}
	if n2 != n || n.Kind != pos.KindOrder || n.Payment.ID != "" {
		t.Errorf("the second Decode did not overwrite the first Notification: %+v", n)
	}
}

// TestDecodersAllocateNothing: a reused decoder allocates nothing for
// bodies without escaped strings (every sample), a one-shot decoder once.
func TestDecodersAllocateNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation budgets are measured without -race (the race detector allocates)")
	}
	stripe, square := paymentSamples(t)
	n := len(stripe) + len(square)
	// each decodes every sample of its format
	each := func(decodeStripe, decodeSquare func([]byte) error) func() {
		return func() {
			for _, b := range stripe {
				if err := decodeStripe(b); err != nil {
					t.Fatal(err)
				}
			}
			for _, b := range square {
				if err := decodeSquare(b); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	var sd pos.StripeDecoder
	var qd pos.SquareDecoder
	reused := each(func(b []byte) error { _, err := sd.Decode(b); return err },
		func(b []byte) error { _, err := qd.Decode(b); return err })
	if a := testing.AllocsPerRun(50, reused); a != 0 {
		t.Fatalf("the reused decoders allocate %.1f times per %d bodies", a, n)
	}
	// The one-shot decoders: one allocation each, the copy of the kept
	// strings (the Notification itself stays on the caller's stack).
	oneShot := each(func(b []byte) error { _, err := pos.DecodeStripe(b); return err },
		func(b []byte) error { _, err := pos.DecodeSquare(b); return err })
	if a := testing.AllocsPerRun(50, oneShot); a > float64(n) {
		t.Fatalf("DecodeStripe and DecodeSquare allocate %.1f times per %d bodies, want at most one each", a, n)
	}
}
