package identity

import (
	"cmp"
	"context"
	"slices"
	"time"
)

// MaxEraseKeys is the most keys one EraseKeys call takes.
const MaxEraseKeys = maxEntryIDs

// EraseKeys is Erase by keys, for a graph that learns of an erasure as
// keys only: a gateway applying the tombstone a fleet hub publishes (see
// package fleet), or any graph given an ErasureReport's keys by another.
//
// The keys are taken in rule priority order, then by key (the order given
// does not matter). A key the graph holds erases the person it belongs to
// now, exactly as Erase does with an identifier of that key: every
// identifier only that person has is deleted and tombstoned, shared ones
// are kept with the person's observations of them removed, and fact and
// ownership-period tombstones suppress replays. A key the graph does not
// hold is tombstoned, so that events carrying it later are suppressed
// (ErrSuppressed) here too. A key that an earlier report of the same call
// already lists, as removed or as retained, is not erased again: a tablet
// the erased person shared with someone else, kept and now that other
// person's, does not take them with it.
//
// It returns one report per key it erased or tombstoned, in that order;
// their MatchKeys are empty (there is no value to derive them from: the
// caller holding the identifier forwards the erasure to destinations).
//
// The same erasure delivered again (same keys, same at: a redelivered
// tombstone) is harmless: the keys it kept are remembered with at, in the
// store too, and are not erased again, so the reports count no new
// tombstones. Another erasure (another at) that lists a kept key erases
// the person that key belongs to then.
//
// Durability is Erase's: the whole call is logged to the store as one
// entry before it takes effect, then the store is compacted so that the
// erased data leaves it; a compaction error is returned with the reports,
// after the erasure took effect in memory (a restart erases again from
// the log). Nothing is erased when it returns another error: an
// *ObservationError (Field "keys") for no key or more than MaxEraseKeys;
// an *IdentifierError with the key's Index for a type without a rule
// here (ErrUnknownType), a place type, a key held here as a placeholder
// or under another type (all identify nobody); ErrClosed; the store's
// append error. Errors never contain keys.
func (g *Graph) EraseKeys(ctx context.Context, keys []Ref, at time.Time) ([]*ErasureReport, error) {
	switch {
	case len(keys) == 0:
		return nil, &ObservationError{Field: "keys", Reason: "is empty"}
	case len(keys) > MaxEraseKeys:
		return nil, &ObservationError{Field: "keys", Reason: "has more than " + itoa(MaxEraseKeys) + " keys"}
	}
	ps := make([]prepared, 0, len(keys))
	index := make(map[Key]int, len(keys))
	for i, ref := range keys {
		r, ok := g.norm.rules.lookup(ref.Type)
		if !ok {
			return nil, &IdentifierError{Type: ref.Type, Index: i, Reason: "no rule for this type", Err: ErrUnknownType}
		}
		if r.Scope == ScopePlace {
			return nil, &IdentifierError{Type: ref.Type, Index: i, Reason: "a place identifies nobody"}
		}
		if _, dup := index[ref.Key]; !dup {
			index[ref.Key] = i
			ps = append(ps, prepared{r: r, key: ref.Key})
		}
	}
	slices.SortFunc(ps, func(a, b prepared) int { return cmp.Or(a.r.order-b.r.order, compareKeys(a.key, b.key)) })
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return nil, ErrClosed
	}
	s := g.st
	for _, p := range ps {
		n, ok := s.index[p.key]
		if !ok {
			continue
		}
		switch {
		case s.nodes[n].flags&nfBlocked != 0:
			return nil, &IdentifierError{Type: p.r.Type, Index: index[p.key], Reason: "the key is a blocked placeholder here, which identifies nobody"}
		case s.nodes[n].typ != p.r.idx:
			return nil, &IdentifierError{Type: p.r.Type, Index: index[p.key], Reason: "the key is held here under another type"}
		}
	}
	t := at.UnixMilli()
	if g.store != nil {
		ids := make([]entryID, len(ps))
		for i, p := range ps {
			ids[i] = entryID{typ: p.r.Type, key: p.key}
		}
		if err := g.store.Append(ctx, encodeEraseKeys(t, ids)); err != nil {
			return nil, err
		}
	}
	reps := g.eraseKeysLocked(ps, t)
	return reps, g.compactLocked(ctx)
}

// eraseKeysLocked performs EraseKeys (also when replaying a store); ps is
// sorted by priority and key.
func (g *Graph) eraseKeysLocked(ps []prepared, at int64) []*ErasureReport {
	s := g.st
	listed := make(map[Key]bool, len(ps))
	for _, p := range ps {
		listed[p.key] = true
	}
	done := make(map[Key]bool, len(ps))
	var reps []*ErasureReport
	for _, p := range ps {
		if done[p.key] || slices.Contains(s.tombs.kept[p.key], span{at, at}) {
			continue // kept by this call, or by this erasure delivered before
		}
		rep := g.eraseLocked(p, at)
		done[p.key] = true
		for _, r := range rep.Removed {
			done[r.Key] = true
		}
		for _, r := range rep.Retained {
			done[r.Key] = true
			if listed[r.Key] {
				addSpan(s.tombs.kept, r.Key, span{at, at})
			}
		}
		reps = append(reps, rep)
	}
	return reps
}
