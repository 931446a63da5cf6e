package plan

import (
	"regexp"
	"testing"
)

var matcherPatterns = []string{
	`^ord_[0-9a-f]{8}$`, `^[A-Z]{3}$`, `^\d+$`, `^[a-z][a-z0-9_]*$`, `^K[0-9]{3}$`, `^[A-Z][0-9]{2}$`,
	`^/checkout`, `\.com$`, `[0-9]{2,4}$`, `^ab[0-9]+`, `^x?y$`, `^(fall|winter|spring)$`, `FOO|BAR`,
	`^(?:web|store)$`, `^a.c$`, `(?i)^abc$`, `^[^a-c]+$`, `^é+$`, `^$`, `a`, `^a{2,}$`, `^[a-z]{0,3}[0-9]$`,
}

var matcherInputs = []string{
	"", "ord_0a1b2c3d", "ord_0A1B2C3D", "ord_0a1b2c3", "EUR", "EURO", "eur", "123", "12a", "a_1", "1a", "K123", "K12",
	"A12", "/checkout/pay", "/cart", "shop.com", "x.com.au", "ab1", "ab", "abx", "y", "xy", "xxy", "fall", "autumn", "FOOD",
	"web", "webstore", "abc", "ABC", "aXc", "a\nc", "xyz", "déf", "ééé", "aa", "aaaa", "abc1", "abcd1", "1", "é", "ab12",
}

// TestMatcherAgreesWithRegexp checks the byte-table matcher against regexp
// on every pattern and input above, and reports which patterns took the
// fast path (most of them must).
func TestMatcherAgreesWithRegexp(t *testing.T) {
	fast := 0
	for _, pat := range matcherPatterns {
		m, err := compileMatcher(pat)
		if err != nil {
			t.Fatalf("%s: %v", pat, err)
		}
		if m.kind != kindRegexp {
			fast++
		}
		re := regexp.MustCompile(pat)
		for _, in := range matcherInputs {
			if got, want := m.MatchString(in), re.MatchString(in); got != want {
				t.Errorf("pattern %q input %q: matcher %v, regexp %v (kind %d)", pat, in, got, want, m.kind)
			}
		}
	}
	if fast < len(matcherPatterns)*2/3 {
		t.Errorf("only %d of %d patterns took the fast path", fast, len(matcherPatterns))
	}
}

// FuzzMatcher: for any pattern regexp accepts and any input, the matcher
// and regexp agree.
func FuzzMatcher(f *testing.F) {
	for i, p := range matcherPatterns {
		f.Add(p, matcherInputs[i%len(matcherInputs)])
	}
	f.Fuzz(func(t *testing.T, pat, in string) {
		if len(pat) > 64 {
			return
		}
		m, err := compileMatcher(pat)
		if err != nil {
			return
		}
		re := regexp.MustCompile(pat)
		if got, want := m.MatchString(in), re.MatchString(in); got != want {
			t.Fatalf("pattern %q input %q: matcher %v, regexp %v (kind %d)", pat, in, got, want, m.kind)
		}
	})
}
