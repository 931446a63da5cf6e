package consent

import (
	"fmt"
	"slices"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// Action is what a destination does with a record it may not receive.
type Action uint8

const (
	// Drop discards the record (counted and audited). The default.
	Drop Action = iota
	// Strip passes on a non-identifying copy instead: userId, previousId,
	// traits, context.ip, context.userAgent, context.device.id,
	// context.externalIds and context.location coordinates are removed, and
	// anonymousId becomes a hash of the messageId (unlinkable across
	// events). Properties are kept: do not choose Strip for a destination
	// whose events carry personal data in properties. Only refusals for the
	// destination's own purpose are stripped; a missing health or location
	// consent, a refused category, an erased subject and alias and group
	// events are dropped.
	Strip
	// Hold keeps a record refused because no decision was in force
	// (ReasonNoConsent) until the subject grants the purpose (it is then
	// passed on, in order) or the hold's deadline passes (it is dropped,
	// ReasonHoldExpired). Records refused for other reasons are dropped.
	Hold
)

// String returns "drop", "strip" or "hold".
func (a Action) String() string {
	switch a {
	case Drop:
		return "drop"
	case Strip:
		return "strip"
	case Hold:
		return "hold"
	}
	return fmt.Sprintf("Action(%d)", int(a))
}

// Hold defaults.
const (
	DefaultHoldRecords = 1000
	DefaultHoldBytes   = 1 << 20
	DefaultHoldAge     = 30 * time.Minute
)

// HoldLimits bound a destination's hold. Zero fields take the defaults
// (DefaultHoldRecords, DefaultHoldBytes, DefaultHoldAge).
type HoldLimits struct {
	MaxRecords int           // records held at once
	MaxBytes   int           // sum of held records' payload sizes
	MaxAge     time.Duration // how long a record may wait for consent
}

// Destination is where records go and what it may receive: one purpose,
// the data categories it takes, and what happens to a record it may not
// have.
type Destination struct {
	// Name identifies the destination in stats and audit entries; unique
	// within a Router.
	Name string
	// Purpose is what the destination uses data for. A record reaches it
	// only if the subject's consent for Purpose was in force at the event's
	// time (and has not been revoked since).
	Purpose Purpose
	// Categories are the data categories it may receive; at least one.
	// Health, biometric and presence may not be listed for a marketing or
	// advertising destination. Records of connected.CategoryHealth need the
	// subject's PurposeHealth consent as well, those of
	// connected.CategoryLocation and connected.CategoryPresence
	// PurposeLocation, and those of connected.CategoryBiometric
	// PurposeAttention.
	Categories []connected.Category
	// OnRefusal is what happens to a record it may not receive. Default Drop.
	OnRefusal Action
	// Hold bounds the in-memory hold when OnRefusal is Hold.
	Hold HoldLimits
	// HoldStore replaces the in-memory hold (a spool-backed store, say).
	// Optional; when set, Hold.MaxAge still sets the deadline.
	HoldStore HoldStore
	// Handler receives the records. Required for NewRouter; must be nil for
	// NewGate, whose middleware supplies it.
	Handler connected.Handler
	// LinkFacts routes identity-link facts (track events
	// connected.EventIdentityLinked of category identity, which identity
	// middleware emits when a record changes the graph) to this
	// destination. They describe the graph, in keyed hashes, for another
	// gateway's graph to replay; their subject is the profile (ProfileID),
	// and they are decided like any record (consent for Purpose, the
	// identity category). Default false: they are not offered to the
	// destination at all, neither delivered nor refused, and only
	// DestinationStats.LinkFactsSkipped counts them. A destination with
	// LinkFacts must list connected.CategoryIdentity and may not be of an
	// ad-tech purpose (marketing, advertising).
	LinkFacts bool
}

// dest is a Destination compiled for the hot path.
type dest struct {
	Destination
	pidx   int   // Purpose.builtin()
	cats   uint8 // bit per category, see catBit
	adtech bool
	c      *counters
	hold   HoldStore
}

// catBit returns a category's bit (the empty category is behavioral), or 0
// for an unknown one.
func catBit(c connected.Category) uint8 {
	switch c {
	case connected.CategoryBehavioral, "":
		return 1 << 0
	case connected.CategoryLocation:
		return 1 << 1
	case connected.CategoryHealth:
		return 1 << 2
	case connected.CategoryIdentity:
		return 1 << 3
	case connected.CategoryTransaction:
		return 1 << 4
	case connected.CategoryDevice:
		return 1 << 5
	case connected.CategoryBiometric:
		return 1 << 6
	case connected.CategoryPresence:
		return 1 << 7
	}
	return 0
}

// compile validates d and builds its hot-path form. needHandler says
// whether Handler must be set (Router) or unset (Gate).
func compile(d Destination, needHandler bool) (*dest, error) {
	bad := func(field, reason string, err error) error {
		return &ConfigError{Destination: d.Name, Field: field, Reason: reason, Err: err}
	}
	switch {
	case d.Name == "" || len(d.Name) > 128:
		return nil, bad("Name", "must be 1 to 128 bytes", nil)
	case !d.Purpose.Valid():
		return nil, bad("Purpose", fmt.Sprintf("%q is not a built-in or well-formed custom purpose", d.Purpose), nil)
	case len(d.Categories) == 0:
		return nil, bad("Categories", "lists none: the destination could receive nothing", nil)
	case d.OnRefusal > Hold:
		return nil, bad("OnRefusal", "is not Drop, Strip or Hold", nil)
	case needHandler && d.Handler == nil:
		return nil, bad("Handler", "is nil", nil)
	case !needHandler && d.Handler != nil:
		return nil, bad("Handler", "must be nil for NewGate: the middleware's next handler is the destination", nil)
	case d.Hold.MaxRecords < 0 || d.Hold.MaxBytes < 0 || d.Hold.MaxAge < 0:
		return nil, bad("Hold", "limits must not be negative", nil)
	case d.HoldStore != nil && d.OnRefusal != Hold:
		return nil, bad("HoldStore", "is set but OnRefusal is not Hold", nil)
	case d.LinkFacts && d.Purpose.adTech():
		return nil, bad("LinkFacts", "is set for a "+string(d.Purpose)+" destination: identity-link facts never go to ad tech", nil)
	case d.LinkFacts && !slices.Contains(d.Categories, connected.CategoryIdentity):
		return nil, bad("LinkFacts", "is set but Categories does not list identity", nil)
	}
	c := &dest{Destination: d, pidx: d.Purpose.builtin(), adtech: d.Purpose.adTech(), c: new(counters)}
	c.Categories = append([]connected.Category(nil), d.Categories...)
	for _, cat := range d.Categories {
		bit := catBit(cat)
		if bit == 0 || cat == "" {
			return nil, bad("Categories", fmt.Sprintf("unknown data category %q", cat), nil)
		}
		if cat == connected.CategoryHealth && c.adtech {
			return nil, bad("Categories", "lists health for a "+string(d.Purpose)+" destination", ErrHealthToAdTech)
		}
		if sensitive(cat) && c.adtech {
			return nil, bad("Categories", "lists "+string(cat)+" for a "+string(d.Purpose)+" destination", ErrSensitiveToAdTech)
		}
		c.cats |= bit
	}
	if c.Hold.MaxRecords == 0 {
		c.Hold.MaxRecords = DefaultHoldRecords
	}
	if c.Hold.MaxBytes == 0 {
		c.Hold.MaxBytes = DefaultHoldBytes
	}
	if c.Hold.MaxAge == 0 {
		c.Hold.MaxAge = DefaultHoldAge
	}
	if d.OnRefusal == Hold {
		c.hold = d.HoldStore
		if c.hold == nil {
			c.hold = NewMemoryHold(c.Hold)
		}
	}
	return c, nil
}
