package jsonscan

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
