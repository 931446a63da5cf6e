package identity

import (
	"context"
	"slices"
	"time"
)

// Link records that the observation's identifiers were seen together in
// one event, updates the profiles this changes, and resolves the event (see
// Resolution). An event with a single usable identifier links nothing and
// stores nothing; it is only resolved.
//
// Link returns an *ObservationError (ErrInvalidObservation) for a missing
// event id or time, a *SuppressedError (ErrSuppressed) when the event
// belongs to an erased person, ErrClosed, or the store's error (the graph
// is then unchanged). Invalid identifiers are not errors: they are listed
// in Resolution.Refused. ctx is passed to the store.
func (g *Graph) Link(ctx context.Context, o Observation) (Resolution, error) {
	if err := checkEvent("EventID", o.EventID, o.Time); err != nil {
		return Resolution{}, err
	}
	if err := checkIDs(len(o.IDs)); err != nil {
		return Resolution{}, err
	}
	var buf [8]prepared
	ps, refused := g.prepare(o.IDs, buf[:0])
	t := o.Time.UnixMilli()
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return Resolution{}, ErrClosed
	}
	if why := g.suppressed(ps, t); why != "" {
		return Resolution{}, &SuppressedError{EventID: o.EventID, Why: why}
	}
	changed, err := g.linkLocked(ctx, ps, t, o.EventID)
	if err != nil {
		return Resolution{}, err
	}
	res := g.resolveLocked(ps, g.nodeBuf, t)
	res.Refused = refused
	if changed {
		res.Fact = g.factOf(ps, o.EventID, o.Time, res.ProfileID)
	}
	return res, nil
}

func (g *Graph) suppressed(ps []prepared, t int64) string {
	if g.st.tombs.empty() {
		return ""
	}
	// identifiers first, placeholders last: a placeholder identifies
	// nobody, so only a replayed event's fact hash counts it
	keys := make([]Key, 0, len(ps))
	for _, p := range ps {
		if !p.blocked {
			keys = append(keys, p.key)
		}
	}
	n := len(keys)
	for _, p := range ps {
		if p.blocked {
			keys = append(keys, p.key)
		}
	}
	return g.st.tombs.suppressed(keys, n, t)
}

func (g *Graph) factOf(ps []prepared, ev string, t time.Time, profile string) *LinkFact {
	lf := &LinkFact{EventID: ev, Time: time.UnixMilli(t.UnixMilli()).UTC(), ProfileID: profile}
	for _, p := range ps {
		ref := Ref{Type: p.r.Type, Key: p.key, Value: p.value}
		if p.blocked {
			lf.Blocked = append(lf.Blocked, ref)
		} else {
			lf.IDs = append(lf.IDs, ref)
		}
	}
	return lf
}

// linkLocked stores the observation (logging it first) and re-derives what
// it changes. It reports whether the facts changed, and leaves the node of
// each prepared identifier in g.nodeBuf (none for identifiers not stored).
func (g *Graph) linkLocked(ctx context.Context, ps []prepared, t int64, ev string) (bool, error) {
	s := g.st
	nodes := g.nodeBuf[:0]
	known := true
	for _, p := range ps {
		n, ok := s.index[p.key]
		if !ok {
			n, known = none, false
		}
		nodes = append(nodes, n)
	}
	g.nodeBuf = nodes
	if len(ps) < 2 {
		return false, nil
	}
	if known {
		ids := append(g.idBuf[:0], nodes...)
		slices.Sort(ids)
		g.idBuf = ids
		segs, _ := s.segments(ids, t, t, g.segBuf[:0])
		g.segBuf = segs
		if len(segs) == 1 {
			ft := &s.facts[segs[0]]
			earlier := t < ft.first || t == ft.first && s.events.compareString(ft.firstEv, ev) > 0
			later := t > ft.last || t == ft.last && s.events.compareString(ft.lastEv, ev) < 0
			if !earlier && !later {
				return false, nil
			}
		}
	}
	if g.store != nil {
		if err := g.store.Append(ctx, encodeObserve(nil, t, ev, ps)); err != nil {
			return false, err
		}
	}
	f, isNew, firstMoved, lastMoved := g.applyObserve(ps, nodes, t, ev, t, ev)
	q := s.checkQuarantine(f, &g.scratch, nil)
	seeds := g.seeds[:0]
	need := isNew || firstMoved || len(q) > 0
	for _, n := range s.factIDs(f) {
		if lastMoved && s.nodes[n].flags&nfDelicate != 0 {
			need = true
		}
		seeds = append(seeds, n)
	}
	for _, x := range q {
		seeds = s.neighbours(x, append(seeds, x))
	}
	if need {
		g.d.rederive(seeds)
	}
	g.seeds = seeds[:0]
	s.compactEvents()
	return true, nil
}

// applyObserve adds the observation — occurrences from (t1, ev1) to (t2,
// ev2) — to the facts without deriving. nodes holds the node of each
// prepared identifier, none for new ones (filled in here); nil means look
// them up.
func (g *Graph) applyObserve(ps []prepared, nodes []uint32, t1 int64, ev1 string, t2 int64, ev2 string) (f uint32, isNew, firstMoved, lastMoved bool) {
	s := g.st
	ids := g.idBuf[:0]
	for i, p := range ps {
		n := none
		if nodes != nil {
			n = nodes[i]
		} else if m, ok := s.index[p.key]; ok {
			n = m
		}
		if n == none {
			n = s.addNode(p.r, p.key, p.blocked, p.value)
			if nodes != nil {
				nodes[i] = n
			}
		} else if p.value != "" && s.plain != nil {
			s.plain[n] = p.value
		}
		ids = append(ids, n)
	}
	slices.Sort(ids)
	g.idBuf = ids
	f, isNew, firstMoved, lastMoved, g.segBuf = s.observeSpan(ids, t1, ev1, t2, ev2, g.segBuf)
	return f, isNew, firstMoved, lastMoved
}

// Resolve resolves identifiers at a time without recording anything: the
// profile an event with these identifiers at that time belongs to. It
// returns ErrClosed, or a *SuppressedError when they belong to an erased
// person.
func (g *Graph) Resolve(ctx context.Context, ids []Identifier, at time.Time) (Resolution, error) {
	if err := checkIDs(len(ids)); err != nil {
		return Resolution{}, err
	}
	var buf [8]prepared
	ps, refused := g.prepare(ids, buf[:0])
	t := at.UnixMilli()
	g.mu.RLock()
	defer g.mu.RUnlock()
	if g.closed {
		return Resolution{}, ErrClosed
	}
	if why := g.suppressed(ps, t); why != "" {
		return Resolution{}, &SuppressedError{Why: why}
	}
	res := g.resolveLocked(ps, nil, t)
	res.Refused = refused
	return res, nil
}

// resolveLocked resolves prepared identifiers; nodes, when not nil, holds
// their nodes (none when not stored).
//
// The event goes to the profile of its strongest identifier that can
// identify a person: quarantined supernodes and shared devices identify
// nobody, so they win only when the event has nothing else (it then
// resolves to their own profile). Three people on one family tablet are
// three profiles, whatever the tablet's priority.
func (g *Graph) resolveLocked(ps []prepared, nodes []uint32, t int64) Resolution {
	s := g.st
	var res Resolution
	fallback := ""
	for i, p := range ps {
		if p.blocked {
			continue
		}
		switch p.r.Scope {
		case ScopeHousehold:
			res.Households = append(res.Households, makeProfileID("h_", p.r.Type, p.key, minTime))
			continue
		case ScopePlace:
			continue
		}
		if res.ProfileID != "" {
			continue
		}
		n := none
		if nodes != nil {
			n = nodes[i]
		} else if m, ok := s.index[p.key]; ok {
			n = m
		}
		var id string
		if n == none {
			id = makeProfileID("p_", p.r.Type, p.key, minTime)
		} else {
			id = s.profileID(s.rootOf(s.slotAt(n, t)))
		}
		if p.r.Scope == ScopeSharedDevice || n != none && s.nodes[n].flags&nfQuarantined != 0 {
			if fallback == "" {
				fallback = id
			}
			continue
		}
		res.ProfileID = id
	}
	if res.ProfileID == "" {
		res.ProfileID = fallback
	}
	slices.Sort(res.Households)
	return res
}
