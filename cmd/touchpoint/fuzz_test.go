package main

import (
	"encoding/hex"
	"strings"
	"testing"
)

// FuzzParseHex: never panics; what it accepts is exactly the hex digits it
// was given, two per byte, separators dropped.
func FuzzParseHex(f *testing.F) {
	for _, s := range []string{"0201061aff4c000215", "02 01 06", "0x4c:00-02", "020", "zz", "", "  \t\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := parseHex(s)
		if err != nil {
			if b != nil {
				t.Fatalf("error %v with a value", err)
			}
			return
		}
		digits := strings.Map(func(r rune) rune {
			if strings.ContainsRune(" :-\t\n\r", r) {
				return -1
			}
			return r
		}, strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(s), "0x"), "0X"))
		if got := hex.EncodeToString(b); got != strings.ToLower(digits) {
			t.Fatalf("parseHex(%q) = %s, want %s", s, got, digits)
		}
	})
}

// FuzzDetectPlanFormat: never panics, and answers one of the formats or "".
func FuzzDetectPlanFormat(f *testing.F) {
	for _, s := range []string{`{"data":{"rules":[]}}`, `[]`, `{"self":{}}`, `{"events":[{"eventType":"track"}]}`,
		`{"rules":{"identify":{}}}`, `{"rules":{"events":[]}}`, `{"global":{}}`, `nope`, `{"events":7}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		switch got := detectPlanFormat(b); got {
		case "", "segment", "rudderstack", "iglu":
		default:
			t.Fatalf("detectPlanFormat = %q", got)
		}
	})
}
