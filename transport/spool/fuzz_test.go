package spool_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/transport/spool"
)

// FuzzDecodeFrame: no panic; n within the input; typed errors; a decoded
// frame re-encodes to the same bytes.
func FuzzDecodeFrame(f *testing.F) {
	one, _ := spool.AppendFrame(nil, rec(1))
	two, _ := spool.AppendFrame(bytes.Clone(one), rec(2))
	f.Add([]byte{})
	f.Add(make([]byte, 8))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0})
	f.Add(one)
	f.Add(two)
	f.Add(append(bytes.Clone(one), "garbage"...))
	f.Add(one[:len(one)-2])
	f.Fuzz(func(t *testing.T, b []byte) {
		r, n, err := spool.DecodeFrame(b)
		if err != nil {
			var fe *spool.FormatError
			if !errors.As(err, &fe) || n != 0 || r != nil {
				t.Fatalf("untyped or partial error %v (n=%d)", err, n)
			}
			if !errors.Is(err, spool.ErrTruncated) && !errors.Is(err, spool.ErrCorrupt) && !errors.Is(err, spool.ErrVersion) {
				t.Fatalf("error matches no sentinel: %v", err)
			}
			return
		}
		if n <= 0 || n > len(b) {
			t.Fatalf("n=%d outside input of %d", n, len(b))
		}
		again, err := spool.AppendFrame(nil, r)
		if err != nil || !bytes.Equal(again, b[:n]) {
			t.Fatalf("re-encoding differs: %v", err)
		}
	})
}
