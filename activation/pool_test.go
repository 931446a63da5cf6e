package activation

import "testing"

func TestClassOf(t *testing.T) {
	for n := int32(1); n <= maxRun; n++ {
		c := classOf(n)
		if classCaps[c] < n || c > 0 && classCaps[c-1] >= n {
			t.Fatalf("classOf(%d) = %d (cap %d)", n, c, classCaps[c])
		}
	}
}
