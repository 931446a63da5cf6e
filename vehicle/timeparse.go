package vehicle

import (
	"math"
	"time"
)

// parseRFC3339 parses an RFC 3339 date-time (YYYY-MM-DDTHH:MM:SS, an
// optional fraction of up to 9 digits, then Z or ±HH:MM) into UTC without
// allocating. 'T'/'t' and 'Z'/'z' are both accepted, as RFC 3339 allows;
// leap seconds (:60) are refused.
func parseRFC3339(b []byte) (time.Time, bool) {
	if len(b) < 20 {
		return time.Time{}, false
	}
	num := func(i, n int) (int, bool) {
		v := 0
		for k := i; k < i+n; k++ {
			c := b[k]
			if c < '0' || c > '9' {
				return 0, false
			}
			v = v*10 + int(c-'0')
		}
		return v, true
	}
	y, ok1 := num(0, 4)
	mo, ok2 := num(5, 2)
	d, ok3 := num(8, 2)
	h, ok4 := num(11, 2)
	mi, ok5 := num(14, 2)
	sec, ok6 := num(17, 2)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || b[4] != '-' || b[7] != '-' ||
		(b[10] != 'T' && b[10] != 't') || b[13] != ':' || b[16] != ':' {
		return time.Time{}, false
	}
	if mo < 1 || mo > 12 || d < 1 || d > daysIn(mo, y) || h > 23 || mi > 59 || sec > 59 {
		return time.Time{}, false
	}
	i, ns := 19, 0
	if i < len(b) && b[i] == '.' {
		i++
		start := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			if i-start < 9 {
				ns = ns*10 + int(b[i]-'0')
			}
			i++
		}
		n := i - start
		if n == 0 || n > 9 {
			return time.Time{}, false
		}
		for ; n < 9; n++ {
			ns *= 10
		}
	}
	if i >= len(b) {
		return time.Time{}, false
	}
	off := 0
	switch b[i] {
	case 'Z', 'z':
		i++
	case '+', '-':
		if len(b)-i != 6 || b[i+3] != ':' {
			return time.Time{}, false
		}
		oh, okh := num(i+1, 2)
		om, okm := num(i+4, 2)
		if !okh || !okm || oh > 23 || om > 59 {
			return time.Time{}, false
		}
		off = oh*3600 + om*60
		if b[i] == '-' {
			off = -off
		}
		i += 6
	default:
		return time.Time{}, false
	}
	if i != len(b) {
		return time.Time{}, false
	}
	secs := daysFromCivil(y, mo, d)*86400 + int64(h*3600+mi*60+sec-off)
	return time.Unix(secs, int64(ns)).UTC(), true
}

// daysFromCivil returns the days since 1970-01-01 of a proleptic
// Gregorian date (Howard Hinnant's algorithm); cheaper than time.Date.
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400 // y >= 0 here: four-digit years
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}

func daysIn(m, y int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// epochTime converts seconds or milliseconds since the Unix epoch into a
// UTC time. Values above 1e11 are taken as milliseconds (1e11 seconds is
// the year 5138; 1e11 ms is 1973). It refuses values that are not finite
// or negative.
func epochTime(v float64, millis bool) (time.Time, bool) {
	if !finite(v) || v <= 0 || v > 1e16 {
		return time.Time{}, false
	}
	if !millis && v > 1e11 {
		millis = true
	}
	if millis {
		ms := math.Floor(v)
		ns := int64(math.Round((v - ms) * 1e6))
		return time.UnixMilli(int64(ms)).Add(time.Duration(ns)).UTC(), true
	}
	s := math.Floor(v)
	return time.Unix(int64(s), int64(math.Round((v-s)*1e9))).UTC(), true
}
