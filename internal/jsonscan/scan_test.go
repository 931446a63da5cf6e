package jsonscan

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func validate(b []byte) error {
	s := New(b)
	s.Skip()
	s.End()
	return s.Err()
}

func TestSkipAgreesWithEncodingJSON(t *testing.T) {
	for _, in := range []string{
		`{}`, `[]`, `{"a":[1,2,{"b":null}],"c":"\u00e9\ud83d\ude00","d":-0.5e+3,"e":true,"f":false}`,
		` "x" `, `0`, `-0`, `1.5E2`,
		`{`, `{"a"}`, `{"a":}`, `{"a":1,}`, `[1,]`, `[,1]`, `{,"a":1}`, `{"a":1 "b":2}`, `01`, `1.`, `.5`, `-`, `1e`,
		`"\x"`, "\"a\x01\"", `"\u12"`, `tru`, `nul`, `[1] 2`, `"abc`, ``, `  `,
	} {
		want := json.Valid([]byte(in))
		err := validate([]byte(in))
		if (err == nil) != want {
			t.Errorf("%q: json.Valid %v, jsonscan error %v", in, want, err)
		}
		var se *SyntaxError
		if err != nil && !errors.As(err, &se) {
			t.Errorf("%q: error %T, want *SyntaxError", in, err)
		}
	}
}

func TestTruncatedAndDepth(t *testing.T) {
	for _, in := range []string{`{"a":`, `[1,2`, `"abc`, `{"a":tr`, `-`} {
		if err := validate([]byte(in)); !errors.Is(err, ErrTruncated) {
			t.Errorf("%q: %v, want ErrTruncated", in, err)
		}
	}
	deep := strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1)
	if err := validate([]byte(deep)); !errors.Is(err, ErrDepth) {
		t.Errorf("deep: %v, want ErrDepth", err)
	}
	ok := strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth)
	if err := validate([]byte(ok)); err != nil {
		t.Errorf("depth %d: %v", MaxDepth, err)
	}
}

func TestReadValues(t *testing.T) {
	s := New([]byte(`{"s":"a\"b\u00e9","n":-12.5e1,"b":true,"z":null,"o":{"x":[1,"y"]}}`))
	it := s.Object()
	got := map[string]any{}
	for it.Next() {
		switch k := string(it.Key()); k {
		case "s":
			got[k] = string(s.String())
		case "n":
			got[k] = s.Number()
		case "b":
			got[k] = s.Bool()
		case "z":
			got[k] = s.Null()
		default:
			s.Skip()
		}
	}
	s.End()
	if s.Err() != nil || got["s"] != "a\"bé" || got["n"] != -125.0 || got["b"] != true || got["z"] != true {
		t.Fatalf("got %v, err %v", got, s.Err())
	}
	s = New([]byte(`{"a":"x"}`))
	it = s.Object()
	it.Next()
	s.Number()
	if !errors.Is(s.Err(), ErrType) {
		t.Fatalf("string read as number: %v", s.Err())
	}
	s = New([]byte(`1e400`))
	if s.Number(); !errors.Is(s.Err(), ErrSyntax) {
		t.Fatalf("1e400: %v", s.Err())
	}
}

func TestParseTime(t *testing.T) {
	for _, in := range []string{
		"2026-01-01T19:02:11Z", "2026-01-01T19:02:11.412345+00:00", "2026-01-01T19:02:11.4+05:30", "2026-01-01T19:02:11,25Z",
		"0000-01-01T00:00:00,0+00:00", "0000-02-29T23:59:59Z", "1969-12-31T23:59:59.999999999Z",
		"2024-02-29T00:00:00-08:00", "2026-12-31T23:59:59.999999999Z",
	} {
		want, err := time.Parse(time.RFC3339Nano, in)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := ParseTime([]byte(in))
		if !ok || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("%s: got %v %v, want %v", in, got, ok, want.UTC())
		}
	}
	if got, ok := ParseTime([]byte("2026-01-01 19:02:11+00:00")); !ok || got.Hour() != 19 {
		t.Errorf("space separator: %v %v", got, ok)
	}
	for _, in := range []string{"", "2026-01-01", "2026-02-30T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T19:02:11",
		"2026-01-01T19:02:11.Z", "2026-01-01T19:02:11+0000", "2026-01-01T19:02:11Zx", "2026-01-01T19:02:11.1234567891Z", "2025-02-29T00:00:00Z"} {
		if _, ok := ParseTime([]byte(in)); ok {
			t.Errorf("%q accepted", in)
		}
	}
}

func FuzzScanner(f *testing.F) {
	for _, s := range []string{`{"a":[1,2,{"b":null}],"c":"\u00e9"}`, `[true,false,-1.5e3]`, `"x"`, `{"a":`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		err := validate(b)
		depth, maxDepth := 0, 0
		for _, c := range b {
			if c == '[' || c == '{' {
				depth++
				maxDepth = max(maxDepth, depth)
			}
		}
		if maxDepth > MaxDepth {
			return // deeper inputs may be refused for depth alone
		}
		if (err == nil) != json.Valid(b) {
			t.Fatalf("%q: json.Valid %v, jsonscan %v", b, json.Valid(b), err)
		}
		var se *SyntaxError
		if err != nil && (!errors.As(err, &se) || se.Offset < 0 || se.Offset > len(b)) {
			t.Fatalf("%q: bad error %#v", b, err)
		}
	})
}

func FuzzParseTime(f *testing.F) {
	f.Add("2026-01-01T19:02:11.412345+00:00")
	f.Add("2026-01-01T19:02:11Z")
	f.Fuzz(func(t *testing.T, in string) {
		got, ok := ParseTime([]byte(in))
		want, err := time.Parse(time.RFC3339Nano, in)
		if err == nil && !strings.ContainsAny(in, "tz ") && len(in) >= 20 && in[10] == 'T' && in[13] == ':' && in[16] == ':' &&
			fractionDigits(in) <= 9 && offsetMinutesOK(in) { // ParseTime refuses more than nanoseconds (time.Parse truncates) and "+00:60"
			_, off := want.Zone()
			if off%60 == 0 && math.Abs(float64(off)) < 24*3600 && (!ok || !got.Equal(want)) {
				t.Fatalf("%q: time.Parse %v, ParseTime %v %v", in, want, got, ok)
			}
		}
		if ok && got.Location() != time.UTC {
			t.Fatalf("%q: not UTC", in)
		}
	})
}

// fractionDigits counts the digits after the seconds' '.' or ','.
func fractionDigits(in string) int {
	n := 0
	if len(in) > 19 && (in[19] == '.' || in[19] == ',') {
		for _, c := range in[20:] {
			if c < '0' || c > '9' {
				break
			}
			n++
		}
	}
	return n
}

// offsetMinutesOK reports whether a numeric zone offset at the end of in
// has minutes 00-59, as RFC 3339 requires (time.Parse takes "+00:60").
func offsetMinutesOK(in string) bool {
	if n := len(in); n >= 6 && (in[n-6] == '+' || in[n-6] == '-') && in[n-3] == ':' {
		return in[n-2:] <= "59"
	}
	return true
}

// TestValidUTF8: ValidUTF8 agrees with utf8.Valid for strings of every
// length up to 40 with a valid multi-byte rune, or an invalid byte, at
// every position (the word-wise ASCII test must see every byte).
func TestValidUTF8(t *testing.T) {
	for n := 0; n <= 40; n++ {
		ascii := bytes.Repeat([]byte{'a'}, n)
		if !ValidUTF8(ascii) {
			t.Fatalf("%d ASCII bytes refused", n)
		}
		for i := 0; i < n; i++ {
			for _, c := range []byte{0xff, 0xc3} { // invalid; a lead byte without its continuation
				b := bytes.Clone(ascii)
				b[i] = c
				if got, want := ValidUTF8(b), utf8.Valid(b); got != want {
					t.Fatalf("ValidUTF8(%q) = %v, utf8.Valid %v", b, got, want)
				}
			}
			if i+1 < n {
				b := bytes.Clone(ascii)
				copy(b[i:], "é")
				if !ValidUTF8(b) {
					t.Fatalf("ValidUTF8(%q) = false, want true", b)
				}
			}
		}
	}
}
