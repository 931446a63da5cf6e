package applehealth

import (
	"fmt"
	"time"

	"github.com/touchpoint-sdk/touchpoint/wearable"
)

// dateParser parses export dates ("2014-09-13 10:27:54 +0100") without
// allocating: the handful of distinct offsets share cached locations.
type dateParser struct {
	zones map[int]*time.Location
}

func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// parse returns the instant with its offset. A date that wearable.CheckTime
// refuses (0001-01-01 00:00:00 +0000, which is the zero time.Time; a year
// before 1678 or after 2262) is an error matching both ErrBadDate and
// wearable.ErrInvalidTime.
func (p *dateParser) parse(s string) (time.Time, error) {
	// 0123456789012345678901234
	// 2014-09-13 10:27:54 +0100
	if len(s) != 25 || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' || s[16] != ':' || s[19] != ' ' || (s[20] != '+' && s[20] != '-') {
		return time.Time{}, ErrBadDate
	}
	year, ok1 := digits(s[0:4])
	month, ok2 := digits(s[5:7])
	day, ok3 := digits(s[8:10])
	hour, ok4 := digits(s[11:13])
	minute, ok5 := digits(s[14:16])
	sec, ok6 := digits(s[17:19])
	oh, ok7 := digits(s[21:23])
	om, ok8 := digits(s[23:25])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && ok7 && ok8) || month < 1 || month > 12 || day < 1 || day > 31 ||
		hour > 23 || minute > 59 || sec > 60 || oh > 23 || om > 59 {
		return time.Time{}, ErrBadDate
	}
	off := (oh*60 + om) * 60
	if s[20] == '-' {
		off = -off
	}
	loc, ok := p.zones[off]
	if !ok {
		if p.zones == nil {
			p.zones = make(map[int]*time.Location)
		}
		if off == 0 {
			loc = time.UTC
		} else {
			loc = time.FixedZone("", off)
		}
		p.zones[off] = loc
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, 0, loc)
	if t.Day() != day {
		return time.Time{}, ErrBadDate // 31 April and the like
	}
	if err := wearable.CheckTime(t); err != nil {
		return time.Time{}, fmt.Errorf("%w: %w", ErrBadDate, err)
	}
	return t, nil
}
