package vehicle

import (
	"unicode/utf16"
	"unicode/utf8"
)

// strStop marks the bytes that end the fast scan of a string: the quote,
// the backslash and the control characters JSON forbids in strings.
var strStop = func() (t [256]bool) {
	for c := 0; c < 0x20; c++ {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	return t
}()

// str reads a string at the current position; the result aliases the
// input when it has no escapes and s.buf otherwise.
func (s *scanner) str() ([]byte, bool) {
	if s.peek() != '"' {
		s.failHere(ErrSyntax)
		return nil, false
	}
	start := s.i + 1
	i := start
	b := s.b
	for i < len(b) && !strStop[b[i]] {
		i++
	}
	for i < len(s.b) {
		c := s.b[i]
		if c == '"' {
			s.i = i + 1
			return s.b[start:i], true
		}
		if c == '\\' {
			return s.strEscaped(start, i)
		}
		if c < 0x20 {
			s.fail(i, ErrSyntax)
			return nil, false
		}
		i++
	}
	s.fail(len(s.b), ErrTruncated)
	return nil, false
}

func (s *scanner) strEscaped(start, i int) ([]byte, bool) {
	s.buf = append(s.buf[:0], s.b[start:i]...)
	for i < len(s.b) {
		c := s.b[i]
		switch {
		case c == '"':
			s.i = i + 1
			return s.buf, true
		case c < 0x20:
			s.fail(i, ErrSyntax)
			return nil, false
		case c != '\\':
			s.buf = append(s.buf, c)
			i++
			continue
		}
		if i+1 >= len(s.b) {
			s.fail(len(s.b), ErrTruncated)
			return nil, false
		}
		e := s.b[i+1]
		i += 2
		switch e {
		case '"', '\\', '/':
			s.buf = append(s.buf, e)
		case 'b':
			s.buf = append(s.buf, '\b')
		case 'f':
			s.buf = append(s.buf, '\f')
		case 'n':
			s.buf = append(s.buf, '\n')
		case 'r':
			s.buf = append(s.buf, '\r')
		case 't':
			s.buf = append(s.buf, '\t')
		case 'u':
			r, n := s.hex4(i)
			if n < 0 {
				return nil, false
			}
			i = n
			if utf16.IsSurrogate(r) {
				if i+6 <= len(s.b) && s.b[i] == '\\' && s.b[i+1] == 'u' {
					if r2, n2 := s.hex4(i + 2); n2 >= 0 {
						if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
							r, i = d, n2
						} else {
							r = utf8.RuneError
						}
					} else {
						return nil, false
					}
				} else {
					r = utf8.RuneError
				}
			}
			s.buf = utf8.AppendRune(s.buf, r)
		default:
			s.fail(i-1, ErrSyntax)
			return nil, false
		}
	}
	s.fail(len(s.b), ErrTruncated)
	return nil, false
}

func (s *scanner) hex4(i int) (rune, int) {
	if i+4 > len(s.b) {
		s.fail(len(s.b), ErrTruncated)
		return 0, -1
	}
	var r rune
	for _, c := range s.b[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			s.fail(i, ErrSyntax)
			return 0, -1
		}
	}
	return r, i + 4
}
