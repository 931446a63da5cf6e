package connected_test

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// refFloat is appendFloat as it was before its few-decimals fast path:
// strconv's shortest formatting, 'e' outside [1e-6, 1e21), e-09 as e-9.
func refFloat(f float64) string {
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b := strconv.AppendFloat(nil, f, format, -1, 64)
	if format == 'e' {
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return string(b)
}

// TestAppendFloatMatchesStrconv: the fast path for decimals of few places
// writes exactly what strconv's shortest formatting writes, for decimals
// of 0 to 9 places at every magnitude around its bounds, for the floats
// next to them, and for random bit patterns.
func TestAppendFloatMatchesStrconv(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 19))
	check := func(f float64) {
		t.Helper()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return
		}
		got := string(connected.AppendFloat(nil, f, 64))
		if want := refFloat(f); got != want {
			t.Fatalf("%b (%v): got %s, want %s", f, f, got, want)
		}
	}
	special := []float64{0, math.Copysign(0, -1), 1e-6, 1e-7, 9.99999e-7, 0.000001, 0.0000015, 0.1, 0.2, 0.1 + 0.2,
		1, 9.99, 129.95, 19.99, 0.07, 1 << 32, 1<<32 - 1, 1<<32 - 0.5, 1<<32 - 1e-6, 4294967295.999999,
		1<<31 + 0.000001, 123456.789012, 1e15, 1e21, 5e-324, math.MaxFloat64, 2.5, 0.5, 1.0 / 3}
	for _, f := range special {
		for _, g := range []float64{f, -f, math.Nextafter(f, 0), math.Nextafter(f, math.Inf(1))} {
			check(g)
		}
	}
	for range 400000 {
		places := r.IntN(10)
		mag := math.Pow(10, float64(r.IntN(17)-7))
		x := math.Round(r.Float64()*mag*math.Pow(10, float64(places))) / math.Pow(10, float64(places))
		if r.IntN(2) == 0 {
			x = -x
		}
		check(x)
		check(math.Nextafter(x, math.Inf(1)))
		check(math.Nextafter(x, math.Inf(-1)))
		if f := float64(r.Uint32()) + float64(r.IntN(1_000_000))/1e6; true {
			check(f)
		}
		check(math.Float64frombits(r.Uint64()))
	}
}

// TestAppendIntMatchesStrconv: the integer formatting writes what strconv
// writes, at every power-of-ten boundary, the extremes and random values.
func TestAppendIntMatchesStrconv(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 20))
	check := func(i int64) {
		t.Helper()
		if got, want := string(connected.AppendInt([]byte("x"), i)), "x"+strconv.FormatInt(i, 10); got != want {
			t.Fatalf("AppendInt(%d) = %s, want %s", i, got, want)
		}
		u := uint64(i)
		if got, want := string(connected.AppendUint([]byte("x"), u)), "x"+strconv.FormatUint(u, 10); got != want {
			t.Fatalf("AppendUint(%d) = %s, want %s", u, got, want)
		}
	}
	for p := int64(1); p <= 1e18; p *= 10 {
		for _, i := range []int64{p - 1, p, p + 1} {
			check(i)
			check(-i)
		}
	}
	for _, i := range []int64{0, math.MaxInt64, math.MinInt64, math.MinInt64 + 1} {
		check(i)
	}
	for range 100000 {
		check(int64(r.Uint64()) >> r.IntN(64))
	}
}

// TestAppendStringEveryByteEveryLane: the escaper's eight-bytes-at-a-time
// scan notices every byte that is not plain in every lane of a word: each
// byte value at each position of a 24-byte string of plain bytes encodes
// as encoding/json encodes it (except that \b and \f stay \u0008 and
// \u000c, as they always were on the wire), or is refused as invalid
// UTF-8.
func TestAppendStringEveryByteEveryLane(t *testing.T) {
	base := []byte("abcdefghijklmnopqrstuvwx")
	for c := range 256 {
		for pos := range base {
			b := bytes.Clone(base)
			b[pos] = byte(c)
			s := string(b)
			got, ok := connected.AppendString([]byte("x"), s)
			if !utf8.ValidString(s) {
				if ok || string(got) != "x" {
					t.Fatalf("byte %#x at %d: invalid UTF-8 accepted: %q", c, pos, got)
				}
				continue
			}
			var want bytes.Buffer
			enc := json.NewEncoder(&want)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(s); err != nil || !ok {
				t.Fatalf("byte %#x at %d: ok=%v err=%v", c, pos, ok, err)
			}
			w := strings.TrimSuffix(want.String(), "\n")
			if c == '\b' || c == '\f' {
				w = strings.Replace(w, `\`+string("bf"[c/12]), `\u000`+string("8c"[c/12]), 1)
			}
			if string(got) != "x"+w {
				t.Fatalf("byte %#x at %d: got %s, encoding/json %s", c, pos, got, want.String())
			}
		}
	}
}
