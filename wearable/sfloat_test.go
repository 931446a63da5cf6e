package wearable_test

import (
	"errors"
	"math"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/wearable"
)

func TestSFloatDecode(t *testing.T) {
	tests := []struct {
		name string
		raw  wearable.SFloat
		want float64
		sp   wearable.Special
	}{
		{"65 F0 = 10.1 (Nordic DataTest)", 0xF065, 10.1, wearable.NotSpecial},
		{"BD F0 = 18.9", 0xF0BD, 18.9, wearable.NotSpecial},
		{"D4 F3 = 98.0", 0xF3D4, 98.0, wearable.NotSpecial},
		{"E8 F3 = 100.0 (SpeziBluetooth PLX)", 0xF3E8, 100, wearable.NotSpecial},
		{"64 00 = 100", 0x0064, 100, wearable.NotSpecial},
		{"8A 00 = 138 mmHg", 0x008A, 138, wearable.NotSpecial},
		{"negative mantissa FFF = -1", 0x0FFF, -1, wearable.NotSpecial},
		{"max exponent 7", 0x7001, 1e7, wearable.NotSpecial},
		{"min exponent -8", 0x8001, 1e-8, wearable.NotSpecial},
		// bluetooth-sig-python encodes 98 % as 62 80 under a biased exponent;
		// under the spec (two's complement) that is 98e-8.
		{"counterexample 62 80 = 98e-8, not 98", 0x8062, 98e-8, wearable.NotSpecial},
		{"NaN", 0x07FF, 0, wearable.SpecialNaN},
		{"NRes", 0x0800, 0, wearable.SpecialNRes},
		{"+INF", 0x07FE, 0, wearable.SpecialPosInf},
		{"-INF", 0x0802, 0, wearable.SpecialNegInf},
		{"reserved", 0x0801, 0, wearable.SpecialReserved},
		// The specials are exact raw values: the same mantissas with a
		// non-zero exponent are ordinary numbers.
		{"mantissa 2047 exponent 1 is a number", 0x17FF, 20470, wearable.NotSpecial},
		{"mantissa -2048 exponent -1 is a number", 0xF800, -204.8, wearable.NotSpecial},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.raw.Special(); got != tt.sp {
				t.Fatalf("Special() = %v, want %v", got, tt.sp)
			}
			v, ok := tt.raw.Float64()
			if ok != (tt.sp == wearable.NotSpecial) {
				t.Fatalf("Float64 ok = %v for special %v", ok, tt.sp)
			}
			if ok && v != tt.want {
				t.Fatalf("Float64() = %v, want %v", v, tt.want)
			}
			if !ok && v != 0 {
				t.Fatalf("special value returned number %v", v)
			}
		})
	}
}

func TestFloatDecode(t *testing.T) {
	tests := []struct {
		name string
		raw  wearable.Float
		want float64
		sp   wearable.Special
	}{
		{"87 D6 12 FE = 12345.67", 0xFE12D687, 12345.67, wearable.NotSpecial},
		{"B0 0E 00 FE = 37.60", 0xFE000EB0, 37.6, wearable.NotSpecial},
		{"negative mantissa", 0xFFFFFFFF, -0.1, wearable.NotSpecial},
		// bluetooth-sig-python's 37.0 °C vector, decoded per spec.
		{"counterexample 20 75 38 7B = 3.7e129", 0x7B387520, 3.7e129, wearable.NotSpecial},
		{"NaN FF FF 7F 00", 0x007FFFFF, 0, wearable.SpecialNaN},
		{"NRes 00 00 80 00", 0x00800000, 0, wearable.SpecialNRes},
		{"+INF FE FF 7F 00", 0x007FFFFE, 0, wearable.SpecialPosInf},
		{"-INF 02 00 80 00", 0x00800002, 0, wearable.SpecialNegInf},
		{"reserved 01 00 80 00", 0x00800001, 0, wearable.SpecialReserved},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.raw.Special(); got != tt.sp {
				t.Fatalf("Special() = %v, want %v", got, tt.sp)
			}
			v, ok := tt.raw.Float64()
			if ok != (tt.sp == wearable.NotSpecial) {
				t.Fatalf("ok = %v", ok)
			}
			if ok && math.Abs(v-tt.want) > math.Abs(tt.want)*1e-15 {
				t.Fatalf("Float64() = %v, want %v", v, tt.want)
			}
		})
	}
}

func TestSpecialValuesAreDistinct(t *testing.T) {
	specials := []wearable.SFloat{wearable.SFloatNaN, wearable.SFloatNRes, wearable.SFloatPosInf, wearable.SFloatNegInf, wearable.SFloatReserved}
	seen := map[wearable.Special]bool{}
	for _, s := range specials {
		sp := s.Special()
		if sp == wearable.NotSpecial || seen[sp] {
			t.Fatalf("%#04x: special %v not distinct", uint16(s), sp)
		}
		seen[sp] = true
		for _, o := range specials {
			if (o == s) != s.Equal(o) {
				t.Fatalf("%v.Equal(%v) wrong", s, o)
			}
		}
		if s.Equal(0) {
			t.Fatalf("special %v equals zero", s)
		}
	}
	fspecials := []wearable.Float{wearable.FloatNaN, wearable.FloatNRes, wearable.FloatPosInf, wearable.FloatNegInf, wearable.FloatReserved}
	fseen := map[wearable.Special]bool{}
	for _, f := range fspecials {
		if sp := f.Special(); sp == wearable.NotSpecial || fseen[sp] {
			t.Fatalf("%#08x: special %v not distinct", uint32(f), sp)
		} else {
			fseen[sp] = true
		}
	}
}

func TestSFloatEqualIsNumeric(t *testing.T) {
	// 00 E8 F3 and 00 64 00 both mean 100 % (PLX vectors).
	if !wearable.SFloat(0xF3E8).Equal(0x0064) {
		t.Fatal("1000e-1 != 100")
	}
	if wearable.SFloat(0xF3E8).Equal(0x0065) {
		t.Fatal("100 == 101")
	}
	if !wearable.Float(0xFE000EB0).Equal(0xFF000178) { // 3760e-2 == 376e-1
		t.Fatal("37.60 != 37.6")
	}
	if !wearable.SFloat(0x0000).Equal(0x3000) { // 0 == 0e3
		t.Fatal("zero with different exponents not equal")
	}
}

func TestSFloatFromFloat64(t *testing.T) {
	tests := []struct {
		in   float64
		want float64
	}{
		// Nordic DataTest rounding.
		{123.45, 123.5},
		{1000400, 1000000},
		{1000500, 1001000},
		{10.1, 10.1},
		{98, 98},
		{-1, -1},
		{0, 0},
		{2047, 2050}, // 2047 × 10⁰ would be NaN
		{-2048, -2050},
		{2045, 2045},
		{1e-9, 0}, // below the smallest exponent: rounds to zero
		{20470000000, 20470000000},
		{36.6, 36.6},
	}
	for _, tt := range tests {
		s, err := wearable.SFloatFromFloat64(tt.in)
		if err != nil {
			t.Fatalf("SFloatFromFloat64(%v): %v", tt.in, err)
		}
		v, ok := s.Float64()
		if !ok || v != tt.want {
			t.Fatalf("SFloatFromFloat64(%v) = %v (%#04x), want %v", tt.in, v, uint16(s), tt.want)
		}
	}
	for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1), 3e10, -3e10} {
		if _, err := wearable.SFloatFromFloat64(bad); !errors.Is(err, wearable.ErrOutOfRange) {
			t.Fatalf("SFloatFromFloat64(%v) err = %v, want ErrOutOfRange", bad, err)
		}
	}
}

func TestFloatFromFloat64(t *testing.T) {
	for _, tt := range []struct {
		in       float64
		mantissa int32
		exponent int8
	}{
		{37.6, 376, -1},
		{12345.67, 1234567, -2},
		{-0.5, -5, -1},
		{1e20, 1, 20},
		{8388607, 8388610 / 10, 1}, // 8388607 × 10⁰ is NaN
	} {
		f, err := wearable.FloatFromFloat64(tt.in)
		if err != nil {
			t.Fatalf("FloatFromFloat64(%v): %v", tt.in, err)
		}
		if f.Mantissa() != tt.mantissa || f.Exponent() != tt.exponent {
			t.Fatalf("FloatFromFloat64(%v) = %d e%d, want %d e%d", tt.in, f.Mantissa(), f.Exponent(), tt.mantissa, tt.exponent)
		}
	}
	if _, err := wearable.FloatFromFloat64(math.NaN()); !errors.Is(err, wearable.ErrOutOfRange) {
		t.Fatalf("NaN: err = %v", err)
	}
}

func TestNewSFloatRejectsSpecialsAndRange(t *testing.T) {
	for _, tt := range []struct{ m, e int }{{2047, 0}, {2046, 0}, {-2048, 0}, {-2047, 0}, {-2046, 0}, {2048, 1}, {1, 8}, {1, -9}} {
		if _, err := wearable.NewSFloat(tt.m, tt.e); !errors.Is(err, wearable.ErrOutOfRange) {
			t.Fatalf("NewSFloat(%d, %d) err = %v", tt.m, tt.e, err)
		}
	}
	s, err := wearable.NewSFloat(-2048, 1)
	if err != nil || s.Mantissa() != -2048 || s.Exponent() != 1 {
		t.Fatalf("NewSFloat(-2048, 1) = %v, %v", s, err)
	}
	for _, tt := range []struct{ m, e int }{{1 << 23, 0}, {8388607, 0}, {-8388608, 0}, {1, 128}} {
		if _, err := wearable.NewFloat(tt.m, tt.e); !errors.Is(err, wearable.ErrOutOfRange) {
			t.Fatalf("NewFloat(%d, %d) err = %v", tt.m, tt.e, err)
		}
	}
}

func TestSFloatString(t *testing.T) {
	for raw, want := range map[wearable.SFloat]string{0xF065: "10.1", 0x07FF: "NaN", 0x0800: "NRes", 0x07FE: "+INF", 0x0802: "-INF", 0x0801: "reserved", 0xF3E8: "100"} {
		if got := raw.String(); got != want {
			t.Fatalf("%#04x.String() = %q, want %q", uint16(raw), got, want)
		}
	}
	if got := wearable.Float(0xFE000EB0).String(); got != "37.6" {
		t.Fatalf("Float String = %q", got)
	}
}

// TestSFloatExhaustive checks all 65536 SFLOAT patterns: each is a number or
// exactly one of the five specials, and every number survives
// float64 → SFloatFromFloat64 numerically.
func TestSFloatExhaustive(t *testing.T) {
	specials := 0
	for raw := range 1 << 16 {
		s := wearable.SFloat(raw)
		v, ok := s.Float64()
		if !ok {
			specials++
			continue
		}
		back, err := wearable.SFloatFromFloat64(v)
		if err != nil || !back.Equal(s) {
			t.Fatalf("%#04x = %v re-encoded as %v, %v", raw, v, back, err)
		}
	}
	if specials != 5 {
		t.Fatalf("%d special patterns, want 5", specials)
	}
}
