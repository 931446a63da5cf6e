package activation

import (
	"context"
	"encoding/binary"
)

// Snapshot records (schema 2): a header with the symbol tables, then the
// arenas in bulk, in records of about snapChunk bytes, each holding whole
// items: string values, trait keys, profiles, identifiers with their facts
// and traits (fired action ids are journey records of their profile),
// pending actions, kept triggers.
const (
	snapHeader   = 'S'
	snapValues   = 'v'
	snapKeys     = 'k'
	snapProfiles = 'p'
	snapIdents   = 'd'
	snapPending  = 'w'
	snapRetries  = 'y'
	snapVersion  = 2
	snapChunk    = 1 << 20
)

// Compact writes the engine's whole state as a new snapshot and empties
// the log, so that the next New reads the arenas in bulk instead of
// replaying every event. A no-op without a store.
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

// chunker emits records of one kind holding whole items.
type chunker struct {
	w    enc
	kind byte
	n    int
	emit func([]byte) error
	err  error
}

func (c *chunker) start(kind byte) {
	c.kind, c.n = kind, 0
	c.w.b = append(c.w.b[:0], kind, 0, 0, 0, 0) // count, patched on flush
}

// item ends one item; the record is flushed when full.
func (c *chunker) item() {
	c.n++
	if len(c.w.b) >= snapChunk {
		c.flush()
	}
}

func (c *chunker) flush() {
	if c.n == 0 || c.err != nil {
		return
	}
	binary.LittleEndian.PutUint32(c.w.b[1:], uint32(c.n))
	c.err = c.emit(c.w.b)
	c.start(c.kind)
}

func (w *enc) u64(v uint64) { w.b = binary.LittleEndian.AppendUint64(w.b, v) }

func (e *Engine) snapshot(emit func([]byte) error) error {
	w := enc{b: []byte{snapHeader}}
	w.u(snapVersion)
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
	w.u(uint64(len(e.prog.audiences)))
	for _, a := range e.prog.audiences {
		w.s(a.key)
	}
	w.u(uint64(len(e.prog.journeys)))
	for _, j := range e.prog.journeys {
		w.s(j.key)
	}
	if err := emit(w.b); err != nil {
		return err
	}
	c := &chunker{emit: emit}
	for _, tab := range []struct {
		kind byte
		t    *strtab
	}{{snapValues, &e.vals}, {snapKeys, &e.keys}} {
		c.start(tab.kind)
		for i := range tab.t.len() {
			c.w.s(tab.t.str(int32(i)))
			c.item()
		}
		c.flush()
	}
	c.start(snapProfiles)
	for pi := range e.profs {
		p := &e.profs[pi]
		c.w.s(e.profileID(int32(pi)))
		c.w.i(p.clock)
		c.w.i(p.due)
		n := 0
		for ai := range e.prog.audiences {
			if e.isMember(int32(pi), int32(ai)) {
				n++
			}
		}
		c.w.u(uint64(n))
		for ai := range e.prog.audiences {
			if e.isMember(int32(pi), int32(ai)) {
				c.w.u(uint64(ai))
			}
		}
		rs := e.jrecs.items(p.js)
		c.w.u(uint64(len(rs)))
		for _, r := range rs {
			c.w.byte(r.kind())
			c.w.u(uint64(r.j()))
			c.w.u64(r.h)
			c.w.i(r.t())
		}
		c.item()
	}
	c.flush()
	c.start(snapIdents)
	for pi := range e.profs {
		for ii := e.profs[pi].head; ii >= 0; ii = e.ident(ii).next {
			e.snapIdent(c, ii)
		}
	}
	for ii := range e.idents {
		if e.idents[ii].prof < 0 {
			e.snapIdent(c, int32(ii))
		}
	}
	for pi := range e.profs {
		if p := &e.profs[pi]; p.self >= 0 && p.own.prof < 0 {
			e.snapIdent(c, p.self)
		}
	}
	c.flush()
	c.start(snapPending)
	for _, pd := range e.pend {
		c.w.i(pd.due)
		c.w.u(uint64(pd.prof))
		c.w.s(pd.journey)
		c.w.s(pd.actionID)
		c.w.i(pd.trigT)
		c.w.s(pd.trigID)
		c.w.s(pd.relID)
		c.w.s(pd.reason)
		c.w.s(pd.userID)
		c.w.s(pd.anonID)
		c.w.u(uint64(len(pd.props)))
		for _, pv := range pd.props {
			c.w.s(pv.key)
			c.w.val(pv.v)
		}
		c.item()
	}
	c.flush()
	c.start(snapRetries)
	live := e.liveRetries()
	for i := range live {
		rt := &live[i]
		c.w.u(uint64(rt.prof))
		c.w.s(e.prog.journeys[rt.j].key)
		c.w.i(rt.t)
		c.w.s(rt.msgID)
		c.w.u(uint64(rt.purp))
		c.w.u(uint64(rt.ev))
		vs := rt.vals()
		c.w.u(uint64(len(vs)))
		for _, sv := range vs {
			c.w.u(uint64(sv.path))
			c.w.val(sv.v)
		}
		c.w.s(rt.userID)
		c.w.s(rt.anonID)
		c.item()
	}
	c.flush()
	return c.err
}

// snapIdent writes identifier i: its profile, key, facts and traits.
func (e *Engine) snapIdent(c *chunker, i int32) {
	d := e.ident(i)
	c.w.u(uint64(d.prof + 1))
	if d.key >= 0 {
		c.w.byte(1)
		c.w.s(e.identKeys.str(d.key))
	} else {
		c.w.byte(0)
		c.w.u(uint64(d.owner))
	}
	fs := e.facts.items(d.facts)
	c.w.u(uint64(len(fs)))
	for k := range fs {
		f := &fs[k]
		c.w.i(f.t)
		c.w.s(e.msgs.get(f.id))
		c.w.u(uint64(f.ev))
		c.w.u(uint64(f.purp))
		e.xbuf = e.slots(f, e.xbuf[:0])
		c.w.u(uint64(len(e.xbuf)))
		for _, x := range e.xbuf {
			c.w.u(uint64(x.path))
			c.w.byte(x.kind)
			c.w.u64(x.bits)
		}
	}
	ts := e.tfacts.items(d.traits)
	c.w.u(uint64(len(ts)))
	for _, tf := range ts {
		c.w.u(uint64(tf.key))
		c.w.byte(tf.kind)
		c.w.u64(tf.bits)
		c.w.i(tf.t)
		c.w.s(e.msgs.get(tf.id))
		c.w.u(uint64(tf.purp))
	}
	c.item()
}
