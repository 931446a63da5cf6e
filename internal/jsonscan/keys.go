package jsonscan

import (
	"encoding/binary"
	"math/bits"
)

// Keys is a set of object keys a decoder keeps, for Iter.NextKey: a
// table hashed perfectly on a key's length and first and last four bytes,
// so that a lookup is one probe and a key not in the set is usually
// refused without a comparison. Build it once (a package variable); it is
// read-only after NewKeys and safe for concurrent use.
type Keys struct {
	keys  []string
	empty int    // the index of "", or -1
	lens  uint64 // bit n set when a key has n bytes (n < 64); bit 63 for longer keys too
	mul   uint64
	shift uint64
	slot  []keySlot
}

// keySlot is a table entry: a key's pack (compared before the key
// itself, which a pack of a key of up to eight bytes holds whole), its
// length, and its index+1, 0 when the slot is empty or shared when
// several keys have the same pack (then they are compared in turn).
type keySlot struct {
	pack       uint64
	idx        uint32
	n          uint32
	head, tail uint64 // a key of 9 to 16 bytes: its first and last eight
}

const shared = ^uint32(0)

// NewKeys returns the set of keys; a key's index in the set is its
// position in the arguments. It panics on a duplicate key or more than 64
// keys: sets are constants of the decoders, built when their package is
// initialised.
func NewKeys(keys ...string) *Keys {
	if len(keys) > 64 {
		panic("jsonscan: more than 64 keys")
	}
	for i, k := range keys {
		for _, o := range keys[:i] {
			if k == o {
				panic("jsonscan: duplicate key " + k)
			}
		}
	}
	// A table of four slots per key at least, and a multiplier that
	// places every pack in its own slot (a perfect hash: index probes
	// once), found by trying multipliers, doubling the table until one
	// works.
	size := 8
	for size < 4*len(keys) {
		size *= 2
	}
	for ; ; size *= 2 {
		for try := uint64(0); try < 1000; try++ {
			ks := &Keys{keys: keys, empty: -1, mul: 0x9E3779B97F4A7C15 + 2*try*0xC2B2AE3D27D4EB4F,
				shift: uint64(64 - bits.TrailingZeros(uint(size))), slot: make([]keySlot, size)}
			if ks.place() {
				return ks
			}
		}
	}
}

// place puts every key's pack in its home slot, reporting false when two
// different packs collide.
func (ks *Keys) place() bool {
	for _, k := range ks.keys {
		ks.lens |= 1 << min(len(k), 63)
	}
	for i, k := range ks.keys {
		if k == "" {
			ks.empty = i
			continue
		}
		p := pack([]byte(k))
		e := &ks.slot[(p*ks.mul)>>ks.shift]
		switch {
		case e.idx == 0:
			*e = keySlot{pack: p, idx: uint32(i + 1), n: uint32(len(k))}
			if n := len(k); n > 8 && n <= 16 {
				e.head = binary.LittleEndian.Uint64([]byte(k[:8]))
				e.tail = binary.LittleEndian.Uint64([]byte(k[n-8:]))
			}
		case e.pack == p:
			e.idx = shared
		default:
			return false
		}
	}
	return true
}

// pack packs a non-empty key's length and first and last four bytes (or,
// shorter, its first, middle and last bytes).
func pack(k []byte) uint64 {
	n := len(k)
	var x uint64
	if n >= 4 {
		x = uint64(binary.LittleEndian.Uint32(k)) | uint64(binary.LittleEndian.Uint32(k[n-4:]))<<32
	} else {
		x = uint64(k[0]) | uint64(k[n>>1])<<8 | uint64(k[n-1])<<16
	}
	return x ^ uint64(n)*0xFF51AFD7ED558CCD
}

// index returns the index of k in the set, or -1: one probe, since
// NewKeys places every pack in its home slot.
func (ks *Keys) index(k []byte) int {
	if ks.lens&(1<<min(len(k), 63)) == 0 {
		return -1 // no key of this length: most keys a decoder skips
	}
	if len(k) == 0 {
		return ks.empty
	}
	p := pack(k)
	e := &ks.slot[(p*ks.mul)>>(ks.shift&63)]
	if e.pack != p || e.idx == 0 {
		return -1
	}
	if e.idx == shared {
		return ks.search(k)
	}
	n := len(k)
	switch {
	case int(e.n) != n:
		return -1
	case n <= 8: // the pack is the key
	case n <= 16: // compared as two words
		if binary.LittleEndian.Uint64(k) != e.head || binary.LittleEndian.Uint64(k[n-8:]) != e.tail {
			return -1
		}
	default:
		if ks.keys[e.idx-1] != string(k) {
			return -1
		}
	}
	return int(e.idx) - 1
}

// search compares k with every key.
func (ks *Keys) search(k []byte) int {
	for i, o := range ks.keys {
		if o == string(k) {
			return i
		}
	}
	return -1
}

// Len returns the number of keys in the set.
func (ks *Keys) Len() int { return len(ks.keys) }

// NextKey advances to the next member of the object whose key is in ks
// and returns the key's index in ks; Key returns the key (unescaped; a
// key with escapes is in Text's buffer, valid until the next Text). Members with
// other keys are skipped and validated as Skip does, in one loop, with
// the errors Next and Skip would keep. It returns -1 at the closing '}'
// (then consumed) or on error. After a key, the caller must read or Skip
// its value. It is Next for decoders that keep a few members of a large
// object: the members they do not keep cost what Skip costs, not a Next,
// a key comparison and a Skip each.
func (it *Iter) NextKey(ks *Keys) int {
	s := it.s
	if it.done || s.err != nil {
		return -1
	}
	if !it.obj {
		s.fail(s.pos, "object", ErrType) // a decoder's mistake, reported as one
		return -1
	}
	if s.x != nil {
		if x, ok := it.nextKeyIdx(ks); ok {
			return x
		}
	}
	b, i := s.b, s.pos
	if i < len(b) && b[i] <= ' ' {
		i = skipWS(b, i)
	}
	if i < len(b) && b[i] == '}' {
		s.pos = i + 1
		s.depth--
		it.done = true
		return -1
	}
	if it.n > 0 {
		switch { // the errors Next keeps
		case i >= len(b):
			s.fail(i, "", ErrTruncated)
			return -1
		case b[i] != ',':
			s.fail(i, "',' or '}'", ErrSyntax)
			return -1
		}
		if i++; i < len(b) && b[i] <= ' ' {
			i = skipWS(b, i)
		}
	} else if i >= len(b) {
		s.fail(i, "", ErrTruncated)
		return -1
	}
	it.n++
	// The common case read in place, as Next does: a key without escapes
	// and its ':'. A kept key returns here; after another, walk skips its
	// value and what follows up to the next kept key. Anything else, errors
	// included, is walk's, from where the case stopped.
	key := true
	if i < len(b) && b[i] == '"' {
		i0 := i
		j := stringEnd(b, i+1)
		if j+1 < len(b) && b[j] == '"' && b[j+1] == ':' {
			k := b[i+1 : j]
			i = afterColon(b, j+2)
			if x := ks.index(k); x >= 0 {
				s.pos = i
				it.setKey(i0+1, j)
				return x
			}
			key = false
		}
	}
	x := s.walk(i, 1, 1, MaxDepth-s.depth+1, key, ks)
	if x >= 0 {
		if s.keyStart >= 0 {
			it.setKey(s.keyStart, s.keyEnd)
		} else {
			it.kb = s.scratch[:s.keyEnd]
		}
		return x
	}
	if s.err == nil {
		s.depth--
		it.done = true
	}
	return -1
}

// unescapeKey unescapes the key whose opening quote is at start (already
// validated) into Text's buffer.
func (s *Scanner) unescapeKey(start int) []byte {
	out := s.unescape(s.scratch[:0], start+1)
	s.scratch = out
	return out
}

// StringOrNull reads a string like String or, when the next value is
// null, consumes it and returns (nil, true): the one call per value of a
// decoder that keeps optional strings, in place of Null and String, with
// the same results and errors.
func (s *Scanner) StringOrNull() (b []byte, null bool) {
	if s.err != nil {
		return nil, false
	}
	in, i := s.b, s.pos
	if i < len(in) && in[i] <= ' ' {
		i = skipWS(in, i)
	}
	s.pos = i
	if i < len(in) {
		switch in[i] {
		case '"':
			if s.ready() {
				if j := s.closeQuote(i); j >= 0 {
					s.pos = j + 1
					return in[i+1 : j], false
				}
			}
			if j := stringEnd(in, i+1); j < len(in) && in[j] == '"' {
				s.pos = j + 1
				return in[i+1 : j], false // no escapes: the common case
			}
		case 'n':
			return nil, s.null()
		}
	}
	return s.str(false), false
}

func (s *Scanner) null() bool {
	s.literal("null")
	return s.err == nil
}
