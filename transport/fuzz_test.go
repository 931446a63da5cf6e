package transport_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/transport"
)

// FuzzParseRetryAfter: never panics, errors are typed, results are never
// negative, and seconds round-trip.
func FuzzParseRetryAfter(f *testing.F) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, s := range []string{"0", "1", "120", "4294967295", "4294967296", "-1", "1.5", "",
		now.Add(time.Minute).Format(http.TimeFormat), "Sun, 06 Nov 1994 08:49:37 GMT",
		"Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994", " 3 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := transport.ParseRetryAfter(s, now)
		if err != nil {
			if !errors.Is(err, transport.ErrInvalidRetryAfter) || d != 0 {
				t.Fatalf("ParseRetryAfter(%q) = %v, %v", s, d, err)
			}
			return
		}
		if d < 0 {
			t.Fatalf("negative wait %v for %q", d, s)
		}
		if d%time.Second == 0 && d < 1<<32*time.Second {
			secs := int64(d / time.Second)
			d2, err := transport.ParseRetryAfter(itoa(secs), now)
			if err != nil || d2 != d {
				t.Fatalf("round trip of %d: %v, %v", secs, d2, err)
			}
		}
	})
}

func itoa(n int64) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
