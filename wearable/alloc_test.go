package wearable_test

import "testing"

// TestDecodersDoNotAllocate enforces the zero-allocation budget of every
// decoder (the benchmarks report it; this test fails on it).
func TestDecodersDoNotAllocate(t *testing.T) {
	for _, c := range decoderCases {
		allocs := testing.AllocsPerRun(100, func() {
			if err := c.dec.UnmarshalBinary(c.in); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("%s: %v allocations per decode", c.name, allocs)
		}
	}
}

// TestEncodersDoNotAllocateIntoCapacity checks that AppendBinary into a
// buffer with room does not allocate either.
func TestEncodersDoNotAllocateIntoCapacity(t *testing.T) {
	buf := make([]byte, 0, 64)
	for _, c := range decoderCases {
		if err := c.dec.UnmarshalBinary(c.in); err != nil {
			t.Fatal(err)
		}
		allocs := testing.AllocsPerRun(100, func() {
			if _, err := c.dec.AppendBinary(buf[:0]); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("%s: %v allocations per encode", c.name, allocs)
		}
	}
}
