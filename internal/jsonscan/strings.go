package jsonscan

import (
	"encoding/binary"
	"math/bits"
	"unicode/utf8"
)

// String reads a string and returns its contents, unescaped. Without
// escapes the result aliases the input; with escapes it is a new buffer.
func (s *Scanner) String() []byte { return s.str(false) }

// Text reads a string like String, but unescapes a string with escapes
// into a buffer the Scanner reuses: the result is valid only until the
// next call of Text. Decoders that copy what they keep use it to decode
// without allocating.
func (s *Scanner) Text() []byte { return s.str(true) }

func (s *Scanner) str(reuse bool) []byte {
	if s.err != nil {
		return nil
	}
	s.ws()
	if s.pos >= len(s.b) {
		s.fail(s.pos, "string", ErrTruncated)
		return nil
	}
	if s.b[s.pos] != '"' {
		s.fail(s.pos, "string", typeOrSyntax(s.b[s.pos]))
		return nil
	}
	start := s.pos + 1
	if s.ready() {
		if i := s.closeQuote(s.pos); i >= 0 {
			s.pos = i + 1
			return s.b[start:i] // no escapes: the index's documents have none
		}
	}
	i := stringEnd(s.b, start)
	if i < len(s.b) && s.b[i] == '"' {
		s.pos = i + 1
		return s.b[start:i] // no escapes: the common case
	}
	switch {
	case i >= len(s.b):
		s.fail(len(s.b), "string", ErrTruncated)
		return nil
	case s.b[i] == '"':
		s.pos = i + 1
		return s.b[start:i]
	case s.b[i] == '\\':
		if !reuse {
			// A fresh buffer of the length of the escaped text, which
			// bounds the unescaped one: one allocation, not a doubling
			// series (a Google Wallet signedMessage is hundreds of
			// escaped bytes).
			end := s.stringClose(i)
			if end < 0 {
				return nil
			}
			return s.unescape(make([]byte, 0, end-start), start)
		}
		out := s.unescape(s.scratch[:0], start)
		if out != nil {
			s.scratch = out
		}
		return out
	}
	s.fail(i, "string", ErrSyntax) // a control character
	return nil
}

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// specialAt returns the index of the first '"', '\\' or control character
// (below 0x20) in b, or len(b). It tests eight bytes at a time: in each
// word, the lowest flagged byte is exact (borrows only flag bytes above a
// true match).
func specialAt(b []byte) int {
	i := 0
	for ; i+8 <= len(b); i += 8 {
		if t := specialMask(binary.LittleEndian.Uint64(b[i:])); t != 0 {
			return i + bits.TrailingZeros64(t)/8
		}
	}
	for ; i < len(b); i++ {
		if c := b[i]; c == '"' || c == '\\' || c < 0x20 {
			return i
		}
	}
	return i
}

// specialMask flags, in the most significant bit of each byte of x, the
// bytes that end a run of ordinary string characters: '"', '\\' and
// control characters. The lowest flag is exact (borrows only flag bytes
// above a true match).
func specialMask(x uint64) uint64 {
	q := x ^ (lsb * '"')
	e := x ^ (lsb * '\\')
	return (((q - lsb) &^ q) | ((e - lsb) &^ e) | ((x - lsb*0x20) &^ x)) & msb
}

// stringEnd returns the index of the first '"', '\\' or control
// character at or after j: specialAt in place.
func stringEnd(b []byte, j int) int {
	for ; j+8 <= len(b); j += 8 {
		if t := specialMask(binary.LittleEndian.Uint64(b[j:])); t != 0 {
			return j + bits.TrailingZeros64(t)>>3
		}
	}
	for ; j < len(b); j++ {
		if c := b[j]; c == '"' || c == '\\' || c < 0x20 {
			return j
		}
	}
	return j
}

// unescape decodes a string with escapes starting at start (after the
// quote), appending to out.
func (s *Scanner) unescape(out []byte, start int) []byte {
	i := start
	for i < len(s.b) {
		c := s.b[i]
		switch {
		case c == '"':
			s.pos = i + 1
			return out
		case c < 0x20:
			s.fail(i, "string", ErrSyntax)
			return nil
		case c != '\\':
			out = append(out, c)
			i++
			continue
		}
		if i+1 >= len(s.b) {
			s.fail(len(s.b), "string", ErrTruncated)
			return nil
		}
		switch e := s.b[i+1]; e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := hex4(s.b, i+2)
			if !ok {
				s.fail(i, "\\uXXXX", errFor(len(s.b) < i+6))
				return nil
			}
			i += 6
			if r >= 0xD800 && r < 0xDC00 {
				if r2, ok := hex4(s.b, i+2); ok && i+1 < len(s.b) && s.b[i] == '\\' && s.b[i+1] == 'u' && r2 >= 0xDC00 && r2 < 0xE000 {
					r = (r-0xD800)<<10 + (r2 - 0xDC00) + 0x10000
					i += 6
				} else {
					r = utf8.RuneError
				}
			} else if r >= 0xDC00 && r < 0xE000 {
				r = utf8.RuneError
			}
			out = utf8.AppendRune(out, r)
			continue
		default:
			s.fail(i, "escape", ErrSyntax)
			return nil
		}
		i += 2
	}
	s.fail(len(s.b), "string", ErrTruncated)
	return nil
}

func errFor(truncated bool) error {
	if truncated {
		return ErrTruncated
	}
	return ErrSyntax
}

func hex4(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// ValidUTF8 is utf8.Valid with the common case first: a string of ASCII
// (nearly every id, code and name a decoder keeps) is tested a word at a
// time, the last word overlapping the one before, where utf8.Valid would
// finish it byte by byte; any other string goes on to utf8.Valid.
func ValidUTF8(b []byte) bool {
	n := len(b)
	var x uint64
	switch {
	case n >= 8:
		for i := 0; i+8 <= n; i += 8 {
			x |= binary.LittleEndian.Uint64(b[i:])
		}
		x |= binary.LittleEndian.Uint64(b[n-8:])
	case n >= 4:
		x = uint64(binary.LittleEndian.Uint32(b) | binary.LittleEndian.Uint32(b[n-4:]))
	case n > 0:
		x = uint64(b[0] | b[n>>1] | b[n-1])
	}
	return x&msb == 0 || utf8.Valid(b)
}
