package activation

import (
	"context"
	"encoding/binary"

	"github.com/touchpoint-sdk/touchpoint/connected/consent"
)

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
		if kind < jFire || kind > jFired || t >= maxTime || t <= -maxTime || kind != jFired && j >= uint64(len(l.jours)) {
			return d.err("journey record out of range")
		}
		if kind == jFired {
			e.addJrec(want, mkJrec(t, h, 0, kind))
		} else if nj := l.jours[j]; nj >= 0 {
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
	if prof >= int64(len(e.profs)) || e.ident(i).prof >= 0 || e.ident(i).facts.n > 0 {
		return d.err("identifier out of range or listed twice")
	}
	n := d.n()
	if n > maxRun {
		return d.err("too many facts")
	}
	if n > 0 {
		e.facts.reserve(&e.ident(i).facts, int32(n))
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
		r := &e.ident(i).facts
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
		if !e.tfacts.insert(&e.ident(i).traits, int(e.ident(i).traits.n), tf) {
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
