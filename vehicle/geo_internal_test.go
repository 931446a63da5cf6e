package vehicle

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestDistanceAccuracy: the per-place distance agrees with the haversine
// great-circle distance within 0.1% up to 100 km below 70 degrees of
// latitude, and up to 50 km at any latitude a place may have (85).
func TestDistanceAccuracy(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for i := 0; i < 20000; i++ {
		lat := rng.Float64()*170 - 85
		lon := rng.Float64()*360 - 180
		p, err := compilePlace(0, &Place{ID: "p", Lat: lat, Lon: lon, ArrivalRadius: 50}, &config{roadFactor: 1.3, approachSpeed: 40})
		if err != nil {
			t.Fatal(err)
		}
		d := rng.Float64() * 100_000
		if math.Abs(lat) > 70 {
			d /= 2
		}
		b := rng.Float64() * 2 * math.Pi
		vlat := lat + d*math.Cos(b)/mPerDegLat
		vlon := lon + d*math.Sin(b)/(mPerDegLat*math.Cos(lat*deg))
		if vlat > 89 || vlat < -89 {
			continue
		}
		if vlon > 180 {
			vlon -= 360
		} else if vlon < -180 {
			vlon += 360
		}
		h := haversine(lat, lon, vlat, vlon)
		if got := p.distTo(vlat, vlon); math.Abs(got-h) > 0.001*h+0.01 {
			t.Fatalf("lat %.4f lon %.4f -> %.4f %.4f: %.2f m, haversine %.2f m", lat, lon, vlat, vlon, got, h)
		}
	}
}
