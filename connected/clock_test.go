package connected

import (
	"testing"
	"time"
)

// TestWallNow: the default clock reads the same wall clock as time.Now,
// with no monotonic reading and no location of its own.
func TestWallNow(t *testing.T) {
	before := time.Now()
	got := wallNow()
	after := time.Now()
	// Microsecond resolution: got may be up to 1 µs before the earlier read.
	if got.Before(before.Add(-time.Microsecond).Round(0)) || got.After(after.Round(0)) {
		t.Fatalf("wallNow() = %v, not between %v and %v", got, before, after)
	}
	if got != got.Round(0) {
		t.Errorf("wallNow() = %v carries a monotonic reading", got)
	}
	if got.Location() != time.Local {
		t.Errorf("wallNow().Location() = %v, want time.Local as time.Now", got.Location())
	}
}
