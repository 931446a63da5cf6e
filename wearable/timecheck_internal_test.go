package wearable

import (
	"math"
	"math/big"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"
)

// bigUnixNano is the exact Unix time of t in nanoseconds.
func bigUnixNano(t time.Time) string {
	v := new(big.Int).Mul(big.NewInt(t.Unix()), big.NewInt(1e9))
	return v.Add(v, big.NewInt(int64(t.Nanosecond()))).String()
}

// TestAppendUnixNanoIsExact: dedupe keys carry the exact nanoseconds of any
// time, equal to UnixNano where that fits, and never a wrapped value.
func TestAppendUnixNanoIsExact(t *testing.T) {
	times := []time.Time{
		{}, time.Unix(0, 0), time.Unix(-1, 0), time.Unix(-1, 1), time.Unix(0, 1), time.Unix(0, -1),
		minTime, maxTime, minTime.Add(-1), maxTime.Add(1), minTime.Add(-time.Second), maxTime.Add(time.Second),
		time.Date(2263, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC), time.Date(-5000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1e9, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		times = append(times, time.Unix(r.Int64N(1<<40)-1<<39, r.Int64N(1e9)))
	}
	for _, tm := range times {
		got := string(appendUnixNano(nil, tm))
		if want := bigUnixNano(tm); got != want {
			t.Fatalf("%v: %s, want %s", tm, got, want)
		}
		if !tm.Before(minTime) && !tm.After(maxTime) && got != strconv.FormatInt(tm.UnixNano(), 10) {
			t.Fatalf("%v: %s differs from UnixNano", tm, got)
		}
	}
	// The wrap the old key had: 2263 and its int64-wrapped twin differ.
	a := time.Date(2263, 1, 1, 0, 0, 0, 0, time.UTC)
	b := time.Unix(0, a.UnixNano())
	if string(appendUnixNano(nil, a)) == string(appendUnixNano(nil, b)) {
		t.Fatalf("%v and %v share a key", a, b)
	}
	if maxTime.UnixNano() != math.MaxInt64 || minTime.UnixNano() != math.MinInt64 {
		t.Fatal("bounds")
	}
}
