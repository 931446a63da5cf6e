package wearable

import (
	"encoding/binary"
	"time"
)

// DateTime is the 7-byte Date Time layout (characteristic 0x2A08) embedded in
// thermometer, blood-pressure, weight and pulse-oximeter measurements. Zero
// year, month or day means "not known". It carries no time zone: the
// collector must supply one (see Time).
type DateTime struct {
	Year    uint16 // 1582..9999, 0 = unknown
	Month   uint8  // 1..12, 0 = unknown
	Day     uint8  // 1..31, 0 = unknown
	Hours   uint8  // 0..23
	Minutes uint8  // 0..59
	Seconds uint8  // 0..59
}

// dateTimeLen is the encoded length of a DateTime.
const dateTimeLen = 7

// Known reports whether year, month and day are all set.
func (d DateTime) Known() bool { return d.Year != 0 && d.Month != 0 && d.Day != 0 }

// Time returns the instant in loc, and false when the date is not Known or
// names a day that does not exist (30 February).
func (d DateTime) Time(loc *time.Location) (time.Time, bool) {
	if !d.Known() || d.check() >= 0 {
		return time.Time{}, false
	}
	t := time.Date(int(d.Year), time.Month(d.Month), int(d.Day), int(d.Hours), int(d.Minutes), int(d.Seconds), 0, loc)
	if t.Day() != int(d.Day) || t.Month() != time.Month(d.Month) {
		return time.Time{}, false
	}
	return t, true
}

// check returns the offset (0..6) of the first field outside its range, or -1.
func (d DateTime) check() int {
	switch {
	case d.Year != 0 && (d.Year < 1582 || d.Year > 9999):
		return 0
	case d.Month > 12:
		return 2
	case d.Day > 31:
		return 3
	case d.Hours > 23:
		return 4
	case d.Minutes > 59:
		return 5
	case d.Seconds > 59:
		return 6
	}
	return -1
}

// decodeDateTime reads a DateTime from b[off:off+7] (the caller has checked
// the length) and validates it.
func decodeDateTime(c Characteristic, b []byte, off int) (DateTime, error) {
	d := readDateTime(b[off:])
	if i := d.check(); i >= 0 {
		return DateTime{}, errRange(c, off+i)
	}
	return d, nil
}

// readDateTime reads the 7-byte layout from the start of b without
// validating it.
func readDateTime(b []byte) DateTime {
	_ = b[6]
	return DateTime{
		Year:    binary.LittleEndian.Uint16(b),
		Month:   b[2],
		Day:     b[3],
		Hours:   b[4],
		Minutes: b[5],
		Seconds: b[6],
	}
}

func appendDateTime(c Characteristic, b []byte, d DateTime) ([]byte, error) {
	if d.check() >= 0 {
		return b, encErr(c, "Timestamp", ErrOutOfRange)
	}
	b = binary.LittleEndian.AppendUint16(b, d.Year)
	return append(b, d.Month, d.Day, d.Hours, d.Minutes, d.Seconds), nil
}

// UnmarshalBinary decodes a Date Time (0x2A08) value of exactly 7 bytes.
func (d *DateTime) UnmarshalBinary(b []byte) error {
	if len(b) < dateTimeLen {
		return errTruncated(DateTimeUUID, dateTimeTruncAt(len(b)))
	}
	if len(b) > dateTimeLen {
		return errTrailing(DateTimeUUID, dateTimeLen)
	}
	v, err := decodeDateTime(DateTimeUUID, b, 0)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// AppendBinary appends the 7-byte encoding of d.
func (d DateTime) AppendBinary(b []byte) ([]byte, error) { return appendDateTime(DateTimeUUID, b, d) }

// MarshalBinary returns the 7-byte encoding of d.
func (d DateTime) MarshalBinary() ([]byte, error) {
	return d.AppendBinary(make([]byte, 0, dateTimeLen))
}

// dateTimeTruncAt maps a short length to the start of the first missing
// field (year occupies two bytes).
func dateTimeTruncAt(n int) int {
	if n < 2 {
		return 0
	}
	return n
}
