package pos_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/pos"
)

// benchDecode measures decode on the sample as captured and, in a
// sub-benchmark, compacted as the platforms send it (no indentation). It
// reports cpu-ns/op, the process CPU time per decode, besides the
// wall-clock ns/op, which a busy machine inflates.
func benchDecode[T any](b *testing.B, name string, decode func([]byte) (T, error)) {
	data := readSample(b, name)
	var compact bytes.Buffer
	if err := json.Compact(&compact, data); err != nil {
		b.Fatal(err)
	}
	for _, v := range []struct {
		name string
		data []byte
	}{{"sample", data}, {"compact", compact.Bytes()}} {
		b.Run(v.name, func(b *testing.B) {
			b.SetBytes(int64(len(v.data)))
			b.ReportAllocs()
			cpu0 := cpuSeconds()
			for b.Loop() {
				if _, err := decode(v.data); err != nil {
					b.Fatal(err)
				}
			}
			if cpu := cpuSeconds() - cpu0; cpu > 0 {
				b.ReportMetric(cpu*1e9/float64(b.N), "cpu-ns/op")
			}
		})
	}
}

func BenchmarkDecodeSquarePayment(b *testing.B) {
	benchDecode(b, "square_payment_updated_card.json", pos.DecodeSquare)
}

func BenchmarkDecodeSquareOrder(b *testing.B) {
	benchDecode(b, "square_order_updated.json", pos.DecodeSquare)
}

func BenchmarkDecodeStripeCharge(b *testing.B) {
	benchDecode(b, "stripe_charge_succeeded_terminal.json", pos.DecodeStripe)
}

func BenchmarkDecodeStripePaymentIntent(b *testing.B) {
	benchDecode(b, "stripe_payment_intent_succeeded.json", pos.DecodeStripe)
}

// BenchmarkSquareDecoder and BenchmarkStripeDecoder are the payment
// benchmarks above with a reused decoder, whose Notification aliases the
// body: no copy of the kept strings, no allocation.
func BenchmarkSquareDecoder(b *testing.B) {
	var d pos.SquareDecoder
	benchDecode(b, "square_payment_updated_card.json", d.Decode)
}

func BenchmarkStripeDecoder(b *testing.B) {
	var d pos.StripeDecoder
	benchDecode(b, "stripe_charge_succeeded_terminal.json", d.Decode)
}

func BenchmarkDecodeGoogleWalletCallback(b *testing.B) {
	benchDecode(b, "google_wallet_save.json", pos.DecodeGoogleWalletCallback)
}

func BenchmarkDecodeApplePass(b *testing.B) {
	benchDecode(b, "apple_pass.json", pos.DecodeApplePass)
}

func BenchmarkDecodeAppleWebService(b *testing.B) {
	m, p, body := splitHTTP(readSample(b, "apple_register.http"))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := pos.DecodeAppleWebService(m, p, body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStripeChargeToEvent is decode plus the mapping to an event
// (four pseudonyms).
func BenchmarkStripeChargeToEvent(b *testing.B) {
	data := readSample(b, "stripe_charge_succeeded_terminal.json")
	opts := pos.Options{Pseudonymizer: pseudonymizer()}
	b.ReportAllocs()
	for b.Loop() {
		n, err := pos.DecodeStripe(data)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := n.Event(opts); err != nil {
			b.Fatal(err)
		}
	}
}
