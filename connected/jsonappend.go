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
	orig := len(dst)
	dst = append(dst, '"')
	start, i := 0, 0
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
