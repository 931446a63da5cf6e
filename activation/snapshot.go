package activation

import (
	"context"
	"encoding/binary"

	"github.com/touchpoint-sdk/touchpoint/connected/consent"
)

// Snapshot records (schema 2): a header with the symbol tables, then the
// arenas in bulk, in records of about snapChunk bytes, each holding whole
// items: string values, trait keys, profiles, identifiers with their facts
// and traits, fired ids, pending actions, kept triggers.
const (
	snapHeader   = 'S'
	snapValues   = 'v'
	snapKeys     = 'k'
	snapProfiles = 'p'
	snapIdents   = 'd'
	snapFired    = 'f'
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
		for ii := e.profs[pi].head; ii >= 0; ii = e.idents[ii].next {
			e.snapIdent(c, ii)
		}
	}
	for ii := range e.idents {
		if e.idents[ii].prof < 0 {
			e.snapIdent(c, int32(ii))
		}
	}
	c.flush()
	c.start(snapFired)
	e.fired.each(func(x id128) {
		c.w.u64(x.a)
		c.w.u64(x.b)
		c.item()
	})
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
	d := &e.idents[i]
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

// load rebuilds the engine from its store: the snapshot, then the log
// re-applied with nothing announced (actions recorded as fired stay fired).
func (e *Engine) load(ctx context.Context) error {
	e.loading, e.replay = true, true
	defer func() { e.loading, e.replay = false, false }()
	l := &loader{e: e}
	return e.cfg.store.Load(ctx, l.record, e.applyLog)
}

// loader maps a snapshot's symbol numbers to this engine's.
type loader struct {
	e      *Engine
	header bool
	names  []uint16
	paths  []uint16
	purps  []Purposes
	auds   []int32 // snapshot audience -> this program's, -1: gone
	jours  []int32 // snapshot journey -> this program's, -1: gone
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
	if len(b) == 0 {
		return &FormatError{Reason: "empty record"}
	}
	switch b[0] {
	case 'H', 'D', 'P', 'F', 'W':
		return &FormatError{Kind: b[0], Reason: "a schema 1 snapshot (before the arena format): open it with the release that wrote it, or rebuild the state from the events"}
	case snapHeader:
		return l.readHeader(b)
	}
	if !l.header {
		return &FormatError{Kind: b[0], Reason: "snapshot record before the header"}
	}
	if len(b) < 5 {
		return &FormatError{Kind: b[0], Reason: "truncated or malformed"}
	}
	n := int(binary.LittleEndian.Uint32(b[1:]))
	d := dec{b: b[5:], kind: b[0]}
	if n > len(d.b) {
		return d.err("more items than bytes")
	}
	for range n {
		var err error
		switch b[0] {
		case snapValues, snapKeys:
			t := &l.e.vals
			if b[0] == snapKeys {
				t = &l.e.keys
			}
			want := t.len()
			if id, _ := t.intern(d.sv()); int(id) != want && !d.bad {
				err = d.err("duplicate string")
			}
		case snapProfiles:
			err = l.profile(&d)
		case snapIdents:
			err = l.ident(&d)
		case snapFired:
			l.e.fired.add(id128{d.u64(), d.u64()})
		case snapPending:
			err = l.pending(&d)
		case snapRetries:
			err = l.retry(&d)
		default:
			return &FormatError{Kind: b[0], Reason: "unknown snapshot record"}
		}
		if err != nil {
			return err
		}
		if d.bad {
			return d.err("")
		}
	}
	return d.err("")
}

func (r *dec) u64() uint64 {
	if len(r.b) < 8 {
		r.bad = true
		return 0
	}
	v := binary.LittleEndian.Uint64(r.b)
	r.b = r.b[8:]
	return v
}

func (l *loader) readHeader(b []byte) error {
	e := l.e
	d := dec{b: b[1:], kind: snapHeader}
	if v := d.u(); v != snapVersion {
		return d.err("unknown snapshot version")
	}
	e.maxT = d.i()
	e.started = d.byte() == 1
	l.names, l.paths, l.purps, l.auds, l.jours = nil, nil, nil, nil, nil
	n := d.n()
	for range n {
		l.names = append(l.names, e.sym.name(d.s()))
	}
	n = d.n()
	for range n {
		l.paths = append(l.paths, e.sym.path(d.s()))
	}
	n = d.n()
	for range n {
		bit, err := e.sym.purpose(consent.Purpose(d.s()))
		if err != nil {
			d.bad = true
		}
		l.purps = append(l.purps, bit)
	}
	n = d.n()
	for range n {
		ai, ok := e.prog.audKeys[d.s()]
		if !ok {
			ai = -1
		}
		l.auds = append(l.auds, ai)
	}
	n = d.n()
	for range n {
		ji, ok := e.prog.jKeys[d.s()]
		if !ok {
			ji = -1
		}
		l.jours = append(l.jours, ji)
	}
	if err := d.err(""); err != nil {
		return err
	}
	l.header = true
	return nil
}

func (l *loader) profile(d *dec) error {
	e := l.e
	id := d.sv()
	if d.bad {
		return d.err("")
	}
	want := int32(len(e.profs))
	if pi := e.profileOf(id); pi != want {
		return d.err("profile listed twice")
	}
	p := &e.profs[want]
	p.clock, p.due = d.i(), d.i()
	n := d.n()
	for range n {
		ai := d.u()
		if ai >= uint64(len(l.auds)) {
			return d.err("audience number out of range")
		}
		if na := l.auds[ai]; na >= 0 {
			e.setMember(want, na, true)
		}
	}
	n = d.n()
	for range n {
		kind := d.byte()
		j := d.u()
		h, t := d.u64(), d.i()
		if j >= uint64(len(l.jours)) || kind != jFire && kind != jEntry || t >= maxTime || t <= -maxTime {
			return d.err("journey record out of range")
		}
		if nj := l.jours[j]; nj >= 0 {
			e.addJrec(want, mkJrec(t, h, nj, kind))
		}
	}
	if p.due != 0 {
		e.timers.push(timer{due: p.due, prof: want})
	}
	return nil
}

func (l *loader) value(d *dec) (uint16, uint8, uint64, error) {
	p := d.u()
	kind := d.byte()
	bits := d.u64()
	if p >= uint64(len(l.paths)) {
		return 0, 0, 0, d.err("path number out of range")
	}
	switch kind {
	case kString:
		if bits >= uint64(l.e.vals.len()) {
			return 0, 0, 0, d.err("string number out of range")
		}
	case kNumber, kBool:
	default:
		return 0, 0, 0, d.err("unknown value kind")
	}
	return l.paths[p], kind, bits, nil
}

func (l *loader) ident(d *dec) error {
	e := l.e
	prof := int64(d.u()) - 1
	var i int32
	if d.byte() == 1 {
		key := d.sv()
		if d.bad {
			return d.err("")
		}
		i = e.identOf(key)
	} else {
		owner := d.u()
		if owner >= uint64(len(e.profs)) {
			return d.err("profile number out of range")
		}
		i = e.selfIdent(int32(owner))
	}
	if prof >= int64(len(e.profs)) || e.idents[i].prof >= 0 || e.idents[i].facts.n > 0 {
		return d.err("identifier out of range or listed twice")
	}
	n := d.n()
	if n > maxRun {
		return d.err("too many facts")
	}
	if n > 0 {
		e.facts.reserve(&e.idents[i].facts, int32(n))
	}
	for range n {
		f := fact{t: d.i()}
		id := d.sv()
		ev := d.u()
		f.purp = l.purposes(d.u())
		nv := d.n()
		if ev >= uint64(len(l.names)) || nv > maxFactValues {
			return d.err("event number or value count out of range")
		}
		f.ev = l.names[ev]
		xs := e.xbuf[:0]
		for range nv {
			path, kind, bits, err := l.value(d)
			if err != nil {
				return err
			}
			xs = append(xs, xslot{bits: bits, path: path, kind: kind})
		}
		e.setSlots(&f, xs)
		e.xbuf = xs[:0]
		if d.bad {
			return d.err("")
		}
		f.id = e.msgs.add(id)
		// in order, unless symbols were renumbered (another definition set)
		r := &e.idents[i].facts
		fs := e.facts.items(*r)
		j := int(r.n)
		for j > 0 && e.cmpFact(&fs[j-1], f.ev, f.t, id) >= 0 {
			if e.cmpFact(&fs[j-1], f.ev, f.t, id) == 0 {
				return d.err("fact listed twice")
			}
			j--
		}
		e.facts.insert(r, j, f)
	}
	n = d.n()
	for range n {
		tf := tfact{key: int32(d.u()), kind: d.byte(), bits: d.u64(), t: d.i()}
		id := d.sv()
		tf.purp = l.purposes(d.u())
		if d.bad || tf.key < 0 || int(tf.key) >= e.keys.len() || tf.kind == kString && tf.bits >= uint64(e.vals.len()) {
			return d.err("trait out of range")
		}
		tf.id = e.msgs.add(id)
		if !e.tfacts.insert(&e.idents[i].traits, int(e.idents[i].traits.n), tf) {
			return d.err("too many traits")
		}
	}
	if prof >= 0 {
		e.link(int32(prof), i)
	}
	return nil
}

func (l *loader) pending(d *dec) error {
	e := l.e
	pd := pending{due: d.i()}
	prof := d.u()
	pd.journey, pd.actionID, pd.trigT, pd.trigID, pd.relID, pd.reason = d.s(), d.s(), d.i(), d.s(), d.s(), d.s()
	pd.userID, pd.anonID = d.s(), d.s()
	n := d.n()
	for range n {
		pd.props = append(pd.props, propVal{key: d.s(), v: d.val()})
	}
	bits, ok := idOf(pd.actionID)
	if d.bad || prof >= uint64(len(e.profs)) || !ok {
		return d.err("pending action out of range")
	}
	pd.prof, pd.bits = int32(prof), bits
	e.pend = append(e.pend, pd)
	e.pendMin = 0
	return nil
}

func (l *loader) retry(d *dec) error {
	e := l.e
	prof := d.u()
	key := d.s()
	rt := retry{t: d.i(), msgID: d.s(), purp: l.purposes(d.u())}
	ev := d.u()
	n := d.n()
	var vals []slotVal
	for range n {
		p := d.u()
		v := d.val()
		if p >= uint64(len(l.paths)) {
			return d.err("path number out of range")
		}
		vals = append(vals, slotVal{path: l.paths[p], v: v})
	}
	rt.userID, rt.anonID = d.s(), d.s()
	if d.bad || prof >= uint64(len(e.profs)) || ev >= uint64(len(l.names)) {
		return d.err("kept trigger out of range")
	}
	ji, ok := e.prog.jKeys[key]
	if !ok || e.prog.journeys[ji].related == nil {
		return nil // the journey is gone: nothing can complete it
	}
	rt.prof, rt.j, rt.ev, rt.nv = int32(prof), ji, l.names[ev], len(vals)
	if copy(rt.inline[:], vals) < len(vals) {
		rt.extra = vals
	}
	e.retries = append(e.retries, rt)
	return nil
}
