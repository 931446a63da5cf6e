package activation

import (
	"hash/maphash"
	"unsafe"
)

// The engine's state is kept in big pointer-free slices indexed by int32,
// so that the garbage collector has nothing to scan in it: strings are
// interned in byte arenas (strtab), per-profile and per-identifier lists
// are runs in paged slabs (pool), sets are open-addressing tables of
// integers (idset).

// view returns b as a string without copying. The bytes must never be
// written again (arenas and slabs only append).
func view(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// strtab interns strings: id i is the i-th distinct string added. A slot
// holds the string's place in the arena, so a lookup reads the slot and
// the bytes (two cache lines), not an entry in between.
type strtab struct {
	seed  maphash.Seed
	arena []byte
	ents  []strent
	slots []strslot // open addressing; id 0: empty
}

type strent struct{ off, n uint32 }

type strslot struct {
	h      uint32 // high bits of the hash
	id     int32  // id+1; 0: empty
	off, n uint32
}

func newStrtab() strtab {
	return strtab{seed: maphash.MakeSeed(), slots: make([]strslot, 64)}
}

func (t *strtab) len() int { return len(t.ents) }

// str returns string id (a view into the arena).
func (t *strtab) str(id int32) string {
	en := t.ents[id]
	return view(t.arena[en.off : en.off+en.n])
}

// find returns the id of s, or -1.
func (t *strtab) find(s string) int32 {
	h := maphash.String(t.seed, s)
	mask := uint64(len(t.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		sl := &t.slots[i]
		if sl.id == 0 {
			return -1
		}
		if sl.h == uint32(h>>32) && int(sl.n) == len(s) && view(t.arena[sl.off:sl.off+sl.n]) == s {
			return sl.id - 1
		}
	}
}

// intern returns the id of s, adding it (copied into the arena) if new.
func (t *strtab) intern(s string) (id int32, added bool) {
	h := maphash.String(t.seed, s)
	mask := uint64(len(t.slots) - 1)
	i := h & mask
	for ; ; i = (i + 1) & mask {
		sl := &t.slots[i]
		if sl.id == 0 {
			break
		}
		if sl.h == uint32(h>>32) && int(sl.n) == len(s) && view(t.arena[sl.off:sl.off+sl.n]) == s {
			return sl.id - 1, false
		}
	}
	id = int32(len(t.ents))
	en := strent{off: uint32(len(t.arena)), n: uint32(len(s))}
	t.ents = append(t.ents, en)
	t.arena = append(t.arena, s...)
	t.slots[i] = strslot{h: uint32(h >> 32), id: id + 1, off: en.off, n: en.n}
	if len(t.ents)*2 > len(t.slots) {
		t.rehash(len(t.slots) * 2)
	}
	return id, true
}

func (t *strtab) rehash(n int) {
	t.slots = make([]strslot, n)
	mask := uint64(n - 1)
	for id, en := range t.ents {
		h := maphash.String(t.seed, t.str(int32(id)))
		i := h & mask
		for t.slots[i].id != 0 {
			i = (i + 1) & mask
		}
		t.slots[i] = strslot{h: uint32(h >> 32), id: int32(id) + 1, off: en.off, n: en.n}
	}
}

// msgArena keeps the message ids of facts: uvarint length and bytes at an
// offset, in pages of 1 MiB (offset = page<<20 | index; an id never spans
// pages), so that the arena grows without copying what it holds. Ids of
// dropped facts are garbage until the engine rewrites the arena
// (Engine.gcMsgs).
type msgArena struct {
	pages [][]byte
	size  int // bytes written
	live  int // bytes of ids still referenced
}

const (
	msgPageBits = 20
	msgPage     = 1 << msgPageBits
)

func (m *msgArena) add(s string) uint32 {
	need := uvarintLen(len(s)) + len(s)
	if need > msgPage {
		panic("activation: message id longer than 1 MiB")
	}
	if len(m.pages) == 0 || len(m.pages[len(m.pages)-1])+need > msgPage {
		m.pages = append(m.pages, make([]byte, 0, msgPage))
	}
	pg := len(m.pages) - 1
	b := m.pages[pg]
	off := len(b)
	n := len(s)
	for n >= 0x80 {
		b = append(b, byte(n)|0x80)
		n >>= 7
	}
	b = append(b, byte(n))
	b = append(b, s...)
	m.pages[pg] = b
	m.size += need
	m.live += need
	return uint32(pg)<<msgPageBits | uint32(off)
}

func (m *msgArena) get(off uint32) string {
	b := m.pages[off>>msgPageBits][off&(msgPage-1):]
	n, shift, i := 0, 0, 0
	for {
		c := b[i]
		i++
		n |= int(c&0x7f) << shift
		if c < 0x80 {
			break
		}
		shift += 7
	}
	return view(b[i : i+n])
}

func (m *msgArena) drop(off uint32) {
	s := m.get(off)
	m.live -= len(s) + uvarintLen(len(s))
}

func uvarintLen(n int) int {
	l := 1
	for n >= 0x80 {
		n >>= 7
		l++
	}
	return l
}

// slab hands out immutable strings for outputs from shared chunks: one
// allocation per chunk instead of one per string. A chunk stays alive while
// any string in it does.
type slab struct{ buf []byte }

const slabChunk = 16 << 10

func (s *slab) str(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if len(s.buf)+len(b) > cap(s.buf) {
		s.buf = make([]byte, 0, max(slabChunk, len(b)))
	}
	off := len(s.buf)
	s.buf = append(s.buf, b...)
	return unsafe.String(&s.buf[off], len(b))
}

// viewBytes returns s's bytes without copying; they must not be written.
func viewBytes(s string) []byte {
	if s == "" {
		return nil
	}
	return unsafe.Slice(unsafe.StringData(s), len(s))
}
