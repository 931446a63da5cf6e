package activation

import (
	"strings"
	"time"
)

// findProfile returns the index of profile id, or -1.
func (e *Engine) findProfile(id string) int32 { return e.profIDs.find(id) }

// profileID returns the id of profile p (a view: clone it before it
// leaves the engine, or use outPID). The profile of the input being
// applied reads the input's string (no arena access).
func (e *Engine) profileID(p int32) string {
	if p == e.cur.p {
		return e.cur.id
	}
	return e.profIDs.str(p)
}

// outPID returns the id of profile p for an output (copied into the
// output slab once per input).
func (e *Engine) outPID(p int32) string {
	if p != e.cur.p {
		return e.outStr(e.profIDs.str(p))
	}
	if e.cur.out == "" {
		e.cur.out = e.outStr(e.cur.id)
	}
	return e.cur.out
}

// curProf is the profile of the input being applied: its id as the input
// gave it and its copy for outputs (reset when the input is done: the
// input's string is the caller's).
type curProf struct {
	p       int32
	id, out string
}

func (e *Engine) profileOf(id string) int32 {
	i, added := e.profIDs.intern(id)
	if added {
		if i >= selfBase-1 {
			panic("activation: more than 2^30 profiles")
		}
		e.profs = append(e.profs, profile{head: -1, tail: -1, self: -1})
		e.member = append(e.member, make([]uint64, e.memW)...)
	}
	return i
}

// selfBase numbers the identifiers "profile:<id>": selfBase + the
// profile's index. They are kept inside their profile's record (a profile
// without identities reads one record, not two).
const selfBase = 1 << 30

// ident returns identifier i. The pointer is valid until profiles or
// identifiers are added.
func (e *Engine) ident(i int32) *ident {
	if i >= selfBase {
		return &e.profs[i-selfBase].own
	}
	return &e.idents[i]
}

// selfIdent returns the identifier "profile:<id>" of profile p.
func (e *Engine) selfIdent(p int32) int32 {
	pr := &e.profs[p]
	if pr.self < 0 {
		pr.self = selfBase + p
		pr.own = ident{prof: -1, next: -1, key: -1, owner: p}
		e.selfs++
	}
	return pr.self
}

func (e *Engine) identOf(key string) int32 {
	if rest, ok := strings.CutPrefix(key, "profile:"); ok {
		return e.selfIdent(e.profileOf(rest))
	}
	k, added := e.identKeys.intern(key)
	if added {
		e.identByKey = append(e.identByKey, int32(len(e.idents)))
		e.idents = append(e.idents, ident{prof: -1, next: -1, key: k})
	}
	return e.identByKey[k]
}

// link appends identifier i to profile p's list; unlink removes it.
func (e *Engine) link(p, i int32) {
	pr := &e.profs[p]
	e.ident(i).prof, e.ident(i).next = p, -1
	if pr.tail < 0 {
		pr.head = i
	} else {
		e.ident(pr.tail).next = i
	}
	pr.tail = i
}

func (e *Engine) unlink(p, i int32) {
	pr := &e.profs[p]
	prev := int32(-1)
	for x := pr.head; x >= 0; prev, x = x, e.ident(x).next {
		if x != i {
			continue
		}
		nx := e.ident(x).next
		if prev < 0 {
			pr.head = nx
		} else {
			e.ident(prev).next = nx
		}
		if pr.tail == x {
			pr.tail = prev
		}
		break
	}
	e.ident(i).next = -1
}

// identCount returns how many identifiers profile p holds.
func (e *Engine) identCount(p int32) int {
	n := 0
	for x := e.profs[p].head; x >= 0; x = e.ident(x).next {
		n++
	}
	return n
}

// attach moves identifier i to profile p; the profiles it leaves and joins
// are re-derived from the facts (a merge or a split).
func (e *Engine) attach(i, p int32, out []Output) []Output {
	d := e.ident(i)
	old := d.prof
	if old == p {
		return out
	}
	if old >= 0 {
		e.unlink(old, i)
	}
	e.link(p, i)
	d = e.ident(i)
	if d.facts.n > 0 || d.traits.n > 0 {
		if old >= 0 {
			out = e.evaluateAll(old, e.profs[old].clock, "", out)
		}
		if e.profs[p].head != i || old >= 0 {
			pp := &e.profs[p]
			for _, f := range e.facts.items(d.facts) {
				pp.clock = max(pp.clock, f.t)
			}
			out = e.evaluateAll(p, pp.clock, "", out)
		}
	}
	return out
}

// insertFact adds the fact of r to identifier i in order; false if a fact
// with its event, time and id is there (a duplicate).
func (e *Engine) insertFact(i int32, r *rec, x *evIndex) bool {
	e.memoN = 0
	d := e.ident(i)
	fs := e.facts.items(d.facts)
	lo, hi := evRange(fs, r.ev)
	j := after(fs, lo, hi, r.t)
	for j > lo && fs[j-1].t == r.t {
		c := strings.Compare(e.msgs.get(fs[j-1].id), r.msgID)
		if c == 0 {
			return false
		}
		if c < 0 {
			break
		}
		j--
	}
	if d.facts.n == d.facts.cap {
		// before the run grows, drop what no definition can read any more
		e.prune(i, -1)
		d = e.ident(i)
		fs = e.facts.items(d.facts)
		lo, hi = evRange(fs, r.ev)
		j = after(fs, lo, hi, r.t)
		for j > lo && fs[j-1].t == r.t && e.msgs.get(fs[j-1].id) > r.msgID {
			j--
		}
	}
	if d.facts.n == maxRun { // the largest run: make room first
		e.evictOldest(i, maxRun-1)
		d = e.ident(i)
		fs = e.facts.items(d.facts)
		lo, hi = evRange(fs, r.ev)
		j = after(fs, lo, hi, r.t)
		for j > lo && fs[j-1].t == r.t && e.msgs.get(fs[j-1].id) > r.msgID {
			j--
		}
	}
	f := e.newFact(r.t, r.msgID, r.ev, r.purp, r.vals)
	e.facts.insert(&d.facts, j, f)
	if d.facts.n > int32(e.cfg.maxFacts) {
		e.evictOldest(i, int32(e.cfg.maxFacts))
	}
	return true
}

// prune drops facts of identifier i that no definition can read any more
// (older than the watermark minus their event's retention): of event ev,
// or of every event when ev < 0.
func (e *Engine) prune(i int32, ev int) {
	if !e.started {
		return
	}
	e.memoN = 0
	d := e.ident(i)
	w := e.watermark()
	fs := e.facts.items(d.facts)
	for lo := 0; lo < len(fs); {
		cur := fs[lo].ev
		_, hi := evRange(fs[lo:], cur)
		hi += lo
		if ev >= 0 && int(cur) != ev {
			lo = hi
			continue
		}
		x := e.prog.event(cur)
		if x == nil || x.retain == 0 {
			lo = hi
			continue
		}
		cut := after(fs, lo, hi, w-x.retain)
		if cut == lo {
			lo = hi
			continue
		}
		for k := lo; k < cut; k++ {
			e.dropFact(&fs[k])
		}
		e.facts.remove(&d.facts, lo, cut)
		fs = e.facts.items(d.facts)
		// lo now indexes the first kept fact of cur (or the next event)
	}
}

// evictOldest drops the oldest facts of identifier i (by time, then id)
// until it holds at most limit.
func (e *Engine) evictOldest(i int32, limit int32) {
	e.memoN = 0
	d := e.ident(i)
	for d.facts.n > limit {
		fs := e.facts.items(d.facts)
		best := -1
		for lo := 0; lo < len(fs); {
			_, hi := evRange(fs[lo:], fs[lo].ev)
			if best < 0 || fs[lo].t < fs[best].t || fs[lo].t == fs[best].t && e.msgs.get(fs[lo].id) < e.msgs.get(fs[best].id) {
				best = lo
			}
			lo += hi
		}
		e.dropFact(&fs[best])
		e.facts.remove(&d.facts, best, best+1)
		e.stats.Evicted++
	}
}

// setTrait keeps the newest value of each identify trait of identifier i.
func (e *Engine) setTrait(i int32, key string, v Value, t int64, msgID string, purp Purposes) {
	k, _ := e.keys.intern(key)
	d := e.ident(i)
	kind, bits := e.pack(v)
	ts := e.tfacts.items(d.traits)
	for j := range ts {
		if ts[j].key != k {
			continue
		}
		if t > ts[j].t || t == ts[j].t && msgID >= e.msgs.get(ts[j].id) {
			e.msgs.drop(ts[j].id)
			ts[j] = tfact{t: t, bits: bits, key: k, id: e.msgs.add(msgID), purp: purp, kind: kind}
		}
		return
	}
	if d.traits.n >= maxRun {
		e.stats.Evicted++
		if e.cfg.onDrop != nil {
			e.cfg.onDrop(Drop{MessageID: msgID, Time: time.UnixMilli(t).UTC(), Reason: ReasonTooManyTraits})
		}
		return
	}
	e.tfacts.insert(&d.traits, int(d.traits.n), tfact{t: t, bits: bits, key: k, id: e.msgs.add(msgID), purp: purp, kind: kind})
}

// gcMsgs rewrites the message-id arena and the overflow slots when most of
// them belong to dropped facts.
func (e *Engine) gcMsgs() {
	if e.msgs.size < 1<<20 || e.msgs.live*2 > e.msgs.size && e.xdead*2 <= len(e.xvals)+64 {
		return
	}
	var nm msgArena
	var nx []xslot
	for i := range e.idents {
		e.gcIdent(&e.idents[i], &nm, &nx)
	}
	for p := range e.profs {
		if e.profs[p].self >= 0 {
			e.gcIdent(&e.profs[p].own, &nm, &nx)
		}
	}
	e.msgs, e.xvals, e.xdead = nm, nx, 0
}

// gcIdent moves identifier d's message ids and overflow values to nm, nx.
func (e *Engine) gcIdent(d *ident, nm *msgArena, nx *[]xslot) {
	fs := e.facts.items(d.facts)
	for k := range fs {
		f := &fs[k]
		f.id = nm.add(e.msgs.get(f.id))
		if f.kind[1] == kOverflow {
			off, n := f.bits[1]>>8, f.bits[1]&0xff
			f.bits[1] = uint64(len(*nx))<<8 | n
			*nx = append(*nx, e.xvals[off:off+n]...)
		}
	}
	ts := e.tfacts.items(d.traits)
	for k := range ts {
		ts[k].id = nm.add(e.msgs.get(ts[k].id))
	}
}
