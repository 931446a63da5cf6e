// Package jsonscan is a small, strict, allocation-free JSON reader for
// the adapters' decoders (home, attention, pos, vehicle): it walks a
// payload once, hands out keys and string values as sub-slices of the
// input, skips what the caller does not ask for, and keeps the first error
// with its byte offset.
//
// It exists because encoding/json costs several microseconds and a dozen
// allocations per kilobyte, and the adapters aim to decode each device
// payload in about two microseconds. It validates what it reads or skips
// (strings, escapes, numbers, literals, nesting up to MaxDepth, trailing
// bytes), so a payload it accepts is JSON; it does not check that object
// keys are unique or that strings are valid UTF-8 (callers that keep
// strings check that themselves). Numbers are correctly rounded
// (NumberParts, Float: exact fast path, strconv otherwise).
//
// Two ways to read. New and Reset read byte by byte: strings eight bytes
// at a time, literals as words, no recursion. ResetIndexed (for a decoder
// reused over a stream of large payloads that it mostly skips) first
// builds a structural index with SIMD assembly, then Skip, Iter.NextKey
// and the string readers walk the index instead of the bytes (index.go);
// the errors stay the byte loop's. BenchmarkSkip, CPU time to validate a
// whole payload (pinned, December 2026, an AVX-512 VM at 2.6 GHz): the
// 3.9 KB indented Stripe charge 1.0 µs indexed against 2.44 µs byte by
// byte (0.9 against 1.82 compact), the 3.1 KB Smartcar delivery 0.97
// against 2.16, a 1.7 KB Home Assistant event 0.51 against 1.15.
// simdjson 3.0.1 (Debian's, the icelake kernel) takes 0.93, 0.88 and
// 0.52 µs on the same machine for its full DOM parse. On an AVX2-only CPU
// the index costs about 0.37 µs more for the Stripe charge
// (BenchmarkFirstStage).
//
// Validation is not what the byte loop pays for. A throwaway build that
// skipped unread values structurally (strings and brackets only, eight
// bytes at a time: what an "On-Demand" reader does) decoded the Stripe
// charge no faster, 2.6-2.9 µs against 2.7 compact (December 2026, one
// machine, alternating runs): the cost is in visiting each byte that
// delimits a token, which the index's first stage does 64 bytes at a time.
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
	// The structural index (index.go), for a Scanner reset with
	// ResetIndexed; nil otherwise. A pointer: the index's fields would
	// make every Scanner larger, and New's and Reset's copies slower.
	x *structIndex
}

// New returns a Scanner over b.
func New(b []byte) Scanner { return Scanner{b: b, n: len(b)} }

// Reset makes s read b from the start, forgetting any error but keeping
// the buffer Text unescapes into, so that a decoder reused for a stream
// of payloads does not allocate it again.
func (s *Scanner) Reset(b []byte) { *s = Scanner{b: b, n: len(b), scratch: s.scratch[:0]} }

// ResetIndexed is Reset for a decoder that skips much of large payloads:
// Skip, Iter.NextKey and the string readers then use the structural index
// (index.go) for documents of indexMin bytes or more, built on first use
// in a buffer the Scanner keeps across payloads. It pays where a decoder
// keeps a few members of large objects (Stripe's Events: BenchmarkSkip and
// the pos package's figures), and costs where it reads most of them. The
// buffer takes four bytes per byte of the largest document indexed.
func (s *Scanner) ResetIndexed(b []byte) {
	x := s.x
	if x == nil {
		x = new(structIndex)
	}
	*x = structIndex{ix: x.ix[:0], at: -1}
	*s = Scanner{b: b, n: len(b), scratch: s.scratch[:0], x: x}
}

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
