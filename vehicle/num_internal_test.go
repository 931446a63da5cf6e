package vehicle

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"
)

// TestNumberMatchesStrconv: the fast path of number parsing gives the
// same float64, bit for bit, as strconv.ParseFloat.
func TestNumberMatchesStrconv(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	var cases []string
	for i := 0; i < 200000; i++ {
		var f float64
		switch i % 4 {
		case 0:
			f = rng.Float64()*360 - 180
		case 1:
			f = math.Round(rng.Float64()*1e6) / 1e3
		case 2:
			f = float64(rng.Int64N(1 << 62))
		default:
			f = math.Float64frombits(rng.Uint64())
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			continue
		}
		cases = append(cases, strconv.FormatFloat(f, 'g', -1, 64), strconv.FormatFloat(f, 'f', rng.IntN(12), 64))
	}
	cases = append(cases, "0", "-0", "0.0", "1e22", "1e23", "9007199254740993", "123456789012345678901234", "0.1e-21", "5e-324", "1.7976931348623157e308")
	for _, c := range cases {
		var s scanner
		s.init([]byte(c), "t")
		got, ok := s.num()
		want, err := strconv.ParseFloat(c, 64)
		if err != nil {
			continue
		}
		if !ok || math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("%q: got %v (%v), want %v", c, got, ok, want)
		}
	}
}

// TestRFC3339MatchesTime: the hand-written RFC 3339 parser agrees with
// time.Parse on valid inputs and refuses what it refuses.
func TestRFC3339MatchesTime(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	for i := 0; i < 100000; i++ {
		tm := time.Unix(rng.Int64N(7e9)-1e9, rng.Int64N(1e9))
		zone := time.FixedZone("", (rng.IntN(48)-24)*1800)
		s := tm.In(zone).Format(time.RFC3339Nano)
		got, ok := parseRFC3339([]byte(s))
		if !ok || !got.Equal(tm) {
			t.Fatalf("%s: got %v %v, want %v", s, got, ok, tm)
		}
	}
	for _, bad := range []string{"2026-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T00:00:60Z",
		"2026-01-01T00:00:00", "2026-01-01T00:00:00.Z", "2026-01-01 00:00:00Z", "2026-01-01T00:00:00+0100", "2026-01-01T00:00:00.1234567890Z"} {
		if _, ok := parseRFC3339([]byte(bad)); ok {
			t.Fatalf("accepted %q", bad)
		}
	}
	if got, ok := parseRFC3339([]byte("2024-02-29t23:59:59.5z")); !ok || !got.Equal(time.Date(2024, 2, 29, 23, 59, 59, 5e8, time.UTC)) {
		t.Fatalf("lower-case t/z: %v %v", got, ok)
	}
}
