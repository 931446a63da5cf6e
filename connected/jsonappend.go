package connected

import (
	"math"
	"strconv"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// This file holds the low-level JSON appenders used by the encoders. They
// assume valid input: callers validate UTF-8 and finiteness first.

const hexDigits = "0123456789abcdef"

// plain[c] is true for bytes that JSON strings carry as they are: ASCII
// from space up, except the quote and the backslash. Bytes from 0x80 up are
// false: they start a multi-byte rune that must be validated.
var plain = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// appendString appends s as a JSON string. It escapes like encoding/json
// (quotes, backslash, control characters, U+2028 and U+2029) except that it
// leaves <, > and & alone. It reports false, with dst unchanged, when s is
// not valid UTF-8: validation and escaping are one pass.
func appendString(dst []byte, s string) ([]byte, bool) {
	i := plainPrefix(s)
	if i == len(s) { // the usual case: nothing to escape or to validate
		dst = append(dst, '"')
		dst = append(dst, s...)
		return append(dst, '"'), true
	}
	return appendStringFrom(dst, s, i)
}

// plainPrefix returns the length of s's longest prefix of plain bytes,
// eight at a time while it can.
func plainPrefix(s string) int {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		w := s[i : i+8]
		x := uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
			uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
		if needsEscape(x) {
			break
		}
	}
	for i < len(s) && plain[s[i]] {
		i++
	}
	return i
}

// needsEscape reports whether any of the eight bytes in x is not plain: a
// control character, a quote, a backslash or a byte from 0x80 up. (The
// zero-byte tests may also flag a byte above one that is flagged rightly,
// never a word of plain bytes alone.)
func needsEscape(x uint64) bool {
	less := (x - lsb*0x20) & ^x & msb // a byte below 0x20 (bytes from 0x80 up are caught below)
	q := x ^ lsb*'"'
	bs := x ^ lsb*'\\'
	return (less | (q-lsb)&^q&msb | (bs-lsb)&^bs&msb | x&msb) != 0
}

// appendStringFrom is appendString for s whose first i bytes are plain.
func appendStringFrom(dst []byte, s string, i int) ([]byte, bool) {
	orig := len(dst)
	dst = append(dst, '"')
	start := 0
	for {
		for i < len(s) && plain[s[i]] {
			i++
		}
		if i >= len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return dst[:orig], false
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			start = i + size
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"'), true
}

// appendValidString appends s, which the caller knows is valid UTF-8 (a
// constant, or a value checked before).
func appendValidString(dst []byte, s string) []byte {
	dst, _ = appendString(dst, s)
	return dst
}

// appendFloat appends a finite float like encoding/json does.
func appendFloat(dst []byte, f float64, bits int) []byte {
	if bits == 64 {
		if out, ok := appendFewDecimals(dst, f); ok {
			return out
		}
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 {
		if bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) {
			format = 'e'
		}
	}
	dst = strconv.AppendFloat(dst, f, format, -1, bits)
	if format == 'e' {
		// clean up e-09 to e-9
		n := len(dst)
		if n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
	}
	return dst
}

// appendFewDecimals appends f as strconv.AppendFloat(dst, f, 'f', -1, 64)
// does, when f is a decimal of at most six places with 1e-6 <= |f| < 2^32
// (prices, quantities, measurements: most numbers events carry); it
// reports false, appending nothing, for any other f.
//
// Why the bytes are the same: below 2^32 adjacent float64s are less than
// 1e-6 apart, so at most one number with six decimals converts to f.
// m = round(|f| * 1e6) is that number (times 1e6) when there is one: the
// product is off by less than 0.5. float64(m) / 1e6 is the correctly
// rounded quotient, which is what parsing the decimal gives, so comparing
// it with |f| tells whether the decimal converts to f. Any decimal of
// fewer places that converts to f is the same number, so m without its
// trailing zeros is the decimal of fewest places, hence of fewest
// significant digits, that converts to f: the digits the shortest
// formatting strconv does picks.
func appendFewDecimals(dst []byte, f float64) ([]byte, bool) {
	a := math.Abs(f)
	if !(a >= 1e-6 && a < 1<<32) { // also NaN
		return dst, false
	}
	m := math.Round(a * 1e6)
	if m/1e6 != a {
		return dst, false
	}
	u := uint64(m)
	if f < 0 {
		dst = append(dst, '-')
	}
	dst = appendUint(dst, u/1e6)
	frac := u % 1e6
	if frac == 0 {
		return dst, true
	}
	// The six decimals, two at a time, without their trailing zeros.
	hi, mid, lo := frac/1e4, frac/100%100, frac%100
	d := [7]byte{'.', digits2[2*hi], digits2[2*hi+1], digits2[2*mid], digits2[2*mid+1], digits2[2*lo], digits2[2*lo+1]}
	n := len(d)
	for d[n-1] == '0' {
		n--
	}
	return append(dst, d[:n]...), true
}

// digits2 is "00" to "99": the two decimal digits of n at 2n.
const digits2 = "00010203040506070809" + "10111213141516171819" + "20212223242526272829" + "30313233343536373839" +
	"40414243444546474849" + "50515253545556575859" + "60616263646566676869" + "70717273747576777879" +
	"80818283848586878889" + "90919293949596979899"

// appendUint appends u in decimal, as strconv.AppendUint(dst, u, 10)
// does; below 10,000 (most counts, quantities and prices' integer parts)
// without a call.
func appendUint(dst []byte, u uint64) []byte {
	switch {
	case u < 10:
		return append(dst, byte('0'+u))
	case u < 100:
		return append(dst, digits2[2*u], digits2[2*u+1])
	case u < 1000:
		q := u / 100
		r := u - q*100
		return append(dst, byte('0'+q), digits2[2*r], digits2[2*r+1])
	case u < 10000:
		q := u / 100
		r := u - q*100
		return append(dst, digits2[2*q], digits2[2*q+1], digits2[2*r], digits2[2*r+1])
	}
	return strconv.AppendUint(dst, u, 10)
}

// appendInt appends i in decimal, as strconv.AppendInt(dst, i, 10) does.
func appendInt(dst []byte, i int64) []byte {
	if i < 0 {
		if i == math.MinInt64 {
			return strconv.AppendInt(dst, i, 10)
		}
		dst = append(dst, '-')
		i = -i
	}
	return appendUint(dst, uint64(i))
}

// TimeLayout is the wire layout of every timestamp Touchpoint writes:
// RFC 3339 in UTC with exactly three fractional digits.
const TimeLayout = "2006-01-02T15:04:05.000Z07:00"

// appendTime appends t as a quoted RFC 3339 UTC timestamp with
// milliseconds, e.g. "2026-11-24T10:30:00.000Z". The year must be in
// [0, 9999]; validation keeps event times within 2000..2100.
func appendTime(dst []byte, t time.Time) []byte {
	t = t.UTC()
	ms := t.Nanosecond() / 1e6
	sec := t.Unix()
	if c := lastSecond.Load(); c != nil && c.sec == sec {
		dst = append(dst, '"')
		dst = append(dst, c.prefix[:]...)
		return append(dst, '.', byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10), 'Z', '"')
	}
	year, month, day := t.Date()
	hour, minute, s := t.Clock()
	if year < 0 || year > 9999 {
		dst = append(dst, '"')
		dst = t.AppendFormat(dst, TimeLayout)
		return append(dst, '"')
	}
	c := &secondPrefix{sec: sec, prefix: [19]byte{
		byte('0' + year/1000), byte('0' + year/100%10), byte('0' + year/10%10), byte('0' + year%10), '-',
		byte('0' + int(month)/10), byte('0' + int(month)%10), '-',
		byte('0' + day/10), byte('0' + day%10), 'T',
		byte('0' + hour/10), byte('0' + hour%10), ':',
		byte('0' + minute/10), byte('0' + minute%10), ':',
		byte('0' + s/10), byte('0' + s%10)}}
	lastSecond.Store(c)
	dst = append(dst, '"')
	dst = append(dst, c.prefix[:]...)
	return append(dst, '.', byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10), 'Z', '"')
}

// secondPrefix is a second's formatted "YYYY-MM-DDTHH:MM:SS". lastSecond
// caches the latest one: events come in bursts within the same second, and
// formatting the date is most of appendTime's cost. It is immutable once
// stored; racing stores only replace one valid entry with another.
type secondPrefix struct {
	sec    int64
	prefix [19]byte
}

var lastSecond atomic.Pointer[secondPrefix]

// validNumber reports whether s is a valid JSON number literal.
func validNumber(s string) bool {
	if s == "" {
		return false
	}
	i := 0
	if s[i] == '-' {
		i++
		if i == len(s) {
			return false
		}
	}
	switch {
	case s[i] == '0':
		i++
	case s[i] >= '1' && s[i] <= '9':
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if i == len(s) || s[i] < '0' || s[i] > '9' {
			return false
		}
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i == len(s) || s[i] < '0' || s[i] > '9' {
			return false
		}
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	}
	return i == len(s)
}
