package plan

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// Mode says what Middleware does with an event that breaks the plan.
type Mode uint8

// The violation modes. In every mode the counters move and the violation
// handler (WithViolationHandler) is called with the violations.
const (
	// Block refuses the event: Handle returns a *ViolationError
	// (ErrViolation) to the caller and the next handler never sees it, so
	// it never reaches the spool.
	Block Mode = iota + 1
	// Forward passes on a copy of the record whose event carries the
	// violations in context.protocols.violations, each {"type", "field",
	// "description"} (type is the Kind's name, field the JSON path,
	// description the reason), re-encoded once. Keys already in
	// context.protocols (event_version) are kept. This is where Segment
	// Protocols keeps its per-event data, and the field names are those of
	// Segment's forwarded violations (violationType, violationField,
	// violationDescription) without the prefix, so a warehouse can filter
	// on them.
	Forward
	// Report passes the record on unchanged; the violations reach only the
	// counters and the handler.
	Report
)

var modeNames = [...]string{"", "block", "forward", "report"}

// String names the mode.
func (m Mode) String() string {
	if int(m) < len(modeNames) && m != 0 {
		return modeNames[m]
	}
	return fmt.Sprintf("Mode(%d)", m)
}

// DefaultMaxAttached is how many violations Forward mode attaches to one
// event by default; the rest are counted in
// context.protocols.violationsOmitted.
const DefaultMaxAttached = 20

// MiddlewareOption configures NewMiddleware.
type MiddlewareOption interface {
	apply(*Middleware)
}

type mwOption func(*Middleware)

func (f mwOption) apply(m *Middleware) { f(m) }

// ViolationHandler is called with each event that breaks the plan: the
// record as emitted and its violations. It runs synchronously on the
// goroutine that called Handle, before the record is refused or passed
// on, and may be called concurrently. The slice is the handler's to keep.
type ViolationHandler func(ctx context.Context, r *connected.Record, vs []Violation)

// WithViolationHandler sets the handler called for every violating event,
// in every mode. Default: none (the counters still move).
func WithViolationHandler(h ViolationHandler) MiddlewareOption {
	return mwOption(func(m *Middleware) { m.onViolation = h; m.handlerSet = true })
}

// WithMaxAttached sets how many violations Forward mode attaches to one
// event, in [1, 1000]. Default: DefaultMaxAttached.
func WithMaxAttached(n int) MiddlewareOption {
	return mwOption(func(m *Middleware) { m.maxAttached = n })
}

// WithMaxEventBytes sets the size limit for events re-encoded by Forward
// mode (use the client's connected.WithMaxEventBytes); an event that grows
// past it is refused with a *connected.SizeError. Default:
// connected.DefaultMaxEventBytes.
func WithMaxEventBytes(n int) MiddlewareOption {
	return mwOption(func(m *Middleware) { m.maxBytes = n })
}

// Middleware validates every record against a tracking plan at emit time,
// before batching and the spool (where events may wait for hours), and
// blocks, forwards or reports the ones that break it (Mode).
//
// A Middleware is safe for concurrent use and starts no goroutines. Its
// plan can be replaced while events flow (Swap): each record is checked
// against one whole plan, the old or the new. A record that keeps the plan
// costs no allocation. Records without an Event (rebuilt from bytes) are
// decoded from their payload first.
type Middleware struct {
	plan        atomic.Pointer[Plan]
	mode        Mode
	onViolation ViolationHandler
	handlerSet  bool
	maxAttached int
	maxBytes    int

	checked, valid, violating, blocked, forwarded, reported, failed atomic.Int64
	byKind                                                          [len(kindNames)]atomic.Int64
}

// NewMiddleware returns middleware that checks records against p in the
// given mode. It returns an error for a nil plan, an unknown mode or an
// invalid option.
func NewMiddleware(p *Plan, mode Mode, opts ...MiddlewareOption) (*Middleware, error) {
	if p == nil {
		return nil, errors.New("plan: NewMiddleware: nil Plan")
	}
	if mode < Block || mode > Report {
		return nil, fmt.Errorf("plan: NewMiddleware: unknown mode %d", mode)
	}
	m := &Middleware{mode: mode, maxAttached: DefaultMaxAttached, maxBytes: connected.DefaultMaxEventBytes}
	for i, o := range opts {
		if o == nil {
			return nil, fmt.Errorf("plan: NewMiddleware: option %d is nil", i)
		}
		o.apply(m)
	}
	switch {
	case m.handlerSet && m.onViolation == nil:
		return nil, errors.New("plan: WithViolationHandler: nil handler")
	case m.maxAttached < 1 || m.maxAttached > 1000:
		return nil, fmt.Errorf("plan: WithMaxAttached(%d): must be in [1, 1000]", m.maxAttached)
	case m.maxBytes < 256 || m.maxBytes > 16<<20:
		return nil, fmt.Errorf("plan: WithMaxEventBytes(%d): must be in [256, 16 MiB]", m.maxBytes)
	}
	m.plan.Store(p)
	return m, nil
}

// Plan returns the plan in force.
func (m *Middleware) Plan() *Plan { return m.plan.Load() }

// Swap puts p in force for the records that arrive from now on and returns
// the plan it replaces. Records being checked finish against the plan they
// started with. A nil p is ignored (the current plan is returned and stays).
func (m *Middleware) Swap(p *Plan) *Plan {
	if p == nil {
		return m.plan.Load()
	}
	return m.plan.Swap(p)
}

// Middleware returns m as a connected.Middleware, for
// connected.WithMiddleware: Middleware() is the one spelling every
// Touchpoint package uses for its func(Handler) Handler. The handler it
// builds checks each record and then, as the mode
// says, refuses it, passes on a copy with the violations attached, or
// passes it on unchanged. Handle returns a *ViolationError in Block mode,
// a *connected.DecodeError for a record without an Event whose payload
// does not decode, an ErrAttach or *connected.SizeError error when Forward
// mode cannot attach, and otherwise the next handler's error.
func (m *Middleware) Middleware() connected.Middleware { return m.wrap }

// Wrap is m.Middleware()(next).
//
// Deprecated: use Middleware. Wrap will be removed in the next release.
func (m *Middleware) Wrap(next connected.Handler) connected.Handler { return m.wrap(next) }

func (m *Middleware) wrap(next connected.Handler) connected.Handler {
	return connected.HandlerFunc(func(ctx context.Context, r *connected.Record) error {
		m.checked.Add(1)
		p := m.plan.Load()
		e := r.Event
		if e == nil {
			dec, err := connected.DecodeSegment(r.Payload)
			if err != nil {
				m.failed.Add(1)
				return fmt.Errorf("plan: record %s cannot be validated: %w", r.ID, err)
			}
			e = &dec
		}
		vs, err := p.ValidateEvent(e, nil)
		if err != nil {
			m.failed.Add(1)
			return fmt.Errorf("plan: record %s cannot be validated: %w", r.ID, err)
		}
		if len(vs) == 0 {
			m.valid.Add(1)
			return next.Handle(ctx, r)
		}
		m.violating.Add(1)
		for i := range vs {
			if k := int(vs[i].Kind); k < len(m.byKind) {
				m.byKind[k].Add(1)
			}
		}
		if m.onViolation != nil {
			m.onViolation(ctx, r, vs)
		}
		switch m.mode {
		case Block:
			m.blocked.Add(1)
			return &ViolationError{MessageID: r.ID, Event: label(e), Violations: append([]Violation(nil), vs...)}
		case Forward:
			r2, err := attach(r, e, vs, m.maxAttached, m.maxBytes)
			if err != nil {
				m.failed.Add(1)
				return err
			}
			m.forwarded.Add(1)
			return next.Handle(ctx, r2)
		default:
			m.reported.Add(1)
			return next.Handle(ctx, r)
		}
	})
}

// label names an event for errors: its track name, or its type.
func label(e *connected.Event) string {
	switch e.Type {
	case connected.TypeTrack, "":
		return e.Event
	case connected.TypePage, connected.TypeScreen:
		if e.Name != "" {
			return string(e.Type) + " " + e.Name
		}
	}
	return string(e.Type)
}

// Stats are the middleware's counters, since it was made.
type Stats struct {
	Checked   int64 // records checked
	Valid     int64 // records that kept the plan
	Violating int64 // records with at least one violation
	Blocked   int64 // violating records refused (Block)
	Forwarded int64 // violating records passed on with violations attached (Forward)
	Reported  int64 // violating records passed on unchanged (Report)
	Failed    int64 // records refused because they could not be checked or annotated
	// ByKind counts violations (not records) by kind.
	ByKind map[Kind]int64
}

// Stats returns a snapshot of the counters.
func (m *Middleware) Stats() Stats {
	s := Stats{Checked: m.checked.Load(), Valid: m.valid.Load(), Violating: m.violating.Load(),
		Blocked: m.blocked.Load(), Forwarded: m.forwarded.Load(), Reported: m.reported.Load(),
		Failed: m.failed.Load(), ByKind: map[Kind]int64{}}
	for k := range m.byKind {
		if n := m.byKind[k].Load(); n > 0 {
			s.ByKind[Kind(k)] = n
		}
	}
	return s
}
