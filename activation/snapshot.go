package activation

import (
	"container/heap"
	"context"
	"slices"

	"github.com/touchpoint-sdk/touchpoint/connected/consent"
)

// snapshot record kinds
const (
	snapHeader  = 'H'
	snapIdent   = 'D'
	snapProfile = 'P'
	snapFired   = 'F'
	snapPending = 'W'
)

// Compact writes the engine's whole state as a new snapshot and empties
// the log, so that the next New reads one record per identifier and
// profile instead of replaying every event. A no-op without a store.
func (e *Engine) Compact(ctx context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return ErrClosed
	}
	return e.compactLocked(ctx)
}

func (e *Engine) compactLocked(ctx context.Context) error {
	if e.cfg.store == nil {
		return nil
	}
	e.logged = 0
	return e.cfg.store.Compact(ctx, e.snapshot)
}

func (e *Engine) snapshot(emit func([]byte) error) error {
	w := enc{b: []byte{snapHeader}}
	w.i(e.maxT)
	if e.started {
		w.byte(1)
	} else {
		w.byte(0)
	}
	for _, l := range [][]string{e.sym.nameList, e.sym.pathList} {
		w.u(uint64(len(l)))
		for _, s := range l {
			w.s(s)
		}
	}
	w.u(uint64(len(e.sym.purposes)))
	for _, p := range e.sym.purposes {
		w.s(string(p))
	}
	if err := emit(w.b); err != nil {
		return err
	}
	buf := enc{}
	for i := range e.idents {
		d := &e.idents[i]
		buf.b = append(buf.b[:0], snapIdent)
		buf.s(d.key)
		prof := ""
		if d.prof >= 0 {
			prof = e.profs[d.prof].id
		}
		buf.s(prof)
		buf.u(uint64(len(d.facts)))
		for _, f := range d.facts {
			buf.i(f.t)
			buf.s(f.id)
			buf.u(uint64(f.ev))
			buf.u(uint64(f.purp))
			buf.u(uint64(len(f.vals)))
			for _, sv := range f.vals {
				buf.u(uint64(sv.path))
				buf.val(sv.v)
			}
		}
		buf.u(uint64(len(d.traits)))
		for _, tf := range d.traits {
			buf.s(tf.key)
			buf.val(tf.v)
			buf.i(tf.t)
			buf.s(tf.id)
			buf.u(uint64(tf.purp))
		}
		if err := emit(buf.b); err != nil {
			return err
		}
	}
	for i := range e.profs {
		p := &e.profs[i]
		buf.b = append(buf.b[:0], snapProfile)
		buf.s(p.id)
		buf.i(p.clock)
		buf.i(p.due)
		buf.u(uint64(len(p.member)))
		for _, m := range p.member {
			buf.s(m)
		}
		buf.u(uint64(len(p.js)))
		for _, js := range p.js {
			buf.s(js.key)
			buf.u(uint64(len(js.fires)))
			for _, t := range js.fires {
				buf.i(t)
			}
			buf.u(uint64(len(js.entries)))
			for _, en := range js.entries {
				buf.s(en.key)
				buf.i(en.t)
			}
		}
		if err := emit(buf.b); err != nil {
			return err
		}
	}
	ids := make([]string, 0, len(e.fired))
	for id := range e.fired {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for len(ids) > 0 {
		n := min(len(ids), 4096)
		buf.b = append(buf.b[:0], snapFired)
		buf.u(uint64(n))
		for _, id := range ids[:n] {
			buf.s(id)
		}
		if err := emit(buf.b); err != nil {
			return err
		}
		ids = ids[n:]
	}
	for _, pd := range e.pend {
		buf.b = append(buf.b[:0], snapPending)
		buf.i(pd.due)
		buf.s(e.profs[pd.prof].id)
		buf.s(pd.journey)
		buf.s(pd.actionID)
		buf.i(pd.trigT)
		buf.s(pd.trigID)
		buf.s(pd.relID)
		buf.s(pd.reason)
		buf.u(uint64(len(pd.props)))
		for _, pv := range pd.props {
			buf.s(pv.key)
			buf.val(pv.v)
		}
		if err := emit(buf.b); err != nil {
			return err
		}
	}
	return nil
}

// loader maps a snapshot's symbol numbers to this engine's.
type loader struct {
	e     *Engine
	names []uint16
	paths []uint16
	purps []Purposes
}

func (l *loader) purposes(p uint64) Purposes {
	var out Purposes
	for i, bit := range l.purps {
		if p&(1<<i) != 0 {
			out |= bit
		}
	}
	return out
}

func (l *loader) record(b []byte) error {
	e := l.e
	if len(b) == 0 {
		return &FormatError{Reason: "empty record"}
	}
	d := dec{b: b[1:], kind: b[0]}
	switch b[0] {
	case snapHeader:
		e.maxT = d.i()
		e.started = d.byte() == 1
		for _, list := range []*[]uint16{&l.names, &l.paths} {
			n := d.n()
			for range n {
				s := d.s()
				if list == &l.names {
					l.names = append(l.names, e.sym.name(s))
				} else {
					l.paths = append(l.paths, e.sym.path(s))
				}
			}
		}
		n := d.n()
		for range n {
			bit, err := e.sym.purpose(consent.Purpose(d.s()))
			if err != nil {
				d.bad = true
			}
			l.purps = append(l.purps, bit)
		}
	case snapIdent:
		i := e.identOf(d.s())
		prof := d.s()
		dd := &e.idents[i]
		n := d.n()
		dd.facts = make([]fact, 0, n)
		for range n {
			f := fact{t: d.i(), id: d.s()}
			ev := d.u()
			f.purp = l.purposes(d.u())
			if ev >= uint64(len(l.names)) {
				return d.err("event number out of range")
			}
			f.ev = l.names[ev]
			nv := d.n()
			if nv > 0 {
				f.vals = make([]slotVal, 0, nv)
			}
			for range nv {
				p := d.u()
				if p >= uint64(len(l.paths)) {
					return d.err("path number out of range")
				}
				f.vals = append(f.vals, slotVal{path: l.paths[p], v: d.val()})
			}
			dd.facts = append(dd.facts, f)
		}
		n = d.n()
		for range n {
			dd.traits = append(dd.traits, traitFact{key: d.s(), v: d.val(), t: d.i(), id: d.s(), purp: l.purposes(d.u())})
		}
		if prof != "" {
			p := e.profileOf(prof)
			dd.prof = p
			e.profs[p].idents = append(e.profs[p].idents, i)
		}
	case snapProfile:
		pi := e.profileOf(d.s())
		p := &e.profs[pi]
		p.clock, p.due = d.i(), d.i()
		n := d.n()
		for range n {
			p.member = append(p.member, d.s())
		}
		n = d.n()
		for range n {
			js := jstate{key: d.s()}
			nf := d.n()
			for range nf {
				js.fires = append(js.fires, d.i())
			}
			ne := d.n()
			for range ne {
				js.entries = append(js.entries, entry{key: d.s(), t: d.i()})
			}
			p.js = append(p.js, js)
		}
		if p.due != 0 {
			heap.Push(&e.timers, timer{due: p.due, prof: pi})
		}
	case snapFired:
		n := d.n()
		for range n {
			e.fired[d.s()] = struct{}{}
		}
	case snapPending:
		pd := pending{due: d.i()}
		pd.prof = e.profileOf(d.s())
		pd.journey, pd.actionID, pd.trigT, pd.trigID, pd.relID, pd.reason = d.s(), d.s(), d.i(), d.s(), d.s(), d.s()
		n := d.n()
		for range n {
			pd.props = append(pd.props, propVal{key: d.s(), v: d.val()})
		}
		e.pend = append(e.pend, pd)
	default:
		return &FormatError{Kind: b[0], Reason: "unknown snapshot record"}
	}
	return d.err("")
}

// load rebuilds the engine from its store: the snapshot, then the log
// re-applied with nothing announced (actions recorded as fired stay fired).
func (e *Engine) load(ctx context.Context) error {
	e.loading, e.replay = true, true
	defer func() { e.loading, e.replay = false, false }()
	l := &loader{e: e}
	return e.cfg.store.Load(ctx, l.record, e.applyLog)
}
