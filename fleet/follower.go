package fleet

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected/consent"
	"github.com/touchpoint-sdk/touchpoint/identity"
)

// SubjectOf is the consent-ledger subject under which the fleet records a
// key: its 32 hex characters. A gateway records the consent it collects
// locally under the same subjects, so local and fleet facts meet.
func SubjectOf(r identity.Ref) string { return r.Key.String() }

// Decision reasons.
const (
	DecisionGranted   = "granted"   // a grant is the latest fact in force under the person's keys
	DecisionWithdrawn = "withdrawn" // a withdrawal is the latest fact in force
	DecisionUnknown   = "unknown"   // no fact known here: unknown means denied
	DecisionErased    = "erased"    // one of the keys was erased
)

// Decision is a follower's answer for one purpose.
type Decision struct {
	Allowed bool
	Reason  string       // one of the Decision* constants
	Fact    consent.Fact // the deciding fact (zero for unknown and erased)
}

// FollowerStats counts what a follower applied.
type FollowerStats struct {
	Applied    uint64    // messages applied
	Duplicates uint64    // messages seen before (by id)
	Dropped    uint64    // messages refused, and tombstone keys the graph refused (see WithFollowerDrops)
	Erased     uint64    // identifiers tombstones removed from the graph (WithFollowerGraph)
	Last       time.Time // time of the last message applied (how fresh the local view is)
}

// FollowerGraph is what a follower needs of the gateway's identity graph;
// *identity.Graph implements it.
type FollowerGraph interface {
	EraseKeys(ctx context.Context, keys []identity.Ref, at time.Time) ([]*identity.ErasureReport, error)
}

// FollowerOption configures NewFollower.
type FollowerOption interface{ applyFollower(*Follower) }

type followerOption func(*Follower)

func (f followerOption) applyFollower(fl *Follower) { f(fl) }

// WithFollowerDrops is called for every message the follower refuses (a
// kind it does not follow, a fact about an erased subject), with the
// reason. Default: none (the counter still moves).
func WithFollowerDrops(fn func(Drop)) FollowerOption {
	return followerOption(func(f *Follower) { f.onDrop = fn })
}

// WithFollowerGraph gives the follower the gateway's identity graph: a
// tombstone then also erases the person from it (identity.Graph.EraseKeys
// with the tombstone's keys and time), leaving the graph's tombstones, so
// that the gateway's own late or replayed events carrying an erased key
// are suppressed (identity.ErrSuppressed; identity.Middleware counts them
// and returns the error). Without it (a consent-only gateway) tombstones
// reach the ledger and the memberships only.
func WithFollowerGraph(g FollowerGraph) FollowerOption {
	return followerOption(func(f *Follower) { f.graph = g })
}

// WithDedupeWindow sets how many recent message ids the follower remembers
// to skip repeats (default 65,536). Repeats older than that are applied
// again, which is harmless: every apply is idempotent.
func WithDedupeWindow(n int) FollowerOption {
	return followerOption(func(f *Follower) { f.window = n })
}

// Follower applies what the hub publishes — consent changes, tombstones
// and fleet memberships — to a gateway's local state: its consent ledger
// (durable with consent.OpenLedger, so the gateway restarts with what it
// knew), the memberships it holds and, with WithFollowerGraph, its
// identity graph. It decides from that local state
// alone, so a gateway cut off from the hub keeps working on what it has,
// with one rule: unknown means denied. A purpose the gateway has no fact
// for, under any of the person's keys, is not permitted; the latest fact
// in force across the keys decides otherwise (a withdrawal at any store
// wins over an older grant at another); an erased key denies everything.
//
// A Follower is safe for concurrent use and starts no goroutines; the
// caller feeds it from its subscription and acknowledges a message only
// after Apply returned nil.
type Follower struct {
	ledger *consent.Ledger
	graph  FollowerGraph
	onDrop func(Drop)
	window int

	mu      sync.Mutex
	seen    map[string]struct{}
	ring    []string
	next    int
	members map[identity.Key]map[string]memberState
	last    time.Time

	applied, dups, dropped, erased atomic.Uint64
}

type memberState struct {
	in bool
	at time.Time
}

// NewFollower returns a follower over ledger. It returns a *FieldError
// (ErrInvalid) for a nil ledger or a dedupe window below 1.
func NewFollower(ledger *consent.Ledger, opts ...FollowerOption) (*Follower, error) {
	f := &Follower{ledger: ledger, window: 1 << 16, seen: map[string]struct{}{}, members: map[identity.Key]map[string]memberState{}}
	for _, o := range opts {
		o.applyFollower(f)
	}
	if ledger == nil {
		return nil, &FieldError{Kind: "follower", Field: "ledger", Reason: "is nil"}
	}
	if f.window < 1 {
		return nil, &FieldError{Kind: "follower", Field: "WithDedupeWindow", Reason: "must be at least 1"}
	}
	f.ring = make([]string, 0, min(f.window, 1024))
	return f, nil
}

// Stats returns the follower's counters.
func (f *Follower) Stats() FollowerStats {
	f.mu.Lock()
	last := f.last
	f.mu.Unlock()
	return FollowerStats{Applied: f.applied.Load(), Duplicates: f.dups.Load(), Dropped: f.dropped.Load(), Erased: f.erased.Load(), Last: last}
}

func (f *Follower) drop(d Drop) {
	f.dropped.Add(1)
	if f.onDrop != nil {
		f.onDrop(d)
	}
}

// Apply decodes and applies one published message (see ApplyMessage).
// Bytes that do not decode are reported (DropCorrupt) and returned as the
// *FormatError.
func (f *Follower) Apply(ctx context.Context, payload []byte) error {
	m, err := Decode(payload)
	if err != nil {
		f.drop(Drop{Reason: DropCorrupt, Err: err})
		return err
	}
	return f.ApplyMessage(ctx, m)
}

// Follower drop reasons (besides DropCorrupt and DropErased).
const (
	// DropNotFollowed: a message kind a follower does not apply (what
	// gateways send to the hub).
	DropNotFollowed = "not_followed"
	// DropKeyRefused: a tombstone key the gateway's graph refused (a type
	// without a rule here, a place, a placeholder here; Err is the
	// *identity.IdentifierError). The tombstone's other keys are erased.
	DropKeyRefused = "key_refused"
)

// ApplyMessage applies a consent change (a fact per key and purpose in the
// ledger), a tombstone (the ledger erases each key; memberships are
// forgotten; the graph, if given, erases the person and tombstones the
// keys) or a fleet membership. A consent change or membership about an
// erased key is refused (DropErased, nil error): a replay cannot bring
// the person back. A tombstone key the graph refuses is reported
// (DropKeyRefused) and the others are erased. Errors: a *FieldError for
// another kind (also reported as DropNotFollowed), and the ledger's or
// the graph's error (then the message must be delivered again: applying a
// tombstone twice is harmless).
func (f *Follower) ApplyMessage(ctx context.Context, m Message) error {
	if err := validate(&m); err != nil {
		return err
	}
	f.mu.Lock()
	_, dup := f.seen[m.ID]
	f.mu.Unlock()
	if dup {
		f.dups.Add(1)
		return nil
	}
	switch m.Kind {
	case KindConsentChange:
		c := m.Consent
		for _, r := range c.Subject {
			if f.ledger.Erased(SubjectOf(r)) {
				f.drop(Drop{ID: m.ID, Kind: m.Kind, Reason: DropErased, Err: &ErasedError{ID: m.ID, Kind: m.Kind}})
				f.remember(m)
				return nil
			}
		}
		for _, r := range c.Subject {
			for _, p := range c.Purposes {
				fact := consent.Fact{Subject: SubjectOf(r), Purpose: p, Granted: c.Granted, Effective: m.Time,
					Source: c.Method, Document: c.Notice, Jurisdiction: c.Jurisdiction}
				if _, err := f.ledger.Record(ctx, fact); err != nil && !errors.Is(err, consent.ErrErased) {
					return err
				}
			}
		}
	case KindTombstone:
		for _, r := range m.Tombstone.Keys {
			if err := f.ledger.Erase(ctx, SubjectOf(r), m.Time); err != nil {
				return err
			}
		}
		f.mu.Lock()
		for _, r := range m.Tombstone.Keys {
			delete(f.members, r.Key)
		}
		f.mu.Unlock()
		if err := f.eraseGraph(ctx, m); err != nil {
			return err
		}
	case KindFleetMembership:
		ms := m.Membership
		for _, r := range ms.Subject {
			if f.ledger.Erased(SubjectOf(r)) {
				f.drop(Drop{ID: m.ID, Kind: m.Kind, Reason: DropErased, Err: &ErasedError{ID: m.ID, Kind: m.Kind}})
				f.remember(m)
				return nil
			}
		}
		f.mu.Lock()
		for _, r := range ms.Subject {
			a := f.members[r.Key]
			if a == nil {
				a = map[string]memberState{}
				f.members[r.Key] = a
			}
			if old, ok := a[ms.Audience]; !ok || !m.Time.Before(old.at) {
				a[ms.Audience] = memberState{in: ms.Entered, at: m.Time}
			}
		}
		f.mu.Unlock()
	default:
		err := &FieldError{Kind: m.Kind, Field: "Kind", Reason: "is sent to the hub, not followed"}
		f.drop(Drop{ID: m.ID, Kind: m.Kind, Reason: DropNotFollowed, Err: err})
		return err
	}
	f.applied.Add(1)
	f.remember(m)
	return nil
}

// eraseGraph applies tombstone m to the graph, if there is one. Keys the
// graph refuses as input are reported and left out.
func (f *Follower) eraseGraph(ctx context.Context, m Message) error {
	if f.graph == nil {
		return nil
	}
	keys := slices.Clone(m.Tombstone.Keys)
	for len(keys) > 0 {
		reps, err := f.graph.EraseKeys(ctx, keys, m.Time)
		var ie *identity.IdentifierError
		if errors.As(err, &ie) && ie.Index >= 0 && ie.Index < len(keys) {
			f.drop(Drop{ID: m.ID, Kind: m.Kind, Reason: DropKeyRefused, Err: err})
			keys = slices.Delete(keys, ie.Index, ie.Index+1)
			continue
		}
		for _, r := range reps {
			f.erased.Add(uint64(len(r.Removed)))
		}
		return err
	}
	return nil
}

// remember adds m's id to the dedupe window.
func (f *Follower) remember(m Message) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if m.Time.After(f.last) {
		f.last = m.Time
	}
	if len(f.ring) < f.window {
		f.ring = append(f.ring, m.ID)
	} else {
		delete(f.seen, f.ring[f.next])
		f.ring[f.next] = m.ID
		f.next = (f.next + 1) % f.window
	}
	f.seen[m.ID] = struct{}{}
}

// Decide says whether purpose p is permitted at time t for the person
// known here by subject (the keys of the event's identifiers, or of the
// gateway's local profile). Unknown means denied: see Follower. It reads
// only local state and never blocks on the network.
func (f *Follower) Decide(p consent.Purpose, t time.Time, subject ...identity.Ref) Decision {
	var best consent.Fact
	found := false
	for _, r := range subject {
		s := SubjectOf(r)
		if f.ledger.Erased(s) {
			return Decision{Reason: DecisionErased}
		}
		fact, ok := f.ledger.At(s, p, t)
		if !ok {
			continue
		}
		if !found || fact.Effective.After(best.Effective) || fact.Effective.Equal(best.Effective) && !fact.Granted {
			best, found = fact, true
		}
	}
	switch {
	case !found:
		return Decision{Reason: DecisionUnknown}
	case best.Granted:
		return Decision{Allowed: true, Reason: DecisionGranted, Fact: best}
	default:
		return Decision{Reason: DecisionWithdrawn, Fact: best}
	}
}

// Memberships returns the audiences the fleet says the person known by
// subject is in now, sorted.
func (f *Follower) Memberships(subject ...identity.Ref) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	latest := map[string]memberState{}
	for _, r := range subject {
		for aud, st := range f.members[r.Key] {
			if old, ok := latest[aud]; !ok || st.at.After(old.at) {
				latest[aud] = st
			}
		}
	}
	var out []string
	for aud, st := range latest {
		if st.in {
			out = append(out, aud)
		}
	}
	slices.Sort(out)
	return out
}
