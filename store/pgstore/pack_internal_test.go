package pgstore

import (
	"bytes"
	"errors"
	"testing"
)

// TestPackRoundTrip: pack groups records into rows of up to packMax, a
// row of one record is the record itself, and unpack gives every record
// back in order.
func TestPackRoundTrip(t *testing.T) {
	for _, n := range []int{1, 2, 255, 256, 257, 1000} {
		var recs [][]byte
		for i := range n {
			recs = append(recs, bytes.Repeat([]byte{byte(i)}, i%300))
		}
		rows, counts := pack(recs)
		if want := (n + packMax - 1) / packMax; len(rows) != want || len(counts) != want {
			t.Fatalf("%d records: %d rows, %d counts; want %d", n, len(rows), len(counts), want)
		}
		var got [][]byte
		for i, row := range rows {
			if counts[i] == 1 && !bytes.Equal(row, recs[len(got)]) {
				t.Fatalf("%d records: a row of one record is not the record", n)
			}
			if err := unpack(row, int(counts[i]), func(_ int, r []byte) error { got = append(got, r); return nil }); err != nil {
				t.Fatalf("%d records, row %d: %v", n, i, err)
			}
		}
		if len(got) != n {
			t.Fatalf("%d records: unpacked %d", n, len(got))
		}
		for i := range got {
			if !bytes.Equal(got[i], recs[i]) {
				t.Fatalf("%d records: record %d differs", n, i)
			}
		}
	}
}

// TestUnpackRefusesBadPacks: a pack that does not hold the records it
// says is refused with errPack, never read past.
func TestUnpackRefusesBadPacks(t *testing.T) {
	rows, _ := pack([][]byte{[]byte("one"), []byte("two")})
	p := rows[0]
	for _, c := range []struct {
		row []byte
		n   int
	}{
		{p, 3},                            // fewer records than it says
		{append(p[:len(p):len(p)], 0), 2}, // trailing bytes
		{p[:len(p)-1], 2},                 // truncated
		{[]byte{0xff, 0xff, 0xff}, 2},     // a length that is not a uvarint
		{[]byte{9, 'x'}, 2},               // a length beyond the row
	} {
		if err := unpack(c.row, c.n, func(int, []byte) error { return nil }); !errors.Is(err, errPack) {
			t.Errorf("unpack(%q, %d) = %v, want errPack", c.row, c.n, err)
		}
	}
}

// FuzzUnpack: unpack never panics nor reads past the row, and what pack
// writes unpacks to the same records.
func FuzzUnpack(f *testing.F) {
	rows, _ := pack([][]byte{[]byte("sealed record one"), []byte("two"), nil})
	f.Add(rows[0], 3)
	f.Add([]byte{3, 'a', 'b', 'c', 0}, 2)
	f.Fuzz(func(t *testing.T, row []byte, n int) {
		if n < 1 || n > packMax {
			return
		}
		var recs [][]byte
		if err := unpack(row, n, func(_ int, r []byte) error { recs = append(recs, r); return nil }); err != nil {
			return
		}
		if len(recs) != n {
			t.Fatalf("unpacked %d records, said %d", len(recs), n)
		}
		if n > 1 {
			again, counts := pack(recs)
			if len(again) != 1 || counts[0] != int32(n) || !bytes.Equal(again[0], row) {
				t.Fatalf("pack(unpack(row)) differs from row %x", row)
			}
		}
	})
}
