package identity

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash/maphash"
	"math"
	"slices"
)

// none marks an absent index.
const none = ^uint32(0)

// extraBit marks slot ids of ownership epochs after the first; base slots
// have the node's index as id.
const extraBit = uint32(1) << 31

// minTime is the "since forever" time of a consent that was never
// withdrawn in opt-out mode.
const minTime = math.MinInt64

// Node flags.
const (
	nfQuarantined uint8 = 1 << iota // supernode: links nothing
	nfBlocked                       // placeholder value: links nothing
	nfDeleted                       // erased; key no longer indexed
	nfDelicate                      // its component's derivation refused, transferred or gated something
	nfEpochs                        // has ownership epochs after the first
	nfConsent                       // has consent records
)

// node is one identifier: 36 bytes.
type node struct {
	key    Key
	typ    uint8  // rule index
	flags  uint8  // nf*
	root   uint32 // derived: root slot of the base slot
	canon  uint32 // derived: canonical slot, when the base slot is a root
	inc    uint32 // head of the incidence list (none when empty)
	nfacts uint32 // live facts it is in
}

// extraSlot is an ownership epoch after a node's first.
type extraSlot struct {
	node  uint32
	start int64 // unix ms from which this epoch owns the node
	root  uint32
	canon uint32
}

// incidence links a node to one of its facts.
type incidence struct {
	fact uint32
	next uint32
}

// Fact flags.
const ffRemoved uint16 = 1

// fact is a set of identifiers seen together, with its first and last
// occurrence: 40 bytes plus 4 per identifier.
type fact struct {
	off     uint32 // into state.factIDs
	n       uint16
	flags   uint16
	first   int64 // unix ms of the first occurrence (by time, then event id)
	last    int64 // unix ms of the last occurrence
	firstEv uint32
	lastEv  uint32
	hnext   uint32 // next fact with the same hash
	mark    uint32 // traversal generation
}

// consentRec is one recorded linking-consent change of a node.
type consentRec struct {
	at      int64
	granted bool
	ev      uint32
}

// state holds everything the graph knows. It is guarded by Graph.mu.
type state struct {
	rules  *ruleSet
	optIn  bool
	seed   maphash.Seed
	index  map[Key]uint32
	nodes  []node
	plain  map[uint32]string
	facts  []fact
	ids    []uint32 // fact identifier lists, sorted by node index
	byHash map[uint64]uint32
	inc    []incidence
	events arena
	extra  []extraSlot
	free   []uint32 // reusable extra slot indexes
	epochs map[uint32][]uint32
	cons   map[uint32][]consentRec
	tombs  tombstones
	gen    uint32
	live   int // facts not removed
}

func newState(rs *ruleSet, optIn bool) *state {
	return &state{
		rules:  rs,
		optIn:  optIn,
		seed:   maphash.MakeSeed(),
		index:  make(map[Key]uint32),
		byHash: make(map[uint64]uint32),
		epochs: make(map[uint32][]uint32),
		cons:   make(map[uint32][]consentRec),
		tombs:  newTombstones(),
	}
}

func (s *state) rule(n uint32) *rule { return &s.rules.rules[s.nodes[n].typ] }

// firewall reports whether n takes no part in person linking: blocked,
// quarantined, deleted, or of a household, shared-device or place scope.
func (s *state) firewall(n uint32) bool {
	nd := &s.nodes[n]
	if nd.flags&(nfQuarantined|nfBlocked|nfDeleted) != 0 {
		return true
	}
	return !s.rules.rules[nd.typ].linking()
}

// keepsIncidences reports whether a node of rule r keeps its fact list.
// Placeholders and places would collect every event; they keep none.
func keepsIncidences(r *rule, blocked bool) bool {
	return !blocked && r.Scope != ScopePlace
}

// addNode creates a node (the key must not be indexed).
func (s *state) addNode(r *rule, k Key, blocked bool, value string) uint32 {
	n := uint32(len(s.nodes))
	nd := node{key: k, typ: r.idx, root: n, canon: n, inc: none}
	if blocked {
		nd.flags |= nfBlocked
	}
	s.nodes = append(s.nodes, nd)
	s.index[k] = n
	if value != "" && s.plain != nil {
		s.plain[n] = value
	}
	return n
}

func (s *state) factIDs(f uint32) []uint32 {
	ft := &s.facts[f]
	return s.ids[ft.off : ft.off+uint32(ft.n)]
}

func (s *state) hashIDs(ids []uint32) uint64 {
	var h maphash.Hash
	h.SetSeed(s.seed)
	var b [4]byte
	for _, id := range ids {
		binary.LittleEndian.PutUint32(b[:], id)
		h.Write(b[:])
	}
	return h.Sum64()
}

// segmentGap returns how far apart two occurrences of an identifier set
// may be and still be one segment (one fact): the smallest ownership gap of
// its identifiers' types, or "any distance" when none has one. Keeping
// longer silences as separate segments keeps ownership periods apart: an
// owner who comes back after the identifier moved on does not appear to
// have held it all along.
func (s *state) segmentGap(ids []uint32) int64 {
	g := int64(math.MaxInt64)
	for _, n := range ids {
		if r := s.rule(n); r.gapMs > 0 {
			g = min(g, r.gapMs)
		}
	}
	return g
}

// segments appends the live facts with exactly these (sorted) node ids whose
// span comes within the segment gap of [t1, t2]: the segments an occurrence
// (or span) at [t1, t2] belongs to, or merges.
func (s *state) segments(ids []uint32, t1, t2 int64, out []uint32) ([]uint32, uint64) {
	h := s.hashIDs(ids)
	f, ok := s.byHash[h]
	if !ok {
		return out, h
	}
	gap := s.segmentGap(ids)
	for ; f != none; f = s.facts[f].hnext {
		ft := &s.facts[f]
		if ft.flags&ffRemoved != 0 || !slices.Equal(s.factIDs(f), ids) {
			continue
		}
		if gap == math.MaxInt64 || t2 >= ft.first-gap && t1 <= ft.last+gap {
			out = append(out, f)
		}
	}
	return out, h
}

// addFact stores a new fact and links it to its nodes.
func (s *state) addFact(ids []uint32, h uint64, t int64, ev uint32) uint32 {
	f := uint32(len(s.facts))
	next := none
	if head, ok := s.byHash[h]; ok {
		next = head
	}
	s.byHash[h] = f
	s.facts = append(s.facts, fact{off: uint32(len(s.ids)), n: uint16(len(ids)), first: t, last: t, firstEv: ev, lastEv: ev, hnext: next})
	s.ids = append(s.ids, ids...)
	s.live++
	for _, n := range ids {
		nd := &s.nodes[n]
		nd.nfacts++
		if !keepsIncidences(s.rule(n), nd.flags&nfBlocked != 0) {
			continue
		}
		s.inc = append(s.inc, incidence{fact: f, next: nd.inc})
		nd.inc = uint32(len(s.inc) - 1)
	}
	return f
}

// removeFact marks a fact removed and unhooks it from its hash chain. Its
// incidences stay and are skipped.
func (s *state) removeFact(f uint32) {
	ft := &s.facts[f]
	if ft.flags&ffRemoved != 0 {
		return
	}
	h := s.hashIDs(s.factIDs(f))
	if head := s.byHash[h]; head == f {
		if ft.hnext == none {
			delete(s.byHash, h)
		} else {
			s.byHash[h] = ft.hnext
		}
	} else {
		for p := head; p != none; p = s.facts[p].hnext {
			if s.facts[p].hnext == f {
				s.facts[p].hnext = ft.hnext
				break
			}
		}
	}
	ft.flags |= ffRemoved
	for _, n := range s.factIDs(f) {
		s.nodes[n].nfacts--
	}
	s.events.release(ft.firstEv)
	if ft.lastEv != ft.firstEv {
		s.events.release(ft.lastEv)
	}
	s.live--
}

// eachFact calls fn for every live fact of node n.
func (s *state) eachFact(n uint32, fn func(f uint32)) {
	for i := s.nodes[n].inc; i != none; i = s.inc[i].next {
		f := s.inc[i].fact
		if s.facts[f].flags&ffRemoved == 0 {
			fn(f)
		}
	}
}

// observe records one more occurrence of fact f. It reports whether the
// first or the last occurrence moved.
func (s *state) observe(f uint32, t int64, ev string) (firstMoved, lastMoved bool) {
	ft := &s.facts[f]
	if t < ft.first || t == ft.first && s.events.compareString(ft.firstEv, ev) > 0 {
		old := ft.firstEv
		ft.first, ft.firstEv = t, s.events.add(ev)
		if old != ft.lastEv {
			s.events.release(old)
		}
		firstMoved = true
	}
	if t > ft.last || t == ft.last && s.events.compareString(ft.lastEv, ev) < 0 {
		old := ft.lastEv
		ft.last, ft.lastEv = t, s.events.add(ev)
		if old != ft.firstEv {
			s.events.release(old)
		}
		lastMoved = true
	}
	return firstMoved, lastMoved
}

// observeSpan records occurrences from (t1, ev1) to (t2, ev2) of the
// identifier set ids: it extends the segment they fall in, merges the
// segments they bridge, or starts a new one. It returns the resulting fact
// and whether it is new (or merged) and whether its first or last moved.
func (s *state) observeSpan(ids []uint32, t1 int64, ev1 string, t2 int64, ev2 string, scratch []uint32) (f uint32, isNew, firstMoved, lastMoved bool, out []uint32) {
	segs, h := s.segments(ids, t1, t2, scratch[:0])
	if len(segs) == 0 {
		f = s.addFact(ids, h, t1, s.events.add(ev1))
		if t2 != t1 || ev2 != ev1 {
			s.observe(f, t2, ev2)
		}
		return f, true, true, true, segs
	}
	f = segs[0]
	fm, lm := s.observe(f, t1, ev1)
	fm2, lm2 := s.observe(f, t2, ev2)
	firstMoved, lastMoved = fm || fm2, lm || lm2
	for _, m := range segs[1:] {
		mt := s.facts[m]
		a, b := s.events.string(mt.firstEv), s.events.string(mt.lastEv)
		s.removeFact(m)
		s.observe(f, mt.first, a)
		s.observe(f, mt.last, b)
		isNew = true // two segments became one
	}
	return f, isNew, firstMoved, lastMoved, segs
}

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

func (s *state) ref(n uint32) Ref {
	nd := &s.nodes[n]
	r := Ref{Type: s.rules.rules[nd.typ].Type, Key: nd.key}
	if s.plain != nil {
		r.Value = s.plain[n]
	}
	return r
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

// compareKeys orders keys bytewise.
func compareKeys(a, b Key) int { return bytes.Compare(a[:], b[:]) }

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

// deleteNode removes node n from the index: it keeps its slot in the node
// table, marked deleted, with its key wiped.
func (s *state) deleteNode(n uint32) {
	nd := &s.nodes[n]
	delete(s.index, nd.key)
	delete(s.plain, n)
	delete(s.cons, n)
	if nd.flags&nfEpochs != 0 {
		s.free = append(s.free, s.epochs[n]...)
		delete(s.epochs, n)
	}
	*nd = node{flags: nfDeleted, inc: none, root: n, canon: n}
}

// orphan reports whether n is in no live fact and holds no consent: a
// rebuilt graph would not have it.
func (s *state) orphan(n uint32) bool {
	nd := &s.nodes[n]
	return nd.flags&nfDeleted == 0 && nd.nfacts == 0 && nd.flags&nfConsent == 0
}
