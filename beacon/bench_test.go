package beacon_test

import (
	"testing"

	"github.com/touchpoint-sdk/touchpoint/beacon"
)

var sinkFrame beacon.Frame

// BenchmarkParse measures ParseAD on a complete advertising payload of
// each frame type (target: <= 50 ns, 0 allocs).
func BenchmarkParse(b *testing.B) {
	for _, s := range sampleAD(b) {
		b.Run(s.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(s.ad)))
			for b.Loop() {
				f, err := beacon.ParseAD(s.ad)
				if err != nil {
					b.Fatal(err)
				}
				sinkFrame = f
			}
		})
	}
}

// BenchmarkParseNotBeacon measures the path a gateway takes for the many
// advertisements that are not beacons.
func BenchmarkParseNotBeacon(b *testing.B) {
	ad := hx(b, "0201060aff4c0010050118807b4d")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := beacon.ParseAD(ad); err != beacon.ErrNotBeacon {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseFrame measures the per-frame parsers on their payloads.
func BenchmarkParseFrame(b *testing.B) {
	ib := hx(b, "4c000215b9407f30f5f8466eaff925556b57fe6d01020304c5")
	alt := hx(b, "1801beac2f234454cf6d4a0fadf2f4911ba9ffa600010002c509")
	uid := hx(b, "00e7000102030405060708090102030405060000")
	url := hx(b, "10eb02676f6f676c652e636f")
	tlm := hx(b, "20000b1813000000146700002ac4")
	etlm := hx(b, "2001000102030405060708090a0b1234abcd")
	eid := hx(b, "30e70011223344556677")
	cases := []struct {
		name string
		fn   func() error
	}{
		{"ibeacon", func() error { _, err := beacon.ParseIBeacon(ib); return err }},
		{"altbeacon", func() error { _, err := beacon.ParseAltBeacon(alt); return err }},
		{"eddystone-uid", func() error { _, err := beacon.ParseEddystoneUID(uid); return err }},
		{"eddystone-url", func() error { _, err := beacon.ParseEddystoneURL(url); return err }},
		{"eddystone-tlm", func() error { _, err := beacon.ParseEddystoneTLM(tlm); return err }},
		{"eddystone-etlm", func() error { _, err := beacon.ParseEddystoneETLM(etlm); return err }},
		{"eddystone-eid", func() error { _, err := beacon.ParseEddystoneEID(eid); return err }},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := c.fn(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
