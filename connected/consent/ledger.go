package consent

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Ledger is the consent record: per subject and purpose, every decision
// with its effective time, source, document version and jurisdiction.
// Nothing is overwritten; a question is always "what was in force at time
// T", and a purpose with no decision in force is denied.
//
// A Ledger is safe for concurrent use and starts no goroutines. Readers
// (At, Permits, the Router) take a read lock and do not allocate. A Ledger
// from NewLedger keeps everything in memory: a restart forgets it. One from
// OpenLedger also writes every change ahead to a crash-safe store on disk
// and rebuilds itself from it when opened again; see OpenLedger.
type Ledger struct {
	limit int // facts kept per (subject, purpose); 0 = all

	// wmu serializes changes (Record, Erase, Compact): a durable ledger
	// writes a change to its store before applying it, without holding mu,
	// so that readers are not stalled by an fsync.
	wmu     sync.Mutex
	store   LedgerStore // nil: memory only
	dcfg    durableConfig
	closed  bool // guarded by wmu
	written int  // facts appended since the last compaction (wmu)

	mu       sync.RWMutex
	subjects map[string]*subjectState
	erased   map[tomb]struct{} // tombstones: keyed hashes of erased subject ids
	key      tombKey

	lmu       sync.Mutex
	listeners atomic.Pointer[[]*listener]
}

type subjectState struct {
	builtin [numBuiltin]history
	custom  []customHistory
	tag     atomic.Pointer[subjectTag] // cached audit hash, see audit.go
}

type customHistory struct {
	purpose Purpose
	h       history
}

type listener struct{ fn func(context.Context, Change) }

// history returns the history of p, or nil if the subject has none.
func (s *subjectState) history(p Purpose, idx int) *history {
	if idx >= 0 {
		return &s.builtin[idx]
	}
	for i := range s.custom {
		if s.custom[i].purpose == p {
			return &s.custom[i].h
		}
	}
	return nil
}

// LedgerOption configures a Ledger.
type LedgerOption interface{ applyLedger(*Ledger) }

type ledgerOptionFunc func(*Ledger)

func (f ledgerOptionFunc) applyLedger(l *Ledger) { f(l) }

// WithHistoryLimit keeps at most n facts per subject and purpose, dropping
// the oldest: questions about times before the oldest kept fact are then
// answered "no decision" (denied). Default 0: keep everything. n must be 0
// or at least 2.
func WithHistoryLimit(n int) LedgerOption {
	return ledgerOptionFunc(func(l *Ledger) { l.limit = n })
}

// NewLedger returns an empty Ledger kept in memory only: a restart forgets
// every grant and revocation (use OpenLedger to keep them). Options that
// concern the store (WithLedgerSync, WithCompactAfter, WithLedgerRecovery)
// are rejected with a *ConfigError.
func NewLedger(opts ...LedgerOption) (*Ledger, error) {
	l, err := newLedger(opts)
	if err != nil {
		return nil, err
	}
	if l.dcfg.set {
		return nil, &ConfigError{Field: "LedgerOption", Reason: "store options need OpenLedger"}
	}
	if err := newTombKey(&l.key); err != nil {
		return nil, err
	}
	return l, nil
}

func newLedger(opts []LedgerOption) (*Ledger, error) {
	l := &Ledger{
		subjects: make(map[string]*subjectState),
		erased:   make(map[tomb]struct{}),
		dcfg:     durableConfig{compactAfter: defaultCompactAfter},
	}
	for _, o := range opts {
		if o == nil {
			return nil, &ConfigError{Field: "LedgerOption", Reason: "is nil"}
		}
		o.applyLedger(l)
	}
	if l.limit < 0 || l.limit == 1 {
		return nil, &ConfigError{Field: "WithHistoryLimit", Reason: "must be 0 (unlimited) or at least 2"}
	}
	if l.dcfg.compactAfter < 1 {
		return nil, &ConfigError{Field: "WithCompactAfter", Reason: "must be at least 1"}
	}
	return l, nil
}

// ChangeKind says what a Change is.
type ChangeKind uint8

const (
	// ChangeRecorded: a new fact was recorded.
	ChangeRecorded ChangeKind = iota + 1
	// ChangeErased: the subject was erased; all its facts are gone.
	ChangeErased
)

// Change is what a Ledger tells its OnChange listeners.
type Change struct {
	Kind    ChangeKind
	Subject string
	// Purpose and Fact: the fact recorded (ChangeRecorded only).
	Purpose Purpose
	Fact    Fact
	// Before and After say whether the latest decision for the purpose was
	// a grant before and after the change. A fact that arrives out of order
	// (older than the latest) changes the past but not the present:
	// Before == After.
	Before, After bool
	// At is the erasure time (ChangeErased only).
	At time.Time
}

// Revoked reports whether the change withdrew a consent that was granted.
func (c Change) Revoked() bool { return c.Kind == ChangeRecorded && c.Before && !c.After }

// Granted reports whether the change granted a consent that was not.
func (c Change) Granted() bool { return c.Kind == ChangeRecorded && !c.Before && c.After }

// OnChange registers fn to be called after every change, synchronously, on
// the goroutine that made it (Record or Erase), with that call's context,
// after the ledger's locks are released: fn may read the ledger. Listeners
// run in registration order. The identity package uses this to undo links
// when PurposeLinking is revoked and to cascade erasure; the Router uses it
// to release held records. The returned function unregisters fn.
func (l *Ledger) OnChange(fn func(ctx context.Context, c Change)) (cancel func()) {
	ln := &listener{fn: fn}
	l.lmu.Lock()
	defer l.lmu.Unlock()
	var cur []*listener
	if p := l.listeners.Load(); p != nil {
		cur = *p
	}
	next := append(slices.Clip(cur), ln)
	l.listeners.Store(&next)
	return func() {
		l.lmu.Lock()
		defer l.lmu.Unlock()
		cur := *l.listeners.Load()
		i := slices.Index(cur, ln)
		if i < 0 {
			return
		}
		next := slices.Delete(slices.Clone(cur), i, i+1)
		l.listeners.Store(&next)
	}
}

func (l *Ledger) notify(ctx context.Context, c Change) {
	p := l.listeners.Load()
	if p == nil {
		return
	}
	for _, ln := range *p {
		ln.fn(ctx, c)
	}
}

// Record adds a fact. It returns false if an identical fact (same subject,
// purpose, decision, effective time, source, document and jurisdiction) is
// already recorded, a *FactError (ErrInvalidFact) for an invalid fact, and
// ErrErased if the subject was erased. Facts may arrive in any order; the
// answer for any time T depends only on the set of facts.
//
// A durable ledger (OpenLedger) writes the fact to its store first: when
// Record returns true the fact survives a crash. If that write fails,
// Record returns the error and a grant is not recorded; a denial is still
// applied in memory (a withdrawal takes effect even if the disk fails) and
// the error, returned with true, says it is not durable. A durable ledger
// also compacts its store now and then (WithCompactAfter); if that fails
// the fact is still recorded and durable, and Record returns true with the
// compaction's error. After Close it returns ErrLedgerClosed.
//
// After a new fact is stored, Record calls the OnChange listeners with ctx.
// ctx is otherwise unused: recording does not wait for anything but the
// store's write.
func (l *Ledger) Record(ctx context.Context, f Fact) (bool, error) {
	if err := f.validate(); err != nil {
		return false, err
	}
	l.wmu.Lock()
	if l.closed {
		l.wmu.Unlock()
		return false, ErrLedgerClosed
	}
	var werr error
	if l.store != nil {
		l.mu.RLock()
		erased, dup := l.isErased(f.Subject), l.hasLocked(&f)
		l.mu.RUnlock()
		if erased {
			l.wmu.Unlock()
			return false, ErrErased
		}
		if dup {
			l.wmu.Unlock()
			return false, nil
		}
		if werr = l.persistFact(ctx, &f); werr != nil && f.Granted {
			l.wmu.Unlock()
			return false, werr
		}
	}
	c, added, err := l.apply(f)
	if err == nil && werr == nil {
		werr = l.maybeCompact(ctx)
	}
	l.wmu.Unlock()
	if err != nil {
		return false, err
	}
	if added {
		l.notify(ctx, c)
	}
	return added, werr
}

// apply adds f to memory; wmu is held.
func (l *Ledger) apply(f Fact) (Change, bool, error) {
	idx := f.Purpose.builtin()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.isErased(f.Subject) {
		return Change{}, false, ErrErased
	}
	st := l.subjects[f.Subject]
	if st == nil {
		st = new(subjectState)
		l.subjects[f.Subject] = st
	}
	h := st.history(f.Purpose, idx)
	if h == nil {
		st.custom = append(st.custom, customHistory{purpose: f.Purpose})
		h = &st.custom[len(st.custom)-1].h
	}
	before := h.latest() >= 0 && h.facts[h.latest()].Granted
	added := h.insert(f, l.limit)
	after := h.latest() >= 0 && h.facts[h.latest()].Granted
	return Change{Kind: ChangeRecorded, Subject: f.Subject, Purpose: f.Purpose, Fact: f, Before: before, After: after}, added, nil
}

// hasLocked reports whether f is already recorded; mu is held.
func (l *Ledger) hasLocked(f *Fact) bool {
	h := l.historyLocked(f.Subject, f.Purpose)
	return h != nil && h.has(f)
}

// At returns the fact in force for subject and purpose at t: the latest
// fact effective at or before t. ok is false when there is none, which
// means the purpose is denied.
func (l *Ledger) At(subject string, p Purpose, t time.Time) (f Fact, ok bool) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if h := l.historyLocked(subject, p); h != nil {
		if i := h.find(t.UnixNano()); i >= 0 {
			return h.facts[i], true
		}
	}
	return Fact{}, false
}

// Current returns the latest fact for subject and purpose (by effective
// time), and false if there is none.
func (l *Ledger) Current(subject string, p Purpose) (f Fact, ok bool) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if h := l.historyLocked(subject, p); h != nil && h.latest() >= 0 {
		return h.facts[h.latest()], true
	}
	return Fact{}, false
}

// Permits reports whether data of subject from time t may be used for
// purpose p now: a grant was in force at t and the latest decision is
// still a grant (a revocation stops even events from before it that are
// processed after it). An erased subject is never permitted. It does not
// allocate.
//
// Permits decides as the Router does for a record whose only identifier is
// subject; PermitsAny decides for several.
func (l *Ledger) Permits(subject string, p Purpose, t time.Time) bool {
	l.mu.RLock()
	defer l.mu.RUnlock()
	ids := [1]string{subject}
	sts, erased := l.statesLocked(ids[:])
	return permitsLocked(&sts, erased, p, t.UnixNano())
}

// PermitsAny reports whether data from time t carrying the identifiers ids
// (a record's ProfileID, userId and anonymousId; at most 3 are read, empty
// ones are skipped) may be used for purpose p now, deciding exactly as the
// Router does for a destination of purpose p (apart from data categories):
// the facts of all the ids are read as one history, and if any of them was
// erased nothing is permitted. With no non-empty id it returns false. It
// does not allocate.
func (l *Ledger) PermitsAny(p Purpose, t time.Time, ids ...string) bool {
	var buf [3]string
	n := 0
	for _, id := range ids {
		if id != "" && n < len(buf) && !slices.Contains(buf[:n], id) {
			buf[n] = id
			n++
		}
	}
	if n == 0 {
		return false
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	sts, erased := l.statesLocked(buf[:n])
	return permitsLocked(&sts, erased, p, t.UnixNano())
}

// History returns a copy of every fact for subject and purpose, oldest
// effective first.
func (l *Ledger) History(subject string, p Purpose) []Fact {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if h := l.historyLocked(subject, p); h != nil {
		return slices.Clone(h.facts)
	}
	return nil
}

// Purposes returns the purposes subject has any fact for: the built-in ones
// in declaration order, then custom ones in the order first recorded.
func (l *Ledger) Purposes(subject string) []Purpose {
	l.mu.RLock()
	defer l.mu.RUnlock()
	st := l.subjects[subject]
	if st == nil {
		return nil
	}
	var out []Purpose
	for _, p := range [...]Purpose{PurposeAnalytics, PurposePersonalization, PurposeMarketing,
		PurposeAdvertising, PurposeHealth, PurposeLocation, PurposeLinking, PurposeAttention} {
		if len(st.builtin[p.builtin()].facts) > 0 {
			out = append(out, p)
		}
	}
	for _, c := range st.custom {
		out = append(out, c.purpose)
	}
	return out
}

// Erase forgets every fact about subject and blocks it: the Router refuses
// its records (ReasonErased) and Record returns ErrErased for it. Only a
// keyed hash of the id (see tombKey) is kept as the tombstone, never the
// id. Erase calls the OnChange listeners with a ChangeErased change at
// time at. Erasing twice is not an error.
//
// A durable ledger writes the tombstone to its store and then compacts it,
// so that the subject's facts leave the disk. The erasure takes effect in
// memory even if that fails; the error then says it is not yet durable and
// Erase should be called again. After Close it returns ErrLedgerClosed.
func (l *Ledger) Erase(ctx context.Context, subject string, at time.Time) error {
	if subject == "" {
		return &FactError{Field: "Subject", Reason: "is empty"}
	}
	l.wmu.Lock()
	if l.closed {
		l.wmu.Unlock()
		return ErrLedgerClosed
	}
	t := l.key.tomb(subject)
	var werr error
	if l.store != nil {
		werr = l.store.Append(ctx, encodeEraseEntry(t, at.UnixNano()))
	}
	l.mu.Lock()
	delete(l.subjects, subject)
	l.erased[t] = struct{}{}
	l.mu.Unlock()
	switch {
	case werr != nil:
		werr = fmt.Errorf("consent: erasure in force but not durable (call Erase again): %w", storeErr(werr))
	case l.store != nil:
		if err := l.compactLocked(ctx); err != nil {
			werr = fmt.Errorf("consent: erasure durable, but the subject's facts are still on disk until the next Compact: %w", err)
		}
	}
	l.wmu.Unlock()
	l.notify(ctx, Change{Kind: ChangeErased, Subject: subject, At: at})
	return werr
}

// Erased reports whether subject was erased.
func (l *Ledger) Erased(subject string) bool {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.isErased(subject)
}

// isErased needs l.mu held.
func (l *Ledger) isErased(subject string) bool {
	if len(l.erased) == 0 || subject == "" {
		return false
	}
	_, ok := l.erased[l.key.tomb(subject)]
	return ok
}

// historyLocked needs l.mu held.
func (l *Ledger) historyLocked(subject string, p Purpose) *history {
	st := l.subjects[subject]
	if st == nil {
		return nil
	}
	return st.history(p, p.builtin())
}
