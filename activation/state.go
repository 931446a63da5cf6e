package activation

import (
	"math"
	"strings"
)

// slotVal is one extracted value of an input.
type slotVal struct {
	path uint16
	v    Value
}

// fact is one event of an identifier, reduced to what the definitions
// read: its time, message id (offset in the engine's msgArena), event
// name, the purposes in force when it was collected, and the values of the
// paths referenced (two inline; with more, the second slot points to
// the engine's overflow slots). Strings are interned: a fact holds no
// pointer, in 40 bytes. An identifier's facts are sorted by (event, time,
// message id).
type fact struct {
	t    int64
	bits [2]uint64 // float64 bits, or a string's id in Engine.vals
	id   uint32
	purp Purposes
	ev   uint16
	path [2]uint16
	kind [2]uint8 // kAbsent: slot unused; kOverflow (slot 1): bits = offset<<8 | count
}

// kOverflow marks a fact's second slot as a pointer to overflow slots.
const kOverflow = 255

// maxFactValues bounds the values kept per fact.
const maxFactValues = 256

// xslot is an overflow value of a fact.
type xslot struct {
	bits uint64
	path uint16
	kind uint8
}

// tfact is one identify trait of an identifier, with provenance.
type tfact struct {
	t    int64
	bits uint64
	key  int32 // Engine.keys
	id   uint32
	purp Purposes
	kind uint8
}

// ident is one identifier (by key, never its value) and the facts
// collected under it: the unit that moves between profiles when identity
// merges or splits them.
type ident struct {
	facts  run
	traits run
	prof   int32 // profile it belongs to, -1: none yet
	next   int32 // next identifier of the same profile, -1: last
	key    int32 // Engine.identKeys id; -1: "profile:" + owner's id
	owner  int32 // for key -1: the profile it is the identifier of
}

// jrec is one record of a profile's history in journeys: a fire (for the
// cap), an entry (instance key hash, for re-entry) or a fired action id
// (its first 64 bits: a replay or a restart never fires it twice; kept
// with the profile, whose records a decision reads anyway).
// It packs time, kind and journey into one word: 16 bytes.
type jrec struct {
	tj int64 // t<<12 | kind<<10 | journey (MaxDefinitions < 1024)
	h  uint64
}

func mkJrec(t int64, h uint64, j int32, kind uint8) jrec {
	return jrec{tj: t<<12 | int64(kind)<<10 | int64(j), h: h}
}

func (r *jrec) t() int64     { return r.tj >> 12 }
func (r *jrec) j() int32     { return int32(r.tj & 0x3ff) }
func (r *jrec) kind() uint8  { return uint8(r.tj >> 10 & 3) }
func (r *jrec) setT(t int64) { r.tj = t<<12 | r.tj&0xfff }
func (r *jrec) setJ(j int32) { r.tj = r.tj&^0x3ff | int64(j) }

const (
	jFire  = 1
	jEntry = 2
	jFired = 3
)

// profile is one canonical profile: its identifiers and announced state.
// Its id is Engine.profIDs.str(index); its memberships are bits in
// Engine.member.
type profile struct {
	clock      int64  // latest event time seen (or watermark applied)
	due        int64  // next audience re-evaluation (a window expiry), 0: none
	head, tail int32  // identifiers, -1: none
	self       int32  // the identifier "profile:<id>", -1: none yet
	js         run    // jrecs
	mem0       uint64 // memberships of audiences 0-63
	own        ident  // the identifier "profile:<id>" (when self >= 0)
}

// pending is a journey action waiting for its time.
type pending struct {
	due      int64
	prof     int32
	journey  string
	actionID string
	bits     uint64 // of actionID (its first 64 bits)
	trigT    int64
	trigID   string
	relID    string
	props    []propVal
	userID   string
	anonID   string
	reason   string
}

type propVal struct {
	key string
	v   Value
}

// timer is a profile's audience re-evaluation at due (lazy: stale entries
// are skipped by comparing with profile.due).
type timer struct {
	due  int64
	prof int32
}

// timerHeap is a binary min-heap by due time (no interface boxing).
type timerHeap []timer

func (h *timerHeap) push(t timer) {
	*h = append(*h, t)
	s := *h
	i := len(s) - 1
	for i > 0 {
		p := (i - 1) / 2
		if s[p].due <= s[i].due {
			break
		}
		s[p], s[i] = s[i], s[p]
		i = p
	}
}

func (h *timerHeap) pop() timer {
	s := *h
	top := s[0]
	n := len(s) - 1
	s[0] = s[n]
	s = s[:n]
	i := 0
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		m := l
		if r := l + 1; r < n && s[r].due < s[l].due {
			m = r
		}
		if s[i].due <= s[m].due {
			break
		}
		s[i], s[m] = s[m], s[i]
		i = m
	}
	*h = s
	return top
}

// --- values of facts -------------------------------------------------------

// pack turns a value into (kind, bits), interning strings.
func (e *Engine) pack(v Value) (uint8, uint64) {
	if v.K == kString {
		id, _ := e.vals.intern(v.S)
		return kString, uint64(id)
	}
	return v.K, math.Float64bits(v.F)
}

func (e *Engine) unpack(k uint8, bits uint64) Value {
	switch k {
	case kString:
		return Value{S: e.vals.str(int32(bits)), K: kString}
	case kNumber, kBool:
		return Value{F: math.Float64frombits(bits), K: k}
	}
	return Value{}
}

// get returns the fact's value of path.
func (e *Engine) get(f *fact, path uint16) Value {
	if f.kind[0] != kAbsent && f.path[0] == path {
		return e.unpack(f.kind[0], f.bits[0])
	}
	switch f.kind[1] {
	case kAbsent:
	case kOverflow:
		off, n := f.bits[1]>>8, f.bits[1]&0xff
		for _, x := range e.xvals[off : off+n] {
			if x.path == path {
				return e.unpack(x.kind, x.bits)
			}
		}
	default:
		if f.path[1] == path {
			return e.unpack(f.kind[1], f.bits[1])
		}
	}
	return Value{}
}

// slots appends the fact's values to buf.
func (e *Engine) slots(f *fact, buf []xslot) []xslot {
	if f.kind[0] != kAbsent {
		buf = append(buf, xslot{bits: f.bits[0], path: f.path[0], kind: f.kind[0]})
	}
	switch f.kind[1] {
	case kAbsent:
	case kOverflow:
		off, n := f.bits[1]>>8, f.bits[1]&0xff
		buf = append(buf, e.xvals[off:off+n]...)
	default:
		buf = append(buf, xslot{bits: f.bits[1], path: f.path[1], kind: f.kind[1]})
	}
	return buf
}

// setSlots stores vs (at most maxFactValues) as the fact's values.
func (e *Engine) setSlots(f *fact, vs []xslot) {
	vs = vs[:min(len(vs), maxFactValues)]
	if len(vs) > 0 {
		f.bits[0], f.path[0], f.kind[0] = vs[0].bits, vs[0].path, vs[0].kind
	}
	switch {
	case len(vs) == 2:
		f.bits[1], f.path[1], f.kind[1] = vs[1].bits, vs[1].path, vs[1].kind
	case len(vs) > 2:
		f.bits[1], f.kind[1] = uint64(len(e.xvals))<<8|uint64(len(vs)-1), kOverflow
		e.xvals = append(e.xvals, vs[1:]...)
	}
}

func (e *Engine) matches(f *fact, ps []pred) bool {
	for i := range ps {
		p := &ps[i]
		if !compare(p.op, e.get(f, p.path), p.val, p.list) {
			return false
		}
	}
	return true
}

// newFact builds a fact (interning its strings).
func (e *Engine) newFact(t int64, msgID string, ev uint16, purp Purposes, vals []slotVal) fact {
	f := fact{t: t, ev: ev, purp: purp}
	f.id = e.msgs.add(msgID)
	xs := e.xbuf[:0]
	for _, sv := range vals {
		k, b := e.pack(sv.v)
		xs = append(xs, xslot{bits: b, path: sv.path, kind: k})
	}
	e.setSlots(&f, xs)
	e.xbuf = xs[:0]
	return f
}

// dropFact releases what a fact holds outside its struct.
func (e *Engine) dropFact(f *fact) {
	e.msgs.drop(f.id)
	if f.kind[1] == kOverflow {
		e.xdead += int(f.bits[1] & 0xff)
	}
}

// cmpFact orders an identifier's facts: event, time, message id.
func (e *Engine) cmpFact(a *fact, ev uint16, t int64, id string) int {
	switch {
	case a.ev != ev:
		if a.ev < ev {
			return -1
		}
		return 1
	case a.t != t:
		if a.t < t {
			return -1
		}
		return 1
	}
	return strings.Compare(e.msgs.get(a.id), id)
}

// memo caches evRange results while facts do not change (one input's
// evaluation reads the same few events of the same identifiers many times).
type memo struct {
	ii     int32
	ev     uint16
	lo, hi int32
}

// evRangeOf is evRange of identifier ii's facts fs, cached.
func (e *Engine) evRangeOf(ii int32, fs []fact, ev uint16) (int, int) {
	for k := range e.memoN {
		if m := &e.memo[k]; m.ii == ii && m.ev == ev {
			return int(m.lo), int(m.hi)
		}
	}
	lo, hi := evRange(fs, ev)
	if e.memoN < len(e.memo) {
		e.memo[e.memoN] = memo{ii: ii, ev: ev, lo: int32(lo), hi: int32(hi)}
		e.memoN++
	}
	return lo, hi
}

// evRange returns the facts of ev in fs (sorted by event first).
func evRange(fs []fact, ev uint16) (lo, hi int) {
	lo, hi = 0, len(fs)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if fs[m].ev < ev {
			lo = m + 1
		} else {
			hi = m
		}
	}
	i, j := lo, len(fs)
	for i < j {
		m := int(uint(i+j) >> 1)
		if fs[m].ev <= ev {
			i = m + 1
		} else {
			j = m
		}
	}
	return lo, i
}

// after returns the first index in fs[lo:hi] (one event, sorted by time)
// with time > t.
func after(fs []fact, lo, hi int, t int64) int {
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if fs[m].t <= t {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}
