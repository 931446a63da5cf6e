package wearable_test

import (
	"bytes"
	"encoding"
	"encoding/binary"
	"errors"
	"math"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/wearable"
)

// codec is what every characteristic type implements.
type codec interface {
	encoding.BinaryUnmarshaler
	AppendBinary(b []byte) ([]byte, error)
}

// seeds are real and specification frames per characteristic (see the
// table tests for their sources), plus a few malformed ones.
var seeds = map[wearable.Characteristic][]string{
	wearable.HeartRateMeasurementUUID:     {"00 55", "04 FF", "1E 55 32 00 21 00", "1F 01 01 32 01 01 00 02 01 FF FF", "16 48 54 01 EC 02", "17 01 01", "10 55 01 02 03"},
	wearable.BodySensorLocationUUID:       {"01", "07", ""},
	wearable.BatteryLevelUUID:             {"64", "65", "64 00"},
	wearable.RSCMeasurementUUID:           {"07 00 03 12 56 00 01 00 00 F0", "00 00 03 12", "01 00 03 12"},
	wearable.CSCMeasurementUUID:           {"03 2A 00 00 00 C4 60 12 00 F7 04", "02 0C 00 E5 42", "01 2A 00"},
	wearable.CyclingPowerMeasurementUUID:  {"2C 00 00 00 9F 00 0C 00 E5 42", "30 00 21 00 2A 00 00 00 C4 60 12 00 F7 04", "FF 1F 64 00 50 40 01 10 00 00 00 00 08 02 00 10 04 20 03 38 FF 40 00 E0 FF BC 3A 12 0A 00 B4 00 0C 00"},
	wearable.TemperatureMeasurementUUID:   {"06 B0 0E 00 FE DC 07 0C 05 0B 32 1B 04", "01 AE 03 00 FF", "00 FF FF 7F 00"},
	wearable.BloodPressureMeasurementUUID: {"1E 8A 00 58 00 78 00 00 00 04 11 14 29 3B 3C 00 01 27 00", "01 A0 F0 A0 F0 A0 F0"},
	wearable.IntermediateCuffPressureUUID: {"00 96 00 FF 07 FF 07", "00 96 00 00 00 00 00"},
	wearable.WeightMeasurementUUID:        {"00 B0 36", "0F 54 3D E7 07 0C 19 0E 1E 2D 03 F5 00 A8 02", "00 FF FF"},
	wearable.PLXSpotCheckUUID:             {"00 E8 F3 84 F3", "00 64 00 5A 00", "00 FF 07 5A 00", "1F 62 00 48 00 E8 07 01 02 03 04 05 80 00 20 00 00 64 F0"},
	wearable.PLXContinuousUUID:            {"1F 62 00 48 00 61 00 49 00 63 00 47 00 80 00 00 08 00 64 F0", "00 62 00 48 00"},
	wearable.DateTimeUUID:                 {"E7 07 0C 19 0E 1E 2D", "00 00 00 00 00 00 00"},
}

// fuzzCodec checks, for any input: no panic; an error is a *ParseError for
// the right characteristic with an offset inside the input (or at 512 for
// ErrTooLong) matching one sentinel; the receiver is untouched on error; a
// successful decode re-encodes to exactly the input bytes.
func fuzzCodec[T any, P interface {
	*T
	codec
}](f *testing.F, c wearable.Characteristic) {
	for _, s := range seeds[c] {
		f.Add(hx(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var v T
		p := P(&v)
		if err := p.UnmarshalBinary(in); err != nil {
			var pe *wearable.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is %T, want *ParseError", err, err)
			}
			if pe.Characteristic != c || pe.Offset < 0 || pe.Offset > len(in) {
				t.Fatalf("error %+v for %d-byte input", pe, len(in))
			}
			if !errors.Is(err, wearable.ErrTruncated) && !errors.Is(err, wearable.ErrTrailingBytes) &&
				!errors.Is(err, wearable.ErrReserved) && !errors.Is(err, wearable.ErrOutOfRange) && !errors.Is(err, wearable.ErrTooLong) {
				t.Fatalf("error %v matches no sentinel", err)
			}
			var zero T
			if out, _ := P(&zero).AppendBinary(nil); !bytes.Equal(mustAppend(t, p), out) {
				t.Fatalf("receiver modified on error")
			}
			return
		}
		out, err := p.AppendBinary(nil)
		if err != nil {
			t.Fatalf("decoded value does not encode: %v", err)
		}
		if !bytes.Equal(out, in) {
			t.Fatalf("round trip: in % X, out % X", in, out)
		}
	})
}

func mustAppend(t *testing.T, c codec) []byte {
	out, err := c.AppendBinary(nil)
	if err != nil {
		t.Fatalf("zero value does not encode: %v", err)
	}
	return out
}

func FuzzHeartRateMeasurement(f *testing.F) {
	fuzzCodec[wearable.HeartRateMeasurement](f, wearable.HeartRateMeasurementUUID)
}

func FuzzBodySensorLocation(f *testing.F) {
	fuzzCodec[wearable.BodySensorLocation](f, wearable.BodySensorLocationUUID)
}

func FuzzBatteryLevel(f *testing.F) {
	fuzzCodec[wearable.BatteryLevel](f, wearable.BatteryLevelUUID)
}

func FuzzRSCMeasurement(f *testing.F) {
	fuzzCodec[wearable.RSCMeasurement](f, wearable.RSCMeasurementUUID)
}

func FuzzCSCMeasurement(f *testing.F) {
	fuzzCodec[wearable.CSCMeasurement](f, wearable.CSCMeasurementUUID)
}

func FuzzCyclingPowerMeasurement(f *testing.F) {
	fuzzCodec[wearable.CyclingPowerMeasurement](f, wearable.CyclingPowerMeasurementUUID)
}

func FuzzTemperatureMeasurement(f *testing.F) {
	fuzzCodec[wearable.TemperatureMeasurement](f, wearable.TemperatureMeasurementUUID)
}

func FuzzBloodPressureMeasurement(f *testing.F) {
	fuzzCodec[wearable.BloodPressureMeasurement](f, wearable.BloodPressureMeasurementUUID)
}

func FuzzIntermediateCuffPressure(f *testing.F) {
	fuzzCodec[wearable.IntermediateCuffPressure](f, wearable.IntermediateCuffPressureUUID)
}

func FuzzWeightMeasurement(f *testing.F) {
	fuzzCodec[wearable.WeightMeasurement](f, wearable.WeightMeasurementUUID)
}

func FuzzPLXSpotCheck(f *testing.F) {
	fuzzCodec[wearable.PLXSpotCheck](f, wearable.PLXSpotCheckUUID)
}

func FuzzPLXContinuous(f *testing.F) {
	fuzzCodec[wearable.PLXContinuous](f, wearable.PLXContinuousUUID)
}

func FuzzDateTime(f *testing.F) {
	fuzzCodec[wearable.DateTime](f, wearable.DateTimeUUID)
}

// FuzzSFloat checks every 16-bit pattern class: specials are never numbers;
// a number re-encoded from its float64 decodes to the same number.
func FuzzSFloat(f *testing.F) {
	for _, s := range []uint16{0xF065, 0xF0BD, 0xF3D4, 0x07FF, 0x0800, 0x07FE, 0x0802, 0x0801, 0x8062, 0x17FF, 0xF800} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw uint16) {
		s := wearable.SFloat(raw)
		v, ok := s.Float64()
		if ok != (s.Special() == wearable.NotSpecial) {
			t.Fatalf("%#04x: ok %v special %v", raw, ok, s.Special())
		}
		if !ok {
			if v != 0 || s.String() != s.Special().String() {
				t.Fatalf("%#04x: special leaked a number %v", raw, v)
			}
			return
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("%#04x: number decoded to %v", raw, v)
		}
		back, err := wearable.SFloatFromFloat64(v)
		if err != nil {
			t.Fatalf("%#04x (%v): re-encode: %v", raw, v, err)
		}
		if !back.Equal(s) {
			t.Fatalf("%#04x (%v) re-encoded as %#04x (%v)", raw, v, uint16(back), back)
		}
		// NewSFloat round-trips the raw parts exactly.
		if n, err := wearable.NewSFloat(int(s.Mantissa()), int(s.Exponent())); err != nil || n != s {
			t.Fatalf("NewSFloat(%d, %d) = %#04x, %v", s.Mantissa(), s.Exponent(), uint16(n), err)
		}
	})
}

// FuzzFloat is FuzzSFloat for the 32-bit FLOAT, fed as four wire bytes.
func FuzzFloat(f *testing.F) {
	for _, s := range []string{"87 D6 12 FE", "B0 0E 00 FE", "FF FF 7F 00", "00 00 80 00", "FE FF 7F 00", "02 00 80 00", "01 00 80 00", "20 75 38 7B"} {
		f.Add(hx(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) != 4 {
			return
		}
		fl := wearable.Float(binary.LittleEndian.Uint32(in))
		v, ok := fl.Float64()
		if ok != (fl.Special() == wearable.NotSpecial) {
			t.Fatalf("% X: ok %v special %v", in, ok, fl.Special())
		}
		if !ok {
			return
		}
		if n, err := wearable.NewFloat(int(fl.Mantissa()), int(fl.Exponent())); err != nil || n != fl {
			t.Fatalf("NewFloat parts: %v", err)
		}
		back, err := wearable.FloatFromFloat64(v)
		if err != nil {
			t.Fatalf("% X (%v): re-encode: %v", in, v, err)
		}
		if e := int(fl.Exponent()); e >= -22 && e <= 22 {
			// 10^|e| is exact: the decimal value survives exactly.
			if !back.Equal(fl) {
				t.Fatalf("% X (%v) re-encoded as %v", in, v, back)
			}
			return
		}
		got, _ := back.Float64()
		if v != 0 && math.Abs(got-v) > math.Abs(v)*1e-6 {
			t.Fatalf("% X: %v re-encoded as %v", in, v, got)
		}
	})
}
