package jsonscan

import (
	"bytes"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

// refIndex is the first stage byte by byte: the offsets buildIndex must
// give, and whether the document may be indexed at all.
func refIndex(b []byte) ([]uint32, bool) {
	var ix []uint32
	in, prevScalar := false, false
	for i, c := range b {
		if c == '\\' {
			return nil, false
		}
		if in {
			if c == '"' {
				in = false
				ix = append(ix, uint32(i))
			} else if c < 0x20 {
				return nil, false
			}
			prevScalar = false
			continue
		}
		scalar := false
		switch c {
		case '"':
			in = true
			ix = append(ix, uint32(i))
		case '{', '}', '[', ']', ':', ',':
			ix = append(ix, uint32(i))
		case 0x0C, 0x1A: // classified as operators (index_amd64.s)
			ix = append(ix, uint32(i))
		case ' ', '\t', '\n', '\r':
		default:
			scalar = true
			if !prevScalar {
				ix = append(ix, uint32(i))
			}
		}
		prevScalar = scalar
	}
	if in {
		return nil, false
	}
	return append(ix, uint32(len(b))), true
}

func benchPayloads(tb testing.TB) [][]byte {
	var out [][]byte
	for _, p := range loadPayloads(tb) {
		out = append(out, p.data)
	}
	return out
}

// TestIndexMatchesReference: the assembly first stage gives refIndex's
// offsets and verdict on real payloads, on every prefix of one (each
// length modulo 64, so every tail), at every alignment, and on random
// bytes drawn from JSON's alphabet.
func TestIndexMatchesReference(t *testing.T) {
	if !haveIndex {
		t.Skip("no AVX2 first stage on this CPU or platform: the scalar loop reads every document (nothing to compare)")
	}
	for _, name := range firstStages() {
		t.Run(name, func(t *testing.T) {
			defer useFirstStage(name)()
			indexMatchesReference(t)
		})
	}
}

func indexMatchesReference(t *testing.T) {
	check := func(name string, b []byte) {
		t.Helper()
		want, wantOK := refIndex(b)
		got, ok := buildIndex(b, nil)
		if ok != wantOK || ok && !slices.Equal(got, want) {
			t.Fatalf("%s (%d bytes): index ok %v %v, want ok %v %v", name, len(b), ok, got, wantOK, want)
		}
	}
	docs := benchPayloads(t)
	for _, d := range docs {
		check("payload", d)
		for n := range min(len(d), 300) {
			check("prefix", d[:n])
		}
		for off := range 64 {
			buf := make([]byte, off+len(d))
			copy(buf[off:], d)
			check("aligned", buf[off:])
		}
	}
	alphabet := []byte(`{}[]:,"\ 	` + "\n\r\x01\x0c\x1a" + `0123456789-+.eEtrufalsn` + "\xc3\xa9x")
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		b := make([]byte, rng.IntN(300))
		for i := range b {
			if rng.IntN(4) == 0 {
				b[i] = byte(rng.IntN(256))
			} else {
				b[i] = alphabet[rng.IntN(len(alphabet))]
			}
		}
		check("random", b)
	}
}

// walkAgrees checks that a walk over the index and the scalar loop give
// the same result on in: Skip then End, and a NextKey loop over the
// top-level object with testKeys, whose every key, error and position
// must be equal.
func walkAgrees(t *testing.T, in []byte) {
	t.Helper()
	defer func(m int) { indexMin = m }(indexMin)
	indexMin = 0
	run := func(indexed bool) (trace []any) {
		var s Scanner
		s.ResetIndexed(in)
		if !indexed {
			s.x.state = ixNone
		}
		s.Skip()
		s.End()
		trace = append(trace, s.pos, s.Err())
		s.ResetIndexed(in)
		if !indexed {
			s.x.state = ixNone
		}
		it := s.Object()
		for n := 0; n < 100; n++ {
			x := it.NextKey(testKeys)
			trace = append(trace, x, s.pos, string(it.Key()))
			if x < 0 {
				break
			}
			s.Skip()
		}
		return append(trace, s.pos, s.Err(), s.ready())
	}
	// Member, Element and the string readers, as vehicle's decoder reads
	runMembers := func(indexed bool) []any {
		var s Scanner
		s.ResetIndexed(in)
		if !indexed {
			s.x.state = ixNone
		}
		var trace []any
		var walk func()
		walk = func() {
			switch s.Peek() {
			case '{':
				s.Consume('{')
				for first := true; ; first = false {
					k, ok := s.Member(first)
					trace = append(trace, string(k), ok, s.pos)
					if !ok {
						return
					}
					walk()
				}
			case '[':
				s.Consume('[')
				for first := true; s.Element(first); first = false {
					walk()
				}
			case '"':
				trace = append(trace, string(s.String()), s.pos)
			case 't', 'f':
				trace = append(trace, s.Bool(), s.pos)
			case 'n':
				trace = append(trace, s.Null(), s.pos)
			case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
				txt, mant, exp, exact := s.NumberParts()
				trace = append(trace, string(txt), mant, exp, exact, s.pos)
			default:
				s.Skip()
			}
		}
		walk()
		s.End()
		return append(trace, s.pos, s.Err())
	}
	if a, b := runMembers(true), runMembers(false); !reflect.DeepEqual(a, b) {
		t.Fatalf("%q, Member:\nindexed %v\nscalar  %v", in, a, b)
	}
	a, b := run(true), run(false)
	a = a[:len(a)-1]
	b = b[:len(b)-1]
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("%q:\nindexed %v\nscalar  %v", in, a, b)
	}
}

// TestWalkIndexAgrees: on the payloads, their truncations and small
// mutations, the indexed walk gives what the scalar loop gives.
func TestWalkIndexAgrees(t *testing.T) {
	for _, d := range benchPayloads(t) {
		if haveIndex { // the comparison below compares something
			var s Scanner
			s.ResetIndexed(d)
			if s.Skip(); !s.ready() || s.Err() != nil {
				t.Fatalf("a %d-byte payload was not read through the index: %v", len(d), s.Err())
			}
		}
		walkAgrees(t, d)
		for i := 0; i < len(d); i += 7 {
			walkAgrees(t, d[:i])
		}
		for i := 0; i < len(d); i += 13 {
			for _, c := range []byte{'x', '"', ',', '}', ']', '1', ' ', '-', 'e'} {
				m := bytes.Clone(d)
				m[i] = c
				walkAgrees(t, m)
			}
		}
	}
	for _, in := range nextKeySeeds {
		walkAgrees(t, []byte(in))
	}
}

func FuzzWalkIndex(f *testing.F) {
	for _, in := range nextKeySeeds {
		f.Add([]byte(in))
	}
	for _, d := range benchPayloads(f) {
		f.Add(d)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		walkAgrees(t, in)
	})
}

// FuzzIndex holds both first stages to the byte-by-byte reference on
// arbitrary input (the walk is FuzzWalkIndex's).
func FuzzIndex(f *testing.F) {
	for _, d := range benchPayloads(f) {
		f.Add(d)
	}
	f.Add([]byte(`{"a":"b\"c","d":[1,2,{"e":null}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		want, wantOK := refIndex(b)
		for _, name := range firstStages() {
			restore := useFirstStage(name)
			got, ok := buildIndex(b, nil)
			restore()
			if ok != wantOK || ok && !slices.Equal(got, want) {
				t.Fatalf("%s on %q: index ok %v %v, want ok %v %v", name, b, ok, got, wantOK, want)
			}
		}
	})
}
