package identity

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// seedEntries returns real entries of every op, as a graph writes them.
func seedEntries(t testing.TB) [][]byte {
	g, err := New([]byte("fuzz-secret-0123456789"), WithPlaintext())
	if err != nil {
		t.Fatal(err)
	}
	ps, _ := g.prepare([]Identifier{{TypeEmail, "a@b.example"}, {TypeUserID, "u1"}, {TypeUserID, "undefined"}}, nil)
	return [][]byte{
		encodeHeader([]byte("fuzz-secret-0123456789"), true),
		encodeObserve(nil, 1735689600000, "0197a3c4-0000-7000-8000-000000000001", ps),
		encodeObserve(nil, -5, "custom", ps[:1]),
		encodeConsent(1735689600000, "c1", true, entryID{typ: TypeUserID, key: ps[1].key, value: "u1"}),
		encodeErase(1735689600000, TypeEmail, ps[0].key),
		encodeEraseKeys(1735689600000, []entryID{{typ: TypeUserID, key: ps[1].key}, {typ: TypeEmail, key: ps[0].key}}),
		encodeTomb(opTombKey, ps[0].key, 17, 0),
		encodeTomb(opTombFact, ps[0].key, 17, 99),
		encodeTomb(opTombEpoc, ps[0].key, -3, 4),
		encodeTomb(opTombKept, ps[1].key, 1735689600000, 1735689600000),
		encodeEntry(entry{op: opSpan, t: 10, ev: "a", to: 99, ev2: "b", ids: []entryID{{typ: TypeUserID, key: ps[1].key}, {typ: TypeEmail, key: ps[0].key, blocked: true}}}),
	}
}

// FuzzDecodeEntry: decoding never panics; errors are *FormatError with an
// offset inside the input; what decodes re-encodes to bytes that decode to
// the same entry.
func FuzzDecodeEntry(f *testing.F) {
	for _, e := range seedEntries(f) {
		f.Add(e)
	}
	f.Add([]byte{})
	f.Add([]byte{2, 2})
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := decodeEntry(b)
		if err != nil {
			var fe *FormatError
			if !errors.As(err, &fe) || !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v is not a *FormatError", err)
			}
			if fe.Offset < 0 || fe.Offset > int64(len(b)) {
				t.Fatalf("offset %d outside 0..%d", fe.Offset, len(b))
			}
			return
		}
		again, err := decodeEntry(encodeEntry(e))
		if err != nil {
			t.Fatalf("re-encoded entry does not decode: %v", err)
		}
		if !reflect.DeepEqual(again, e) {
			t.Fatalf("round trip: %+v != %+v", again, e)
		}
	})
}

// FuzzDecodeLinkFact: never panics; errors are *FormatError; a decoded
// fact encodes and decodes to the same fact.
func FuzzDecodeLinkFact(f *testing.F) {
	k, _ := ParseKey("00112233445566778899aabbccddeeff")
	for _, lf := range []LinkFact{
		{EventID: "e-1", Time: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), IDs: []Ref{{Type: TypeEmail, Key: k}, {Type: TypeUserID, Key: k}}, ProfileID: "p_1"},
		{EventID: "0197a3c4-0000-7000-8000-000000000001", Time: time.Date(2030, 6, 1, 12, 0, 0, 5e6, time.UTC), Blocked: []Ref{{Type: TypeUserID, Key: k}}},
	} {
		rec, err := EncodeLinkFact(lf, "gw-1", nil)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(rec.Payload)
	}
	f.Add([]byte(`{"type":"track","event":"Identity Linked","properties":{"keyVersion":1}}`))
	f.Add([]byte(`{`))
	f.Fuzz(func(t *testing.T, b []byte) {
		lf, err := DecodeLinkFact(b)
		if err != nil {
			var fe *FormatError
			if !errors.As(err, &fe) || fe.Source != "link fact" || fe.Offset < 0 || fe.Offset > int64(len(b)) {
				t.Fatalf("error %v is not a well-formed *FormatError", err)
			}
			return
		}
		rec, err := EncodeLinkFact(lf, "", nil)
		if err != nil {
			t.Fatalf("decoded fact does not encode: %v", err)
		}
		again, err := DecodeLinkFact(rec.Payload)
		if err != nil {
			t.Fatalf("re-encoded fact does not decode: %v", err)
		}
		again.ProfileID, lf.ProfileID = "", ""
		if !reflect.DeepEqual(again, lf) {
			t.Fatalf("round trip: %+v != %+v", again, lf)
		}
	})
}

// FuzzDecodeLinkFactFast: the scanner (scanLinkFact) either gives what
// the encoding/json path gives, with no error, or declines; and
// DecodeLinkFact gives what the encoding/json path gives, fact and error.
func FuzzDecodeLinkFactFast(f *testing.F) {
	for _, b := range linkFactSeeds(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		want, wantErr := decodeLinkFactJSON(b)
		if lf, ok := scanLinkFact(b); ok {
			if wantErr != nil {
				t.Fatalf("scanner accepts what encoding/json refuses (%v): %+v", wantErr, lf)
			}
			if !reflect.DeepEqual(lf, want) {
				t.Fatalf("scanner: %+v\nencoding/json: %+v", lf, want)
			}
		}
		got, err := DecodeLinkFact(b)
		if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(err, wantErr) {
			t.Fatalf("DecodeLinkFact: %+v, %v\nencoding/json: %+v, %v", got, err, want, wantErr)
		}
	})
}

// FuzzNormalizeEmail: never panics; a result is its own normal form and
// lower case; errors never contain the value.
func FuzzNormalizeEmail(f *testing.F) {
	for _, s := range []string{"John_Smith@Gmail.com", " a@b.co ", "x@@y", "ünï@exämple.de", "a.b@c-d.example", "\xff@x.com"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := NormalizeEmail(s)
		if err != nil {
			var ie *IdentifierError
			if !errors.As(err, &ie) || ie.Type != TypeEmail {
				t.Fatalf("error %v is not an email *IdentifierError", err)
			}
			if len(strings.TrimSpace(s)) > 3 && strings.Contains(err.Error(), strings.TrimSpace(s)) {
				t.Fatalf("error %q leaks the value", err)
			}
			return
		}
		if again, err := NormalizeEmail(v); err != nil || again != v {
			t.Fatalf("not idempotent: %q -> %q -> %q, %v", s, v, again, err)
		}
		if strings.ToLower(v) != v || strings.TrimSpace(v) != v {
			t.Fatalf("%q is not trimmed lower case", v)
		}
	})
}

// FuzzNormalizePhone: never panics; a result is E.164 and its own normal
// form in any region.
func FuzzNormalizePhone(f *testing.F) {
	for _, c := range []struct{ s, r string }{{"(650) 555-1212", "US"}, {"+44 (0)7911 123456", ""}, {"0049 (0)30 123456", "FR"},
		{"02 1234 5678", "IT"}, {"0011 44 7911 123456", "AU"}, {"+7 495 123 45 67", ""}, {"1-800-FLOWERS", "US"}} {
		f.Add(c.s, c.r)
	}
	f.Fuzz(func(t *testing.T, s, region string) {
		v, err := NormalizePhone(s, region)
		if err != nil {
			if !errors.Is(err, ErrInvalidIdentifier) {
				t.Fatalf("error %v is not ErrInvalidIdentifier", err)
			}
			return
		}
		if !validE164(v) {
			t.Fatalf("%q -> %q is not E.164", s, v)
		}
		for _, r := range []string{"", "US", "GB", "IT"} {
			if again, err := NormalizePhone(v, r); err != nil || again != v {
				t.Fatalf("not idempotent in %q: %q -> %q -> %q, %v", r, s, v, again, err)
			}
		}
	})
}
