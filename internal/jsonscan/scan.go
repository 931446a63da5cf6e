// Package jsonscan is a small, strict, allocation-free JSON reader for the
// adapters' decoders (home, attention): it walks a payload once, hands out
// keys and string values as sub-slices of the input, skips what the caller
// does not ask for, and keeps the first error with its byte offset.
//
// It exists because encoding/json costs several microseconds and a dozen
// allocations per kilobyte, and the adapters decode each device payload in
// under two microseconds. It validates what it reads or skips (strings,
// escapes, numbers, literals, nesting up to MaxDepth, trailing bytes), so a
// payload it accepts is JSON; it does not check that object keys are
// unique or that strings are valid UTF-8 (callers that keep strings check
// that themselves).
//
// A Scanner is a value owned by one goroutine. Slices it returns alias the
// input (or, for strings with escapes, a fresh buffer) and are valid as long
// as the input is.
package jsonscan

import (
	"encoding/binary"
	"errors"
	"math/bits"
	"strconv"
	"unicode/utf8"
)

// MaxDepth is the deepest nesting of objects and arrays a Scanner accepts.
const MaxDepth = 64

// Errors kept by a Scanner, wrapped in a *SyntaxError.
var (
	// ErrSyntax: the input is not JSON at the offset.
	ErrSyntax = errors.New("invalid JSON")
	// ErrTruncated: the input ends inside a value.
	ErrTruncated = errors.New("JSON ends early")
	// ErrDepth: objects and arrays nest deeper than MaxDepth.
	ErrDepth = errors.New("JSON nests too deep")
	// ErrType: a value of another type than the caller asked for.
	ErrType = errors.New("unexpected JSON type")
)

// SyntaxError says where reading stopped and why. It unwraps to one of the
// errors above.
type SyntaxError struct {
	Offset int    // byte offset in the input
	Want   string // what was expected ("string", "object", ...), or ""
	Err    error
}

// Error describes the failure.
func (e *SyntaxError) Error() string {
	s := "offset " + strconv.Itoa(e.Offset) + ": " + e.Err.Error()
	if e.Want != "" {
		s += " (want " + e.Want + ")"
	}
	return s
}

// Unwrap returns the cause.
func (e *SyntaxError) Unwrap() error { return e.Err }

// Scanner reads one JSON document. Methods do nothing once an error is
// kept; Err returns it.
type Scanner struct {
	b     []byte
	pos   int
	depth int
	err   *SyntaxError
}

// New returns a Scanner over b.
func New(b []byte) Scanner { return Scanner{b: b} }

// Err returns the first error, or nil.
func (s *Scanner) Err() error {
	if s.err == nil {
		return nil
	}
	return s.err
}

// Pos returns the offset of the next unread byte.
func (s *Scanner) Pos() int { return s.pos }

func (s *Scanner) fail(off int, want string, err error) {
	if s.err == nil {
		s.err = &SyntaxError{Offset: off, Want: want, Err: err}
	}
}

// Failed reports whether an error is kept.
func (s *Scanner) Failed() bool { return s.err != nil }

func (s *Scanner) ws() {
	for s.pos < len(s.b) {
		switch s.b[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// Peek returns the first byte of the next value ('{', '[', '"', 't', 'f',
// 'n', or a number's first byte), or 0 at the end of input or after an
// error.
func (s *Scanner) Peek() byte {
	if s.err != nil {
		return 0
	}
	s.ws()
	if s.pos >= len(s.b) {
		return 0
	}
	return s.b[s.pos]
}

// Object starts reading an object; loop with Next. It keeps ErrType when
// the next value is not an object.
func (s *Scanner) Object() Iter {
	if !s.open('{', "object") {
		return Iter{s: s, done: true}
	}
	return Iter{s: s, obj: true}
}

// Array starts reading an array; loop with Next.
func (s *Scanner) Array() Iter {
	if !s.open('[', "array") {
		return Iter{s: s, done: true}
	}
	return Iter{s: s}
}

func (s *Scanner) open(c byte, want string) bool {
	if s.err != nil {
		return false
	}
	s.ws()
	if s.pos >= len(s.b) {
		s.fail(s.pos, want, ErrTruncated)
		return false
	}
	if s.b[s.pos] != c {
		s.fail(s.pos, want, typeOrSyntax(s.b[s.pos]))
		return false
	}
	s.depth++
	if s.depth > MaxDepth {
		s.fail(s.pos, "", ErrDepth)
		return false
	}
	s.pos++
	return true
}

// Iter walks the members of an object or the elements of an array. After
// Next returns true for an object, Key holds the member's key and the
// caller must read or Skip its value.
type Iter struct {
	s    *Scanner
	obj  bool
	n    int
	done bool
	key  []byte
}

// Next advances to the next member or element. It returns false at the
// closing bracket or on error.
func (it *Iter) Next() bool {
	s := it.s
	if it.done || s.err != nil {
		return false
	}
	s.ws()
	if s.pos >= len(s.b) {
		s.fail(s.pos, "", ErrTruncated)
		return false
	}
	c := s.b[s.pos]
	closer := byte(']')
	if it.obj {
		closer = '}'
	}
	if c == closer {
		s.pos++
		s.depth--
		it.done = true
		return false
	}
	if it.n > 0 {
		if c != ',' {
			s.fail(s.pos, "',' or '"+string(closer)+"'", ErrSyntax)
			return false
		}
		s.pos++
		s.ws()
	}
	it.n++
	if !it.obj {
		return true
	}
	it.key = s.String()
	if s.err != nil {
		return false
	}
	s.ws()
	if s.pos >= len(s.b) {
		s.fail(s.pos, "':'", ErrTruncated)
		return false
	}
	if s.b[s.pos] != ':' {
		s.fail(s.pos, "':'", ErrSyntax)
		return false
	}
	s.pos++
	return true
}

// Key returns the current member's key (unescaped).
func (it *Iter) Key() []byte { return it.key }

// String reads a string and returns its contents, unescaped. Without
// escapes the result aliases the input.
func (s *Scanner) String() []byte {
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
	i := start + specialAt(s.b[start:])
	switch {
	case i >= len(s.b):
		s.fail(len(s.b), "string", ErrTruncated)
		return nil
	case s.b[i] == '"':
		s.pos = i + 1
		return s.b[start:i]
	case s.b[i] == '\\':
		return s.unescape(start)
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
		x := binary.LittleEndian.Uint64(b[i:])
		q := x ^ (lsb * '"')
		e := x ^ (lsb * '\\')
		t := ((q - lsb) &^ q) | ((e - lsb) &^ e) | ((x - lsb*0x20) &^ x)
		if t &= msb; t != 0 {
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

// unescape decodes a string with escapes starting at start (after the
// quote) into a new buffer.
func (s *Scanner) unescape(start int) []byte {
	out := make([]byte, 0, 32)
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

// Number reads a number.
func (s *Scanner) Number() float64 {
	b := s.numberBytes()
	if b == nil {
		return 0
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil { // out of float64 range
		s.fail(s.pos-len(b), "finite number", ErrSyntax)
		return 0
	}
	return f
}

// numberBytes reads and validates a JSON number, returning its text.
func (s *Scanner) numberBytes() []byte {
	if s.err != nil {
		return nil
	}
	s.ws()
	start := s.pos
	i := start
	b := s.b
	if i < len(b) && b[i] == '-' {
		i++
	}
	if i >= len(b) {
		s.fail(i, "number", ErrTruncated)
		return nil
	}
	switch c := b[i]; {
	case c == '0':
		i++
	case c >= '1' && c <= '9':
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	default:
		if i == start {
			s.fail(i, "number", typeOrSyntax(c))
		} else {
			s.fail(i, "digit", ErrSyntax)
		}
		return nil
	}
	if i < len(b) && b[i] == '.' {
		i++
		d := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == d {
			s.fail(i, "digit", errFor(i >= len(b)))
			return nil
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		d := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == d {
			s.fail(i, "digit", errFor(i >= len(b)))
			return nil
		}
	}
	s.pos = i
	return b[start:i]
}

// Bool reads true or false.
func (s *Scanner) Bool() bool {
	switch s.Peek() {
	case 't':
		s.literal("true")
		return s.err == nil
	case 'f':
		s.literal("false")
		return false
	case 0:
		if s.err == nil {
			s.fail(s.pos, "boolean", ErrTruncated)
		}
		return false
	}
	s.fail(s.pos, "boolean", typeOrSyntax(s.b[s.pos]))
	return false
}

// typeOrSyntax says whether c starts a JSON value (of another type than
// wanted: ErrType) or nothing JSON (ErrSyntax).
func typeOrSyntax(c byte) error {
	switch {
	case c == '{', c == '[', c == '"', c == 't', c == 'f', c == 'n', c == '-', c >= '0' && c <= '9':
		return ErrType
	}
	return ErrSyntax
}

// Null consumes a null and reports true when the next value is null; it
// leaves any other value unread.
func (s *Scanner) Null() bool {
	if s.Peek() != 'n' {
		return false
	}
	s.literal("null")
	return s.err == nil
}

func (s *Scanner) literal(lit string) {
	if len(s.b)-s.pos < len(lit) {
		if string(s.b[s.pos:]) == lit[:len(s.b)-s.pos] {
			s.fail(len(s.b), lit, ErrTruncated)
		} else {
			s.fail(s.pos, lit, ErrSyntax)
		}
		return
	}
	if string(s.b[s.pos:s.pos+len(lit)]) != lit {
		s.fail(s.pos, lit, ErrSyntax)
		return
	}
	s.pos += len(lit)
}

// Skip reads and discards the next value, validating it.
func (s *Scanner) Skip() {
	switch c := s.Peek(); c {
	case '{':
		it := s.Object()
		for it.Next() {
			s.Skip()
		}
	case '[':
		it := s.Array()
		for it.Next() {
			s.Skip()
		}
	case '"':
		s.String()
	case 't', 'f':
		s.Bool()
	case 'n':
		s.Null()
	case 0:
		if s.err == nil {
			s.fail(s.pos, "value", ErrTruncated)
		}
	default:
		if c == '-' || c >= '0' && c <= '9' {
			s.numberBytes()
			return
		}
		s.fail(s.pos, "value", ErrSyntax)
	}
}

// End checks that only white space follows.
func (s *Scanner) End() {
	if s.err != nil {
		return
	}
	s.ws()
	if s.pos != len(s.b) {
		s.fail(s.pos, "end of input", ErrSyntax)
	}
}
