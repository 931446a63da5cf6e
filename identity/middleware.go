package identity

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// Middleware stitches the connected pipeline: for each record it extracts
// the event's identifiers, links them in the graph, and passes on a copy of
// the record with ProfileID set to the canonical profile (a household id
// when the event has only household identifiers) and PartitionKey set to
// r.PartitionKeyFor(ProfileID) — keyed with the Client's partition-key
// secret, configured once there — so one customer's events share a
// partition whatever identifier they arrived with. When the observation
// changed the graph, it also emits an identity-link fact record (see
// EncodeLinkFact) to the fact handler — by default the next handler. A
// consent Router or Gate there offers them only to the destinations that
// ask for them (consent.Destination.LinkFacts): the fleet's Kafka or NATS
// stream, say, not a collector. WithLinkFactHandler sends them elsewhere.
//
// Identifiers are taken from: userId (user_id), anonymousId
// (anonymous_id), previousId (anonymous_id, see WithPreviousIDType),
// traits.email and traits.phone (and the same keys of context.traits for
// track events), context.device.id (device_id; wearable_serial when
// device.type is "wearable", vin for "vehicle" or "car", beacon_id for
// "beacon", gateway_id for "gateway"), and context.externalIds (by type:
// email, phone, user_id, loyalty_id, device_id, anonymous_id, vin,
// wearable_serial, beacon_id, gateway_id, advertising_id / ios.idfa /
// android.gaid, or any type with a rule; externalIds with an encoding other
// than "none" are skipped as not normalizable).
//
// A record whose Event carries no identifier at all (a record rebuilt from
// its bytes alone, say) is passed on untouched.
//
// A Middleware is safe for concurrent use and starts no goroutines.
type Middleware struct {
	g        *Graph
	keyer    *connected.PartitionKeyer // of WithPartitionKeySecret's secret, when set
	source   string
	facts    connected.Handler
	noFacts  bool
	category string
	prevType Type

	events, linked, suppressed, factsOut, factErrs, passed atomic.Int64
}

// MiddlewareOption configures NewMiddleware.
type MiddlewareOption interface {
	applyMW(*Middleware)
}

type mwOption func(*Middleware)

func (f mwOption) applyMW(m *Middleware) { f(m) }

// WithPartitionKeySecret sets a secret for the partition keys the
// middleware computes, instead of the one of the Client that emitted each
// record (connected.WithPartitionKeySecret, see
// connected.Record.PartitionKeyFor). The slice is copied.
// Not needed in a Client's pipeline: configure the secret on the Client,
// once, and the middleware keys records with it (the root package and
// the examples do so). It is for records no Client emitted — built by
// hand, or rebuilt from bytes — which would otherwise get unkeyed
// partition keys (see Middleware.Wrap).
func WithPartitionKeySecret(secret []byte) MiddlewareOption {
	s := append([]byte(nil), secret...)
	return mwOption(func(m *Middleware) {
		m.keyer = nil
		if len(s) > 0 {
			m.keyer = connected.NewPartitionKeyer(s)
		}
	})
}

// WithSource names this gateway in the link facts it emits. Default: none.
func WithSource(name string) MiddlewareOption {
	return mwOption(func(m *Middleware) { m.source = name })
}

// WithLinkFactHandler sends link facts to h instead of the next handler.
func WithLinkFactHandler(h connected.Handler) MiddlewareOption {
	return mwOption(func(m *Middleware) { m.facts = h })
}

// WithoutLinkFacts stops the middleware from emitting link facts.
func WithoutLinkFacts() MiddlewareOption {
	return mwOption(func(m *Middleware) { m.noFacts = true })
}

// WithLinkingConsentCategory names the consent category (a key of
// context.consent.categoryPreferences) that covers identity linking. A
// "Consent Updated" event (connected.EventConsentUpdated) carrying that
// category records the grant or withdrawal for each of its identifiers
// (Graph.SetLinkConsent) before the event is linked. Default: none; consent
// then comes only from SetLinkConsent.
func WithLinkingConsentCategory(category string) MiddlewareOption {
	return mwOption(func(m *Middleware) { m.category = category })
}

// WithPreviousIDType sets the identifier type of an alias event's
// previousId. Default: anonymous_id.
func WithPreviousIDType(t Type) MiddlewareOption {
	return mwOption(func(m *Middleware) { m.prevType = t })
}

// NewMiddleware returns identity middleware over g. It returns a
// *ConfigError for invalid options.
func NewMiddleware(g *Graph, opts ...MiddlewareOption) (*Middleware, error) {
	if g == nil {
		return nil, &ConfigError{Option: "NewMiddleware", Reason: "nil Graph"}
	}
	m := &Middleware{g: g, prevType: TypeAnonymousID}
	for i, o := range opts {
		if o == nil {
			return nil, &ConfigError{Option: "NewMiddleware option " + itoa(i), Reason: "nil option"}
		}
		o.applyMW(m)
	}
	if _, ok := g.norm.rules.lookup(m.prevType); !ok {
		return nil, &ConfigError{Option: "WithPreviousIDType(" + string(m.prevType) + ")", Reason: "no rule for this type"}
	}
	return m, nil
}

// LinkFactError reports that an event was stitched and passed on, but its
// identity-link fact could not be handed to the fact handler. It matches
// the handler's error with errors.Is.
type LinkFactError struct {
	EventID string // the event that was delivered
	Err     error  // the fact handler's error
}

// Error says that the event was delivered and its fact was not.
func (e *LinkFactError) Error() string {
	return "identity: event " + e.EventID + " delivered, but its link fact was not: " + e.Err.Error()
}

// Unwrap returns the fact handler's error.
func (e *LinkFactError) Unwrap() error { return e.Err }

// Middleware returns the stitching middleware, for
// connected.WithMiddleware: Middleware() is the one spelling every
// Touchpoint package uses for its func(Handler) Handler.
//
// The handler it builds returns a *SuppressedError (ErrSuppressed) without passing the
// record on when it belongs to an erased person, the graph's errors, or
// the next handler's error. When the event was passed on but its link fact
// was not accepted, it returns a *LinkFactError after the fact.
func (m *Middleware) Middleware() connected.Middleware { return m.wrap }

// Wrap is m.Middleware()(next).
//
// Deprecated: use Middleware. Wrap will be removed in the next release.
func (m *Middleware) Wrap(next connected.Handler) connected.Handler { return m.wrap(next) }

func (m *Middleware) wrap(next connected.Handler) connected.Handler {
	facts := m.facts
	if facts == nil {
		facts = next
	}
	return connected.HandlerFunc(func(ctx context.Context, r *connected.Record) error {
		m.events.Add(1)
		ids := m.identifiers(r.Event)
		if len(ids) == 0 {
			// nothing to stitch: a record rebuilt from bytes alone (a spool
			// replay) keeps what it has
			m.passed.Add(1)
			return next.Handle(ctx, r)
		}
		if m.category != "" && r.Event.Event == connected.EventConsentUpdated {
			if granted, ok := r.Event.Context.Consent.CategoryPreferences[m.category]; ok {
				for _, id := range ids {
					err := m.g.SetLinkConsent(ctx, Consent{ID: id, Granted: granted, At: r.Time, EventID: r.ID})
					if err != nil && !errors.Is(err, ErrInvalidIdentifier) {
						if errors.Is(err, ErrSuppressed) {
							m.suppressed.Add(1)
						}
						return err
					}
				}
			}
		}
		res, err := m.g.Link(ctx, Observation{EventID: r.ID, Time: r.Time, IDs: ids})
		if err != nil {
			if errors.Is(err, ErrSuppressed) {
				m.suppressed.Add(1)
			}
			return err
		}
		r2 := *r
		r2.ProfileID = res.ProfileID
		if r2.ProfileID == "" && len(res.Households) > 0 {
			r2.ProfileID = res.Households[0]
		}
		if r2.ProfileID != "" {
			r2.PartitionKey = m.partitionKey(r, r2.ProfileID)
		}
		if err := next.Handle(ctx, &r2); err != nil {
			return err
		}
		if res.Fact == nil || m.noFacts {
			return nil
		}
		m.linked.Add(1)
		rec, err := encodeLinkFact(*res.Fact, m.source, func(anon string) string { return m.partitionKey(r, anon) })
		if err == nil {
			err = facts.Handle(ctx, rec)
		}
		if err != nil {
			m.factErrs.Add(1)
			return &LinkFactError{EventID: r.ID, Err: err}
		}
		m.factsOut.Add(1)
		return nil
	})
}

// partitionKey keys identity as the Client that emitted r does, or with
// WithPartitionKeySecret when it was given.
func (m *Middleware) partitionKey(r *connected.Record, identity string) string {
	if m.keyer != nil {
		return m.keyer.Key(identity)
	}
	return r.PartitionKeyFor(identity)
}

// MiddlewareStats are the middleware's counters.
type MiddlewareStats struct {
	Events     int64 // records handled
	Linked     int64 // records whose observation changed the graph
	Suppressed int64 // records refused as belonging to an erased person
	Facts      int64 // link facts handed on
	FactErrors int64 // link facts the fact handler refused
	Unchanged  int64 // records without identifiers, passed on untouched
}

// Stats returns the counters.
func (m *Middleware) Stats() MiddlewareStats {
	return MiddlewareStats{Events: m.events.Load(), Linked: m.linked.Load(), Suppressed: m.suppressed.Load(),
		Facts: m.factsOut.Load(), FactErrors: m.factErrs.Load(), Unchanged: m.passed.Load()}
}

// identifiers extracts an event's identifiers (see Middleware).
func (m *Middleware) identifiers(e *connected.Event) []Identifier {
	if e == nil {
		return nil
	}
	ids := make([]Identifier, 0, 6)
	add := func(t Type, v string) {
		if strings.TrimSpace(v) != "" {
			ids = append(ids, Identifier{Type: t, Value: v})
		}
	}
	add(TypeUserID, e.UserID)
	add(TypeAnonymousID, e.AnonymousID)
	add(m.prevType, e.PreviousID)
	traits := func(t map[string]any) {
		if v, ok := t["email"].(string); ok {
			add(TypeEmail, v)
		}
		if v, ok := t["phone"].(string); ok {
			add(TypePhone, v)
		}
	}
	traits(e.Traits)
	if ct, ok := e.Context.Extra["traits"].(map[string]any); ok {
		traits(ct)
	}
	if d := e.Context.Device; d.ID != "" {
		switch strings.ToLower(d.Type) {
		case "wearable":
			add(TypeWearableSerial, d.ID)
		case "vehicle", "car":
			add(TypeVIN, d.ID)
		case "beacon":
			add(TypeBeaconID, d.ID)
		case "gateway":
			add(TypeGatewayID, d.ID)
		default:
			add(TypeDeviceID, d.ID)
		}
	}
	for _, x := range e.Context.ExternalIDs {
		if x.Encoding != "" && x.Encoding != "none" {
			continue
		}
		t := Type(strings.ToLower(x.Type))
		switch t {
		case "userid":
			t = TypeUserID
		case "loyaltyid":
			t = TypeLoyaltyID
		case "ios.idfa", "android.gaid", "android.id.advertising", "idfa", "gaid":
			t = TypeAdvertisingID
		}
		if _, ok := m.g.norm.rules.lookup(t); ok {
			add(t, x.ID)
		}
	}
	return ids
}
