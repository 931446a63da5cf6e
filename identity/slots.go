package identity

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
)

// Ownership slots and derived profile ids.

// slotAt returns n's ownership slot at time t.
func (s *state) slotAt(n uint32, t int64) uint32 {
	if s.nodes[n].flags&nfEpochs == 0 {
		return n
	}
	cur := n
	for _, x := range s.epochs[n] {
		if s.extra[x&^extraBit].start <= t {
			cur = x
		}
	}
	return cur
}

// latestSlot returns n's current ownership slot.
func (s *state) latestSlot(n uint32) uint32 {
	if s.nodes[n].flags&nfEpochs == 0 {
		return n
	}
	e := s.epochs[n]
	return e[len(e)-1]
}

func (s *state) slotNode(slot uint32) uint32 {
	if slot&extraBit != 0 {
		return s.extra[slot&^extraBit].node
	}
	return slot
}

func (s *state) slotStart(slot uint32) int64 {
	if slot&extraBit != 0 {
		return s.extra[slot&^extraBit].start
	}
	return minTime
}

func (s *state) rootOf(slot uint32) uint32 {
	if slot&extraBit != 0 {
		return s.extra[slot&^extraBit].root
	}
	return s.nodes[slot].root
}

func (s *state) canonOf(root uint32) uint32 {
	if root&extraBit != 0 {
		return s.extra[root&^extraBit].canon
	}
	return s.nodes[root].canon
}

func (s *state) setDerived(slot, root, canon uint32) {
	if slot&extraBit != 0 {
		x := &s.extra[slot&^extraBit]
		x.root, x.canon = root, canon
		return
	}
	s.nodes[slot].root, s.nodes[slot].canon = root, canon
}

// inProfile reports whether any ownership slot of node m has root root.
func (s *state) inProfile(m, root uint32) bool {
	if s.nodes[m].root == root {
		return true
	}
	for _, x := range s.epochs[m] {
		if s.rootOf(x) == root {
			return true
		}
	}
	return false
}

// profileID returns the canonical profile id of a root slot: "p_" and 32
// hex characters of SHA-256 over the canonical identifier's type and key
// (and epoch start, for a later ownership epoch). It depends only on which
// identifier is canonical, so it is byte-identical for any arrival order.
func (s *state) profileID(root uint32) string {
	return profileIDOf(s, s.canonOf(root))
}

func profileIDOf(s *state, canon uint32) string {
	n := s.slotNode(canon)
	var start int64 = minTime
	if canon&extraBit != 0 {
		start = s.slotStart(canon)
	}
	return makeProfileID("p_", s.rules.rules[s.nodes[n].typ].Type, s.nodes[n].key, start)
}

func makeProfileID(prefix string, t Type, k Key, start int64) string {
	var buf [128]byte
	b := append(buf[:0], "touchpoint/profile/v1\x00"...)
	b = append(b, t...)
	b = append(b, 0)
	b = append(b, k[:]...)
	if start != minTime {
		b = binary.BigEndian.AppendUint64(b, uint64(start))
	}
	sum := sha256.Sum256(b)
	var out [40]byte
	n := copy(out[:], prefix)
	hex.Encode(out[n:], sum[:16])
	return string(out[:n+32])
}
