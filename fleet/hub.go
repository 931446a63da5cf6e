package fleet

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"github.com/touchpoint-sdk/touchpoint/identity"
)

// Graph is what the hub needs of the fleet-wide identity graph;
// *identity.Graph implements it (with identity.MemStore, a FileStore, or
// the PostgreSQL store of store/pgstore underneath).
type Graph interface {
	LinkKeys(ctx context.Context, lf identity.LinkFact) (identity.Resolution, error)
	Profile(id identity.Identifier) (*identity.Profile, error)
	Explain(a, b identity.Identifier) (*identity.Explanation, error)
	Erase(ctx context.Context, id identity.Identifier, at time.Time) (*identity.ErasureReport, error)
	// PlanErase says what Erase would remove, without erasing (Hub.Erase
	// stores it first, so a crash during the erasure loses no key).
	PlanErase(id identity.Identifier) (*identity.ErasureReport, error)
	// Key returns id's keyed hash without looking it up (Hub.Erase finds
	// an earlier run of a request by it).
	Key(id identity.Identifier) (identity.Ref, error)
}

// Drop is a message the hub did not apply, and why. Every drop moves a
// counter (HubStats) and reaches the drop handler (WithDropHandler).
type Drop struct {
	ID     string // message id ("" when the bytes did not decode)
	Kind   Kind
	Reason string // DropCorrupt, DropErased, DropNotForHub
	Err    error
}

// Drop reasons.
const (
	DropCorrupt   = "corrupt"     // the bytes are not a fleet message (Err: *FormatError)
	DropErased    = "erased"      // the subject was erased: a replay cannot bring it back
	DropNotForHub = "not_for_hub" // a message the hub publishes, not one it consumes
)

// HubStats counts what a hub did.
type HubStats struct {
	Applied    uint64 // messages applied for the first time
	Duplicates uint64 // messages whose id was applied before
	Dropped    uint64 // messages refused (see Drop)
	Erasures   uint64 // Erase calls that completed
	Exports    uint64 // Export calls that completed
}

// Result is what Apply did with one message.
type Result struct {
	// Message is the decoded message.
	Message Message
	// Duplicate is true when its id was applied before: nothing changed.
	Duplicate bool
	// Dropped is the drop reason when it was not applied ("" otherwise).
	Dropped string
	// Publish lists what to publish to the gateways because of it (a
	// consent change, a fleet membership). Ids are derived from the
	// consumed id, so publishing again after a crash is harmless: a
	// duplicate's Publish is returned again for exactly that case.
	Publish []Message
}

// HubOption configures NewHub.
type HubOption interface{ applyHub(*Hub) }

type hubOption func(*Hub)

func (f hubOption) applyHub(h *Hub) { f(h) }

// WithGraph gives the hub the fleet-wide identity graph: needed for link
// facts, Erase and Export. Without it those return ErrNoGraph (a hub
// instance that only files touchpoints runs without one).
func WithGraph(g Graph) HubOption { return hubOption(func(h *Hub) { h.graph = g }) }

// WithController names the controller on receipts and fills their
// processing fields. Default: Controller{Name: "the controller"}.
func WithController(c Controller) HubOption { return hubOption(func(h *Hub) { h.ctrl = c }) }

// WithHubSource names the hub in the Source of what it publishes.
// Default "hub".
func WithHubSource(name string) HubOption { return hubOption(func(h *Hub) { h.source = name }) }

// WithDropHandler is called, on the caller's goroutine, for every message
// the hub does not apply. Default: none (the counter still moves).
func WithDropHandler(fn func(Drop)) HubOption { return hubOption(func(h *Hub) { h.onDrop = fn }) }

// WithDeferredMark makes Apply leave the marking of ids to the caller
// (MarkApplied), for a caller that batches the graph's writes in one
// transaction (pgstore's IdentityStore.Batch): mark the ids only after the
// batch committed, or a crash would leave ids marked whose facts were
// lost. Until marked, a redelivered message is applied again, which is
// harmless: every write is idempotent.
func WithDeferredMark() HubOption { return hubOption(func(h *Hub) { h.deferMark = true }) }

// WithClock sets the clock Export stamps documents with. Default time.Now.
func WithClock(now func() time.Time) HubOption { return hubOption(func(h *Hub) { h.now = now }) }

// Hub applies the facts gateways publish to the fleet's state — the
// identity graph (link facts) and a Store (consent records, touchpoints,
// memberships, actions, tombstones) — and says what to publish back.
//
// A Hub is safe for concurrent use and starts no goroutines. It does not
// commit offsets: the caller (examples/hub) commits a message's offset
// only after Apply returned and what Result.Publish lists was published.
// Apply is idempotent on the message id: every write is keyed by the id
// and the id is marked applied last, so a crash anywhere in Apply followed
// by a redelivery applies the message exactly once.
//
// Identity-link facts must reach one hub instance at a time (one
// partition: see the package doc), because the graph is held in memory
// over its store; the other kinds may be spread over any number of
// instances sharing the Store.
type Hub struct {
	store  Store
	graph  Graph
	ctrl   Controller
	source string
	onDrop func(Drop)
	now    func() time.Time
	closed atomic.Bool

	deferMark bool

	applied, dups, dropped, erasures, exports atomic.Uint64
}

// NewHub returns a hub over store. It returns a *FieldError (ErrInvalid)
// for a nil store.
func NewHub(store Store, opts ...HubOption) (*Hub, error) {
	if store == nil {
		return nil, &FieldError{Kind: "hub", Field: "store", Reason: "is nil"}
	}
	h := &Hub{store: store, source: "hub", now: time.Now}
	for _, o := range opts {
		o.applyHub(h)
	}
	if h.now == nil {
		h.now = time.Now
	}
	return h, nil
}

// Stats returns the hub's counters.
func (h *Hub) Stats() HubStats {
	return HubStats{Applied: h.applied.Load(), Duplicates: h.dups.Load(), Dropped: h.dropped.Load(), Erasures: h.erasures.Load(), Exports: h.exports.Load()}
}

// Close makes later calls return ErrClosed. It does not close the store or
// the graph (the caller owns them). It is idempotent.
func (h *Hub) Close() error { h.closed.Store(true); return nil }

func (h *Hub) drop(d Drop) {
	h.dropped.Add(1)
	if h.onDrop != nil {
		h.onDrop(d)
	}
}

// Apply decodes payload and applies it (see ApplyMessage). Bytes that do
// not decode are reported as a drop (DropCorrupt) and returned as the
// *FormatError: the caller may commit past them, they were reported.
func (h *Hub) Apply(ctx context.Context, payload []byte) (Result, error) {
	if h.closed.Load() {
		return Result{}, ErrClosed
	}
	m, err := Decode(payload)
	if err != nil {
		h.drop(Drop{Reason: DropCorrupt, Err: err})
		return Result{}, err
	}
	return h.ApplyMessage(ctx, m)
}

// ApplyMessage applies one decoded message. A message about an erased
// subject is dropped (Result.Dropped = DropErased, drop handler called,
// error nil). Errors: ErrClosed, ErrNoGraph for a link fact without a
// graph, a *FieldError for a message the hub does not consume (what it
// publishes itself) or that does not validate, and the store's or the
// graph's error — then nothing is marked applied, and the message must be
// redelivered.
func (h *Hub) ApplyMessage(ctx context.Context, m Message) (Result, error) {
	if h.closed.Load() {
		return Result{}, ErrClosed
	}
	if err := validate(&m); err != nil {
		return Result{}, err
	}
	res := Result{Message: m}
	switch m.Kind {
	case KindConsentChange, KindTombstone, KindFleetMembership:
		err := &FieldError{Kind: m.Kind, Field: "Kind", Reason: "is published by the hub, not consumed"}
		h.drop(Drop{ID: m.ID, Kind: m.Kind, Reason: DropNotForHub, Err: err})
		return res, err
	case KindLink:
		if h.graph == nil {
			return res, ErrNoGraph
		}
	}
	done, err := h.store.Applied(ctx, m.ID)
	if err != nil {
		return res, err
	}
	if done {
		h.dups.Add(1)
		res.Duplicate = true
		if len(publishKeys(m)) > 0 {
			erased, err := h.store.Tombstoned(ctx, publishKeys(m))
			if err != nil {
				return res, err
			}
			if !erased {
				res.Publish = h.publishFor(m)
			}
		}
		return res, nil
	}
	if err := h.apply(ctx, m); err != nil {
		var ee *ErasedError
		var se *identity.SuppressedError
		if !errors.As(err, &ee) && !errors.As(err, &se) {
			return res, err
		}
		res.Dropped = DropErased
		h.drop(Drop{ID: m.ID, Kind: m.Kind, Reason: DropErased, Err: err})
	} else {
		res.Publish = h.publishFor(m)
	}
	if !h.deferMark {
		if err := h.store.MarkApplied(ctx, m.ID); err != nil {
			return Result{Message: m}, err
		}
	}
	if res.Dropped == "" {
		h.applied.Add(1)
	}
	return res, nil
}

// MarkApplied marks ids applied (with WithDeferredMark). It returns the
// store's error or ErrClosed.
func (h *Hub) MarkApplied(ctx context.Context, ids ...string) error {
	if h.closed.Load() {
		return ErrClosed
	}
	for _, id := range ids {
		if err := h.store.MarkApplied(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// apply writes m: the graph first for a link fact, then the store.
func (h *Hub) apply(ctx context.Context, m Message) error {
	body, err := Encode(m)
	if err != nil {
		return err
	}
	rec := Record{ID: m.ID, Kind: m.Kind, Time: m.Time, Body: body}
	switch m.Kind {
	case KindLink:
		refs := append(append([]identity.Ref(nil), m.Link.IDs...), m.Link.Blocked...)
		if len(m.Link.IDs) > 0 {
			erased, err := h.store.Tombstoned(ctx, keysOf(m.Link.IDs))
			if err != nil {
				return err
			}
			if erased {
				return &ErasedError{ID: m.ID, Kind: m.Kind}
			}
		}
		if _, err := h.graph.LinkKeys(ctx, *m.Link); err != nil {
			return err
		}
		rec.Keys = keysOf(m.Link.IDs)
		if len(rec.Keys) == 0 {
			rec.Keys = keysOf(refs)
		}
	default:
		rec.Keys = keysOf(subjectOf(m))
	}
	return h.store.Put(ctx, rec)
}

// subjectOf returns the subject refs of a message's body.
func subjectOf(m Message) []identity.Ref {
	switch {
	case m.Consent != nil:
		return m.Consent.Subject
	case m.Touchpoint != nil:
		return m.Touchpoint.Subject
	case m.Membership != nil:
		return m.Membership.Subject
	case m.Action != nil:
		return m.Action.Subject
	case m.Tombstone != nil:
		return m.Tombstone.Keys
	case m.Link != nil:
		return m.Link.IDs
	}
	return nil
}

func publishKeys(m Message) []identity.Key {
	if m.Kind == KindConsent || m.Kind == KindMembership {
		return keysOf(subjectOf(m))
	}
	return nil
}

func keysOf(rs []identity.Ref) []identity.Key {
	out := make([]identity.Key, 0, len(rs))
	for _, r := range rs {
		out = append(out, r.Key)
	}
	return out
}

// publishFor derives what the gateways must learn from m.
func (h *Hub) publishFor(m Message) []Message {
	switch m.Kind {
	case KindConsent:
		c := *m.Consent
		return []Message{{Kind: KindConsentChange, ID: DeriveID(KindConsentChange, m.ID), Time: m.Time, Source: h.source, Consent: &c}}
	case KindMembership:
		ms := *m.Membership
		return []Message{{Kind: KindFleetMembership, ID: DeriveID(KindFleetMembership, m.ID), Time: m.Time, Source: h.source, Membership: &ms}}
	}
	return nil
}
