package tcf

import "testing"

func BenchmarkDecode(b *testing.B) {
	s := encode(b, valid(b))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(s); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeSpecExample(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := lenient.Decode(specExample); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncode(b *testing.B) {
	tc := valid(b)
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if buf, err = AppendEncode(buf[:0], tc); err != nil {
			b.Fatal(err)
		}
	}
}

// TestVendorSetHasAllocs: the lookup a router does per event allocates nothing.
func TestVendorSetHasAllocs(t *testing.T) {
	v := vendors(t, 1, 5, 9, 200, 755)
	n := testing.AllocsPerRun(100, func() {
		if !v.Has(755) || v.Has(4) {
			t.Fatal("wrong membership")
		}
	})
	equal(t, 0.0, n)
}

// TestEncodeAllocs: AppendEncode into a large enough buffer allocates nothing.
func TestEncodeAllocs(t *testing.T) {
	tc := valid(t)
	buf := make([]byte, 0, 256)
	n := testing.AllocsPerRun(100, func() {
		var err error
		if buf, err = AppendEncode(buf[:0], tc); err != nil {
			t.Fatal(err)
		}
	})
	equal(t, 0.0, n)
}
