package defs

import (
	"encoding/json"
	"testing"
	"time"
)

// TestDurationRoundTrip: every duration Decode accepts, Encode writes in a
// form Decode accepts again, with the same value (whole days beyond the
// "<n>d" form's 3,660 are written in hours).
func TestDurationRoundTrip(t *testing.T) {
	for _, s := range []string{"0s", "90s", "1h30m", "7d", "3660d", "87840h", "88080h", "100000h", "36h"} {
		d, err := ParseDuration(s)
		if err != nil {
			t.Fatalf("ParseDuration(%q): %v", s, err)
		}
		b, err := json.Marshal(Duration(d))
		if err != nil {
			t.Fatal(err)
		}
		var back Duration
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("%q written as %s, read back: %v", s, b, err)
		}
		if time.Duration(back) != d {
			t.Fatalf("%q written as %s reads back as %v, want %v", s, b, time.Duration(back), d)
		}
	}
}

// TestSignsRefused: the day count and the clock take digits only, as their
// docs say ("+7d", "-0d", "+1:30" and " 9:00" are refused).
func TestSignsRefused(t *testing.T) {
	for _, s := range []string{"+7d", "-0d", "d", " 7d", "7.5d"} {
		if d, err := ParseDuration(s); err == nil {
			t.Errorf("ParseDuration(%q) = %v, want an error", s, d)
		}
	}
	for _, s := range []string{"+1:30", "-0:00", " 9:00", "09:+5", "24:00", "9:00"} {
		if m, ok := Clock(s); ok {
			t.Errorf("Clock(%q) = %d, want refused", s, m)
		}
	}
	if m, ok := Clock("21:05"); !ok || m != 21*60+5 {
		t.Errorf("Clock(21:05) = %d, %v", m, ok)
	}
}
