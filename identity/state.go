package identity

import (
	"bytes"
	"encoding/binary"
	"hash/maphash"
	"math"
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

// node is one identifier: 40 bytes.
type node struct {
	key    Key
	typ    uint8  // rule index
	flags  uint8  // nf*
	root   uint32 // derived: root slot of the base slot
	canon  uint32 // derived: canonical slot, when the base slot is a root
	inc    uint32 // head of the incidence list (none when empty)
	nfacts uint32 // live facts it is in
	nlinks uint32 // sum over those facts of their other identifiers
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
	fanout int // WithMaxFanout; 0: no limit
}

func newState(rs *ruleSet, optIn bool, fanout int) *state {
	return &state{
		rules:  rs,
		optIn:  optIn,
		fanout: fanout,
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
		nd.nlinks += uint32(len(ids) - 1)
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
		s.nodes[n].nlinks -= uint32(ft.n - 1)
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

func (s *state) ref(n uint32) Ref {
	nd := &s.nodes[n]
	r := Ref{Type: s.rules.rules[nd.typ].Type, Key: nd.key}
	if s.plain != nil {
		r.Value = s.plain[n]
	}
	return r
}

// compareKeys orders keys bytewise.
func compareKeys(a, b Key) int { return bytes.Compare(a[:], b[:]) }

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
