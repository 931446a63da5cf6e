package connected

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestScanTopKeysMatchesByteLoop: scanTopKeys, which tests strings eight
// bytes at a time, agrees with the byte-at-a-time loop it replaced
// (scanTopKeysBytewise) on payloads built to put quotes, backslashes and
// brackets at every offset within a word, and on random mutations of them.
func TestScanTopKeysMatchesByteLoop(t *testing.T) {
	seeds := []string{
		`{"type":"track","event":"Order Completed","properties":{"a":"}\"{","b":[1,{"c":"\\"}]},"originalTimestamp":"2026-11-24T10:30:00.000Z"}`,
		`{"timestamp":"x","sentAt":"y","channel":"z"}`,
		`{"a\u0062":1,"originalTimestamp":2}`,
		`{"ab\"cdefghijkl\\\\":"\\\"\\","x":"12345678\"","y":"1234567\\\"8"}`,
		`{"unterminated":"abcdefghijklmnop`,
		`{"trailing":1} `,
		`{"k":"v\\`,
		`{}`,
	}
	rng := rand.New(rand.NewPCG(7, 9))
	alphabet := []byte(`"\{}[],:ab x`)
	check := func(p []byte) {
		t.Helper()
		k1, err1 := scanTopKeys(p)
		k2, err2 := scanTopKeysBytewise(p)
		if k1 != k2 || (err1 == nil) != (err2 == nil) || err1 != nil && err1.Error() != err2.Error() {
			t.Fatalf("%q: got %+v, %v; byte loop %+v, %v", p, k1, err1, k2, err2)
		}
	}
	for _, s := range seeds {
		for pad := range 9 { // shift everything across word boundaries
			p := []byte(`{"` + strings.Repeat("p", pad) + `":0,` + s[1:])
			check(p)
			for range 300 {
				q := bytes.Clone(p)
				for range 1 + rng.IntN(3) {
					q[rng.IntN(len(q))] = alphabet[rng.IntN(len(alphabet))]
				}
				check(q)
			}
		}
	}
}

// scanTopKeysBytewise is scanTopKeys as it was before strings were tested
// eight bytes at a time: the reference.
func scanTopKeysBytewise(p []byte) (topKeys, error) {
	k := topKeys{-1, -1, -1, -1}
	if len(p) < 2 || p[0] != '{' {
		return k, errors.New("payload is not a JSON object")
	}
	depth, keys := 0, 0
	expectKey := false
	n := len(p)
	for i := 0; i < n; i++ {
		c := p[i]
		if c == '"' {
			// Strings are short and many: a plain loop beats a call per
			// string. A backslash escapes the byte after it.
			open := i
			for i++; i < n && p[i] != '"'; i++ {
				if p[i] == '\\' {
					i++
				}
			}
			if i >= n {
				return k, errors.New("payload has an unterminated string")
			}
			if depth == 1 && expectKey {
				keys++
				if err := k.note(p[open:i+1], open); err != nil {
					return k, err
				}
			}
			expectKey = false
			continue
		}
		switch c {
		case '{', '[':
			depth++
			expectKey = c == '{' && depth == 1
		case '}', ']':
			depth--
			if depth == 0 && i != n-1 {
				return k, errors.New("payload has bytes after its closing brace")
			}
			if depth < 0 {
				return k, errors.New("payload has unbalanced brackets")
			}
		case ',':
			expectKey = depth == 1
		}
	}
	switch {
	case depth != 0:
		return k, errors.New("payload has unbalanced brackets")
	case keys == 0:
		return k, errors.New("payload is an empty object")
	}
	return k, nil
}
