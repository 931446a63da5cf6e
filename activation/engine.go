package activation

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/touchpoint-sdk/touchpoint/activation/defs"
	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
)

// Errors.
var (
	// ErrClosed: the engine was closed.
	ErrClosed = errors.New("activation: engine closed")
	// ErrInput: an Input lacks what the engine needs (see InputError).
	ErrInput = errors.New("activation: invalid input")
)

// InputError says which field of an Input is wrong.
type InputError struct {
	Field, Reason string
}

func (e *InputError) Error() string { return "activation: input " + e.Field + ": " + e.Reason }

// Is matches ErrInput.
func (e *InputError) Is(target error) bool { return target == ErrInput }

// Identity is one identifier of an event, by key (a keyed hash such as
// identity.Ref.String(), never a plaintext value), with the profile it
// belongs to on its own. Facts are kept per identifier and follow it when
// identity merges or splits profiles.
type Identity struct {
	Key     string
	Profile string
}

// Input is one event for the engine.
type Input struct {
	// Profile is the event's canonical profile (identity middleware's
	// Record.ProfileID). Required.
	Profile string
	// Identities are the event's identifiers. The event's facts are kept
	// under the first whose Profile equals Profile; the others only update
	// which profile they belong to (a merge or split becomes a move). With
	// none, the profile itself is the identifier.
	Identities []Identity
	// MessageID is the event's messageId. Required: facts are deduplicated
	// on it, and action ids derive from it.
	MessageID string
	// Time is the event time (originalTimestamp). Required.
	Time time.Time
	// Event is the event; only the paths the definitions reference are read.
	Event *connected.Event
	// Purposes are the consent purposes in force for the subject at Time
	// (see Engine.PurposesOf). An event counts toward an audience or a
	// journey only if its purpose is among them.
	Purposes Purposes
	// Replay marks history (a spool replayed at start): state is rebuilt,
	// instances are marked entered, but no action fires and no membership
	// change is announced.
	Replay bool
	// UserID and AnonymousID address the events the engine emits for this
	// input; they are not stored.
	UserID, AnonymousID string
}

// OutputKind says what an Output is.
type OutputKind uint8

// Output kinds.
const (
	AudienceEntered OutputKind = iota + 1
	AudienceExited
	ActionFired
	ActionRefused
)

func (k OutputKind) String() string {
	switch k {
	case AudienceEntered:
		return "audience_entered"
	case AudienceExited:
		return "audience_exited"
	case ActionFired:
		return "action_fired"
	case ActionRefused:
		return "action_refused"
	}
	return "unknown"
}

// Reason codes of refusals, exits and drops.
const (
	ReasonConditions     = "conditions_not_met"      // the journey's when did not hold
	ReasonNoConsent      = "no_consent"              // the trigger was not collected under the purpose
	ReasonSensitive      = "sensitive_category"      // health, biometric or presence data never serves marketing or advertising
	ReasonRelatedConsent = "related_without_consent" // a related event matched, but was collected before consent
	ReasonNoRelated      = "no_related_event"        // no related event matched
	ReasonReentry        = "already_entered"         // re-entry rule
	ReasonHoldout        = "holdout"                 // the profile is in the journey's holdout
	ReasonQuietHours     = "quiet_hours"             // inside quiet hours (skip mode)
	ReasonCap            = "frequency_cap"           // the cap is reached
	ReasonUnless         = "cancelled_by_event"      // the wait's unless event happened
	ReasonExit           = "exit_event"              // an exit event cancelled the wait
	ReasonRevoked        = "consent_revoked"         // consent for the purpose was withdrawn
	ReasonDuplicate      = "already_fired"           // this action id fired before (replay, restart)
	ReasonLate           = "late"                    // older than the watermark
	ReasonWindow         = "window_expired"          // an exit because events left a window
	ReasonRemoved        = "definition_removed"      // the audience was removed by a reload
	ReasonTooManyTraits  = "too_many_traits"         // an identifier holds 4,096 identify traits; a new key is dropped
)

// Output is what the engine decided: a membership change or a journey
// action (fired or refused). ID is deterministic: the same inputs give the
// same ids, so a sink drops what it has seen.
type Output struct {
	Kind     OutputKind
	ID       string
	Profile  string
	Audience string // membership changes
	Journey  string // actions
	Purpose  consent.Purpose
	// Event is a fired action's event (nil for refusals, handler-only
	// actions and membership changes: Emitted builds those).
	Event *connected.Event
	// Destination and Handler are the journey action's.
	Destination, Handler string
	Time                 time.Time
	// Trigger is the triggering event's messageId; Related the related one's.
	Trigger, Related string
	// Reason says why: a Reason code for refusals and exits, a description
	// for fired actions and entries.
	Reason string
	// Err is the handler's error, if a Go handler failed.
	Err error
}

// Handler is a Go action: called synchronously after the action was
// recorded as fired, with the engine's lock released.
type Handler func(ctx context.Context, o Output) error

// Drop is an input the engine did not use, or did not use for some
// purposes (ReasonSensitive: its data category may never serve marketing
// or advertising), and why.
type Drop struct {
	MessageID string
	Time      time.Time
	Reason    string
}

// Option configures an Engine.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	lateness     time.Duration
	store        Store
	handlers     map[string]Handler
	onDrop       func(Drop)
	maxFacts     int
	compactEvery int
}

// WithCompactEvery compacts the store after n appends (default 100,000; 0:
// only when Compact is called).
func WithCompactEvery(n int) Option { return optionFunc(func(c *config) { c.compactEvery = n }) }

// WithLateness sets the lateness bound (default 1 minute): the watermark
// is the latest event time seen minus it. Events older than the watermark
// are dropped (Stats.Late, WithDropHandler); within it, out-of-order
// events give the same memberships as in-order ones.
func WithLateness(d time.Duration) Option {
	return optionFunc(func(c *config) { c.lateness = d })
}

// WithStore keeps the engine's state in s (default: memory only). New
// replays it; every change is written ahead before it is announced.
func WithStore(s Store) Option { return optionFunc(func(c *config) { c.store = s }) }

// WithHandler registers a Go action handler that journeys name in
// action.handler. New and Reload refuse definitions that name a handler
// not registered (a *defs.Error matching defs.ErrReference).
func WithHandler(name string, h Handler) Option {
	return optionFunc(func(c *config) {
		if c.handlers == nil {
			c.handlers = map[string]Handler{}
		}
		c.handlers[name] = h
	})
}

// checkHandlers returns a *defs.Error (ErrReference) for the first
// journey whose action names a handler no WithHandler registered: a
// missing handler is found when the definitions are loaded, not when the
// journey first fires for a customer.
func (c *config) checkHandlers(set *defs.Set) error {
	for i := range set.Journeys {
		j := &set.Journeys[i]
		if h := j.Action.Handler; h != "" && c.handlers[h] == nil {
			return &defs.Error{Kind: "journey", Key: j.Key, Field: "action.handler",
				Reason: fmt.Sprintf("no handler %q is registered (activation.WithHandler)", h), Err: defs.ErrReference}
		}
	}
	return nil
}

// WithDropHandler is called (under the engine's lock: do not call back
// into the engine) for every input dropped, with the reason, and for every
// input of a sensitive category that a marketing or advertising definition
// read but could not use (ReasonSensitive). Replayed inputs are not
// reported.
func WithDropHandler(fn func(Drop)) Option { return optionFunc(func(c *config) { c.onDrop = fn }) }

// WithMaxFactsPerIdentifier bounds the facts kept per identifier (default
// 512, at most 4,096); the oldest go first, counted in Stats.Evicted.
func WithMaxFactsPerIdentifier(n int) Option { return optionFunc(func(c *config) { c.maxFacts = n }) }

// Stats are the engine's counters.
type Stats struct {
	Inputs, Duplicates, Late, Evicted, Entered, Exited, Fired, Refused, HandlerErrors uint64
	// Sensitive counts inputs of a sensitive data category (health,
	// biometric, presence) granted marketing or advertising that a
	// definition of those purposes reads: they did not count for it
	// (reported to WithDropHandler with ReasonSensitive).
	Sensitive                             uint64
	Profiles, Identifiers, Facts, Pending int
	Watermark                             time.Time
}

// Engine evaluates computed traits, audiences and journeys over events.
// See the package documentation for its contracts. An Engine is safe for
// concurrent use (one mutex); it starts no goroutines.
type Engine struct {
	mu  sync.Mutex
	cfg config
	sym *symbols
	// prog is the compiled definitions.
	prog *program
	// profiles: index = id in profIDs; memberships are bits (bit i =
	// prog.audiences[i]): the first 64 in profile.mem0, the others memW
	// words per profile in member.
	profIDs strtab
	profs   []profile
	member  []uint64
	memW    int
	// identifiers: keyed ones by identKeys id (identByKey), the
	// "profile:<id>" ones by their profile's self.
	identKeys  strtab
	identByKey []int32
	idents     []ident // keyed identifiers (the others are in their profiles)
	selfs      int     // identifiers "profile:<id>" made
	facts      pool[fact]
	tfacts     pool[tfact]
	jrecs      pool[jrec]
	vals       strtab // string values of facts and traits
	keys       strtab // identify trait keys
	msgs       msgArena
	xvals      []xslot
	xdead      int // overflow slots of dropped facts
	pend       []pending
	pendMin    int64 // no pending action is due before it
	missed     bool  // set by trigger in quiet mode: still no related event
	timers     timerHeap
	maxT       int64
	started    bool
	closed     bool
	replay     bool // history or recovery: announce nothing
	loading    bool // applying the store at New: log nothing
	logged     int  // appends since the last compaction
	stats      Stats
	wal        [][]byte // this call's write-ahead records (slices of walBuf)
	walBuf     []byte
	rvals      []slotVal         // scratch of reduce
	strs       slab              // strings of outputs
	evSlab     []connected.Event // events of fired actions, handed out from chunks of 64
	idb        idBuilder
	quiet      bool    // re-deciding a trigger: refusals were announced already
	retries    []retry // triggers refused for want of a related event, within the lateness bound
	retryHead  int     // retries[:retryHead] are expired or used
	scratch    []byte
	sids       []int32 // scratch of unique lists
	xbuf       []xslot // scratch of fact values
	memo       [16]memo
	memoN      int // valid entries of memo; 0 whenever facts change
	cur        curProf
	sink       uint64 // what readAhead and touch read (kept, so that the reads stay)
	ahead      bool   // in ProcessBatch: readAhead has read the state apply will touch
}

// New compiles set and returns an engine. It returns a *defs.Error for an
// invalid set or a journey naming a handler not registered (WithHandler),
// and the store's error if its state cannot be read.
func New(set *defs.Set, opts ...Option) (*Engine, error) {
	cfg := config{lateness: time.Minute, maxFacts: 512, compactEvery: 100000}
	for _, o := range opts {
		o.apply(&cfg)
	}
	if cfg.lateness < 0 || cfg.maxFacts < 1 {
		return nil, fmt.Errorf("activation: lateness must be >= 0 and max facts >= 1")
	}
	if cfg.maxFacts > maxRun {
		return nil, fmt.Errorf("activation: max facts per identifier is at most %d", maxRun)
	}
	e := &Engine{cfg: cfg, cur: curProf{p: -1}, sym: newSymbols(), profIDs: newStrtab(), identKeys: newStrtab(), vals: newStrtab(), keys: newStrtab()}
	prog, err := compile(set, e.sym)
	if err != nil {
		return nil, err
	}
	if err := cfg.checkHandlers(set); err != nil {
		return nil, err
	}
	e.setProgram(prog)
	if cfg.store != nil {
		if err := e.load(context.Background()); err != nil {
			return nil, err
		}
		// a log of schema 1 (its records are read as they are) is
		// rewritten at once: the store refuses appends until then
		if fs, ok := cfg.store.(*FileStore); ok && fs.st.Schema() < FileStoreSchema {
			if err := e.compactLocked(context.Background()); err != nil {
				return nil, err
			}
		}
	}
	return e, nil
}

// PurposesOf returns the bits of the given purposes (custom purposes named
// by no definition are ignored).
func (e *Engine) PurposesOf(ps ...consent.Purpose) Purposes {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out Purposes
	for _, p := range ps {
		for i, q := range e.sym.purposes {
			if p == q {
				out |= 1 << i
			}
		}
	}
	return out
}

// Purposes lists the purposes the engine knows (built-in and named by a
// definition), in bit order.
func (e *Engine) Purposes() []consent.Purpose {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]consent.Purpose(nil), e.sym.purposes...)
}

// Stats returns the counters.
func (e *Engine) Stats() Stats {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.stats
	s.Profiles, s.Identifiers, s.Pending = len(e.profs), len(e.idents)+e.selfs, len(e.pend)
	for i := range e.idents {
		s.Facts += int(e.idents[i].facts.n)
	}
	for p := range e.profs {
		if e.profs[p].self >= 0 {
			s.Facts += int(e.profs[p].own.facts.n)
		}
	}
	if e.started {
		s.Watermark = time.UnixMilli(e.watermark()).UTC()
	}
	return s
}

// maxTime bounds event times (Unix ms) so that they pack into journey
// records with 12 bits to spare.
const maxTime = 1 << 50

func (e *Engine) watermark() int64 { return e.maxT - e.cfg.lateness.Milliseconds() }

// Close closes the store.
//
// Deprecated: use Shutdown, the lifecycle verb of every Touchpoint
// component. Close will be removed in the next release.
func (e *Engine) Close() error { return e.Shutdown(context.Background()) }

// Shutdown closes the engine's store (Store.Close). Afterwards every method
// returns ErrClosed. It is idempotent. Closing does not block on anything
// the context could bound (every write was synced when it returned), so
// ctx is not consulted.
func (e *Engine) Shutdown(_ context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil
	}
	e.closed = true
	if e.cfg.store != nil {
		return e.cfg.store.Close()
	}
	return nil
}
