package wearable_test

import (
	"bytes"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/wearable"
)

func TestBodySensorLocation(t *testing.T) {
	var l wearable.BodySensorLocation
	if err := l.UnmarshalBinary(hx("01")); err != nil || l != wearable.LocationChest || l.String() != "chest" {
		t.Fatalf("01 → %v, %v", l, err)
	}
	if err := l.UnmarshalBinary(hx("05")); err != nil || l.String() != "ear_lobe" {
		t.Fatalf("05 → %v, %v", l, err)
	}
	for _, tt := range []badCase{
		{"empty", "", 0, wearable.ErrTruncated},
		{"reserved 7", "07", 0, wearable.ErrReserved},
		{"reserved 255", "FF", 0, wearable.ErrReserved},
		{"two bytes", "01 00", 1, wearable.ErrTrailingBytes},
	} {
		wantParseError(t, l.UnmarshalBinary(hx(tt.in)), wearable.BodySensorLocationUUID, tt.off, tt.err)
	}
	if _, err := wearable.BodySensorLocation(9).MarshalBinary(); err == nil {
		t.Fatal("reserved location encoded")
	}
}

func TestBatteryLevel(t *testing.T) {
	var l wearable.BatteryLevel
	if err := l.UnmarshalBinary(hx("64")); err != nil || l != 100 {
		t.Fatalf("64 → %v, %v", l, err)
	}
	for _, tt := range []badCase{
		{"empty", "", 0, wearable.ErrTruncated},
		{"Nordic 65 = 101 %", "65", 0, wearable.ErrOutOfRange},
		{"Nordic 64 00: two bytes", "64 00", 1, wearable.ErrTrailingBytes},
	} {
		wantParseError(t, l.UnmarshalBinary(hx(tt.in)), wearable.BatteryLevelUUID, tt.off, tt.err)
	}
	if l != 100 {
		t.Fatal("modified on error")
	}
	if _, err := wearable.BatteryLevel(101).MarshalBinary(); err == nil {
		t.Fatal("101 % encoded")
	}
}

func TestRSCMeasurement(t *testing.T) {
	in := hx("07 00 03 12 56 00 01 00 00 F0")
	var m wearable.RSCMeasurement
	if err := m.UnmarshalBinary(in); err != nil {
		t.Fatal(err)
	}
	stride, okS := m.StrideLengthMetres()
	dist, okD := m.TotalDistanceMetres()
	if m.SpeedMetresPerSecond() != 3.0 || m.Cadence != 18 || !m.Running || !okS || stride != 0.86 || !okD || m.TotalDistance != 0xF0000001 || dist != float64(0xF0000001)/10 {
		t.Fatalf("decoded %+v", m)
	}
	out, _ := m.MarshalBinary()
	if !bytes.Equal(out, in) {
		t.Fatalf("re-encoded % X", out)
	}
	for _, tt := range []badCase{
		{"empty", "", 0, wearable.ErrTruncated},
		{"speed half", "00 00", 1, wearable.ErrTruncated},
		{"cadence missing", "00 00 03", 3, wearable.ErrTruncated},
		{"stride missing", "01 00 03 12", 4, wearable.ErrTruncated},
		{"distance short", "03 00 03 12 56 00 01 00 00", 6, wearable.ErrTruncated},
		{"trailing", "00 00 03 12 00", 4, wearable.ErrTrailingBytes},
		{"reserved flag", "08 00 03 12", 0, wearable.ErrReserved},
	} {
		wantParseError(t, m.UnmarshalBinary(hx(tt.in)), wearable.RSCMeasurementUUID, tt.off, tt.err)
	}
}

func TestCSCMeasurement(t *testing.T) {
	in := hx("03 2A 00 00 00 C4 60 12 00 F7 04")
	var m wearable.CSCMeasurement
	if err := m.UnmarshalBinary(in); err != nil {
		t.Fatal(err)
	}
	want := wearable.CSCMeasurement{HasWheel: true, WheelRevolutions: 42, WheelEventTime: 0x60C4, HasCrank: true, CrankRevolutions: 0x12, CrankEventTime: 0x04F7}
	if m != want {
		t.Fatalf("decoded %+v", m)
	}
	out, _ := m.MarshalBinary()
	if !bytes.Equal(out, in) {
		t.Fatalf("re-encoded % X", out)
	}
	if err := m.UnmarshalBinary(hx("02 0C 00 E5 42")); err != nil || m.HasWheel || m.CrankRevolutions != 12 || m.CrankEventTime != 17125 {
		t.Fatalf("crank only: %+v %v", m, err)
	}
	for _, tt := range []badCase{
		{"empty", "", 0, wearable.ErrTruncated},
		{"wheel revs short", "01 2A 00", 1, wearable.ErrTruncated},
		{"wheel time missing", "01 2A 00 00 00", 5, wearable.ErrTruncated},
		{"crank time missing", "03 2A 00 00 00 C4 60 12 00", 9, wearable.ErrTruncated},
		{"crank only short", "02 0C 00 E5", 3, wearable.ErrTruncated},
		{"no data but trailing", "00 00", 1, wearable.ErrTrailingBytes},
		{"reserved flag", "04", 0, wearable.ErrReserved},
	} {
		wantParseError(t, m.UnmarshalBinary(hx(tt.in)), wearable.CSCMeasurementUUID, tt.off, tt.err)
	}
}

func TestCyclingPowerMeasurement(t *testing.T) {
	// 4iiii power meter capture (OpenTracks #1352).
	var m wearable.CyclingPowerMeasurement
	in := hx("2C 00 00 00 9F 00 0C 00 E5 42")
	if err := m.UnmarshalBinary(in); err != nil {
		t.Fatal(err)
	}
	torque, ok := m.AccumulatedTorqueNewtonMetres()
	if m.Power != 0 || !ok || torque != 159.0/32 || !m.TorqueFromCrank || !m.HasCrank || m.CrankRevolutions != 12 || m.CrankEventTime != 17125 || m.HasWheel {
		t.Fatalf("decoded %+v", m)
	}
	out, _ := m.MarshalBinary()
	if !bytes.Equal(out, in) {
		t.Fatalf("re-encoded % X", out)
	}
	// Wheel + crank, and power is signed.
	if err := m.UnmarshalBinary(hx("30 00 21 00 2A 00 00 00 C4 60 12 00 F7 04")); err != nil || m.Power != 33 || m.WheelRevolutions != 42 || m.WheelEventTime != 0x60C4 {
		t.Fatalf("%+v %v", m, err)
	}
	if err := m.UnmarshalBinary(hx("00 00 F6 FF")); err != nil || m.Power != -10 {
		t.Fatalf("negative power: %d %v", m.Power, err)
	}
	// Every optional field: extreme angles pack max in the low 12 bits
	// (max 0xABC, min 0x123 → BC 3A 12).
	all := hx("FF 1F 64 00 50 40 01 10 00 00 00 00 08 02 00 10 04 20 03 38 FF 40 00 E0 FF BC 3A 12 0A 00 B4 00 0C 00")
	if err := m.UnmarshalBinary(all); err != nil {
		t.Fatal(err)
	}
	bal, _ := m.PedalBalancePercent()
	if m.MaxAngle != 0xABC || m.MinAngle != 0x123 || m.MinForce != -200 || m.MinTorque != -32 || bal != 40 || !m.BalanceLeft || !m.OffsetCompensation || m.AccumulatedEnergy != 12 || m.BottomDeadSpotAngle != 180 {
		t.Fatalf("decoded %+v", m)
	}
	out, _ = m.MarshalBinary()
	if !bytes.Equal(out, all) {
		t.Fatalf("re-encoded % X", out)
	}
	for _, tt := range []badCase{
		{"empty", "", 0, wearable.ErrTruncated},
		{"flags only", "00 00", 2, wearable.ErrTruncated},
		{"power half", "00 00 01", 2, wearable.ErrTruncated},
		{"torque missing", "04 00 00 00", 4, wearable.ErrTruncated},
		{"crank time missing", "2C 00 00 00 9F 00 0C 00", 8, wearable.ErrTruncated},
		{"trailing", "00 00 00 00 00", 4, wearable.ErrTrailingBytes},
		{"reserved flag bit 13", "00 20 00 00", 1, wearable.ErrReserved},
	} {
		wantParseError(t, m.UnmarshalBinary(hx(tt.in)), wearable.CyclingPowerMeasurementUUID, tt.off, tt.err)
	}
	if _, err := (&wearable.CyclingPowerMeasurement{HasExtremeAngles: true, MaxAngle: 0x1000}).MarshalBinary(); err == nil {
		t.Fatal("13-bit angle encoded")
	}
}
