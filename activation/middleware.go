package activation

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
	"github.com/touchpoint-sdk/touchpoint/identity"
)

// Middleware runs an Engine inside a connected pipeline, after identity
// stitching and the consent reader, before the router:
//
//	connected.WithMiddleware(stitch.Middleware(), reader.Middleware(ledger), act.Middleware())
//
// For every record with a profile it passes the record on first, then
// the engine's announcements and fired actions as new records (Audience
// Entered/Exited track events plus an identify carrying the membership
// trait; the journeys' action events), through the same next handler:
// the router decides who may receive them, as for every other event.
// Refused actions are not events; they reach WithDecisionHandler with
// their reason, like everything the engine decides.
//
// Consent: an event's purposes are those the ledger permits for the
// record's subjects (ProfileID, userId, anonymousId) at the event's time
// (Ledger.Permits). A revocation recorded in the ledger is applied to the
// engine at once (Engine.Revoke): exits are emitted through the pipeline
// and pending actions cancelled. Identity: with WithGraph each identifier
// of the event is resolved on its own, so an identifier that identity has
// not linked (no linking consent, a shared kiosk) keeps its own facts and
// never activates another's profile; without it, facts are kept per
// profile id.
//
// A Middleware is safe for concurrent use. Call Close to stop listening
// to the ledger.
type Middleware struct {
	e       *Engine
	ledger  *consent.Ledger
	graph   *identity.Graph
	onOut   func(Output)
	mu      sync.Mutex
	next    connected.Handler
	cancel  func()
	errs    atomic.Uint64
	lastErr atomic.Pointer[error]
}

// MiddlewareOption configures NewMiddleware.
type MiddlewareOption func(*Middleware)

// WithGraph resolves each identifier of an event in g (keys only are kept).
func WithGraph(g *identity.Graph) MiddlewareOption { return func(m *Middleware) { m.graph = g } }

// WithDecisionHandler is called with every output (entries, exits, fired
// and refused actions), synchronously, after it was passed on.
func WithDecisionHandler(fn func(Output)) MiddlewareOption {
	return func(m *Middleware) { m.onOut = fn }
}

// NewMiddleware returns the middleware of e, taking consent from ledger.
func NewMiddleware(e *Engine, ledger *consent.Ledger, opts ...MiddlewareOption) (*Middleware, error) {
	if e == nil || ledger == nil {
		return nil, errors.New("activation: NewMiddleware needs an engine and a ledger")
	}
	m := &Middleware{e: e, ledger: ledger}
	for _, o := range opts {
		o(m)
	}
	m.cancel = ledger.OnChange(m.onChange)
	return m, nil
}

// Close stops listening to the ledger.
//
// Deprecated: use Shutdown, the lifecycle verb of every Touchpoint
// component. Close will be removed in the next release.
func (m *Middleware) Close() { _ = m.Shutdown(context.Background()) }

// Shutdown stops listening to the ledger's changes. It does not shut the
// engine down (its owner does). It is idempotent, does not block and
// returns nil; ctx is not consulted.
func (m *Middleware) Shutdown(_ context.Context) error {
	m.cancel()
	return nil
}

// Errors returns how many announcements could not be passed on, and the last error.
func (m *Middleware) Errors() (uint64, error) {
	if p := m.lastErr.Load(); p != nil {
		return m.errs.Load(), *p
	}
	return m.errs.Load(), nil
}

func (m *Middleware) onChange(ctx context.Context, c consent.Change) {
	var purposes []consent.Purpose
	at := c.Fact.Effective
	switch {
	case c.Kind == consent.ChangeErased:
		purposes, at = m.e.Purposes(), c.At
	case c.Revoked():
		purposes = []consent.Purpose{c.Purpose}
	default:
		return
	}
	var out []Output
	for _, p := range purposes {
		var err error
		if out, err = m.e.Revoke(ctx, c.Subject, p, at, out); err != nil {
			m.fail(err)
		}
	}
	m.mu.Lock()
	next := m.next
	m.mu.Unlock()
	if next != nil {
		m.pass(ctx, next, "", out)
	}
}

func (m *Middleware) fail(err error) {
	m.errs.Add(1)
	m.lastErr.Store(&err)
}

// Middleware returns the activation middleware, for
// connected.WithMiddleware (after identity's, which sets ProfileID):
// Middleware() is the one spelling every Touchpoint package uses for its
// func(Handler) Handler.
func (m *Middleware) Middleware() connected.Middleware { return m.wrap }

// Wrap is m.Middleware()(next).
//
// Deprecated: use Middleware. Wrap will be removed in the next release.
func (m *Middleware) Wrap(next connected.Handler) connected.Handler { return m.wrap(next) }

func (m *Middleware) wrap(next connected.Handler) connected.Handler {
	m.mu.Lock()
	m.next = next
	m.mu.Unlock()
	return connected.HandlerFunc(func(ctx context.Context, r *connected.Record) error {
		if err := next.Handle(ctx, r); err != nil {
			return err
		}
		if r.Event == nil || r.ProfileID == "" {
			return nil
		}
		in := Input{Profile: r.ProfileID, MessageID: r.ID, Time: r.Time, Event: r.Event, UserID: r.UserID, AnonymousID: r.AnonymousID}
		in.Identities = m.identities(ctx, r)
		in.Purposes = m.purposes(r)
		out, err := m.e.Process(ctx, in, nil)
		if err != nil {
			return err
		}
		return m.pass(ctx, next, r.PartitionKey, out)
	})
}

func (m *Middleware) identities(ctx context.Context, r *connected.Record) []Identity {
	if m.graph == nil {
		return nil
	}
	var ids []Identity
	for _, id := range []identity.Identifier{{Type: identity.TypeUserID, Value: r.UserID}, {Type: identity.TypeAnonymousID, Value: r.AnonymousID}} {
		if id.Value == "" {
			continue
		}
		ref, err := m.graph.Key(id)
		if err != nil {
			continue
		}
		res, err := m.graph.Resolve(ctx, []identity.Identifier{id}, r.Time)
		if err != nil || res.ProfileID == "" {
			continue
		}
		ids = append(ids, Identity{Key: string(ref.Type) + ":" + ref.Key.String(), Profile: res.ProfileID})
	}
	return ids
}

func (m *Middleware) purposes(r *connected.Record) Purposes {
	var p Purposes
	for i, pur := range m.e.Purposes() {
		for _, s := range [3]string{r.ProfileID, r.UserID, r.AnonymousID} {
			if s != "" && m.ledger.Permits(s, pur, r.Time) {
				p |= 1 << i
				break
			}
		}
	}
	return p
}

// pass emits the outputs as records through next.
func (m *Middleware) pass(ctx context.Context, next connected.Handler, key string, out []Output) error {
	var first error
	for i := range out {
		o := &out[i]
		var evs []*connected.Event
		if ev := o.Emitted(); ev != nil {
			evs = append(evs, ev)
			if o.Destination != "" {
				o.Event.Integrations = map[string]any{"All": false, o.Destination: true}
			}
		}
		if o.Kind == AudienceEntered || o.Kind == AudienceExited {
			evs = append(evs, &connected.Event{Type: connected.TypeIdentify, MessageID: ActionID(o.ID, "identify"),
				AnonymousID: o.Profile, OriginalTimestamp: o.Time, Traits: connected.Traits{o.Audience: o.Kind == AudienceEntered},
				Category: connected.CategoryIdentity})
		}
		for _, ev := range evs {
			payload, err := connected.AppendSegment(nil, ev)
			if err == nil {
				pk := key
				if pk == "" {
					pk = o.Profile
				}
				err = next.Handle(ctx, &connected.Record{ID: ev.MessageID, Type: ev.Type, Time: ev.OriginalTimestamp,
					Category: ev.Category.OrDefault(), PartitionKey: pk, ProfileID: o.Profile, UserID: ev.UserID,
					AnonymousID: ev.AnonymousID, Payload: payload, Event: ev})
			}
			if err != nil {
				m.fail(err)
				if first == nil {
					first = err
				}
			}
		}
		if m.onOut != nil {
			m.onOut(*o)
		}
	}
	return first
}

// FromRecord builds an Input from a record a central service consumed
// (Kafka, NATS): the event is decoded from the payload when the record
// does not carry it, accepting the built-in channels only (see
// FromRecordWith). The profile is ProfileID, else userId, else
// anonymousId. Purposes are left to the caller (from its ledger). A
// payload that does not decode gives the *connected.DecodeError.
func FromRecord(r *connected.Record) (Input, error) { return FromRecordWith(nil, r) }

// FromRecordWith is FromRecord decoding the payload with the channel
// registry cs: the producers' registry (connected.NewChannels with the
// channels they registered with connected.WithChannels, or
// Client.Channels), so that events of custom channels decode instead of
// failing. A nil cs accepts the built-in channels only.
func FromRecordWith(cs *connected.Channels, r *connected.Record) (Input, error) {
	ev := r.Event
	if ev == nil {
		var e connected.Event
		var err error
		if cs != nil {
			e, err = cs.DecodeSegment(r.Payload)
		} else {
			e, err = connected.DecodeSegment(r.Payload)
		}
		if err != nil {
			return Input{}, err
		}
		ev = &e
	}
	in := Input{Profile: r.ProfileID, MessageID: r.ID, Time: r.Time, Event: ev, UserID: ev.UserID, AnonymousID: ev.AnonymousID}
	if in.Profile == "" {
		in.Profile = ev.UserID
	}
	if in.Profile == "" {
		in.Profile = ev.AnonymousID
	}
	if in.MessageID == "" {
		in.MessageID = ev.MessageID
	}
	if in.Time.IsZero() {
		in.Time = ev.OriginalTimestamp
	}
	return in, nil
}
