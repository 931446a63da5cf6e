package identity

import (
	"bytes"
	"cmp"
	"encoding/binary"
)

// arena stores event ids compactly: a canonical lower-case UUID as a tag
// byte and its 16 bytes, anything else as a tag byte, a length and the
// bytes. A reference is the offset of the tag. Released entries are counted
// as garbage; the state compacts the arena when garbage dominates.
type arena struct {
	b       []byte
	garbage int
}

const (
	tagRaw  = 0
	tagUUID = 1
)

// add stores ev and returns its reference.
func (a *arena) add(ev string) uint32 {
	ref := uint32(len(a.b))
	if u, ok := parseLowerUUID(ev); ok {
		a.b = append(a.b, tagUUID)
		a.b = append(a.b, u[:]...)
		return ref
	}
	a.b = append(a.b, tagRaw)
	a.b = binary.AppendUvarint(a.b, uint64(len(ev)))
	a.b = append(a.b, ev...)
	return ref
}

func (a *arena) size(ref uint32) int {
	if a.b[ref] == tagUUID {
		return 17
	}
	n, k := binary.Uvarint(a.b[ref+1:])
	return 1 + k + int(n)
}

func (a *arena) release(ref uint32) { a.garbage += a.size(ref) }

// appendTo appends the event id at ref to dst.
func (a *arena) appendTo(dst []byte, ref uint32) []byte {
	if a.b[ref] == tagUUID {
		return appendUUID(dst, a.b[ref+1:ref+17])
	}
	n, k := binary.Uvarint(a.b[ref+1:])
	p := int(ref) + 1 + k
	return append(dst, a.b[p:p+int(n)]...)
}

func (a *arena) string(ref uint32) string { return string(a.appendTo(nil, ref)) }

// compareString compares the event id at ref with ev, like strings.Compare.
func (a *arena) compareString(ref uint32, ev string) int {
	var buf [64]byte
	b := a.appendTo(buf[:0], ref)
	for i := 0; i < len(b) && i < len(ev); i++ {
		if b[i] != ev[i] {
			if b[i] < ev[i] {
				return -1
			}
			return 1
		}
	}
	return cmp.Compare(len(b), len(ev))
}

// compare compares two stored event ids, like strings.Compare.
func (a *arena) compare(x, y uint32) int {
	if a.b[x] == tagUUID && a.b[y] == tagUUID {
		return bytes.Compare(a.b[x+1:x+17], a.b[y+1:y+17])
	}
	var bx, by [64]byte
	return bytes.Compare(a.appendTo(bx[:0], x), a.appendTo(by[:0], y))
}

// parseLowerUUID parses a canonical lower-case 8-4-4-4-12 UUID, so that
// formatting the bytes gives back exactly the same string.
func parseLowerUUID(s string) ([16]byte, bool) {
	var u [16]byte
	if len(s) != 36 {
		return u, false
	}
	j := 0
	for i := 0; i < 36; {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if s[i] != '-' {
				return u, false
			}
			i++
			continue
		}
		hi, ok1 := lowerHex(s[i])
		lo, ok2 := lowerHex(s[i+1])
		if !ok1 || !ok2 {
			return u, false
		}
		u[j] = hi<<4 | lo
		j++
		i += 2
	}
	return u, true
}

func lowerHex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}

func appendUUID(dst []byte, u []byte) []byte {
	const digits = "0123456789abcdef"
	for i, c := range u[:16] {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			dst = append(dst, '-')
		}
		dst = append(dst, digits[c>>4], digits[c&0xf])
	}
	return dst
}

// compactEvents rebuilds the arena with only the references live facts and
// consent records use.
func (s *state) compactEvents() {
	if s.events.garbage < 1<<20 || s.events.garbage < len(s.events.b)/2 {
		return
	}
	s.rebuildEvents()
}

func (s *state) rebuildEvents() {
	old := s.events
	s.events = arena{b: make([]byte, 0, len(old.b)-old.garbage)}
	moved := make(map[uint32]uint32)
	mv := func(ref uint32) uint32 {
		if r, ok := moved[ref]; ok {
			return r
		}
		r := s.events.add(old.string(ref))
		moved[ref] = r
		return r
	}
	for i := range s.facts {
		ft := &s.facts[i]
		if ft.flags&ffRemoved != 0 {
			continue
		}
		ft.firstEv, ft.lastEv = mv(ft.firstEv), mv(ft.lastEv)
	}
	for n, recs := range s.cons {
		for i := range recs {
			recs[i].ev = mv(recs[i].ev)
		}
		s.cons[n] = recs
	}
}
