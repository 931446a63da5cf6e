package wearable

import (
	"math"
	"strconv"
)

// Special classifies the special values of IEEE 11073-20601 SFLOAT and
// FLOAT numbers. A special value is not a number: it says why there is no
// reading, and callers must not treat it as one.
type Special uint8

// The special values. NotSpecial means the number holds a finite value.
const (
	NotSpecial      Special = iota // a finite number
	SpecialNaN                     // Not a Number: no valid reading (e.g. probe not ready)
	SpecialNRes                    // Not at this Resolution: the value exists but cannot be represented
	SpecialPosInf                  // +INFINITY: above the measurement range
	SpecialNegInf                  // -INFINITY: below the measurement range
	SpecialReserved                // reserved for future use
)

// String returns "number", "NaN", "NRes", "+INF", "-INF" or "reserved".
func (s Special) String() string {
	switch s {
	case NotSpecial:
		return "number"
	case SpecialNaN:
		return "NaN"
	case SpecialNRes:
		return "NRes"
	case SpecialPosInf:
		return "+INF"
	case SpecialNegInf:
		return "-INF"
	case SpecialReserved:
		return "reserved"
	}
	return "Special(" + strconv.Itoa(int(s)) + ")"
}

// SFloat is an IEEE 11073-20601 16-bit SFLOAT in its raw wire form: a 4-bit
// two's-complement exponent (bits 15..12) and a 12-bit two's-complement
// mantissa (bits 11..0); value = mantissa × 10^exponent. Keeping the raw form
// makes decode → encode byte-exact. Compare values with Equal, not ==:
// 0xF3E8 (1000 × 10⁻¹) and 0x0064 (100) are the same number.
type SFloat uint16

// The SFLOAT special values (exponent 0, reserved mantissas).
const (
	SFloatNaN      SFloat = 0x07FF
	SFloatNRes     SFloat = 0x0800
	SFloatPosInf   SFloat = 0x07FE
	SFloatNegInf   SFloat = 0x0802
	SFloatReserved SFloat = 0x0801
)

// Special reports whether s is one of the special values.
func (s SFloat) Special() Special {
	switch s {
	case SFloatNaN:
		return SpecialNaN
	case SFloatNRes:
		return SpecialNRes
	case SFloatPosInf:
		return SpecialPosInf
	case SFloatNegInf:
		return SpecialNegInf
	case SFloatReserved:
		return SpecialReserved
	}
	return NotSpecial
}

// Mantissa returns the sign-extended 12-bit mantissa. It is meaningless for
// special values.
func (s SFloat) Mantissa() int16 { return int16(uint16(s)<<4) >> 4 }

// Exponent returns the sign-extended 4-bit exponent (-8..7).
func (s SFloat) Exponent() int8 { return int8(uint8(s>>8)) >> 4 }

// Float64 returns the value and true, or 0 and false for a special value.
func (s SFloat) Float64() (float64, bool) {
	if s.Special() != NotSpecial {
		return 0, false
	}
	return scale(int64(s.Mantissa()), int(s.Exponent())), true
}

// Equal reports whether s and t are the same number (numerically, whatever
// their exponents), or the same special value.
func (s SFloat) Equal(t SFloat) bool {
	ss, ts := s.Special(), t.Special()
	if ss != NotSpecial || ts != NotSpecial {
		return ss == ts
	}
	return decimalEqual(int64(s.Mantissa()), int(s.Exponent()), int64(t.Mantissa()), int(t.Exponent()))
}

// String formats the value as a decimal ("37.6") or names the special value.
func (s SFloat) String() string {
	if sp := s.Special(); sp != NotSpecial {
		return sp.String()
	}
	return formatDecimal(int64(s.Mantissa()), int(s.Exponent()))
}

// NewSFloat builds the SFLOAT mantissa × 10^exponent. It returns ErrOutOfRange
// when the mantissa does not fit 12 bits or the exponent 4 bits, and when the
// pair would encode a special value (exponent 0 with mantissa 2046, 2047,
// -2046, -2047 or -2048).
func NewSFloat(mantissa, exponent int) (SFloat, error) {
	if mantissa < -2048 || mantissa > 2047 || exponent < -8 || exponent > 7 {
		return 0, ErrOutOfRange
	}
	s := SFloat(uint16(exponent&0xF)<<12 | uint16(mantissa&0xFFF))
	if s.Special() != NotSpecial {
		return 0, ErrOutOfRange
	}
	return s, nil
}

// SFloatFromFloat64 encodes v with as many significant digits as fit (at most
// four, as Nordic's encoder does: 123.45 → 123.5, 1000400 → 1.000e6), rounding
// half away from zero on the shortest decimal form of v. Values too small for
// the smallest exponent round to zero. It returns ErrOutOfRange for NaN, ±Inf
// and magnitudes above 2047 × 10⁷; encode special values with the SFloatNaN…
// constants instead.
func SFloatFromFloat64(v float64) (SFloat, error) {
	m, e, err := encodeDecimal(v, 2047, -8, 7)
	if err != nil {
		return 0, err
	}
	return NewSFloat(int(m), e)
}

// Float is an IEEE 11073-20601 32-bit FLOAT in raw wire form: a signed 8-bit
// exponent (bits 31..24) and a 24-bit two's-complement mantissa (bits 23..0).
// Compare values with Equal, not ==.
type Float uint32

// The FLOAT special values (exponent 0, reserved mantissas).
const (
	FloatNaN      Float = 0x007FFFFF
	FloatNRes     Float = 0x00800000
	FloatPosInf   Float = 0x007FFFFE
	FloatNegInf   Float = 0x00800002
	FloatReserved Float = 0x00800001
)

// Special reports whether f is one of the special values.
func (f Float) Special() Special {
	switch f {
	case FloatNaN:
		return SpecialNaN
	case FloatNRes:
		return SpecialNRes
	case FloatPosInf:
		return SpecialPosInf
	case FloatNegInf:
		return SpecialNegInf
	case FloatReserved:
		return SpecialReserved
	}
	return NotSpecial
}

// Mantissa returns the sign-extended 24-bit mantissa. It is meaningless for
// special values.
func (f Float) Mantissa() int32 { return int32(uint32(f)<<8) >> 8 }

// Exponent returns the signed 8-bit exponent.
func (f Float) Exponent() int8 { return int8(uint8(f >> 24)) }

// Float64 returns the value and true, or 0 and false for a special value.
func (f Float) Float64() (float64, bool) {
	if f.Special() != NotSpecial {
		return 0, false
	}
	return scale(int64(f.Mantissa()), int(f.Exponent())), true
}

// Equal reports whether f and g are the same number, or the same special
// value.
func (f Float) Equal(g Float) bool {
	fs, gs := f.Special(), g.Special()
	if fs != NotSpecial || gs != NotSpecial {
		return fs == gs
	}
	return decimalEqual(int64(f.Mantissa()), int(f.Exponent()), int64(g.Mantissa()), int(g.Exponent()))
}

// String formats the value as a decimal or names the special value.
func (f Float) String() string {
	if sp := f.Special(); sp != NotSpecial {
		return sp.String()
	}
	return formatDecimal(int64(f.Mantissa()), int(f.Exponent()))
}

// NewFloat builds the FLOAT mantissa × 10^exponent. It returns ErrOutOfRange
// when the mantissa does not fit 24 bits or the exponent 8 bits, and when the
// pair would encode a special value.
func NewFloat(mantissa, exponent int) (Float, error) {
	if mantissa < -(1<<23) || mantissa > 1<<23-1 || exponent < -128 || exponent > 127 {
		return 0, ErrOutOfRange
	}
	f := Float(uint32(uint8(int8(exponent)))<<24 | uint32(mantissa)&0xFFFFFF)
	if f.Special() != NotSpecial {
		return 0, ErrOutOfRange
	}
	return f, nil
}

// FloatFromFloat64 encodes v with the fewest digits that represent its
// shortest decimal form (37.6 → 376 × 10⁻¹), rounding half away from zero
// when more than seven significant digits would be needed. It returns
// ErrOutOfRange for NaN, ±Inf and magnitudes that do not fit.
func FloatFromFloat64(v float64) (Float, error) {
	m, e, err := encodeDecimal(v, 1<<23-1, -128, 127)
	if err != nil {
		return 0, err
	}
	return NewFloat(int(m), e)
}

// scale returns m × 10^e, dividing for negative exponents so that values
// such as 3760 × 10⁻² come out as the nearest float64 (37.6).
func scale(m int64, e int) float64 {
	if e >= 0 {
		return float64(m) * math.Pow10(e)
	}
	return float64(m) / math.Pow10(-e)
}

// normalize strips trailing decimal zeros from the mantissa.
func normalize(m int64, e int) (int64, int) {
	if m == 0 {
		return 0, 0
	}
	for m%10 == 0 {
		m /= 10
		e++
	}
	return m, e
}

func decimalEqual(m1 int64, e1 int, m2 int64, e2 int) bool {
	m1, e1 = normalize(m1, e1)
	m2, e2 = normalize(m2, e2)
	return m1 == m2 && e1 == e2
}

func formatDecimal(m int64, e int) string {
	m, e = normalize(m, e)
	return strconv.FormatFloat(scale(m, e), 'g', -1, 64)
}

// encodeDecimal turns v into mantissa × 10^exponent with |mantissa| ≤ maxMant
// (or maxMant+1 when negative) and minExp ≤ exponent ≤ maxExp, working on the
// shortest decimal representation of v. It also steers clear of the special
// mantissas at exponent 0.
func encodeDecimal(v float64, maxMant int64, minExp, maxExp int) (int64, int, error) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, 0, ErrOutOfRange
	}
	if v == 0 {
		return 0, 0, nil
	}
	var buf [32]byte
	s := strconv.AppendFloat(buf[:0], v, 'e', -1, 64) // "-d.ddddde±XX"
	neg := s[0] == '-'
	if neg {
		s = s[1:]
	}
	var digits uint64
	nd := 0
	i := 0
	for ; i < len(s) && s[i] != 'e'; i++ {
		if s[i] == '.' {
			continue
		}
		digits = digits*10 + uint64(s[i]-'0')
		nd++
	}
	exp10, _ := strconv.Atoi(string(s[i+1:])) // AppendFloat always writes a valid exponent
	e := exp10 - (nd - 1)
	for digits%10 == 0 {
		digits /= 10
		e++
	}
	limit := uint64(maxMant)
	if neg {
		limit++
	}
	special := func(d uint64, e int) bool {
		// At exponent 0 the top five mantissas (±2046, ±2047, -2048 for
		// SFLOAT; the same pattern for FLOAT) are special values.
		return e == 0 && d >= uint64(maxMant)-1
	}
	for digits > limit || e < minExp || special(digits, e) {
		r := digits % 10
		digits /= 10
		if r >= 5 {
			digits++
		}
		e++
		if digits == 0 {
			return 0, 0, nil // underflow rounds to zero
		}
	}
	for e > maxExp && digits*10 <= limit {
		digits *= 10
		e--
	}
	if e > maxExp {
		return 0, 0, ErrOutOfRange
	}
	m := int64(digits)
	if neg {
		m = -m
	}
	return m, e, nil
}
