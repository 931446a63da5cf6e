package jsonscan

import "strconv"

// Number reads a number. Numbers of at most 19 significant digits whose
// decimal exponent keeps them exact in a float64 (Clinger's fast path:
// coordinates, amounts, epoch milliseconds) are converted without
// strconv; the result is the correctly rounded float64 either way, bit for
// bit what strconv.ParseFloat gives.
func (s *Scanner) Number() float64 {
	b, mant, exp10, exact := s.NumberParts()
	if b == nil {
		return 0
	}
	f, ok := Float(b, mant, exp10, exact)
	if !ok {
		s.fail(s.pos-len(b), "finite number", ErrSyntax)
		return 0
	}
	return f
}

// Float converts what NumberParts returned into the correctly rounded
// float64: with one multiplication or division when the mantissa is below
// 2^53 and the power of ten is exact in a float64, with strconv otherwise.
// It reports false for a number beyond the float64 range (1e999).
func Float(text []byte, mant uint64, exp10 int, exact bool) (float64, bool) {
	if exact && mant < 1<<53 && uint(exp10+22) <= 44 {
		f := float64(mant)
		if exp10 < 0 {
			f /= pow10[-exp10]
		} else {
			f *= pow10[exp10]
		}
		if len(text) > 0 && text[0] == '-' {
			f = -f
		}
		return f, true
	}
	return floatSlow(text)
}

//go:noinline
func floatSlow(text []byte) (float64, bool) {
	f, err := strconv.ParseFloat(string(text), 64)
	return f, err == nil
}

// pow10 holds the powers of ten that are exact in a float64.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// NumberParts reads and validates a number and returns its text (nil on
// error) and, when the text has at most 19 significant digits (exact),
// its value as a decimal mantissa times a power of ten; the sign is the
// text's. Callers that need integers or their own rounding use it instead
// of Number.
func (s *Scanner) NumberParts() (text []byte, mant uint64, exp10 int, exact bool) {
	if s.err != nil {
		return nil, 0, 0, false
	}
	s.ws()
	b := s.b
	start, i := s.pos, s.pos
	if i < len(b) && b[i] == '-' {
		i++
	}
	if i >= len(b) {
		s.fail(i, "number", ErrTruncated)
		return nil, 0, 0, false
	}
	nd := 0 // significant digits in mant
	exact = true
	switch c := b[i]; {
	case c == '0':
		i++
	case c >= '1' && c <= '9':
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			if nd < 19 {
				mant = mant*10 + uint64(b[i]-'0')
				nd++
			} else {
				exact = false
			}
			i++
		}
	default:
		if i == start {
			s.fail(i, "number", typeOrSyntax(c))
		} else {
			s.fail(i, "digit", ErrSyntax)
		}
		return nil, 0, 0, false
	}
	if i < len(b) && b[i] == '.' {
		i++
		d := i
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
		if i == d {
			s.fail(i, "digit", errFor(i >= len(b)))
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
		d, e := i, 0
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			if e < 10000 {
				e = e*10 + int(b[i]-'0')
			}
			i++
		}
		if i == d {
			s.fail(i, "digit", errFor(i >= len(b)))
			return nil, 0, 0, false
		}
		if neg {
			e = -e
		}
		exp10 += e
	}
	s.pos = i
	return b[start:i], mant, exp10, exact
}

// numberBytes reads and validates a JSON number, returning its text.
func (s *Scanner) numberBytes() []byte {
	b, _, _, _ := s.NumberParts()
	return b
}
