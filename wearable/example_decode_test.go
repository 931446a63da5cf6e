package wearable_test

import (
	"errors"
	"fmt"

	"github.com/touchpoint-sdk/touchpoint/wearable"
)

func ExampleHeartRateMeasurement_UnmarshalBinary() {
	var m wearable.HeartRateMeasurement
	// flags 0x16: 8-bit value, contact detected, RR intervals present.
	if err := m.UnmarshalBinary([]byte{0x16, 0x48, 0x54, 0x01, 0xEC, 0x02}); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.BPM, "bpm, contact", m.Contact)
	for _, rr := range m.RRIntervals() {
		fmt.Printf("RR %.2f ms\n", rr.Milliseconds())
	}
	// Output:
	// 72 bpm, contact detected
	// RR 332.03 ms
	// RR 730.47 ms
}

func ExampleHeartRateMeasurement_AppendBinary() {
	// Simulate a strap: 150 bpm, skin contact, two RR intervals.
	m := wearable.HeartRateMeasurement{BPM: 150, Contact: wearable.ContactDetected}
	_ = m.SetRRIntervals([]wearable.RRInterval{410, 405})
	b, err := m.AppendBinary(nil)
	fmt.Printf("% X %v\n", b, err)
	// Output: 16 96 9A 01 95 01 <nil>
}

func ExampleParseError() {
	var m wearable.HeartRateMeasurement
	err := m.UnmarshalBinary([]byte{0x17, 0x01, 0x01}) // RR flag set, no RR
	var pe *wearable.ParseError
	fmt.Println(errors.As(err, &pe), pe.Offset, errors.Is(err, wearable.ErrTruncated))
	fmt.Println(err)
	// Output:
	// true 3 true
	// wearable: 0x2A37 Heart Rate Measurement: offset 3: wearable: truncated value
}

func ExampleSFloat() {
	for _, raw := range []wearable.SFloat{0xF3E8, 0x0064, 0x07FF, 0x0800} {
		v, ok := raw.Float64()
		fmt.Println(raw, v, ok, raw.Special())
	}
	fmt.Println(wearable.SFloat(0xF3E8).Equal(0x0064))
	// Output:
	// 100 100 true number
	// 100 100 true number
	// NaN 0 false NaN
	// NRes 0 false NRes
	// true
}

// NewSFloat builds an SFLOAT from mantissa and exponent, as a simulated
// thermometer would send 37.6 °C. Pairs that do not fit 12 and 4 bits, or
// that would encode a special value, are refused.
func ExampleNewSFloat() {
	s, err := wearable.NewSFloat(376, -1)
	if err != nil {
		panic(err)
	}
	v, ok := s.Float64()
	fmt.Printf("%v %#04x %v %v %d %d\n", s, uint16(s), v, ok, s.Mantissa(), s.Exponent())
	for _, in := range [][2]int{{2048, 0}, {1, 8}, {2047, 0}} { // too wide, too wide, the NaN pattern
		_, err := wearable.NewSFloat(in[0], in[1])
		fmt.Print(errors.Is(err, wearable.ErrOutOfRange), " ")
	}
	fmt.Println()
	// Output:
	// 37.6 0xf178 37.6 true 376 -1
	// true true true
}

// NewFloat builds a 32-bit FLOAT, as the Temperature Measurement and Weight
// characteristics carry; its 24-bit mantissa keeps more digits than an
// SFLOAT. Pairs that do not fit, or that would encode a special value, are
// refused.
func ExampleNewFloat() {
	f, err := wearable.NewFloat(-123456, -3)
	if err != nil {
		panic(err)
	}
	v, ok := f.Float64()
	fmt.Printf("%v %#08x %v %v %d %d\n", f, uint32(f), v, ok, f.Mantissa(), f.Exponent())
	for _, in := range [][2]int{{1 << 23, 0}, {1, 128}, {0x7FFFFF, 0}} { // too wide, too wide, the NaN pattern
		_, err := wearable.NewFloat(in[0], in[1])
		fmt.Print(errors.Is(err, wearable.ErrOutOfRange), " ")
	}
	fmt.Println()
	// Output:
	// -123.456 0xfdfe1dc0 -123.456 true -123456 -3
	// true true true
}

func ExampleSFloatFromFloat64() {
	s, _ := wearable.SFloatFromFloat64(123.45)
	fmt.Printf("%v (%#04x)\n", s, uint16(s))
	// Output: 123.5 (0xf4d3)
}

func ExampleFloatFromFloat64() {
	f, _ := wearable.FloatFromFloat64(37.6)
	fmt.Println(f, f.Mantissa(), f.Exponent())
	// Output: 37.6 376 -1
}

func ExampleWeightMeasurement_Kilograms() {
	var m wearable.WeightMeasurement
	for _, in := range [][]byte{{0x00, 0xB0, 0x36}, {0x00, 0xFF, 0xFF}} {
		if err := m.UnmarshalBinary(in); err != nil {
			fmt.Println(err)
			continue
		}
		kg, ok := m.Kilograms()
		fmt.Println(kg, ok, m.Unsuccessful())
	}
	// Output:
	// 70 true false
	// 0 false true
}

func ExampleTemperatureMeasurement_Celsius() {
	var m wearable.TemperatureMeasurement
	_ = m.UnmarshalBinary([]byte{0x06, 0xB0, 0x0E, 0x00, 0xFE, 0xDC, 0x07, 0x0C, 0x05, 0x0B, 0x32, 0x1B, 0x04})
	c, sp := m.Celsius()
	fmt.Println(c, sp, m.Type, m.Timestamp.Known())
	// Output: 37.6 number finger true
}

func ExampleBloodPressureMeasurement_SystolicMMHg() {
	var m wearable.BloodPressureMeasurement
	// kPa cuff: 16.0 / 10.7 / 12.5 kPa.
	_ = m.UnmarshalBinary([]byte{0x01, 0xA0, 0xF0, 0x6B, 0xF0, 0x7D, 0xF0})
	sys, _ := m.SystolicMMHg()
	dia, _ := m.DiastolicMMHg()
	fmt.Printf("%.1f/%.1f mmHg\n", sys, dia)
	// Output: 120.0/80.3 mmHg
}

func ExampleCSCMeasurement_UnmarshalBinary() {
	var m wearable.CSCMeasurement
	_ = m.UnmarshalBinary([]byte{0x03, 0x2A, 0x00, 0x00, 0x00, 0xC4, 0x60, 0x12, 0x00, 0xF7, 0x04})
	fmt.Println(m.WheelRevolutions, m.WheelEventTime, m.CrankRevolutions, m.CrankEventTime)
	// Output: 42 24772 18 1271
}

func ExampleCyclingPowerMeasurement_UnmarshalBinary() {
	var m wearable.CyclingPowerMeasurement
	_ = m.UnmarshalBinary([]byte{0x2C, 0x00, 0x00, 0x00, 0x9F, 0x00, 0x0C, 0x00, 0xE5, 0x42})
	torque, _ := m.AccumulatedTorqueNewtonMetres()
	fmt.Println(m.Power, "W", torque, "N·m", m.CrankRevolutions, "revs")
	// Output: 0 W 4.96875 N·m 12 revs
}

func ExamplePLXSpotCheck_UnmarshalBinary() {
	var m wearable.PLXSpotCheck
	_ = m.UnmarshalBinary([]byte{0x00, 0xFF, 0x07, 0x5A, 0x00})
	fmt.Println("SpO2:", m.SpO2.Special(), "pulse:", m.PulseRate)
	// Output: SpO2: NaN pulse: 90
}
