package wearable_test

import (
	"bytes"
	"math"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/wearable"
)

func TestTemperatureMeasurement(t *testing.T) {
	in := hx("06 B0 0E 00 FE DC 07 0C 05 0B 32 1B 04")
	var m wearable.TemperatureMeasurement
	if err := m.UnmarshalBinary(in); err != nil {
		t.Fatal(err)
	}
	c, sp := m.Celsius()
	if c != 37.6 || sp != wearable.NotSpecial || m.Fahrenheit || !m.HasType || m.Type != wearable.TemperatureFinger {
		t.Fatalf("decoded %+v (%v °C)", m, c)
	}
	if m.Timestamp != (wearable.DateTime{Year: 2012, Month: 12, Day: 5, Hours: 11, Minutes: 50, Seconds: 27}) {
		t.Fatalf("timestamp %+v", m.Timestamp)
	}
	ts, ok := m.Timestamp.Time(time.UTC)
	if !ok || !ts.Equal(time.Date(2012, 12, 5, 11, 50, 27, 0, time.UTC)) {
		t.Fatalf("Time = %v %v", ts, ok)
	}
	out, _ := m.MarshalBinary()
	if !bytes.Equal(out, in) {
		t.Fatalf("re-encoded % X", out)
	}
	// Fahrenheit converts; NaN is a special, not a number.
	if err := m.UnmarshalBinary(hx("01 AE 03 00 FF")); err != nil { // 94.2 °F
		t.Fatal(err)
	}
	if c, _ := m.Celsius(); c < 34.555 || c > 34.556 {
		t.Fatalf("94.2 °F = %v °C", c)
	}
	if err := m.UnmarshalBinary(hx("00 FF FF 7F 00")); err != nil {
		t.Fatal(err)
	}
	if _, sp := m.Celsius(); sp != wearable.SpecialNaN {
		t.Fatalf("NaN temperature special = %v", sp)
	}
	for _, tt := range []badCase{
		{"empty", "", 0, wearable.ErrTruncated},
		{"float short", "00 B0 0E 00", 1, wearable.ErrTruncated},
		{"timestamp short", "02 B0 0E 00 FE DC 07 0C", 5, wearable.ErrTruncated},
		{"type missing", "06 B0 0E 00 FE DC 07 0C 05 0B 32 1B", 12, wearable.ErrTruncated},
		{"trailing", "00 B0 0E 00 FE 00", 5, wearable.ErrTrailingBytes},
		{"reserved flag", "08 B0 0E 00 FE", 0, wearable.ErrReserved},
		{"reserved type 0", "04 B0 0E 00 FE 00", 5, wearable.ErrReserved},
		{"reserved type 10", "04 B0 0E 00 FE 0A", 5, wearable.ErrReserved},
		{"month 13", "02 B0 0E 00 FE DC 07 0D 05 0B 32 1B", 7, wearable.ErrOutOfRange},
		{"year 1000", "02 B0 0E 00 FE E8 03 0C 05 0B 32 1B", 5, wearable.ErrOutOfRange},
		{"minute 60", "02 B0 0E 00 FE DC 07 0C 05 0B 3C 1B", 10, wearable.ErrOutOfRange},
	} {
		wantParseError(t, m.UnmarshalBinary(hx(tt.in)), wearable.TemperatureMeasurementUUID, tt.off, tt.err)
	}
}

func TestDateTime(t *testing.T) {
	var d wearable.DateTime
	if err := d.UnmarshalBinary(hx("E7 07 0C 19 0E 1E 2D")); err != nil || d.Year != 2023 || d.Day != 25 {
		t.Fatalf("%+v %v", d, err)
	}
	unknown := wearable.DateTime{Month: 4, Day: 17, Hours: 20}
	if unknown.Known() {
		t.Fatal("year 0 is known")
	}
	if _, ok := unknown.Time(time.UTC); ok {
		t.Fatal("unknown year converted")
	}
	if _, ok := (wearable.DateTime{Year: 2023, Month: 2, Day: 30}).Time(time.UTC); ok {
		t.Fatal("30 February converted")
	}
	wantParseError(t, d.UnmarshalBinary(hx("E7")), wearable.DateTimeUUID, 0, wearable.ErrTruncated)
	wantParseError(t, d.UnmarshalBinary(hx("E7 07 0C")), wearable.DateTimeUUID, 3, wearable.ErrTruncated)
	wantParseError(t, d.UnmarshalBinary(hx("E7 07 0C 19 0E 1E 2D 00")), wearable.DateTimeUUID, 7, wearable.ErrTrailingBytes)
	wantParseError(t, d.UnmarshalBinary(hx("E7 07 0C 20 0E 1E 2D")), wearable.DateTimeUUID, 3, wearable.ErrOutOfRange)
	if _, err := (wearable.DateTime{Hours: 24}).MarshalBinary(); err == nil {
		t.Fatal("hour 24 encoded")
	}
}

func TestBloodPressureMeasurement(t *testing.T) {
	in := hx("1E 8A 00 58 00 78 00 00 00 04 11 14 29 3B 3C 00 01 27 00")
	var m wearable.BloodPressureMeasurement
	if err := m.UnmarshalBinary(in); err != nil {
		t.Fatal(err)
	}
	sys, _ := m.SystolicMMHg()
	dia, _ := m.DiastolicMMHg()
	mapv, _ := m.MeanArterialMMHg()
	pr, _ := m.PulseRate.Float64()
	if sys != 138 || dia != 88 || mapv != 120 || pr != 60 || m.UserID != 1 || m.KPa {
		t.Fatalf("decoded %+v", m)
	}
	if m.Timestamp != (wearable.DateTime{Year: 0, Month: 4, Day: 17, Hours: 20, Minutes: 41, Seconds: 59}) || m.Timestamp.Known() {
		t.Fatalf("timestamp %+v", m.Timestamp)
	}
	want := wearable.BPBodyMovement | wearable.BPCuffTooLoose | wearable.BPIrregularPulse | wearable.BPImproperPosition
	if m.Status != want || m.Status.PulseRateRange() != wearable.PulseRateInRange {
		t.Fatalf("status %#x", m.Status)
	}
	out, _ := m.MarshalBinary()
	if !bytes.Equal(out, in) {
		t.Fatalf("re-encoded % X", out)
	}
	// kPa is converted to mmHg: 16.0 kPa = 120.00992 mmHg.
	if err := m.UnmarshalBinary(hx("01 A0 F0 A0 F0 A0 F0")); err != nil {
		t.Fatal(err)
	}
	if sys, _ := m.SystolicMMHg(); sys != 16*wearable.KPaToMMHg {
		t.Fatalf("16 kPa = %v mmHg", sys)
	}
	if err := m.UnmarshalBinary(hx("10 8A 00 58 00 78 00 08 00")); err != nil || m.Status.PulseRateRange() != wearable.PulseRateAboveUpper {
		t.Fatalf("range: %v %v", m.Status.PulseRateRange(), err)
	}
	for _, tt := range []badCase{
		{"empty", "", 0, wearable.ErrTruncated},
		{"diastolic short", "00 8A 00 58", 3, wearable.ErrTruncated},
		{"pulse missing", "04 8A 00 58 00 78 00", 7, wearable.ErrTruncated},
		{"status short", "10 8A 00 58 00 78 00 27", 7, wearable.ErrTruncated},
		{"trailing", "00 8A 00 58 00 78 00 00", 7, wearable.ErrTrailingBytes},
		{"reserved flag", "20 8A 00 58 00 78 00", 0, wearable.ErrReserved},
		{"pulse-rate range 3 reserved", "10 8A 00 58 00 78 00 18 00", 7, wearable.ErrReserved},
		{"status bit 8 reserved", "10 8A 00 58 00 78 00 00 01", 8, wearable.ErrReserved},
	} {
		wantParseError(t, m.UnmarshalBinary(hx(tt.in)), wearable.BloodPressureMeasurementUUID, tt.off, tt.err)
	}
}

func TestIntermediateCuffPressure(t *testing.T) {
	// NaN in the unused slots, as the spec asks; Nordic's test fills zeros.
	for _, in := range []string{"00 96 00 FF 07 FF 07", "00 96 00 00 00 00 00"} {
		var m wearable.IntermediateCuffPressure
		if err := m.UnmarshalBinary(hx(in)); err != nil {
			t.Fatal(err)
		}
		if p, sp := m.CuffPressureMMHg(); p != 150 || sp != wearable.NotSpecial {
			t.Fatalf("%s: cuff %v %v", in, p, sp)
		}
		out, _ := m.MarshalBinary()
		if !bytes.Equal(out, hx(in)) {
			t.Fatalf("re-encoded % X", out)
		}
	}
	var m wearable.IntermediateCuffPressure
	wantParseError(t, m.UnmarshalBinary(hx("00 96 00")), wearable.IntermediateCuffPressureUUID, 3, wearable.ErrTruncated)
}

func TestWeightMeasurement(t *testing.T) {
	var m wearable.WeightMeasurement
	if err := m.UnmarshalBinary(hx("00 B0 36")); err != nil {
		t.Fatal(err)
	}
	if kg, ok := m.Kilograms(); !ok || kg != 70 {
		t.Fatalf("00 B0 36 = %v kg", kg)
	}
	in := hx("0F 54 3D E7 07 0C 19 0E 1E 2D 03 F5 00 A8 02")
	if err := m.UnmarshalBinary(in); err != nil {
		t.Fatal(err)
	}
	lb, _ := m.Pounds()
	bmi, _ := m.BMIValue()
	h, _ := m.HeightMetres()
	if !m.Imperial || lb != 157 || m.UserID != 3 || bmi != 24.5 || math.Abs(h-68*0.0254) > 1e-12 {
		t.Fatalf("decoded %+v lb %v bmi %v h %v", m, lb, bmi, h)
	}
	if kg, _ := m.Kilograms(); math.Abs(kg-157*0.45359237) > 1e-12 {
		t.Fatalf("157 lb = %v kg", kg)
	}
	if m.Timestamp != (wearable.DateTime{Year: 2023, Month: 12, Day: 25, Hours: 14, Minutes: 30, Seconds: 45}) {
		t.Fatalf("timestamp %+v", m.Timestamp)
	}
	out, _ := m.MarshalBinary()
	if !bytes.Equal(out, in) {
		t.Fatalf("re-encoded % X", out)
	}
	// 0xFFFF is "Measurement Unsuccessful", never 327.675 kg.
	if err := m.UnmarshalBinary(hx("00 FF FF")); err != nil {
		t.Fatal(err)
	}
	if kg, ok := m.Kilograms(); ok || kg != 0 || !m.Unsuccessful() {
		t.Fatalf("unsuccessful = %v kg, %v", kg, ok)
	}
	for _, tt := range []badCase{
		{"empty", "", 0, wearable.ErrTruncated},
		{"weight half", "00 B0", 1, wearable.ErrTruncated},
		{"user missing", "04 B0 36", 3, wearable.ErrTruncated},
		{"height missing", "08 B0 36 F5 00", 5, wearable.ErrTruncated},
		{"trailing", "00 B0 36 00", 3, wearable.ErrTrailingBytes},
		{"reserved flag", "10 B0 36", 0, wearable.ErrReserved},
	} {
		wantParseError(t, m.UnmarshalBinary(hx(tt.in)), wearable.WeightMeasurementUUID, tt.off, tt.err)
	}
}

func TestPLXSpotCheck(t *testing.T) {
	var a, b wearable.PLXSpotCheck
	if err := a.UnmarshalBinary(hx("00 E8 F3 84 F3")); err != nil {
		t.Fatal(err)
	}
	if err := b.UnmarshalBinary(hx("00 64 00 5A 00")); err != nil {
		t.Fatal(err)
	}
	if a == b || !a.SpO2.Equal(b.SpO2) || !a.PulseRate.Equal(b.PulseRate) {
		t.Fatalf("%v/%v vs %v/%v", a.SpO2, a.PulseRate, b.SpO2, b.PulseRate)
	}
	if v, _ := a.SpO2.Float64(); v != 100 {
		t.Fatalf("SpO2 %v", v)
	}
	var n wearable.PLXSpotCheck
	if err := n.UnmarshalBinary(hx("00 FF 07 5A 00")); err != nil || n.SpO2.Special() != wearable.SpecialNaN {
		t.Fatalf("probe not ready: %v %v", n.SpO2, err)
	}
	full := hx("1F 62 00 48 00 E8 07 01 02 03 04 05 80 00 20 00 00 64 F0")
	if err := n.UnmarshalBinary(full); err != nil {
		t.Fatal(err)
	}
	if !n.ClockNotSet || n.MeasurementStatus != wearable.PLXValidatedData || n.DeviceStatus != wearable.PLXLowPerfusion || n.PulseAmplitudeIndex != 0xF064 {
		t.Fatalf("decoded %+v", n)
	}
	out, _ := n.MarshalBinary()
	if !bytes.Equal(out, full) {
		t.Fatalf("re-encoded % X", out)
	}
	for _, tt := range []badCase{
		{"empty", "", 0, wearable.ErrTruncated},
		{"pulse short", "00 62 00 48", 3, wearable.ErrTruncated},
		{"status missing", "02 62 00 48 00", 5, wearable.ErrTruncated},
		{"trailing", "00 62 00 48 00 00", 5, wearable.ErrTrailingBytes},
		{"reserved flag", "20 62 00 48 00", 0, wearable.ErrReserved},
		{"reserved measurement status bit 0", "02 62 00 48 00 01 00", 5, wearable.ErrReserved},
		{"reserved device status bit 16", "04 62 00 48 00 00 00 01", 7, wearable.ErrReserved},
	} {
		wantParseError(t, n.UnmarshalBinary(hx(tt.in)), wearable.PLXSpotCheckUUID, tt.off, tt.err)
	}
}

func TestPLXContinuous(t *testing.T) {
	in := hx("1F 62 00 48 00 61 00 49 00 63 00 47 00 80 00 00 08 00 64 F0")
	var m wearable.PLXContinuous
	if err := m.UnmarshalBinary(in); err != nil {
		t.Fatal(err)
	}
	if m.SpO2Fast != 97 || m.PulseRateSlow != 71 || m.DeviceStatus != wearable.PLXSensorUnconnected || !m.DeviceStatus.Fault() || m.MeasurementStatus.Unreliable() {
		t.Fatalf("decoded %+v", m)
	}
	out, _ := m.MarshalBinary()
	if !bytes.Equal(out, in) {
		t.Fatalf("re-encoded % X", out)
	}
	for _, tt := range []badCase{
		{"empty", "", 0, wearable.ErrTruncated},
		{"fast pulse missing", "01 62 00 48 00 61 00", 7, wearable.ErrTruncated},
		{"slow missing", "02 62 00 48 00", 5, wearable.ErrTruncated},
		{"trailing", "00 62 00 48 00 00", 5, wearable.ErrTrailingBytes},
		{"reserved flag", "40 62 00 48 00", 0, wearable.ErrReserved},
		{"reserved status", "04 62 00 48 00 10 00", 5, wearable.ErrReserved},
	} {
		wantParseError(t, m.UnmarshalBinary(hx(tt.in)), wearable.PLXContinuousUUID, tt.off, tt.err)
	}
}
