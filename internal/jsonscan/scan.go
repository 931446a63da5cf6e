// Package jsonscan is a small, strict, allocation-free JSON reader for
// the adapters' decoders (home, attention, pos, vehicle): it walks a
// payload once, hands out keys and string values as sub-slices of the
// input, skips what the caller does not ask for, and keeps the first error
// with its byte offset.
//
// It exists because encoding/json costs several microseconds and a dozen
// allocations per kilobyte, and the adapters aim to decode each device
// payload in about two microseconds. Measured decode costs (BenchmarkSkip,
// CPU time per payload, median of six on a shared two-core machine,
// December 2026): validating the 3.9 KB indented Stripe charge 2.1 µs
// (1.5 µs compact), the 3.1 KB Smartcar delivery 1.8 µs (1.3 µs compact),
// a 1.7 KB Home Assistant event 1.0 µs; about 0.5 ns per byte, which is
// the floor under every decoder built on the scanner. It validates
// what it reads or skips (strings, escapes, numbers, literals, nesting up
// to MaxDepth, trailing bytes), so a payload it accepts is JSON; it does
// not check that object keys are unique or that strings are valid UTF-8
// (callers that keep strings check that themselves). Numbers are
// correctly rounded (NumberParts, Float: exact fast path, strconv
// otherwise).
//
// Decoders that keep a few members of large objects name them in a Keys
// set and loop with Iter.NextKey: the members they do not keep are
// skipped by Skip's loop, at Skip's cost, instead of one Next, one key
// comparison and one Skip call each.
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
	b       []byte
	n       int // len(b), or 0 once an error is kept: the inlined fast paths' one test
	pos     int
	depth   int
	err     *SyntaxError
	scratch []byte // Text's unescape buffer
	// The key walk stopped at (NextKey): b[keyStart:keyEnd], or with
	// keyStart -1 scratch[:keyEnd]. Offsets, not a slice: no pointer is
	// written per key.
	keyStart, keyEnd int
}

// New returns a Scanner over b.
func New(b []byte) Scanner { return Scanner{b: b, n: len(b)} }

// Reset makes s read b from the start, forgetting any error but keeping
// the buffer Text unescapes into, so that a decoder reused for a stream
// of payloads does not allocate it again.
func (s *Scanner) Reset(b []byte) { *s = Scanner{b: b, n: len(b), scratch: s.scratch[:0]} }

// Consume skips white space and consumes the byte c when it comes next;
// it reports whether it did. It keeps no error either way: decoders with
// their own grammar on top of the scanner (a key loop, a path) use it for
// the punctuation they check themselves.
func (s *Scanner) Consume(c byte) bool {
	if s.err != nil {
		return false
	}
	s.ws()
	if s.pos < len(s.b) && s.b[s.pos] == c {
		s.pos++
		return true
	}
	return false
}

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
		s.n = 0
	}
}

// Failed reports whether an error is kept.
func (s *Scanner) Failed() bool { return s.err != nil }

func (s *Scanner) ws() {
	if i := s.pos; i < len(s.b) && s.b[i] > ' ' {
		return // no white space: the common case, inlined
	}
	s.wsSlow()
}

//go:noinline
func (s *Scanner) wsSlow() { s.pos = skipWS(s.b, s.pos) }

// spaces8 is eight ASCII spaces as a little-endian word.
const spaces8 = lsb * ' '

// skipWS returns the index of the first byte at or after i that is not
// JSON white space. Compact JSON leaves at the first test; indented JSON
// (a newline, then a run of spaces) passes up to eight spaces per step.
func skipWS(b []byte, i int) int {
	for i < len(b) {
		if c := b[i]; c > ' ' || c != ' ' && c != '\n' && c != '\t' && c != '\r' {
			return i
		}
		i++
		if i+8 <= len(b) {
			x := binary.LittleEndian.Uint64(b[i:]) ^ spaces8
			if x == 0 {
				i += 8
				continue
			}
			i += bits.TrailingZeros64(x) >> 3
		}
	}
	return i
}

// afterColon returns i, or i+1 when b[i] is the single space indented
// JSON puts after a member's ':' and a value follows it.
func afterColon(b []byte, i int) int {
	if i+1 < len(b) && b[i] == ' ' && b[i+1] > ' ' {
		return i + 1
	}
	return i
}

// Peek returns the first byte of the next value ('{', '[', '"', 't', 'f',
// 'n', or a number's first byte), or 0 at the end of input or after an
// error.
func (s *Scanner) Peek() byte {
	// s.n is 0 once an error is kept: one test for both (and the form
	// that fits the compiler's inlining budget).
	if s.pos < s.n && s.b[s.pos] > ' ' {
		return s.b[s.pos] // no white space: the common case, inlined
	}
	return s.peekSlow()
}

//go:noinline
func (s *Scanner) peekSlow() byte {
	if s.err != nil {
		return 0
	}
	s.pos = skipWS(s.b, s.pos)
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
	// The current key: s.b[ks:ke], or kb when it is not a slice of the
	// input as it stands (escapes, or a key read the slow way). Offsets,
	// not a slice, in the common case: no pointer is written per key.
	ks, ke int
	kb     []byte
}

// setKey makes b[start:end] the current key.
func (it *Iter) setKey(start, end int) {
	it.ks, it.ke = start, end
	if it.kb != nil {
		it.kb = nil
	}
}

// Next advances to the next member or element. It returns false at the
// closing bracket or on error.
func (it *Iter) Next() bool {
	s := it.s
	if it.done || s.err != nil {
		return false
	}
	b, i := s.b, s.pos
	if i < len(b) && b[i] <= ' ' {
		i = skipWS(b, i)
	}
	if i >= len(b) {
		s.fail(i, "", ErrTruncated)
		return false
	}
	c := b[i]
	closer := byte(']')
	if it.obj {
		closer = '}'
	}
	if c == closer {
		s.pos = i + 1
		s.depth--
		it.done = true
		return false
	}
	if it.n > 0 {
		if c != ',' {
			s.fail(i, "',' or '"+string(closer)+"'", ErrSyntax)
			return false
		}
		if i++; i < len(b) && b[i] <= ' ' {
			i = skipWS(b, i)
		}
	}
	it.n++
	if !it.obj {
		s.pos = i
		return true
	}
	if i < len(b) && b[i] == '"' {
		j := stringEnd(b, i+1)
		if j < len(b) && b[j] == '"' {
			// A key without escapes (the common case) and, usually, the
			// ':' right after it.
			it.setKey(i+1, j)
			if j+1 < len(b) && b[j+1] == ':' {
				s.pos = afterColon(b, j+2)
				return true
			}
			s.pos = j + 1
		} else {
			s.pos = i
			it.kb = s.String()
		}
	} else {
		s.pos = i
		it.kb = s.String()
	}
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

// Member advances to the next member of an object whose '{' the caller
// consumed (with Consume): first is true for the first call. It returns
// the member's key, unescaped into Text's buffer (valid until the next
// Text or Member), with the ':' consumed, or false at the closing '}' (then
// consumed) or on error. A missing ',' or ':' or a key that is not a
// string is ErrSyntax (ErrTruncated at the end of input). It is the
// one-call form of Iter.Next for decoders that keep their own nesting.
func (s *Scanner) Member(first bool) ([]byte, bool) {
	if s.err != nil {
		return nil, false
	}
	b := s.b
	i := s.pos
	if i < len(b) && b[i] <= ' ' {
		i = skipWS(b, i)
	}
	if i < len(b) && b[i] == '}' {
		s.pos = i + 1
		return nil, false
	}
	if !first {
		if i >= len(b) || b[i] != ',' {
			s.fail(i, "',' or '}'", errFor(i >= len(b)))
			return nil, false
		}
		if i++; i < len(b) && b[i] <= ' ' {
			i = skipWS(b, i)
		}
	}
	if i >= len(b) || b[i] != '"' {
		s.fail(i, "string", errFor(i >= len(b)))
		return nil, false
	}
	var k []byte
	j := stringEnd(b, i+1)
	if j < len(b) && b[j] == '"' {
		k, i = b[i+1:j], j+1 // no escapes: the common case
	} else {
		s.pos = i
		if k = s.str(true); s.err != nil {
			return nil, false
		}
		i = s.pos
	}
	if i < len(b) && b[i] == ':' {
		s.pos = afterColon(b, i+1)
		return k, true
	}
	i = skipWS(b, i)
	if i >= len(b) || b[i] != ':' {
		s.fail(i, "':'", errFor(i >= len(b)))
		return nil, false
	}
	s.pos = i + 1
	return k, true
}

// Element advances to the next element of an array whose '[' the caller
// consumed: first is true for the first call. It returns false at the
// closing ']' (then consumed) or on error: a missing ',' and a ',' before
// ']' are ErrSyntax (ErrTruncated at the end of input).
func (s *Scanner) Element(first bool) bool {
	if s.err != nil {
		return false
	}
	b := s.b
	i := skipWS(b, s.pos)
	if i < len(b) && b[i] == ']' {
		s.pos = i + 1
		return false
	}
	if !first {
		if i >= len(b) || b[i] != ',' {
			s.fail(i, "',' or ']'", errFor(i >= len(b)))
			return false
		}
		i = skipWS(b, i+1)
		if i < len(b) && b[i] == ']' {
			s.fail(i, "value", ErrSyntax)
			return false
		}
	}
	s.pos = i
	return true
}

// Key returns the current member's key (unescaped).
func (it *Iter) Key() []byte {
	if it.kb != nil {
		return it.kb
	}
	return it.s.b[it.ks:it.ke]
}

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
