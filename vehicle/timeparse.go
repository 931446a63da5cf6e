package vehicle

import (
	"math"
	"time"

	"github.com/touchpoint-sdk/touchpoint/internal/jsonscan"
)

// parseRFC3339 parses an RFC 3339 date-time (YYYY-MM-DDTHH:MM:SS, an
// optional fraction of up to 9 digits, then Z or ±HH:MM) into UTC without
// allocating. 'T'/'t' and 'Z'/'z' are both accepted, as RFC 3339 allows;
// leap seconds (:60) are refused. It is internal/jsonscan.ParseTime
// without the ISO 8601 liberties that parser takes (a space for the T, a
// comma before the fraction): position streams are RFC 3339.
func parseRFC3339(b []byte) (time.Time, bool) {
	if len(b) < 20 || b[10] == ' ' || b[19] == ',' {
		return time.Time{}, false
	}
	return jsonscan.ParseTime(b)
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
