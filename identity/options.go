package identity

import (
	"regexp"
	"strings"
)

// Option configures a Graph (New) or a Normalizer (NewNormalizer). Options
// are applied in order; for single-valued options the last wins.
type Option interface {
	apply(*config)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// ConsentMode says whether linking needs a recorded consent.
type ConsentMode uint8

// The consent modes.
const (
	// ConsentOptOut (the default): links are made unless an identifier of
	// the event has withdrawn linking consent (Graph.SetLinkConsent).
	ConsentOptOut ConsentMode = iota
	// ConsentOptIn: links are made only when an identifier of the event
	// holds a linking consent granted at or before the event, still in
	// force; and never when one of them has withdrawn it.
	ConsentOptIn
)

type config struct {
	region    string
	phone     PhoneNormalizer
	rules     []TypeRule
	blocked   []string
	patterns  []typedPattern
	consent   ConsentMode
	store     Store
	plaintext bool
	fanout    int
	phoneSet  bool
	unicode   UnicodeNormalizer
	onWarn    func(Warning)
	errs      []error
}

func newConfig(opts []Option) (*config, error) {
	c := &config{phone: builtinPhone{}, fanout: DefaultMaxFanout}
	for i, o := range opts {
		if o == nil {
			return nil, &ConfigError{Option: "option " + itoa(i), Reason: "nil Option"}
		}
		o.apply(c)
	}
	if len(c.errs) > 0 {
		return nil, c.errs[0]
	}
	if c.phone == nil {
		return nil, &ConfigError{Option: "WithPhoneNormalizer", Reason: "nil PhoneNormalizer"}
	}
	if c.region != "" && !knownRegion(c.region) {
		return nil, &ConfigError{Option: "WithDefaultRegion(" + safeRegion(c.region) + ")", Reason: "not a region code of the numbering plans"}
	}
	if c.fanout < 0 {
		return nil, &ConfigError{Option: "WithMaxFanout", Reason: "must be >= 0"}
	}
	if c.consent > ConsentOptIn {
		return nil, &ConfigError{Option: "WithConsentMode", Reason: "unknown mode"}
	}
	return c, nil
}

func (c *config) normalizer() (*Normalizer, error) {
	rs, err := newRuleSet(c.rules)
	if err != nil {
		return nil, err
	}
	return &Normalizer{rules: rs, region: c.region, phone: c.phone, blocked: newBlocklist(c.blocked, c.patterns),
		unicode: c.unicode, onWarn: c.onWarn}, nil
}

// WithDefaultRegion sets the ISO 3166-1 alpha-2 region (e.g. "US", "GB")
// for phone numbers written in national form. Default: none, so national
// numbers are invalid. It must be a region of the numbering plans
// (libphonenumber's list). The built-in normalizer reads national numbers
// of the regions NormalizePhone documents; for another region it still
// reads numbers in international form and refuses national ones, unless a
// PhoneNormalizer (identity/intl) is set.
func WithDefaultRegion(region string) Option {
	return optionFunc(func(c *config) { c.region = strings.ToUpper(strings.TrimSpace(region)) })
}

// WithPhoneNormalizer replaces the built-in phone normalizer (NormalizePhone)
// with p, e.g. an adapter over a full libphonenumber port.
func WithPhoneNormalizer(p PhoneNormalizer) Option {
	return optionFunc(func(c *config) { c.phone, c.phoneSet = p, true })
}

// WithRule adds a custom identifier type or replaces the rule of a built-in
// one. The rule is validated by the constructor (*ConfigError).
func WithRule(r TypeRule) Option {
	return optionFunc(func(c *config) { c.rules = append(c.rules, r) })
}

// WithBlockedValues adds placeholder values that never link, for every
// type, compared case-insensitively after trimming. The built-in list (see
// the package documentation) always applies.
func WithBlockedValues(values ...string) Option {
	vs := append([]string(nil), values...)
	return optionFunc(func(c *config) { c.blocked = append(c.blocked, vs...) })
}

// WithBlockedPattern blocks normalized values of type t (every type when t
// is empty) that match re.
func WithBlockedPattern(t Type, re *regexp.Regexp) Option {
	return optionFunc(func(c *config) {
		if re == nil {
			c.errs = append(c.errs, &ConfigError{Option: "WithBlockedPattern", Reason: "nil regexp"})
			return
		}
		c.patterns = append(c.patterns, typedPattern{t: t, re: re})
	})
}

// WithConsentMode sets whether linking needs a recorded consent. Default:
// ConsentOptOut.
func WithConsentMode(m ConsentMode) Option {
	return optionFunc(func(c *config) { c.consent = m })
}

// WithStore makes the graph persist every change to s before applying it,
// and load s when created. Default: nothing is persisted. The graph owns s
// from then on and closes it in Close.
func WithStore(s Store) Option {
	return optionFunc(func(c *config) {
		if s == nil {
			c.errs = append(c.errs, &ConfigError{Option: "WithStore", Reason: "nil Store"})
			return
		}
		c.store = s
	})
}

// WithPlaintext makes the graph keep the normalized value of every
// identifier next to its key, in memory and in its store, so that profiles
// and explanations show values. It holds personal data: leave it off (the
// default) to keep no plaintext at all.
func WithPlaintext() Option {
	return optionFunc(func(c *config) { c.plaintext = true })
}

// DefaultMaxFanout is the default fan-out limit: the most distinct person
// and personal-device identifiers one identifier may be seen with before it
// is quarantined (Segment caps a profile at 1,000 identifiers).
const DefaultMaxFanout = 1000

// WithMaxFanout sets the fan-out limit (see DefaultMaxFanout); 0 disables
// it. The per-type MaxPeople rule applies as well.
func WithMaxFanout(n int) Option {
	return optionFunc(func(c *config) { c.fanout = n })
}
