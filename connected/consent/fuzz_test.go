package consent_test

import (
	"errors"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/connected/consent"
)

// FuzzParseGCS: no panic; an error is a *SignalError; a success has only
// the two gcs signals set, and is accepted exactly for G1 plus two of 0, 1, -.
func FuzzParseGCS(f *testing.F) {
	for _, s := range []string{"G100", "G111", "G1-1", "G110", "G1", "", "G1\x00\x01", "G1111"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := consent.ParseGCS(s)
		state := func(b byte) bool { return b == '0' || b == '1' || b == '-' }
		valid := len(s) == 4 && s[:2] == "G1" && state(s[2]) && state(s[3])
		if (err == nil) != valid {
			t.Fatalf("ParseGCS(%q) error %v, valid %v", s, err, valid)
		}
		if err != nil {
			var se *consent.SignalError
			if !errors.As(err, &se) || !errors.Is(err, consent.ErrInvalidSignal) {
				t.Fatalf("error %T %v", err, err)
			}
			return
		}
		rest := c
		rest.AdStorage, rest.AnalyticsStorage = consent.ModeUnset, consent.ModeUnset
		if rest != (consent.ConsentMode{}) {
			t.Fatalf("ParseGCS(%q) set other signals: %+v", s, c)
		}
	})
}

// FuzzParseConsentMode: no panic; errors are typed and name the key; a
// success round-trips through Map.
func FuzzParseConsentMode(f *testing.F) {
	f.Add("ad_storage", "granted", "analytics_storage", "denied")
	f.Add("ad_user_data", "denied", "wait_for_update", "500")
	f.Add("ad_personalization", "yes", "region", "DE")
	f.Add("functionality_storage", "granted", "bogus", "granted")
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2 string) {
		in := map[string]string{k1: v1, k2: v2}
		c, err := consent.ParseConsentMode(in)
		if err != nil {
			var se *consent.SignalError
			if !errors.As(err, &se) || !errors.Is(err, consent.ErrInvalidSignal) || (se.Key != k1 && se.Key != k2) {
				t.Fatalf("error %v for %v", err, in)
			}
			return
		}
		again, err := consent.ParseConsentMode(c.Map())
		if err != nil || again != c {
			t.Fatalf("round trip of %v: %+v, %v", in, again, err)
		}
		for _, s := range c.Signals() {
			if !s.Purpose.Builtin() {
				t.Fatalf("signal for %q", s.Purpose)
			}
		}
	})
}
