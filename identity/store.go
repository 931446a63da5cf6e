package identity

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"sync"
)

// Store persists a graph as opaque, versioned entries: a snapshot followed
// by a log of the changes appended since. The graph writes each change to
// its store before applying it (write-ahead), and rebuilds itself from the
// store when created with WithStore. Entries are the graph's own encoding:
// a store never needs to look inside them.
//
// The graph calls a store's methods one at a time (it holds its lock).
// Entry slices passed to Append and emitted by Compact's snapshot function
// belong to the caller: a store copies what it keeps.
type Store interface {
	// Load calls fn for every entry, in order: the snapshot's, then the
	// log's. fn must not retain the slice. An error from fn stops Load and
	// is returned.
	Load(ctx context.Context, fn func(entry []byte) error) error
	// Append adds entries to the log. When it returns nil they are
	// persisted as far as the store promises (FileStore: on disk, fsynced
	// unless WithoutSync). On error, none of them may be applied by a later
	// Load, or all of them.
	Append(ctx context.Context, entries ...[]byte) error
	// Compact replaces the whole contents by a new snapshot — the entries
	// snapshot emits — and an empty log, atomically: after a crash, Load
	// gives either the old contents or the new ones. If snapshot returns an
	// error, Compact returns it and changes nothing.
	Compact(ctx context.Context, snapshot func(emit func(entry []byte) error) error) error
	// Close releases the store's resources.
	Close() error
}

// MemStore is the in-memory Store: entries are kept in memory in the same
// encoding a durable store writes, so a graph created again from the same
// MemStore (a simulated restart) rebuilds the same profiles. Close does
// nothing: the contents stay for the next graph. It is safe for concurrent
// use.
type MemStore struct {
	mu       sync.Mutex
	snapshot [][]byte
	log      [][]byte
}

var _ Store = (*MemStore)(nil)

// NewMemStore returns an empty MemStore.
func NewMemStore() *MemStore { return &MemStore{} }

// Load calls fn for each entry: snapshot first, then log.
func (m *MemStore) Load(ctx context.Context, fn func([]byte) error) error {
	m.mu.Lock()
	entries := append(slices.Clone(m.snapshot), m.log...)
	m.mu.Unlock()
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

// Append copies entries into the log.
func (m *MemStore) Append(_ context.Context, entries ...[]byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, e := range entries {
		m.log = append(m.log, slices.Clone(e))
	}
	return nil
}

// Compact replaces the contents with the snapshot's entries.
func (m *MemStore) Compact(_ context.Context, snapshot func(emit func([]byte) error) error) error {
	var snap [][]byte
	if err := snapshot(func(e []byte) error { snap = append(snap, slices.Clone(e)); return nil }); err != nil {
		return err
	}
	m.mu.Lock()
	m.snapshot, m.log = snap, nil
	m.mu.Unlock()
	return nil
}

// Close does nothing and returns nil.
func (m *MemStore) Close() error { return nil }

// Len returns the number of entries in the snapshot and in the log.
func (m *MemStore) Len() (snapshot, log int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.snapshot), len(m.log)
}

// Bytes returns a copy of all entries concatenated (snapshot, then log).
// Tests use it to check that no plaintext reaches the store.
func (m *MemStore) Bytes() []byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []byte
	for _, e := range append(slices.Clone(m.snapshot), m.log...) {
		out = append(out, e...)
	}
	return out
}

// load rebuilds the graph from its store.
func (g *Graph) load(ctx context.Context) error {
	s := g.st
	header := false
	err := g.store.Load(ctx, func(b []byte) error {
		e, err := decodeEntry(b)
		if err != nil {
			return err
		}
		if !header {
			if e.op != opHeader {
				return &FormatError{Source: "entry", Offset: 1, Err: errors.New("store does not start with a header")}
			}
			if e.key != fingerprint(g.secret) {
				return ErrSecretMismatch
			}
			header = true
			return nil
		}
		switch e.op {
		case opHeader:
			if e.key != fingerprint(g.secret) {
				return ErrSecretMismatch
			}
		case opObserve:
			ps, err := g.preparedOf(e.ids)
			if err != nil {
				return err
			}
			g.applyObserve(ps, nil, e.t, e.ev, e.t, e.ev)
		case opSpan:
			ps, err := g.preparedOf(e.ids)
			if err != nil {
				return err
			}
			g.applyObserve(ps, nil, e.t, e.ev, e.to, e.ev2)
		case opConsent:
			ps, err := g.preparedOf(e.ids)
			if err != nil {
				return err
			}
			n := g.nodeFor(ps[0])
			s.addConsent(n, e.t, e.granted, e.ev)
		case opErase:
			ps, err := g.preparedOf(e.ids)
			if err != nil {
				return err
			}
			g.d.rebuild()
			g.eraseOnceLocked(ps[0], e.t)
		case opEraseKeys:
			ps, err := g.preparedOf(e.ids)
			if err != nil {
				return err
			}
			g.d.rebuild()
			g.eraseKeysLocked(ps, e.t)
		case opTombKey:
			s.tombs.keys[e.key] = e.from
		case opTombFact:
			addSpan(s.tombs.facts, e.key, span{e.from, e.to})
		case opTombEpoc:
			addSpan(s.tombs.epochs, e.key, span{e.from, e.to})
		case opTombKept:
			addSpan(s.tombs.kept, e.key, span{e.from, e.to})
		}
		return nil
	})
	if err != nil {
		return err
	}
	if !header {
		if err := g.store.Append(ctx, encodeHeader(g.secret, g.plaintext)); err != nil {
			return err
		}
	}
	g.d.rebuild()
	return nil
}

// preparedOf turns stored identifiers back into prepared ones.
func (g *Graph) preparedOf(ids []entryID) ([]prepared, error) {
	ps := make([]prepared, 0, len(ids))
	for _, id := range ids {
		r, ok := g.norm.rules.lookup(id.typ)
		if !ok {
			return nil, &IdentifierError{Type: id.typ, Index: -1, Reason: "the store holds a type without a rule", Err: ErrUnknownType}
		}
		p := prepared{r: r, key: id.key, blocked: id.blocked}
		if g.plaintext {
			p.value = id.value
		}
		ps = append(ps, p)
	}
	slices.SortFunc(ps, func(a, b prepared) int { return cmp.Or(a.r.order-b.r.order, compareKeys(a.key, b.key)) })
	return ps, nil
}

// nodeFor returns the node of p, creating it.
func (g *Graph) nodeFor(p prepared) uint32 {
	if n, ok := g.st.index[p.key]; ok {
		return n
	}
	return g.st.addNode(p.r, p.key, p.blocked, p.value)
}

// Compact writes the graph's current state to its store as a new snapshot
// and empties the log; a no-op without a store. Erase compacts by itself so
// that erased data leaves the disk. It returns the store's error or
// ErrClosed.
func (g *Graph) Compact(ctx context.Context) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return ErrClosed
	}
	return g.compactLocked(ctx)
}

func (g *Graph) compactLocked(ctx context.Context) error {
	if g.store == nil {
		return nil
	}
	return g.store.Compact(ctx, func(emit func([]byte) error) error {
		return g.snapshot(emit)
	})
}

// snapshot emits the entries that rebuild the current state: the header,
// tombstones, consent records, and each fact as the span from its first to
// its last occurrence (a single occurrence when they are the same).
func (g *Graph) snapshot(emit func([]byte) error) error {
	s := g.st
	if err := emit(encodeHeader(g.secret, g.plaintext)); err != nil {
		return err
	}
	keys := make([]Key, 0, len(s.tombs.keys))
	for k := range s.tombs.keys {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, compareKeys)
	for _, k := range keys {
		if err := emit(encodeTomb(opTombKey, k, s.tombs.keys[k], 0)); err != nil {
			return err
		}
	}
	for _, m := range []struct {
		op byte
		m  map[Key][]span
	}{{opTombFact, s.tombs.facts}, {opTombEpoc, s.tombs.epochs}, {opTombKept, s.tombs.kept}} {
		keys = keys[:0]
		for k := range m.m {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, compareKeys)
		for _, k := range keys {
			for _, sp := range m.m[k] {
				if err := emit(encodeTomb(m.op, k, sp.from, sp.to)); err != nil {
					return err
				}
			}
		}
	}
	for n := range s.nodes {
		if s.nodes[n].flags&nfDeleted != 0 {
			continue
		}
		for _, c := range s.cons[uint32(n)] {
			if err := emit(encodeConsent(c.at, s.events.string(c.ev), c.granted, g.entryID(uint32(n)))); err != nil {
				return err
			}
		}
	}
	var b []byte
	for f := range s.facts {
		ft := &s.facts[f]
		if ft.flags&ffRemoved != 0 {
			continue
		}
		ids := make([]entryID, 0, ft.n)
		for _, n := range s.factIDs(uint32(f)) {
			ids = append(ids, g.entryID(n))
		}
		e := entry{op: opObserve, t: ft.first, ev: s.events.string(ft.firstEv), ids: ids}
		if ft.last != ft.first || ft.lastEv != ft.firstEv {
			e.op, e.to, e.ev2 = opSpan, ft.last, s.events.string(ft.lastEv)
		}
		b = encodeEntry(e)
		if err := emit(b); err != nil {
			return err
		}
	}
	return nil
}

func (g *Graph) entryID(n uint32) entryID {
	s := g.st
	id := entryID{typ: s.rule(n).Type, key: s.nodes[n].key, blocked: s.nodes[n].flags&nfBlocked != 0}
	if s.plain != nil {
		id.value = s.plain[n]
	}
	return id
}
