package beacon_test

import (
	"testing"

	"github.com/touchpoint-sdk/touchpoint/beacon"
)

func TestParseAllocatesNothing(t *testing.T) {
	for _, s := range sampleAD(t) {
		a := beacon.Advertisement{Data: s.ad}
		n := testing.AllocsPerRun(200, func() {
			if _, err := beacon.ParseAD(s.ad); err != nil {
				t.Fatal(err)
			}
			if _, err := beacon.Parse(&a); err != nil {
				t.Fatal(err)
			}
		})
		if n != 0 {
			t.Errorf("%s: %v allocs per parse, want 0", s.name, n)
		}
	}
	apple := hx(t, "0201060aff4c0010050118807b4d")
	if n := testing.AllocsPerRun(200, func() { _, _ = beacon.ParseAD(apple) }); n != 0 {
		t.Errorf("not-a-beacon path: %v allocs, want 0", n)
	}
}
