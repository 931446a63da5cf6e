package jsonscan

import (
	"encoding/binary"
	"math/bits"
	"strconv"
)

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
		// Eight digits at a time while they fit in the 19 (no leading
		// zero here, so every digit is significant).
		for i+8 <= len(b) && nd <= 19-8 {
			n, v := digits8(binary.LittleEndian.Uint64(b[i:]))
			mant = mant*pow10u[n] + v
			nd += n
			i += n
			if n < 8 {
				break
			}
		}
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
		// Eight at a time once a digit was significant (leading zeros of
		// a fraction, as in 0.05, are not counted in nd).
		for mant != 0 && i+8 <= len(b) && nd <= 19-8 {
			n, v := digits8(binary.LittleEndian.Uint64(b[i:]))
			mant = mant*pow10u[n] + v
			exp10 -= n
			nd += n
			i += n
			if n < 8 {
				break
			}
		}
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

// pow10u holds 10^n for n <= 8.
var pow10u = [...]uint64{1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8}

// digits8 returns how many of the eight bytes of x (little-endian: the
// first byte in the low bits) lead with ASCII digits, n, and their value
// as a decimal number. It combines the digits in three multiplications
// (pairs, then fours, then eight) instead of eight dependent steps.
func digits8(x uint64) (n int, v uint64) {
	x7 := x &^ msb
	// A byte is a digit when c+0x50 reaches 0x80 (c >= '0') and c+0x46
	// does not (c <= '9'), and its own high bit is clear; neither sum
	// carries into the next byte.
	nondigit := (^(x7 + lsb*0x50) | (x7 + lsb*0x46) | x) & msb
	n = bits.TrailingZeros64(nondigit) >> 3
	if n == 0 {
		return 0, 0
	}
	// The n digits to the top bytes: the bytes below become zeros, the
	// leading digits of the same number.
	x = (x & (lsb * 0x0f)) << (64 - 8*uint(n))
	x = (x * (10<<8 + 1)) >> 8
	x = ((x & 0x00ff00ff00ff00ff) * (100<<16 + 1)) >> 16
	x = ((x & 0x0000ffff0000ffff) * (10000<<32 + 1)) >> 32
	return n, x
}

// digitCount8 is the n of digits8 alone.
func digitCount8(x uint64) int {
	x7 := x &^ msb
	return bits.TrailingZeros64((^(x7+lsb*0x50)|(x7+lsb*0x46)|x)&msb) >> 3
}
