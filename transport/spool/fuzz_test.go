package spool_test

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/transport"
	"github.com/touchpoint-sdk/touchpoint/transport/spool"
)

// FuzzDecodeFrame: no panic; n within the input; typed errors; a decoded
// record re-encodes to a frame that decodes to the same record (and to the
// same bytes for a frame numbered 0, which is what AppendFrame writes).
func FuzzDecodeFrame(f *testing.F) {
	one, _ := spool.AppendFrame(nil, rec(1))
	two, _ := spool.AppendFrame(bytes.Clone(one), rec(2))
	f.Add([]byte{})
	f.Add(make([]byte, 8))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0})
	f.Add(one)
	f.Add(two)
	f.Add(v1Frame(rec(3)))
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
		if err != nil {
			t.Fatal(err)
		}
		r2, _, err := spool.DecodeFrame(again)
		if err != nil || !equalRecords(r, r2) {
			t.Fatalf("re-encoding does not round-trip: %v", err)
		}
		if bytes.HasPrefix(b, []byte{0xF5, 'T', 'P', 0xF6}) && bytes.Equal(b[13:21], make([]byte, 8)) && !bytes.Equal(again, b[:n]) {
			t.Fatal("re-encoding of a frame numbered 0 differs")
		}
	})
}

// FuzzRecover: any bytes as the segment between two good ones. Open never
// panics and fails only with ErrVersion (a newer release's data, left
// alone); the good segments' records are all pending; a second Open finds
// the same records and counts no more loss than the first. (It may count
// some again: records cut out from between two intact frames of a segment
// leave no damage to overwrite, so every Open reports them until the drain
// has passed them.) For a segment in the old version-1 format, which has
// no room for such marks, it only checks that the records are kept.
func FuzzRecover(f *testing.F) {
	base := newMemFS()
	sp, err := spool.Open("", held, spool.WithFS(base), spool.WithDrainOnShutdown(false))
	if err != nil {
		f.Fatal(err)
	}
	if err := sp.Send(f.Context(), tinies(0, 2)); err != nil {
		f.Fatal(err)
	}
	_ = sp.Shutdown(f.Context())
	good := base.snapshot()["00000000000000000001.seg"]
	f.Add(good)
	f.Add([]byte{})
	f.Add(good[:30])
	f.Add(append(bytes.Clone(good), good[28:]...))
	f.Add([]byte("TPSP\x01\x00\x00\x00"))
	f.Add(append([]byte("TPSP\x01\x00\x00\x00"), v1Frame(rec(1))...))
	f.Fuzz(func(t *testing.T, mid []byte) {
		m := memFrom(map[string][]byte{
			"00000000000000000001.seg": good,
			"00000000000000000002.seg": mid,
			"00000000000000000003.seg": good,
		})
		sp, err := spool.Open("", held, spool.WithFS(m), spool.WithDrainOnShutdown(false))
		if err != nil {
			if !errors.Is(err, spool.ErrVersion) {
				t.Fatalf("Open: %v", err)
			}
			return
		}
		pending := sp.Pending()
		lost := sp.Stats().Dropped[transport.ReasonCorrupt]
		_ = sp.Shutdown(ctxTimeout(t, 5*time.Second))
		if pending < 4 {
			t.Fatalf("good records lost: %d pending", pending)
		}
		sp2, err := spool.Open("", held, spool.WithFS(m), spool.WithDrainOnShutdown(false))
		if err != nil {
			t.Fatalf("second Open: %v", err)
		}
		st := sp2.Stats()
		p2 := sp2.Pending()
		_ = sp2.Shutdown(ctxTimeout(t, 5*time.Second))
		legacy := bytes.HasPrefix(m.snapshot()["00000000000000000002.seg"], []byte("TPSP\x01"))
		if (!legacy && st.Dropped[transport.ReasonCorrupt] > lost) || p2 != pending {
			t.Fatalf("second Open: lost %d then %d, pending %d then %d", lost, st.Dropped[transport.ReasonCorrupt], pending, p2)
		}
	})
}
