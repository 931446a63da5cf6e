package pgstore

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzOpenRecord: opening stored bytes (what the database returns) never
// panics; bytes that are not a sealing under this store's key and name are
// a *StoreError matching ErrCorrupt that names the record; a sealed record
// opens to exactly what was sealed, and not in another store.
func FuzzOpenRecord(f *testing.F) {
	s, err := newSealer(derive([]byte("fuzz-key-0123456789abcdef"), "touchpoint/pgstore/seal/v1"))
	if err != nil {
		f.Fatal(err)
	}
	db := &DB{seal: s}
	st := newLogStore(db, kindIdentity, "g", 1, false)
	other := newLogStore(db, kindConsent, "g", 2, false)
	header := append([]byte{1, 1}, bytes.Repeat([]byte{0xab}, 17)...) // an identity header entry
	valid := s.seal(st.ad, header)
	f.Add(valid, header, 0)
	f.Add([]byte{}, []byte{}, 3)
	f.Add(valid[:11], []byte("x"), 40)
	f.Add(bytes.Repeat([]byte{0}, 64), []byte("consent fact"), 12)
	f.Fuzz(func(t *testing.T, stored, rec []byte, flip int) {
		got, err := st.open(stored, "log 7")
		if err != nil {
			var se *StoreError
			if !errors.Is(err, ErrCorrupt) || !errors.As(err, &se) || se.Record != "log 7" || se.Kind != kindIdentity {
				t.Fatalf("open error %v: want a *StoreError naming log 7, matching ErrCorrupt", err)
			}
		} else if len(stored) < 28 || len(got) != len(stored)-28 {
			t.Fatalf("%d stored bytes opened to %d bytes", len(stored), len(got))
		}
		sealed := st.sealOne(rec)
		back, err := st.open(sealed, "log 1")
		if err != nil || !bytes.Equal(back, rec) {
			t.Fatalf("round trip: %q, %v; want %q", back, err, rec)
		}
		if _, err := other.open(sealed, "log 1"); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("a record opened in another store: %v", err)
		}
		i := int(uint(flip) % uint(len(sealed)))
		sealed[i] ^= 0x80
		if _, err := st.open(sealed, "log 1"); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("a record with byte %d flipped opened: %v", i, err)
		}
	})
}
