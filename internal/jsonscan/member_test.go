package jsonscan

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// walkMembers reads a document with Consume, Member and Element (the
// one-call API vehicle uses), skipping scalar values.
func walkMembers(s *Scanner) {
	switch s.Peek() {
	case '{':
		s.Consume('{')
		for first := true; ; first = false {
			if _, ok := s.Member(first); !ok {
				return
			}
			walkMembers(s)
		}
	case '[':
		s.Consume('[')
		for first := true; s.Element(first); first = false {
			walkMembers(s)
		}
	default:
		s.Skip()
	}
}

// TestMemberElementAgreeWithSkip: walking with Member and Element accepts
// exactly what Skip accepts, and both agree with encoding/json.
func TestMemberElementAgreeWithSkip(t *testing.T) {
	for _, in := range []string{
		`{}`, `[]`, `{"a":[1,2,{"b":null}],"c":"\u00e9","d":-0.5e+3,"e":true}`, ` { "a" : [ 1 , 2 ] } `,
		`{`, `{"a"}`, `{"a":}`, `{"a":1,}`, `[1,]`, `[,1]`, `{,"a":1}`, `{"a":1 "b":2}`, `{1:2}`, `[1 2]`, `{"a":1`, `[1`,
	} {
		s := New([]byte(in))
		walkMembers(&s)
		s.End()
		got := s.Err()
		if (got == nil) != json.Valid([]byte(in)) || (got == nil) != (validate([]byte(in)) == nil) {
			t.Errorf("%q: Member/Element %v, Skip %v, json.Valid %v", in, got, validate([]byte(in)), json.Valid([]byte(in)))
		}
		var se *SyntaxError
		if got != nil && (!errors.As(got, &se) || errors.Is(got, ErrType)) {
			t.Errorf("%q: %v, want a syntax or truncation error", in, got)
		}
	}
}

func FuzzMemberElement(f *testing.F) {
	for _, s := range []string{`{"a":[1,2,{"b":null}],"c":"\u00e9"}`, `[true,false,-1.5e3]`, `{"a":`, `{"k\"":{"x":[]}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s := New(b)
		walkMembers(&s)
		s.End()
		if v := validate(b); (s.Err() == nil) != (v == nil) {
			t.Fatalf("%q: Member/Element %v, Skip %v", b, s.Err(), v)
		}
	})
}

// TestNumberMatchesStrconv: the fast path gives the float64 strconv gives,
// bit for bit.
func TestNumberMatchesStrconv(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	cases := []string{"0", "-0", "0.0", "1e22", "1e23", "9007199254740993", "123456789012345678901234", "0.1e-21", "5e-324", "1.7976931348623157e308", "0.000000000000000000000000001"}
	for i := 0; i < 50000; i++ {
		f := math.Float64frombits(rng.Uint64())
		if i%2 == 0 {
			f = rng.Float64()*360 - 180
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			continue
		}
		cases = append(cases, strconv.FormatFloat(f, 'g', -1, 64), strconv.FormatFloat(f, 'f', rng.IntN(12), 64))
	}
	for _, c := range cases {
		want, err := strconv.ParseFloat(c, 64)
		if err != nil {
			continue
		}
		s := New([]byte(c))
		if got := s.Number(); s.Err() != nil || math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("%q: got %v (%v), want %v", c, got, s.Err(), want)
		}
	}
	s := New([]byte("1e999"))
	if s.Number(); s.Err() == nil {
		t.Error("1e999 accepted")
	}
	if _, ok := Float([]byte("1e999"), 1, 999, true); ok {
		t.Error("Float(1e999) ok")
	}
}

// TestTextReusesBuffer: Text unescapes into one reused buffer (no
// allocation once it is large enough) and aliases the input otherwise;
// Reset keeps the buffer.
func TestTextReusesBuffer(t *testing.T) {
	in := []byte(`["a\nb","plain","c\u00e9"]`)
	s := New(in)
	s.Consume('[')
	first := s.Text()
	if string(first) != "a\nb" {
		t.Fatalf("Text = %q", first)
	}
	s.Consume(',')
	if p := s.Text(); string(p) != "plain" || &p[0] != &in[9] {
		t.Errorf("plain string %q does not alias the input", p)
	}
	s.Consume(',')
	if v := s.Text(); string(v) != "cé" || &v[0] != &first[0] {
		t.Errorf("escaped string %q not in the reused buffer", v)
	}
	allocs := testing.AllocsPerRun(100, func() {
		s.Reset(in)
		s.Consume('[')
		s.Text()
	})
	if allocs != 0 && !raceEnabled {
		t.Errorf("Text after Reset allocates %v times", allocs)
	}
}

// TestDigits8: the eight-at-a-time digit reader agrees with reading the
// bytes one by one, for every count of leading digits and the bytes
// around '0' and '9' after them.
func TestDigits8(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for i := 0; i < 200000; i++ {
		var b [8]byte
		for j := range b {
			b[j] = '0' + byte(rng.IntN(10))
		}
		if k := rng.IntN(9); k < 8 {
			b[k] = []byte{'/', ':', '.', 'e', ' ', 0, 0x80, 0xb0, 0xff, ','}[rng.IntN(10)]
		}
		if rng.IntN(4) == 0 {
			b[rng.IntN(8)] = byte(rng.Uint32())
		}
		wantN, wantV := 0, uint64(0)
		for wantN < 8 && b[wantN] >= '0' && b[wantN] <= '9' {
			wantV = wantV*10 + uint64(b[wantN]-'0')
			wantN++
		}
		x := binary.LittleEndian.Uint64(b[:])
		if n, v := digits8(x); n != wantN || v != wantV {
			t.Fatalf("%q: digits8 %d %d, want %d %d", b, n, v, wantN, wantV)
		}
		if n := digitCount8(x); n != wantN {
			t.Fatalf("%q: digitCount8 %d, want %d", b, n, wantN)
		}
	}
}

// FuzzNumber: a number NumberParts accepts is one strconv parses to the
// same float64, inside an array (so that bytes follow it) and alone; one
// it refuses is not JSON.
func FuzzNumber(f *testing.F) {
	for _, s := range []string{"1767261600123", "52.5163", "-13.3777", "0.000123456789012", "18234.6", "123456789012345678901234.5", "1e5", "0.5e-3", "2450"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, c string) {
		if c == "" {
			return
		}
		for _, in := range []string{c, "[" + c + ",1]"} {
			s := New([]byte(in))
			if in[0] == '[' {
				s.Consume('[')
			}
			text, mant, exp10, exact := s.NumberParts()
			got, ok := Float(text, mant, exp10, exact)
			if s.Err() != nil || !ok {
				if json.Valid([]byte(c)) && strings.TrimSpace(c) == c && (c[0] == '-' || c[0] >= '0' && c[0] <= '9') {
					if _, err := strconv.ParseFloat(c, 64); err == nil {
						t.Fatalf("%q refused in %q: %v", c, in, s.Err())
					}
				}
				continue
			}
			want, err := strconv.ParseFloat(string(text), 64)
			if err != nil || math.Float64bits(got) != math.Float64bits(want) {
				t.Fatalf("%q in %q: got %v, strconv %v %v", text, in, got, want, err)
			}
		}
	})
}
