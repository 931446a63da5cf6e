package vehicle

import (
	"strconv"
)

// MaxDepth bounds the nesting of JSON the decoders accept: deeper input
// gets ErrRange rather than unbounded work.
const MaxDepth = 64

// scanner is a strict, allocation-free JSON reader over one input. It
// validates everything it passes over, including values it skips, so a
// decoder built on it refuses every input encoding/json would refuse as
// malformed. The first error sticks: later calls return zero values.
type scanner struct {
	b      []byte
	i      int
	err    *ParseError
	format string
	path   []byte   // current JSON path, for errors
	buf    []byte   // unescaped string scratch
	stack  [96]byte // backing for path
}

func (s *scanner) init(b []byte, format string) {
	s.b, s.i, s.err, s.format = b, 0, nil, format
	s.path = s.stack[:0]
}

func (s *scanner) fail(off int, err error) {
	if s.err == nil {
		if off > len(s.b) {
			off = len(s.b)
		}
		s.err = &ParseError{Format: s.format, Field: string(s.path), Offset: off, Err: err}
	}
}

// failHere fails at the current offset: ErrTruncated at the end of input,
// else err.
func (s *scanner) failHere(err error) {
	if s.i >= len(s.b) {
		err = ErrTruncated
	}
	s.fail(s.i, err)
}

func (s *scanner) ws() {
	b, i := s.b, s.i
	for i < len(b) && b[i] <= ' ' && wsTable[b[i]] {
		i++
	}
	s.i = i
}

var wsTable = [256]bool{' ': true, '\t': true, '\n': true, '\r': true}

// peek returns the next non-space byte, or 0 at the end.
func (s *scanner) peek() byte {
	s.ws()
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

// end checks that only white space follows the top-level value.
func (s *scanner) end() {
	if s.err == nil && s.peek() != 0 {
		s.fail(s.i, ErrSyntax)
	}
}

// enterObject consumes '{'. It reports ErrType (not ErrSyntax) when a
// different value starts here, and skips that value.
func (s *scanner) enterObject() bool {
	switch s.peek() {
	case '{':
		s.i++
		return true
	case 0:
		s.failHere(ErrTruncated)
	default:
		at := s.i
		if s.skip() {
			s.fail(at, ErrType)
		}
	}
	return false
}

// enterArray consumes '['.
func (s *scanner) enterArray() bool {
	switch s.peek() {
	case '[':
		s.i++
		return true
	case 0:
		s.failHere(ErrTruncated)
	default:
		at := s.i
		if s.skip() {
			s.fail(at, ErrType)
		}
	}
	return false
}

// nextKey advances to the next member of the object whose '{' was
// consumed; first is true for the first call. It returns the key (valid
// until the next string read) and false at '}' or on error.
func (s *scanner) nextKey(first *bool) ([]byte, bool) {
	if s.err != nil {
		return nil, false
	}
	c := s.peek()
	if c == '}' {
		s.i++
		return nil, false
	}
	if !*first {
		if c != ',' {
			s.failHere(ErrSyntax)
			return nil, false
		}
		s.i++
		c = s.peek()
	}
	*first = false
	if c != '"' {
		s.failHere(ErrSyntax)
		return nil, false
	}
	k, ok := s.str()
	if !ok {
		return nil, false
	}
	if s.peek() != ':' {
		s.failHere(ErrSyntax)
		return nil, false
	}
	s.i++
	return k, true
}

// nextElem advances to the next array element; false at ']' or error.
func (s *scanner) nextElem(first *bool) bool {
	if s.err != nil {
		return false
	}
	c := s.peek()
	if c == ']' {
		s.i++
		return false
	}
	if !*first {
		if c != ',' {
			s.failHere(ErrSyntax)
			return false
		}
		s.i++
		if s.peek() == ']' {
			s.failHere(ErrSyntax)
			return false
		}
	}
	*first = false
	return true
}

// numBytes reads a JSON number and returns its text.
func (s *scanner) numBytes() ([]byte, bool) {
	b, _, _, ok := s.number()
	return b, ok
}

// number reads a JSON number: its text and, when the text has at most 19
// significant digits, its decimal mantissa and power of ten (exact is
// false otherwise).
func (s *scanner) number() (text []byte, mant uint64, exp10 int, exact bool) {
	s.ws()
	b := s.b
	start, i := s.i, s.i
	if i < len(b) && b[i] == '-' {
		i++
	}
	nd := 0 // significant digits accumulated
	exact = true
	intStart := i
	if i < len(b) && b[i] == '0' {
		i++
	} else {
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			if nd < 19 {
				mant = mant*10 + uint64(b[i]-'0')
				if mant != 0 {
					nd++
				}
			} else {
				exact = false
			}
			i++
		}
		if i == intStart {
			s.fail(i, truncOr(i, len(b)))
			return nil, 0, 0, false
		}
	}
	if i < len(b) && b[i] == '.' {
		i++
		fracStart := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			if nd < 19 {
				mant = mant*10 + uint64(b[i]-'0')
				exp10--
				if mant != 0 {
					nd++
				}
			} else if b[i] != '0' {
				exact = false
			}
			i++
		}
		if i == fracStart {
			s.fail(i, truncOr(i, len(b)))
			return nil, 0, 0, false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		neg := false
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			neg = b[i] == '-'
			i++
		}
		expStart, e := i, 0
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			if e < 10000 {
				e = e*10 + int(b[i]-'0')
			}
			i++
		}
		if i == expStart {
			s.fail(i, truncOr(i, len(b)))
			return nil, 0, 0, false
		}
		if neg {
			e = -e
		}
		exp10 += e
	}
	s.i = i
	return b[start:i], mant, exp10, exact
}

// pow10 holds the powers of ten that are exact in a float64.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

func truncOr(i, n int) error {
	if i >= n {
		return ErrTruncated
	}
	return ErrSyntax
}

// num reads a number value. A value of another JSON type gets ErrType.
func (s *scanner) num() (float64, bool) {
	c := s.peek()
	if c != '-' && (c < '0' || c > '9') {
		s.typeErr()
		return 0, false
	}
	b, mant, exp10, exact := s.number()
	if b == nil {
		return 0, false
	}
	// Clinger's fast path: a mantissa below 2^53 and a power of ten
	// exact in float64 give the correctly rounded result with one
	// operation. Everything else goes to strconv.
	if exact && mant < 1<<53 && exp10 >= -22 && exp10 <= 22 {
		f := float64(mant)
		if exp10 < 0 {
			f /= pow10[-exp10]
		} else {
			f *= pow10[exp10]
		}
		if b[0] == '-' {
			f = -f
		}
		return f, true
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil { // out of float64 range
		s.fail(s.i-len(b), ErrRange)
		return 0, false
	}
	return f, true
}

// typeErr skips the value here and reports ErrType at its start.
func (s *scanner) typeErr() {
	at := s.i
	if s.skip() {
		s.fail(at, ErrType)
	}
}

// strVal reads a string value; another JSON type gets ErrType.
func (s *scanner) strVal() ([]byte, bool) {
	if s.peek() != '"' {
		s.typeErr()
		return nil, false
	}
	return s.str()
}

// boolVal reads true or false; another JSON type gets ErrType.
func (s *scanner) boolVal() (bool, bool) {
	switch s.peek() {
	case 't':
		return true, s.lit("true")
	case 'f':
		return false, s.lit("false")
	}
	s.typeErr()
	return false, false
}

// isNull consumes a null if one is next.
func (s *scanner) isNull() bool {
	if s.peek() == 'n' {
		return s.lit("null")
	}
	return false
}

func (s *scanner) lit(w string) bool {
	for k := 0; k < len(w); k++ {
		if s.i+k >= len(s.b) {
			s.fail(len(s.b), ErrTruncated)
			return false
		}
		if s.b[s.i+k] != w[k] {
			s.fail(s.i+k, ErrSyntax)
			return false
		}
	}
	s.i += len(w)
	return true
}

// skip passes over one value of any type, validating it. It is iterative
// and bounded by MaxDepth.
func (s *scanner) skip() bool {
	depth := 0
	var kinds [MaxDepth]byte // '{' or '['
	first := false
	for s.err == nil {
		if depth > 0 {
			c := s.peek()
			closer := byte('}')
			if kinds[depth-1] == '[' {
				closer = ']'
			}
			if c == closer {
				s.i++
				depth--
				first = false
				if depth == 0 {
					return true
				}
				continue
			}
			if !first {
				if c != ',' {
					s.failHere(ErrSyntax)
					return false
				}
				s.i++
			}
			first = false
			if kinds[depth-1] == '{' {
				if s.peek() != '"' {
					s.failHere(ErrSyntax)
					return false
				}
				if _, ok := s.str(); !ok {
					return false
				}
				if s.peek() != ':' {
					s.failHere(ErrSyntax)
					return false
				}
				s.i++
			}
		}
		switch c := s.peek(); c {
		case '{', '[':
			if depth == MaxDepth {
				s.fail(s.i, ErrRange)
				return false
			}
			kinds[depth] = c
			depth++
			s.i++
			first = true
			continue
		case '"':
			s.str()
		case 't':
			s.lit("true")
		case 'f':
			s.lit("false")
		case 'n':
			s.lit("null")
		case 0:
			s.failHere(ErrTruncated)
		default:
			if c == '-' || (c >= '0' && c <= '9') {
				s.numBytes()
			} else {
				s.fail(s.i, ErrSyntax)
			}
		}
		if depth == 0 {
			return s.err == nil
		}
	}
	return false
}

// push and pop maintain s.path for error messages.
func (s *scanner) push(seg string) int {
	n := len(s.path)
	if n > 0 {
		s.path = append(s.path, '.')
	}
	s.path = append(s.path, seg...)
	return n
}

// pushKey is push for a key read from the input.
func (s *scanner) pushKey(seg []byte) int {
	n := len(s.path)
	if n > 0 {
		s.path = append(s.path, '.')
	}
	s.path = append(s.path, seg...)
	return n
}

func (s *scanner) pushIndex(i int) int {
	n := len(s.path)
	s.path = append(s.path, '[')
	s.path = strconv.AppendInt(s.path, int64(i), 10)
	s.path = append(s.path, ']')
	return n
}

func (s *scanner) pop(n int) { s.path = s.path[:n] }
