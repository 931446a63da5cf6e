package consent

import (
	"time"
)

// DefaultAuditCapacity is the number of audit entries a Router keeps in
// memory by default.
const DefaultAuditCapacity = 1024

// DefaultBiometricRetention is how long after its event time a record of
// connected.CategoryBiometric may still be routed by default: 24 hours.
// Attention aggregates are meant for the session and the day they describe,
// not for a profile; BIPA's three years is an outer bound, not a target.
const DefaultBiometricRetention = 24 * time.Hour

// Option configures a Router or a Gate. Options are applied in order; the
// last wins.
type Option interface {
	apply(*config)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	auditKey   []byte
	auditCap   int
	auditSink  func(AuditEntry)
	clock      func() time.Time
	eventClock bool
	onError    func(error)
	bioTTL     time.Duration
}

func newConfig(auditKey []byte, opts []Option) (*config, error) {
	c := &config{auditKey: append([]byte(nil), auditKey...), auditCap: DefaultAuditCapacity, clock: time.Now, bioTTL: DefaultBiometricRetention}
	for _, o := range opts {
		if o == nil {
			return nil, &ConfigError{Field: "Option", Reason: "is nil"}
		}
		o.apply(c)
	}
	switch {
	case len(c.auditKey) < 16:
		return nil, &ConfigError{Field: "auditKey", Reason: "an audit key of at least 16 bytes is required"}
	case c.auditCap < 0:
		return nil, &ConfigError{Field: "WithAuditCapacity", Reason: "must not be negative"}
	case c.clock == nil:
		return nil, &ConfigError{Field: "WithClock", Reason: "is nil"}
	case c.bioTTL <= 0:
		return nil, &ConfigError{Field: "WithBiometricRetention", Reason: "must be positive"}
	}
	return c, nil
}

// WithAuditKey replaces the audit key given to NewRouter or NewGate.
//
// Deprecated: the audit key is required, so it is now the auditKey
// parameter of NewRouter and NewGate; pass nil there only while this
// option still sets it. WithAuditKey will be removed in the next release.
func WithAuditKey(key []byte) Option {
	k := append([]byte(nil), key...)
	return optionFunc(func(c *config) { c.auditKey = k })
}

// WithAuditCapacity sets how many audit entries are kept in memory (the
// oldest are overwritten). Default DefaultAuditCapacity; 0 keeps none
// (use WithAuditSink).
func WithAuditCapacity(n int) Option {
	return optionFunc(func(c *config) { c.auditCap = n })
}

// WithAuditSink calls fn with every audit entry, synchronously, on the
// goroutine that made the decision. fn must be fast and safe for
// concurrent use. Default: none.
func WithAuditSink(fn func(AuditEntry)) Option {
	return optionFunc(func(c *config) { c.auditSink = fn })
}

// WithClock sets the clock that stamps audit entries and hold times and
// decides when holds expire. Default time.Now.
func WithClock(now func() time.Time) Option {
	return optionFunc(func(c *config) { c.clock = now })
}

// WithEventTimeClock makes "now" the latest event time the router has
// seen instead of the clock: a recorded stream then replays exactly,
// holds expiring at the same events. Default false.
func WithEventTimeClock(enabled bool) Option {
	return optionFunc(func(c *config) { c.eventClock = enabled })
}

// WithErrorHandler receives delivery errors that no caller can be told
// about: those of held records released when a ledger change arrives
// (Handle returns its own errors). They are counted either way. Default:
// none.
func WithErrorHandler(fn func(error)) Option {
	return optionFunc(func(c *config) { c.onError = fn })
}

// WithBiometricRetention sets how long after its event time a record of
// connected.CategoryBiometric may still be routed. A biometric record
// whose event time is more than d before the router's now (WithClock, or
// the latest event time with WithEventTimeClock) is dropped for every
// destination with ReasonExpired — when offered, and when it would be
// released from a hold — counted and audited. d must be positive; default
// DefaultBiometricRetention. Data already delivered is the destination's
// to expire: the attention package stamps each event's expires_at.
func WithBiometricRetention(d time.Duration) Option {
	return optionFunc(func(c *config) { c.bioTTL = d })
}
