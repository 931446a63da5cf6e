package pos_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/pos"
)

// TestSamplesGolden: every captured sample decodes exactly to its golden
// value and events (Segment JSON), or to its golden refusal.
func TestSamplesGolden(t *testing.T) {
	for _, name := range samples(t) {
		t.Run(name, func(t *testing.T) {
			decoded, events, eventErr, err := decodeSample(t, name, readSample(t, name))
			if err != nil {
				t.Fatalf("sample does not decode: %v", err)
			}
			var b strings.Builder
			b.WriteString("decoded: " + marshal(t, decoded) + "\n")
			for _, ev := range events {
				ev.Context.Library = connected.Library{Name: "touchpoint-go", Version: "test"}
				out, err := connected.AppendSegment(nil, &ev)
				if err != nil {
					t.Fatalf("event does not validate: %v", err)
				}
				b.WriteString("event: " + string(out) + "\n")
			}
			if eventErr != nil {
				b.WriteString("no event: " + eventErr.Error() + "\n")
			}
			golden(t, filepath.Join("golden", strings.TrimSuffix(strings.TrimSuffix(name, ".json"), ".http")+".golden"), b.String())
		})
	}
}

// TestDecodedOwnsStrings: a decoded sample does not change when its
// payload is overwritten afterwards (the decoders copy what they keep).
func TestDecodedOwnsStrings(t *testing.T) {
	for _, name := range samples(t) {
		data := readSample(t, name)
		want, _, _, err := decodeSample(t, name, data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		cp := bytes.Clone(data)
		got, _, _, err := decodeSample(t, name, cp)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for i := range cp {
			cp[i] = '#'
		}
		if g, w := marshal(t, got), marshal(t, want); g != w {
			t.Errorf("%s: the decoded value changed with its payload:\n%s\n%s", name, g, w)
		}
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if got != string(want) {
		t.Errorf("differs from %s (go test -update if intended):\n%s", path, got)
	}
}

// TestNothingInTheClear: no card fingerprint, payment token, card number
// fragment, customer or loyalty id, pass serial, device id or push token
// of the samples appears in any encoded event.
func TestNothingInTheClear(t *testing.T) {
	secrets := []string{
		// card numbers and their fragments, fingerprints, tokens
		"411111", "1111\"", "4242", "424242", "540988", "9029",
		"sq-1-Hxim77tbdcbGejOejnoAklBVJed2YFLTmirfl8Q5XZzObTc8qY_U8RkwzoNL8dCEcQ", "Xt5EWLLDS7FJjR1c",
		"pm_1QxYz3LkdIwHu7ixZyXwVuTs", "pm_1QxYz1LkdIwHu7ixAbCdEfGh", "EF87D2A1E21B4A3C",
		// people
		"Q8002F9Y7E9JJTJ5P6JKYYEM0BC7VPG", "cus_RZk3kL0p2Qw9Tn", "GOLD-7712-04", "GOLD771204",
		// passes and devices
		"GOLD-7712-04-A", "member-771204", "6b2c4f8a1d3e5a7c9b0d2f4e6a8c0b1d",
		"5e6f8a0b2c4d6e8f0a1b3c5d7e9f1a2b", "vxwxd7J8AlNNFPS8k0a0FfUFtq0ewzFdc",
	}
	var all strings.Builder
	var n int
	for _, name := range samples(t) {
		_, events, _, err := decodeSample(t, name, readSample(t, name))
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range events {
			out, err := connected.AppendSegment(nil, &ev)
			if err != nil {
				t.Fatal(err)
			}
			all.Write(out)
			n++
		}
	}
	if n < 8 {
		t.Fatalf("only %d events to check", n)
	}
	enc := all.String()
	for _, s := range secrets {
		if strings.Contains(enc, s) {
			t.Errorf("%q leaves in the clear", s)
		}
	}
	for _, typ := range []pos.IDType{pos.IDCardFingerprint, pos.IDPaymentToken, pos.IDLoyalty, pos.IDCustomer, pos.IDWalletPass, pos.IDWalletDevice} {
		if !strings.Contains(enc, `"type":"`+string(typ)+`"`) {
			t.Errorf("no %s externalId in the events: the check above proves little", typ)
		}
	}
}

// TestMalformedRefused: payloads broken the ways real ones break are
// refused with a *DecodeError naming the field and matching the cause.
func TestMalformedRefused(t *testing.T) {
	sq := string(readSample(t, "square_payment_updated_card.json"))
	st := string(readSample(t, "stripe_charge_succeeded_terminal.json"))
	pi := string(readSample(t, "stripe_payment_intent_succeeded.json"))
	gw := string(readSample(t, "google_wallet_del_message.json"))
	pass := string(readSample(t, "apple_pass.json"))
	cases := []struct {
		name, format, body, field string
		err                       error
	}{
		{"stripe missing amount", "stripe", strings.Replace(st, `"amount": 2450,`, "", 1), "data.object.amount", pos.ErrMissing},
		{"stripe currency as number", "stripe", strings.Replace(st, `"currency": "eur"`, `"currency": 978`, 1), "data.object.currency", pos.ErrType},
		{"stripe amount as string", "stripe", strings.Replace(st, `"amount": 2450,`, `"amount": "24.50",`, 1), "data.object.amount", pos.ErrType},
		{"stripe fractional amount", "stripe", strings.Replace(st, `"amount": 2450,`, `"amount": 24.5,`, 1), "data.object.amount", pos.ErrInvalid},
		{"stripe negative amount", "stripe", strings.Replace(pi, `"amount":2450,`, `"amount":-2450,`, 1), "data.object.amount", pos.ErrInvalid},
		{"stripe currency too long", "stripe", strings.Replace(st, `"currency": "eur"`, `"currency": "euro"`, 1), "data.object.currency", pos.ErrInvalid},
		{"stripe missing id", "stripe", strings.Replace(st, `"id": "evt_3QxYz2LkdIwHu7ix0abc1234",`, "", 1), "id", pos.ErrMissing},
		{"stripe created as string", "stripe", strings.Replace(st, `"created": 1772366400,`, `"created": "2026-03-01",`, 1), "data.object.created", pos.ErrType},
		{"stripe type mismatch", "stripe", strings.Replace(st, `"type": "charge.succeeded"`, `"type": "payment_intent.succeeded"`, 1), "type", pos.ErrInvalid},
		{"stripe customer object", "stripe", strings.Replace(st, `"object": "charge"`, `"object": "customer"`, 1), "data.object.object", pos.ErrUnsupported},
		{"stripe truncated", "stripe", st[:len(st)/2], "data.object.payment_method_details", pos.ErrSyntax},
		{"stripe trailing garbage", "stripe", st + "}", "", pos.ErrSyntax},
		{"square missing amount", "square", strings.Replace(strings.Replace(sq, `"amount_money": {
          "amount": 2450,
          "currency": "EUR"
        },`, "", 1), `"total_money": {
          "amount": 2450,
          "currency": "EUR"
        },`, "", 1), "data.object.payment.amount_money", pos.ErrMissing},
		{"square amount without value", "square", strings.Replace(sq, `"amount": 2450,
          "currency": "EUR"
        },
        "application_details"`, `"currency": "EUR"
        },
        "application_details"`, 1), "data.object.payment.amount_money.amount", pos.ErrMissing},
		{"square currency as object", "square", strings.Replace(sq, `"currency": "EUR"`, `"currency": {"code": "EUR"}`, 1), "data.object.payment.amount_money.currency", pos.ErrType},
		{"square currency lowercase digits", "square", strings.Replace(sq, `"currency": "EUR"`, `"currency": "E1R"`, 1), "data.object.payment.amount_money.currency", pos.ErrInvalid},
		{"square bad time", "square", strings.Replace(sq, `"created_at": "2026-03-01T12:00:00.112Z"`, `"created_at": "01/03/2026 12:00"`, 1), "data.object.payment.created_at", pos.ErrInvalid},
		{"square no status", "square", strings.Replace(sq, `"status": "COMPLETED",`, "", 1), "data.object.payment.status", pos.ErrMissing},
		{"square refund", "square", strings.Replace(sq, `"type": "payment.updated"`, `"type": "refund.updated"`, 1), "type", pos.ErrUnsupported},
		{"square no event id", "square", strings.Replace(sq, `"event_id": "6a8f5f28-54a1-4eb0-a98a-3111513fd4fc",`, "", 1), "event_id", pos.ErrMissing},
		{"square not an object", "square", `["payment.updated"]`, "", pos.ErrType},
		{"square empty", "square", ``, "", pos.ErrSyntax},
		{"square invalid UTF-8", "square", strings.Replace(sq, `"KkAk"`, "\"K\xffk\"", 1), "data.object.payment.receipt_number", pos.ErrInvalid},
		{"google unknown event type", "google", strings.Replace(gw, `"del"`, `"update"`, 1), "eventType", pos.ErrInvalid},
		{"google no object", "google", strings.Replace(gw, `"objectId":"3388000000012345678.member-771204",`, "", 1), "objectId", pos.ErrMissing},
		{"google expiry as string", "google", strings.Replace(gw, `1775045100000`, `"1775045100000"`, 1), "expTimeMillis", pos.ErrType},
		{"google other protocol", "google", `{"protocolVersion":"ECv1","signedMessage":"{}"}`, "protocolVersion", pos.ErrInvalid},
		{"google envelope bad message", "google", `{"protocolVersion":"ECv2SigningOnly","signedMessage":"{\"classId\":1}"}`, "signedMessage.classId", pos.ErrType},
		{"pass without serial", "pass", strings.Replace(pass, `"serialNumber": "GOLD-7712-04-A",`, "", 1), "serialNumber", pos.ErrMissing},
		{"pass latitude out of range", "pass", strings.Replace(pass, `52.52191`, `152.52191`, 1), "locations.latitude", pos.ErrInvalid},
		{"pass beacon minor too big", "pass", strings.Replace(pass, `"minor": 7`, `"minor": 70000`, 1), "beacons.minor", pos.ErrInvalid},
		{"pass eleven locations", "pass", strings.Replace(pass, `"locations": [`, `"locations": [`+strings.Repeat(`{"latitude": 1, "longitude": 2},`, 10), 1), "locations", pos.ErrInvalid},
	}
	for _, tc := range cases {
		var err error
		switch tc.format {
		case "stripe":
			var n pos.Notification
			n, err = pos.DecodeStripe([]byte(tc.body))
			if err != nil && n.Type != "" {
				t.Errorf("%s: partial value %+v", tc.name, n)
			}
		case "square":
			var n pos.Notification
			n, err = pos.DecodeSquare([]byte(tc.body))
			if err != nil && n.Type != "" {
				t.Errorf("%s: partial value %+v", tc.name, n)
			}
		case "google":
			_, err = pos.DecodeGoogleWalletCallback([]byte(tc.body))
		case "pass":
			_, err = pos.DecodeApplePass([]byte(tc.body))
		}
		var de *pos.DecodeError
		if !errors.As(err, &de) || de.Field != tc.field || !errors.Is(err, tc.err) {
			t.Errorf("%s: %v (field %q), want a DecodeError on %q matching %v", tc.name, err, fieldOf(de), tc.field, tc.err)
		}
	}
}

func fieldOf(de *pos.DecodeError) string {
	if de == nil {
		return ""
	}
	return de.Field
}

// TestAppleWebServiceRefused: requests that are not pass events.
func TestAppleWebServiceRefused(t *testing.T) {
	cases := []struct {
		method, path, body string
		err                error
	}{
		{"POST", "/v1/devices/d1/registrations/pass.com.example.loyalty/S1", `{}`, pos.ErrMissing},
		{"POST", "/v1/devices/d1/registrations/pass.com.example.loyalty/S1", `{"pushToken":7}`, pos.ErrType},
		{"PUT", "/v1/devices/d1/registrations/pass.com.example.loyalty/S1", ``, pos.ErrInvalid},
		{"GET", "/v1/devices/d1/registrations/pass.com.example.loyalty", ``, pos.ErrUnsupported},
		{"POST", "/v1/log", `{"logs":["x"]}`, pos.ErrUnsupported},
		{"DELETE", "/v1/devices/d1/registrations/com.example.loyalty/S1", ``, pos.ErrInvalid},
		{"DELETE", "/v1/devices//registrations/pass.com.example.loyalty/S1", ``, pos.ErrInvalid},
		{"DELETE", "/v1/devices/d\x01/registrations/pass.com.example.loyalty/S1", ``, pos.ErrInvalid},
		{"GET", "/passes/pass.com.example.loyalty/S1", ``, pos.ErrInvalid},
	}
	for _, tc := range cases {
		_, err := pos.DecodeAppleWebService(tc.method, tc.path, []byte(tc.body))
		var de *pos.DecodeError
		if !errors.As(err, &de) || !errors.Is(err, tc.err) {
			t.Errorf("%s %q: %v, want %v", tc.method, tc.path, err, tc.err)
		}
	}
}

// TestEventRefusals: decoded notifications that make no event say why.
func TestEventRefusals(t *testing.T) {
	opts := pos.Options{Pseudonymizer: pseudonymizer()}
	approved, err := pos.DecodeSquare(readSample(t, "square_payment_created_approved.json"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := approved.Event(opts); !errors.Is(err, pos.ErrNotCompleted) {
		t.Errorf("approved payment: %v, want ErrNotCompleted", err)
	}
	order, err := pos.DecodeSquare(readSample(t, "square_order_updated.json"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := order.Event(opts); !errors.Is(err, pos.ErrThin) {
		t.Errorf("thin order: %v, want ErrThin", err)
	}
	card, err := pos.DecodeStripe(readSample(t, "stripe_charge_succeeded_terminal.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ee *pos.EventError
	if _, err := card.Event(pos.Options{}); !errors.As(err, &ee) || !errors.Is(err, pos.ErrNoKey) {
		t.Errorf("no pseudonymizer: %v, want ErrNoKey", err)
	}
	refund := card
	refund.Type = "charge.refunded"
	if _, err := refund.Event(opts); !errors.Is(err, pos.ErrUnsupported) {
		t.Errorf("refund: %v, want ErrUnsupported", err)
	}
	cash, err := pos.DecodeSquare(readSample(t, "square_payment_updated_cash.json"))
	if err != nil {
		t.Fatal(err)
	}
	ev, err := cash.Event(pos.Options{}) // no identifier: no key needed
	if err != nil || ev.AnonymousID != "payment:Fq2uZ1hH3gN7kR6mW9pX0sD4cV5bY" {
		t.Errorf("cash sale: %v, anonymousId %q", err, ev.AnonymousID)
	}
	var c pos.PassChange
	if _, err := c.Event(opts, arrival); !errors.Is(err, pos.ErrMissing) {
		t.Errorf("zero pass change: %v", err)
	}
	var r pos.PassRelevance
	if _, err := r.Event(opts); !errors.Is(err, pos.ErrMissing) {
		t.Errorf("zero relevance: %v", err)
	}
}

// TestChargeAndIntentDedupe: a Stripe charge and its PaymentIntent, and
// two Square deliveries of one payment, make one messageId.
func TestChargeAndIntentDedupe(t *testing.T) {
	opts := pos.Options{Pseudonymizer: pseudonymizer()}
	ch, err := pos.DecodeStripe(readSample(t, "stripe_charge_succeeded_terminal.json"))
	if err != nil {
		t.Fatal(err)
	}
	pi, err := pos.DecodeStripe(readSample(t, "stripe_payment_intent_succeeded.json"))
	if err != nil {
		t.Fatal(err)
	}
	e1, err1 := ch.Event(opts)
	e2, err2 := pi.Event(opts)
	if err1 != nil || err2 != nil || e1.MessageID != e2.MessageID {
		t.Errorf("charge %s (%v) and intent %s (%v) differ", e1.MessageID, err1, e2.MessageID, err2)
	}
	sq := readSample(t, "square_payment_updated_card.json")
	a, _ := pos.DecodeSquare(sq)
	b, _ := pos.DecodeSquare([]byte(strings.Replace(string(sq), `"event_id": "6a8f5f28-54a1-4eb0-a98a-3111513fd4fc"`, `"event_id": "0e1d2c3b-4a59-4687-9766-554433221100"`, 1)))
	ea, _ := a.Event(opts)
	eb, _ := b.Event(opts)
	if ea.MessageID == "" || ea.MessageID != eb.MessageID {
		t.Errorf("two deliveries of one payment: %q vs %q", ea.MessageID, eb.MessageID)
	}
	// Loyalty ids agree between an app and the till.
	if got, want := pos.Pseudonym(opts.Pseudonymizer, pos.IDLoyalty, "gold 7712-04"), e1.Context.ExternalIDs[0].ID; got != want {
		t.Errorf("app-side loyalty pseudonym %s, till %s", got, want)
	}
}

// TestPassRelevance: relevance needs the pass's radius (maxDistance 50 m).
func TestPassRelevance(t *testing.T) {
	p, err := pos.DecodeApplePass(readSample(t, "apple_pass.json"))
	if err != nil {
		t.Fatal(err)
	}
	if p.Radius() != 50 {
		t.Errorf("radius %v, want 50", p.Radius())
	}
	if i, m, ok := p.RelevantAt(berlinLat, berlinLon); !ok || i != 0 || m > 50 {
		t.Errorf("at the Berlin store: %d %.1f m %v", i, m, ok)
	}
	if i, m, ok := p.RelevantAt(52.5230, 13.4132); ok || i != 0 || m < 50 {
		t.Errorf("120 m away: %d %.1f m %v, want not relevant", i, m, ok)
	}
	var none pos.Pass
	if i, _, ok := none.RelevantAt(0, 0); ok || i != -1 {
		t.Error("a pass without locations is relevant")
	}
}
