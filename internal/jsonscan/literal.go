package jsonscan

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
