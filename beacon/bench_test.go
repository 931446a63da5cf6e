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
