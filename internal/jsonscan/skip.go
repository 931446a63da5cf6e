package jsonscan

import (
	"encoding/binary"
	"math/bits"
)

// Skip reads and discards the next value, validating it: a value Skip
// accepts is JSON (the grammar, escapes, numbers, literals, nesting up to
// MaxDepth). Like encoding/json's Valid, it does not check that the
// bytes of a skipped string are valid UTF-8: RFC 8259 leaves that to the
// reader of the string, and a decoder that keeps a string checks it
// (the adapters refuse invalid UTF-8 in what they keep), while one it
// skips is never interpreted.
//
// It is one loop without recursion or calls on the common path: the
// kinds of the open containers are a bit stack (MaxDepth is 64), strings
// (keys and values alike) are scanned eight bytes at a time, literals
// are compared as words and plain numbers checked in place; escapes and
// unusual numbers go to slower helpers.
func (s *Scanner) Skip() {
	if s.err != nil {
		return
	}
	s.walk(s.pos, 0, 0, MaxDepth-s.depth, false, nil)
}

// walk is Skip's loop. It starts at i inside depth containers opened
// before (objs their kinds, as in the loop) or, with depth 0, at a value;
// key says a member's key (not a value) comes at i; limit is how many
// containers may be open at once. With ks nil it returns -1 when a whole
// value has been read, s.pos after it. With ks set (NextKey: depth 1, the
// object being iterated), it also stops after the ':' of a member of that
// object whose key is in ks, s.pos at the value, and returns the key's
// index in ks, the key in s.keyStart and s.keyEnd. -1 with an error kept
// is a failure.
func (s *Scanner) walk(i, depth int, objs uint64, limit int, key bool, ks *Keys) int {
	if s.x != nil {
		if x, ok := s.walkIdx(i, depth, objs, limit, key, ks); ok {
			return x
		}
	}
	b := s.b
	for {
		// A value (or, when key, a member's key) starts at i.
		if i < len(b) && b[i] <= ' ' {
			i = skipWS(b, i)
		}
		if i >= len(b) {
			if key {
				s.fail(i, "string", ErrTruncated)
			} else {
				s.fail(i, "value", ErrTruncated)
			}
			return -1
		}
		c := b[i]
		if c == '"' {
			start := i
			esc := false
			i++
		str:
			for {
				for i+8 <= len(b) {
					x := binary.LittleEndian.Uint64(b[i:])
					q := x ^ (lsb * '"')
					e := x ^ (lsb * '\\')
					if t := (((q - lsb) &^ q) | ((e - lsb) &^ e) | ((x - lsb*0x20) &^ x)) & msb; t != 0 {
						i += bits.TrailingZeros64(t) >> 3
						goto special
					}
					i += 8
				}
				for i < len(b) {
					if c := b[i]; c == '"' || c == '\\' || c < 0x20 {
						break
					}
					i++
				}
			special:
				if i < len(b) && b[i] == '"' {
					i++
					break str
				}
				if i = s.skipEscape(i); i < 0 {
					return -1
				}
				esc = true
			}
			if key {
				end := i
				// The ':' after a key, usually right after it.
				if i < len(b) && b[i] == ':' {
					i = afterColon(b, i+1)
				} else if i = skipWS(b, i); i < len(b) && b[i] == ':' {
					i++
				} else {
					s.fail(i, "':'", errFor(i >= len(b)))
					return -1
				}
				key = false
				if ks != nil && depth == 1 {
					k := b[start+1 : end-1]
					if esc {
						k = s.unescapeKey(start)
					}
					if x := ks.index(k); x >= 0 {
						s.pos, s.keyStart, s.keyEnd = i, start+1, end-1
						if esc {
							s.keyStart, s.keyEnd = -1, len(k)
						}
						return x
					}
				}
				continue
			}
		} else if key {
			s.fail(i, "string", typeOrSyntax(c))
			return -1
		} else {
			switch c {
			case '{', '[':
				if depth >= limit {
					s.fail(i, "", ErrDepth)
					return -1
				}
				closer := byte(']')
				if c == '{' {
					closer = '}'
					objs |= 1 << depth
				} else {
					objs &^= 1 << depth
				}
				i++
				if i < len(b) && b[i] <= ' ' {
					i = skipWS(b, i)
				}
				if i < len(b) && b[i] == closer {
					i++ // empty: a value ended
					break
				}
				depth++
				key = c == '{'
				continue
			case 't':
				if i+4 <= len(b) && binary.LittleEndian.Uint32(b[i:]) == wordTrue {
					i += 4
				} else if i = s.skipLiteral(i, "true"); i < 0 {
					return -1
				}
			case 'f':
				if i+5 <= len(b) && binary.LittleEndian.Uint32(b[i+1:]) == wordAlse {
					i += 5
				} else if i = s.skipLiteral(i, "false"); i < 0 {
					return -1
				}
			case 'n':
				if i+4 <= len(b) && binary.LittleEndian.Uint32(b[i:]) == wordNull {
					i += 4
				} else if i = s.skipLiteral(i, "null"); i < 0 {
					return -1
				}
			case '1', '2', '3', '4', '5', '6', '7', '8', '9':
				// The common forms checked in place: digits, a
				// fraction; anything else (an exponent) goes to
				// NumberParts.
				j := digitsEnd(b, i+1)
				if j < len(b) && b[j] == '.' {
					k := digitsEnd(b, j+1)
					if k == j+1 {
						j = -1 // no digit after '.': let NumberParts say so
					} else {
						j = k
					}
				}
				if j < 0 || j < len(b) && (b[j] == 'e' || b[j] == 'E') {
					s.pos = i
					if s.numberBytes() == nil {
						return -1
					}
					j = s.pos
				}
				i = j
			case '-', '0':
				s.pos = i
				if s.numberBytes() == nil {
					return -1
				}
				i = s.pos
			default:
				s.fail(i, "value", ErrSyntax)
				return -1
			}
		}
		// A value ended at i: close containers, or go on to the next
		// member or element.
		for {
			if depth == 0 {
				s.pos = i
				return -1
			}
			if i < len(b) && b[i] <= ' ' {
				i = skipWS(b, i)
			}
			obj := objs>>(depth-1)&1 == 1
			if i < len(b) {
				c := b[i]
				if c == ',' {
					i++
					key = obj
					break
				}
				if obj && c == '}' || !obj && c == ']' {
					i++
					depth--
					continue
				}
			}
			closer := byte(']')
			if obj {
				closer = '}'
			}
			if i >= len(b) {
				s.fail(i, "", ErrTruncated)
			} else {
				s.fail(i, "',' or '"+string(closer)+"'", ErrSyntax)
			}
			return -1
		}
		// After ',' in an array, a ']' fails as "value" above.
	}
}

// The literals as little-endian words ("false" is 'f' and "alse").
const (
	wordTrue = uint32('t') | uint32('r')<<8 | uint32('u')<<16 | uint32('e')<<24
	wordAlse = uint32('a') | uint32('l')<<8 | uint32('s')<<16 | uint32('e')<<24
	wordNull = uint32('n') | uint32('u')<<8 | uint32('l')<<16 | uint32('l')<<24
)

// skipEscape handles the byte at i inside a string that is not an
// ordinary character: the end of input, a control character or a
// backslash. It validates an escape and returns the index after it, or
// -1 with an error kept.
func (s *Scanner) skipEscape(i int) int {
	b := s.b
	if i >= len(b) {
		s.fail(len(b), "string", ErrTruncated)
		return -1
	}
	if b[i] != '\\' {
		s.fail(i, "string", ErrSyntax) // a control character
		return -1
	}
	if i+1 >= len(b) {
		s.fail(len(b), "string", ErrTruncated)
		return -1
	}
	switch b[i+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return i + 2
	case 'u':
		if _, ok := hex4(b, i+2); !ok {
			s.fail(i, "\\uXXXX", errFor(len(b) < i+6))
			return -1
		}
		return i + 6
	}
	s.fail(i, "escape", ErrSyntax)
	return -1
}

// skipLiteral checks the literal lit at i and returns the index after it,
// or -1 with an error kept.
func (s *Scanner) skipLiteral(i int, lit string) int {
	s.pos = i
	s.literal(lit)
	if s.err != nil {
		return -1
	}
	return s.pos
}

// stringClose returns the index of the closing quote of the string whose
// contents continue at i, validating its escapes, or -1 with an error
// kept.
func (s *Scanner) stringClose(i int) int {
	b := s.b
	for {
		i += specialAt(b[i:])
		if i < len(b) && b[i] == '"' {
			return i
		}
		if i = s.skipEscape(i); i < 0 {
			return -1
		}
	}
}

// digitsEnd returns the index of the first byte at or after i that is
// not an ASCII digit, reading eight bytes at a time.
func digitsEnd(b []byte, i int) int {
	for i+8 <= len(b) {
		n := digitCount8(binary.LittleEndian.Uint64(b[i:]))
		i += n
		if n < 8 {
			return i
		}
	}
	for i < len(b) && b[i]-'0' <= 9 {
		i++
	}
	return i
}
