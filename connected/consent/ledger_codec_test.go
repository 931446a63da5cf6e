package consent

import (
	"errors"
	"reflect"
	"testing"
	"time"
)

// FuzzDecodeLedgerEntry: decoding never panics; errors are *FormatError
// with an offset inside the input; a decoded entry re-encodes to the same
// bytes, and a decoded fact is valid.
func FuzzDecodeLedgerEntry(f *testing.F) {
	var k tombKey
	copy(k[:], "0123456789abcdef0123456789abcdef")
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	f.Add(encodeKeyEntry(&k))
	f.Add(encodeFactEntry(&Fact{Subject: "u-1", Purpose: PurposeMarketing, Granted: true, Effective: t0, Source: SourceCMP, Document: "privacy-2026-03", Jurisdiction: "EU"}))
	f.Add(encodeFactEntry(&Fact{Subject: "anon-7", Purpose: "acme:surveys", Effective: t0, Source: SourceStoreKiosk}))
	f.Add(encodeEraseEntry(k.tomb("u-1"), t0.UnixNano()))
	f.Add([]byte{})
	f.Add([]byte{opFact, 2})
	long := encodeFactEntry(&Fact{Subject: "u", Purpose: PurposeMarketing, Effective: t0, Source: SourceCMP})
	f.Add(append(append(long[:10:10], 0x89, 0x00), long[11:]...)) // a length in a longer form than needed
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := decodeLedgerEntry(b, nil)
		if err != nil {
			var fe *FormatError
			if !errors.As(err, &fe) || !errors.Is(err, ErrCorrupt) || fe.Offset < 0 || fe.Offset > int64(len(b)) {
				t.Fatalf("error %v (%T)", err, err)
			}
			return
		}
		var again []byte
		switch e.op {
		case opKey:
			again = encodeKeyEntry(&e.key)
		case opFact:
			if err := e.fact.validate(); err != nil {
				t.Fatalf("decoded an invalid fact: %v", err)
			}
			again = encodeFactEntry(&e.fact)
		case opErase:
			again = encodeEraseEntry(e.tomb, e.at)
		default:
			t.Fatalf("op %d decoded", e.op)
		}
		if string(again) != string(b) {
			t.Fatalf("re-encoded %x, was %x", again, b)
		}
		e2, err := decodeLedgerEntry(again, map[string]string{})
		if err != nil || !reflect.DeepEqual(e, e2) {
			t.Fatalf("round trip: %+v %v", e2, err)
		}
	})
}

// TestTombstoneNoAlloc: the erasure check on the router's path does not
// allocate.
func TestTombstoneNoAlloc(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under -race")
	}
	var k tombKey
	subject := "user-with-a-reasonably-long-id@example.com"
	if n := testing.AllocsPerRun(100, func() { _ = k.tomb(subject) }); n != 0 {
		t.Fatalf("tomb allocates %v times", n)
	}
}
