package vehicle

import (
	"errors"
	"strconv"

	"github.com/touchpoint-sdk/touchpoint/internal/jsonscan"
)

// MaxDepth bounds the nesting of JSON the decoders accept: deeper input
// gets ErrRange rather than unbounded work. It counts from where the
// decoders start skipping: a value they skip sits inside the few levels
// of the document they read themselves (five at most in a Smartcar
// payload), so a whole document may nest that many levels more.
const MaxDepth = jsonscan.MaxDepth

// scanner is the decoders' view of the repository's JSON reader
// (internal/jsonscan): the same strict, allocation-free scan, with this
// package's errors (a *ParseError carrying the JSON path of the field)
// and its type rule: a value of the wrong type is skipped, so malformed
// JSON is ErrSyntax wherever it is, and only then reported as ErrType.
// The first error sticks: later calls return zero values.
type scanner struct {
	js     jsonscan.Scanner
	b      []byte // the input, for peek
	n      int    // len of the input
	err    *ParseError
	format string
	// The JSON path of the value being read, for errors: a stack of
	// segments (a key, or an array index), joined only when an error is
	// kept. Segments past len(segs) are counted but not kept.
	segs  [16]pathSeg
	depth int
	arena []byte // the strings a decode keeps (keep)
	// bufs, when set, holds a SmartcarDecoder's reused slices: the
	// decode appends into them and keep rewrites the arena.
	bufs *smartcarBufs
	// body: where the last signal body's checked fields were (scBody),
	// so that checkBody names the field it refuses.
	body bodyAt
}

// bodyAt holds the offsets of a signal body's values that checkBody
// checks; -1 for a field the body does not have.
type bodyAt struct {
	lat, lon, heading, value, unit int
	valueKey                       string // "value", or "percentage" (older payloads)
}

// pathSeg is a key (idx < 0) or an array index.
type pathSeg struct {
	key string
	idx int
}

func (s *scanner) init(b []byte, format string) {
	s.js.Reset(b)
	s.b, s.n, s.err, s.format, s.arena, s.depth = b, len(b), nil, format, nil, 0
}

// reuse is init for a decoder that owns what it returns until its next
// call: the arena and bufs are kept and rewritten from the start.
func (s *scanner) reuse(b []byte, format string, bufs *smartcarBufs) {
	s.js.Reset(b)
	s.b, s.n, s.err, s.format, s.arena, s.depth, s.bufs = b, len(b), nil, format, s.arena[:0], 0, bufs
}

// path joins the segments: data.signals[0].body.
func (s *scanner) path() string {
	var buf [96]byte
	p := buf[:0]
	for _, g := range s.segs[:min(s.depth, len(s.segs))] {
		if g.idx >= 0 {
			p = append(p, '[')
			p = strconv.AppendInt(p, int64(g.idx), 10)
			p = append(p, ']')
			continue
		}
		if len(p) > 0 {
			p = append(p, '.')
		}
		p = append(p, g.key...)
	}
	return string(p)
}

// at is the offset of the next unread byte.
func (s *scanner) at() int { return s.js.Pos() }

// valueAt returns the offset of the next value: peek moves the reader
// past white space.
func (s *scanner) valueAt() int {
	s.peek()
	return s.at()
}

func (s *scanner) fail(off int, err error) {
	if s.err == nil {
		off = min(max(off, 0), s.n)
		s.err = &ParseError{Format: s.format, Field: s.path(), Offset: off, Err: err}
	}
}

// failHere fails at the current offset: ErrTruncated at the end of input,
// else err.
func (s *scanner) failHere(err error) {
	if s.at() >= s.n {
		err = ErrTruncated
	}
	s.fail(s.at(), err)
}

// ok takes over the reader's error, if any, as this package's, and
// reports whether there is none.
func (s *scanner) ok() bool {
	if s.err == nil && !s.js.Failed() {
		return true
	}
	return s.takeErr()
}

// takeErr is ok's slow path.
func (s *scanner) takeErr() bool {
	if s.err != nil {
		return false
	}
	var se *jsonscan.SyntaxError
	if !errors.As(s.js.Err(), &se) {
		s.fail(s.at(), ErrSyntax)
		return false
	}
	var err error
	switch se.Err {
	case jsonscan.ErrTruncated:
		err = ErrTruncated
	case jsonscan.ErrDepth:
		err = ErrRange
	case jsonscan.ErrType:
		err = ErrType
	default:
		err = ErrSyntax
	}
	s.fail(se.Offset, err)
	return false
}

// peek returns the next non-space byte, or 0 at the end or after an
// error.
func (s *scanner) peek() byte {
	if c := s.next(); c > ' ' {
		return c
	}
	return s.peekEnd()
}

// next is peek's common case, inline: the byte at the reader's position
// when neither the scanner nor the reader keeps an error, else 0. A
// result <= ' ' says nothing: call peek. (A value follows a ':', a ','
// or a '[' with no white space, or with the one space jsonscan skips
// after a ':'.)
func (s *scanner) next() byte {
	if i := s.js.Pos(); uint(i) < uint(len(s.b)) && s.err == nil && !s.js.Failed() {
		return s.b[i]
	}
	return 0
}

// peekEnd is peek's slow path: white space, the end of input, or an
// error.
//
//go:noinline
func (s *scanner) peekEnd() byte {
	if s.err == nil && !s.js.Failed() {
		return s.js.Peek()
	}
	s.takeErr()
	return 0
}

// end checks that only white space follows the top-level value.
func (s *scanner) end() {
	if s.err == nil && s.peek() != 0 {
		s.fail(s.at(), ErrSyntax)
	}
}

// enterObject consumes '{'. It reports ErrType (not ErrSyntax) when a
// different value starts here, and skips that value.
func (s *scanner) enterObject() bool { return s.enter('{') }

// enterArray consumes '['.
func (s *scanner) enterArray() bool { return s.enter('[') }

func (s *scanner) enter(c byte) bool {
	if s.next() == c {
		return s.js.Consume(c)
	}
	return s.enterSlow(c)
}

// enterSlow is enter when c does not come next (or after an error).
//
//go:noinline
func (s *scanner) enterSlow(c byte) bool {
	switch s.peek() {
	case c:
		return s.js.Consume(c)
	case 0:
		if s.err == nil {
			s.failHere(ErrTruncated)
		}
	default:
		s.typeErr()
	}
	return false
}

// nextKey advances to the next member of the object whose '{' was
// consumed; first is true for the first call. It returns the key (valid
// until the next string read) and false at '}' or on error. It is small
// enough to inline: a key the reader returns comes with no error kept
// (neither the scanner's, tested first, nor the reader's), and an error
// Member keeps is taken over by the next read that looks, as before.
func (s *scanner) nextKey(first *bool) (k []byte, ok bool) {
	if s.err == nil {
		k, ok = s.js.Member(*first)
		*first = false
	}
	return k, ok
}

// nextElem advances to the next array element; false at ']' or error.
func (s *scanner) nextElem(first *bool) bool {
	if s.err != nil {
		return false
	}
	if s.js.Element(*first) {
		*first = false // an element comes with no error kept
		return true
	}
	s.endElems()
	return false
}

// endElems is nextElem's end: it takes over the reader's error, if any.
//
//go:noinline
func (s *scanner) endElems() { s.ok() }

// num reads a number value (correctly rounded: jsonscan.Float). A value
// of another JSON type gets ErrType, a number beyond the float64 range
// ErrRange.
func (s *scanner) num() (float64, bool) {
	c := s.next()
	if c <= ' ' {
		c = s.peek()
	}
	if c != '-' && (c < '0' || c > '9') {
		s.typeErr()
		return 0, false
	}
	b, mant, exp10, exact := s.js.NumberParts()
	if !s.ok() {
		return 0, false
	}
	f, ok := jsonscan.Float(b, mant, exp10, exact)
	if !ok {
		s.fail(s.at()-len(b), ErrRange)
		return 0, false
	}
	return f, true
}

// typeErr skips the value here and reports ErrType at its start.
func (s *scanner) typeErr() {
	if s.err != nil {
		return
	}
	s.js.Peek()
	at := s.at()
	if s.skip() {
		s.fail(at, ErrType)
	}
}

// str reads a string at the current position; the result aliases the
// input when it has no escapes, and a buffer reused by the next string
// read otherwise.
func (s *scanner) str() ([]byte, bool) {
	if s.peek() != '"' {
		s.failHere(ErrSyntax)
		return nil, false
	}
	v := s.js.Text()
	return v, s.ok()
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
	case 't', 'f':
		v := s.js.Bool()
		return v, s.ok()
	}
	s.typeErr()
	return false, false
}

// isNull consumes a null if one is next.
func (s *scanner) isNull() bool {
	if c := s.next(); c > ' ' && c != 'n' {
		return false
	}
	return s.isNullSlow()
}

//go:noinline
func (s *scanner) isNullSlow() bool {
	if s.peek() == 'n' {
		v := s.js.Null()
		return s.ok() && v
	}
	return false
}

// skip passes over one value of any type, validating it.
func (s *scanner) skip() bool {
	if s.err != nil {
		return false
	}
	s.js.Skip()
	return s.ok()
}

// push and pop maintain the path for error messages: push returns the
// depth to pop back to.
func (s *scanner) push(seg string) int {
	n := s.depth
	if n < len(s.segs) {
		s.segs[n] = pathSeg{key: seg, idx: -1}
	}
	s.depth++
	return n
}

func (s *scanner) pushIndex(i int) int {
	n := s.depth
	if n < len(s.segs) {
		s.segs[n] = pathSeg{idx: i}
	}
	s.depth++
	return n
}

func (s *scanner) pop(n int) { s.depth = n }

// inKey names key, the member whose value was just read, in the path of
// the error the read kept, if any: the value of a leaf (one that pushes
// no segment of its own) is read without pushing its key, which only an
// error needs. Call it only where s.err was nil before the read (after
// nextKey): an error then is the value's, and its path is the object's.
func (s *scanner) inKey(key string) {
	if s.err != nil {
		s.keyErr(key)
	}
}

// keyErr is inKey's slow path: the error's path gets the segment a push
// would have given it (none at depth len(segs) or more, which path does
// not keep).
//
//go:noinline
func (s *scanner) keyErr(key string) {
	if s.depth >= len(s.segs) {
		return
	}
	if s.err.Field != "" {
		key = s.err.Field + "." + key
	}
	s.err.Field = key
}
