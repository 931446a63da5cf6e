package jsonscan

import (
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
)

// testKeys mixes keys that share their length, first and last bytes
// (amount_captured, amount_received), keys with the same pack
// (abcd_1_wxyz, abcd_2_wxyz), a one-byte key and an empty one.
var testKeys = NewKeys("id", "amount", "amount_captured", "amount_received", "a", "", "object", "k\"", "é",
	"abcd_1_wxyz", "abcd_2_wxyz")

// readKept walks the object at the scanner with NextKey, recursing into
// kept objects, and records each kept member as key=value (the raw
// value for scalars and arrays).
func readKept(s *Scanner, out *[]string) {
	it := s.Object()
	for x := it.NextKey(testKeys); x >= 0; x = it.NextKey(testKeys) {
		if string(it.Key()) != testKeys.keys[x] {
			*out = append(*out, fmt.Sprintf("index %d for key %q", x, it.Key()))
		}
		*out = append(*out, recordValue(s, string(it.Key()), readKept))
	}
}

// readKeptNext does what readKept does with Next, a key lookup and Skip.
func readKeptNext(s *Scanner, out *[]string) {
	it := s.Object()
	for it.Next() {
		if testKeys.index(it.Key()) < 0 {
			s.Skip()
			continue
		}
		*out = append(*out, recordValue(s, string(it.Key()), readKeptNext))
	}
}

func recordValue(s *Scanner, k string, obj func(*Scanner, *[]string)) string {
	if s.Peek() == '{' {
		var inner []string
		obj(s, &inner)
		return k + "={" + strings.Join(inner, ",") + "}"
	}
	p := s.Pos()
	s.Skip()
	if s.Failed() {
		return k + "=?"
	}
	return k + "=" + strings.TrimSpace(string(s.b[p:s.Pos()]))
}

// nextKeyAgrees checks NextKey against Next+Skip: the same kept members,
// the same error (offset, expectation, cause), the same end position.
func nextKeyAgrees(t *testing.T, in []byte) {
	t.Helper()
	var got, want []string
	s1, s2 := New(in), New(in)
	readKept(&s1, &got)
	readKeptNext(&s2, &want)
	s1.End()
	s2.End()
	if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(s1.err, s2.err) || (s1.err == nil && s1.pos != s2.pos) || s1.depth != s2.depth {
		t.Fatalf("%q:\nNextKey   %q err %v pos %d depth %d\nNext+Skip %q err %v pos %d depth %d",
			in, got, s1.Err(), s1.pos, s1.depth, want, s2.Err(), s2.pos, s2.depth)
	}
}

var nextKeySeeds = []string{
	`{}`, ` { } `, `{"id":"x"}`, `{"x":1,"id":2,"y":[1,{"id":3}],"amount":{"a":1,"b":{"id":4}},"a":null}`,
	`{"amount_captured":1,"amount_received":2,"amount_refunded":3,"":4,"é":5,"k\"":6,"\u0069d":7}`,
	"{\n  \"id\" : \"x\" ,\n  \"skip\": [ true , false , null ],\n  \"object\": {\n    \"id\": 1\n  }\n}",
	`{"id":1,}`, `{"id":1 "a":2}`, `{"id"}`, `{"id":}`, `{"x":}`, `{1:2}`, `{"x":1`, `{"x":[1,2}`, `{"a":{"b":1}`,
	`{"x":"\q"}`, `{"\q":1}`, `{"id":1,"x":tru}`, `{"x":"a` + "\x01" + `"}`, `[1]`, `{"x":1}}`, `{"x":01}`,
	`{"a":` + strings.Repeat("[", MaxDepth-1) + strings.Repeat("]", MaxDepth-1) + `}`,
	`{"a":` + strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth) + `}`,
	`{"x":` + strings.Repeat("[", MaxDepth-1) + strings.Repeat("]", MaxDepth-1) + `}`,
	`{"x":` + strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth) + `}`,
	strings.Repeat(`{"a":`, MaxDepth) + `1` + strings.Repeat(`}`, MaxDepth),
	strings.Repeat(`{"a":`, MaxDepth+1) + `1` + strings.Repeat(`}`, MaxDepth+1),
	strings.Repeat(`{"a":`, MaxDepth-1) + `{"x":[]}` + strings.Repeat(`}`, MaxDepth-1),
	strings.Repeat(`{"a":`, MaxDepth-1) + `{"x":[[]]}` + strings.Repeat(`}`, MaxDepth-1),
}

func TestNextKeyAgreesWithNext(t *testing.T) {
	for _, in := range nextKeySeeds {
		nextKeyAgrees(t, []byte(in))
	}
	b, err := os.ReadFile("testdata/bench/stripe_charge.json")
	if err != nil {
		t.Fatal(err)
	}
	nextKeyAgrees(t, b)
	for i := range b { // every truncation of a real payload
		nextKeyAgrees(t, b[:i])
	}
}

func FuzzNextKey(f *testing.F) {
	for _, in := range nextKeySeeds {
		f.Add([]byte(in))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		nextKeyAgrees(t, in)
	})
}

func TestKeysIndex(t *testing.T) {
	for i, k := range testKeys.keys {
		if got := testKeys.index([]byte(k)); got != i {
			t.Errorf("index(%q) = %d, want %d", k, got, i)
		}
	}
	for _, k := range []string{"i", "ids", "amount_refunded", "amount_capturee", "objecT", "k", "e", " ", "abcd_3_wxyz", "abcd_wxyz", "amount_capXured", "amount_receivet", "abcd_1_wxya"} {
		if got := testKeys.index([]byte(k)); got != -1 {
			t.Errorf("index(%q) = %d, want -1", k, got)
		}
	}
	many := make([]string, 64)
	for i := range many {
		many[i] = fmt.Sprintf("key_%d", i)
	}
	ks := NewKeys(many...)
	for i, k := range many {
		if got := ks.index([]byte(k)); got != i {
			t.Errorf("64 keys: index(%q) = %d, want %d", k, got, i)
		}
	}
	for _, bad := range [][]string{{"a", "a"}, make([]string, 65)} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("NewKeys(%d keys with a duplicate or too many) did not panic", len(bad))
				}
			}()
			NewKeys(bad...)
		}()
	}
}

// TestStringOrNull: the same results, errors and positions as Null then
// String.
func TestStringOrNull(t *testing.T) {
	for _, in := range []string{`"abc"`, ` "abc"`, "\n\t \"a\\\"b\"", `null`, ` null`, `nul`, `nulx`, `"abc`, `"a` + "\x01" + `"`,
		`"\u00e9"`, `"\q"`, `1`, `{}`, ``, ` `, `"a very long string without escapes in it"`, `"long string with an escape \n at the end"`} {
		s1, s2 := New([]byte(in)), New([]byte(in))
		b1, null1 := s1.StringOrNull()
		null2 := s2.Null()
		var b2 []byte
		if !null2 {
			b2 = s2.String()
		}
		if string(b1) != string(b2) || (b1 == nil) != (b2 == nil) || null1 != null2 || !reflect.DeepEqual(s1.err, s2.err) || s1.pos != s2.pos {
			t.Errorf("%q: StringOrNull %q %v %v pos %d; Null+String %q %v %v pos %d", in, b1, null1, s1.Err(), s1.pos, b2, null2, s2.Err(), s2.pos)
		}
	}
}

func FuzzStringOrNull(f *testing.F) {
	for _, in := range []string{`"abc"`, ` null`, `nul`, `"a\"b"`, `"\u00e9"`, `"unterminated`} {
		f.Add([]byte(in))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		s1, s2 := New(in), New(in)
		b1, null1 := s1.StringOrNull()
		null2 := s2.Null()
		var b2 []byte
		if !null2 {
			b2 = s2.String()
		}
		if string(b1) != string(b2) || null1 != null2 || !reflect.DeepEqual(s1.err, s2.err) || s1.pos != s2.pos {
			t.Fatalf("%q: StringOrNull %q %v %v; Null+String %q %v %v", in, b1, null1, s1.Err(), b2, null2, s2.Err())
		}
	})
}

// TestKeysLengthFilter: the length filter refuses a key whose length no
// key has, and never one that is in the set, long keys (64 bytes and
// more, which share one bit) and "" included.
func TestKeysLengthFilter(t *testing.T) {
	long := strings.Repeat("k", 70)
	ks := NewKeys("id", long, "")
	for _, c := range []struct {
		key  string
		want int
	}{
		{"id", 0}, {long, 1}, {"", 2},
		{"ix", -1}, {"idd", -1}, {strings.Repeat("k", 71), -1}, {strings.Repeat("k", 64), -1},
	} {
		if got := ks.index([]byte(c.key)); got != c.want {
			t.Errorf("index(%d bytes %.8q) = %d, want %d", len(c.key), c.key, got, c.want)
		}
	}
	if NewKeys("id").index(nil) != -1 {
		t.Error(`"" found in a set without it`)
	}
}
