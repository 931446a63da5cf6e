package pos_test

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/pos"
)

// checkDecodeErr: an error is a *DecodeError matching one sentinel, and
// the value returned with it is zero.
func checkDecodeErr(t *testing.T, err error, zero bool) {
	t.Helper()
	var de *pos.DecodeError
	if !errors.As(err, &de) {
		t.Fatalf("error %v (%T) is not a *DecodeError", err, err)
	}
	matched := false
	for _, s := range []error{pos.ErrSyntax, pos.ErrType, pos.ErrMissing, pos.ErrInvalid, pos.ErrUnsupported} {
		matched = matched || errors.Is(err, s)
	}
	if !matched {
		t.Fatalf("error %v matches no sentinel", err)
	}
	if !zero {
		t.Fatalf("partial value returned with %v", err)
	}
}

// checkEvent: an event from a decoded value validates, and every
// identifier it carries is a pseudonym.
func checkEvent(t *testing.T, ev connected.Event) {
	t.Helper()
	if _, err := connected.AppendSegment(nil, &ev); err != nil {
		t.Fatalf("event does not validate: %v", err)
	}
	for _, x := range ev.Context.ExternalIDs {
		if !strings.HasPrefix(x.ID, connected.PseudonymPrefix) || len(x.ID) != connected.PseudonymLen {
			t.Fatalf("externalId %s = %q is not a pseudonym", x.Type, x.ID)
		}
	}
}

func checkNotification(t *testing.T, n pos.Notification, data []byte, decode func([]byte) (pos.Notification, error)) {
	t.Helper()
	if n.EventID == "" || n.Type == "" {
		t.Fatalf("decoded without id or type: %+v", n)
	}
	if n.Kind == pos.KindPayment {
		p := n.Payment
		if p.ID == "" || p.Status == "" || p.Time.IsZero() || p.Amount.Amount < 0 || len(p.Amount.Currency) != 3 ||
			strings.ToUpper(p.Amount.Currency) != p.Amount.Currency {
			t.Fatalf("invalid payment decoded: %+v", p)
		}
	}
	again, err := decode(data)
	if err != nil || !reflect.DeepEqual(again, n) {
		t.Fatalf("decode is not deterministic: %v", err)
	}
	checkOwnsStrings(t, data, decode)
	ev, err := n.Event(pos.Options{Pseudonymizer: pseudonymizer()})
	if err == nil {
		if n.Payment.Time.Year() < 2000 || n.Payment.Time.Year() >= 2100 {
			return // connected refuses absurd times itself
		}
		checkEvent(t, ev)
	} else if !errors.Is(err, pos.ErrNotCompleted) && !errors.Is(err, pos.ErrThin) && !errors.Is(err, pos.ErrUnsupported) {
		t.Fatalf("Event: %v", err)
	}
}

// checkOwnsStrings: what decode returns does not change when the payload
// is overwritten afterwards (no string aliases it).
func checkOwnsStrings[T any](t *testing.T, data []byte, decode func([]byte) (T, error)) {
	t.Helper()
	want, err := decode(data)
	cp := bytes.Clone(data)
	got, err2 := decode(cp)
	for i := range cp {
		cp[i] = '#'
	}
	if (err == nil) != (err2 == nil) || !reflect.DeepEqual(got, want) {
		t.Fatalf("the decoded value changed with its payload:\n%+v\n%+v", got, want)
	}
}

func seed(f *testing.F, names ...string) {
	for _, n := range names {
		f.Add(readSample(f, n))
	}
}

// fuzzDecoders are reused across fuzz inputs, so that what one input
// leaves in a decoder meets the next.
var fuzzDecoders struct {
	sync.Mutex
	stripe pos.StripeDecoder
	square pos.SquareDecoder
}

func FuzzDecodeSquare(f *testing.F) {
	seed(f, "square_payment_updated_card.json", "square_payment_created_approved.json", "square_payment_updated_cash.json", "square_order_updated.json")
	f.Add([]byte(`{"type":"payment.updated","event_id":"e","data":{"object":{"payment":{"id":"p","status":"COMPLETED","created_at":"2026-03-01T12:00:00Z","amount_money":{"amount":1,"currency":"EUR"}}}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzDecoders.Lock()
		sameAsOneShot(t, &fuzzDecoders.square, pos.DecodeSquare, data)
		fuzzDecoders.Unlock()
		n, err := pos.DecodeSquare(data)
		if err != nil {
			checkDecodeErr(t, err, reflect.DeepEqual(n, pos.Notification{}))
			return
		}
		checkNotification(t, n, data, pos.DecodeSquare)
	})
}

func FuzzDecodeStripe(f *testing.F) {
	seed(f, "stripe_charge_succeeded_terminal.json", "stripe_payment_intent_succeeded.json")
	f.Add([]byte(`{"id":"evt_1","type":"charge.succeeded","data":{"object":{"id":"ch_1","object":"charge","amount":5,"currency":"jpy","created":1772366400,"status":"succeeded","customer":{"id":"cus_1"}}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzDecoders.Lock()
		sameAsOneShot(t, &fuzzDecoders.stripe, pos.DecodeStripe, data)
		fuzzDecoders.Unlock()
		n, err := pos.DecodeStripe(data)
		if err != nil {
			checkDecodeErr(t, err, reflect.DeepEqual(n, pos.Notification{}))
			return
		}
		checkNotification(t, n, data, pos.DecodeStripe)
	})
}

func FuzzDecodeGoogleWalletCallback(f *testing.F) {
	seed(f, "google_wallet_save.json", "google_wallet_del_message.json")
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := pos.DecodeGoogleWalletCallback(data)
		if err != nil {
			checkDecodeErr(t, err, reflect.DeepEqual(c, pos.PassChange{}))
			return
		}
		if c.Serial == "" || c.PassType == "" || (c.Op != pos.PassAdded && c.Op != pos.PassRemoved) {
			t.Fatalf("invalid change decoded: %+v", c)
		}
		checkOwnsStrings(t, data, pos.DecodeGoogleWalletCallback)
		ev, err := c.Event(pos.Options{Pseudonymizer: pseudonymizer()}, arrival)
		if err != nil {
			t.Fatal(err)
		}
		checkEvent(t, ev)
	})
}

func FuzzDecodeAppleWebService(f *testing.F) {
	for _, n := range []string{"apple_register.http", "apple_unregister.http", "apple_fetch.http"} {
		m, p, body := splitHTTP(readSample(f, n))
		f.Add(m, p, body)
	}
	f.Fuzz(func(t *testing.T, method, path string, body []byte) {
		c, err := pos.DecodeAppleWebService(method, path, body)
		if err != nil {
			checkDecodeErr(t, err, reflect.DeepEqual(c, pos.PassChange{}))
			return
		}
		if c.Serial == "" || !strings.HasPrefix(c.PassType, "pass.") || c.Op == 0 {
			t.Fatalf("invalid change decoded: %+v", c)
		}
		ev, err := c.Event(pos.Options{Pseudonymizer: pseudonymizer()}, arrival)
		if err != nil {
			t.Fatal(err)
		}
		checkEvent(t, ev)
	})
}

func FuzzDecodeApplePass(f *testing.F) {
	seed(f, "apple_pass.json")
	f.Add([]byte(`{"passTypeIdentifier":"pass.x","serialNumber":"1","locations":[{"latitude":0,"longitude":0}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := pos.DecodeApplePass(data)
		if err != nil {
			checkDecodeErr(t, err, reflect.DeepEqual(p, pos.Pass{}))
			return
		}
		if p.Serial == "" || p.PassType == "" || len(p.Locations) > 10 || len(p.Beacons) > 10 || p.MaxDistance < 0 {
			t.Fatalf("invalid pass decoded: %+v", p)
		}
		checkOwnsStrings(t, data, pos.DecodeApplePass)
		if len(p.Locations) == 0 {
			return
		}
		l := p.Locations[0]
		i, m, ok := p.RelevantAt(l.Latitude, l.Longitude)
		if !ok || m > 1e-6 || m < 0 || i < 0 {
			t.Fatalf("not relevant at its own location: %d %v %v", i, m, ok)
		}
		r := pos.PassRelevance{Pass: &p, PlaceID: "s1", Time: arrival, Meters: m, Index: i}
		ev, err := r.Event(pos.Options{Pseudonymizer: pseudonymizer()})
		if err != nil {
			t.Fatal(err)
		}
		checkEvent(t, ev)
	})
}
