package identity

import (
	"math"
	"slices"
)

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
