package inspect

import (
	"context"
	"net/http"
	"time"

	"github.com/touchpoint-sdk/touchpoint/beacon"
	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
	"github.com/touchpoint-sdk/touchpoint/identity"
	"github.com/touchpoint-sdk/touchpoint/transport"
)

// Defaults of the Handler's options.
const (
	DefaultSampleInterval = 5 * time.Second
	DefaultHistory        = 360 // samples: 30 minutes at the default interval
	DefaultMaxStreams     = 16
)

// Decisions is where the decisions page reads per-destination consent
// decisions: a *consent.Router satisfies it. Both methods are called on
// request goroutines, concurrently with the pipeline, and must be safe for
// that.
type Decisions interface {
	Stats() []consent.DestinationStats
	Audit() []consent.AuditEntry
}

// Explainer answers the identity page: an *identity.Graph satisfies it.
// Explain is called on request goroutines and must be safe for that.
type Explainer interface {
	Explain(a, b identity.Identifier) (*identity.Explanation, error)
}

// Option configures a Handler. Options are sealed: only this package
// makes them.
type Option interface{ apply(*config) error }

type optionFunc func(*config) error

func (f optionFunc) apply(c *config) error { return f(c) }

type statsSource struct {
	name string
	f    func() transport.Stats
}

type config struct {
	tap        *Tap
	decisions  Decisions
	stats      []statsSource
	zones      func(context.Context) (beacon.Snapshot, error)
	plans      []Plan
	explainer  Explainer
	audiences  func(context.Context) (map[string]int, error)
	pseudo     *connected.Pseudonymizer
	reveal     func(*http.Request) bool
	interval   time.Duration
	history    int
	maxStreams int
	clock      func() time.Time
}

// WithTap shows the records t recorded on the events page, live.
func WithTap(t *Tap) Option {
	return optionFunc(func(c *config) error {
		if t == nil {
			return &ConfigError{Field: "WithTap", Reason: "is nil"}
		}
		c.tap = t
		return nil
	})
}

// WithDecisions shows d's per-destination counters and recent refusals
// (with their reasons) on the decisions page.
func WithDecisions(d Decisions) Option {
	return optionFunc(func(c *config) error {
		if d == nil {
			return &ConfigError{Field: "WithDecisions", Reason: "is nil"}
		}
		c.decisions = d
		return nil
	})
}

// WithStats adds a delivery component to the charts page under name: a
// transport.Batcher's, Retry's, HTTP's or spool.Spool's Stats method, say.
// f is sampled every sample interval on the Handler's sampler goroutine and
// must be safe for concurrent use. Names must be unique and non-empty.
func WithStats(name string, f func() transport.Stats) Option {
	return optionFunc(func(c *config) error {
		if name == "" || f == nil {
			return &ConfigError{Field: "WithStats", Reason: "needs a name and a function"}
		}
		for _, s := range c.stats {
			if s.name == name {
				return &ConfigError{Field: "WithStats", Reason: "name " + quote(name) + " is used twice"}
			}
		}
		c.stats = append(c.stats, statsSource{name, f})
		return nil
	})
}

// WithZones shows zone occupancy on the zones page: snapshot is called per
// request (with the request's context) and returns a beacon.Tracker's
// Snapshot. A Tracker is not safe for concurrent use, so snapshot must take
// whatever lock guards it. Each Plan draws the zones it places on a store
// plan; zones on no plan are listed in a table. Invalid plans get a
// *ConfigError (see Plan).
func WithZones(snapshot func(context.Context) (beacon.Snapshot, error), plans ...Plan) Option {
	return optionFunc(func(c *config) error {
		if snapshot == nil {
			return &ConfigError{Field: "WithZones", Reason: "snapshot function is nil"}
		}
		for i := range plans {
			if err := plans[i].validate(i); err != nil {
				return err
			}
		}
		c.zones, c.plans = snapshot, append([]Plan(nil), plans...)
		return nil
	})
}

// WithExplainer enables the identity page, which draws e's explanation of
// whether two identifiers are one profile, and why, as a graph.
func WithExplainer(e Explainer) Option {
	return optionFunc(func(c *config) error {
		if e == nil {
			return &ConfigError{Field: "WithExplainer", Reason: "is nil"}
		}
		c.explainer = e
		return nil
	})
}

// WithAudiences shows audience sizes on the audiences page: counts is
// called per request, with the request's context, and returns the number
// of profiles in each audience by audience name.
func WithAudiences(counts func(context.Context) (map[string]int, error)) Option {
	return optionFunc(func(c *config) error {
		if counts == nil {
			return &ConfigError{Field: "WithAudiences", Reason: "is nil"}
		}
		c.audiences = counts
		return nil
	})
}

// WithPseudonymizer sets the Pseudonymizer that turns identifiers into the
// pseudonyms the pages show, so that they match the pseudonyms the rest of
// the deployment emits. By default the Handler makes one with a random key
// of its own: pseudonyms are then stable for the Handler's lifetime and
// link to nothing outside it.
func WithPseudonymizer(p *connected.Pseudonymizer) Option {
	return optionFunc(func(c *config) error {
		if p == nil {
			return &ConfigError{Field: "WithPseudonymizer", Reason: "is nil"}
		}
		c.pseudo = p
		return nil
	})
}

// WithReveal lets identifiers be shown in the clear, and event properties
// and traits in full, to the requests for which reveal returns true (called
// after the authorisation hook allowed the request). Without it every
// request sees pseudonyms and property names only.
func WithReveal(reveal func(*http.Request) bool) Option {
	return optionFunc(func(c *config) error {
		if reveal == nil {
			return &ConfigError{Field: "WithReveal", Reason: "is nil"}
		}
		c.reveal = reveal
		return nil
	})
}

// WithSampling sets how often the charts' sources are sampled (default
// DefaultSampleInterval, at least 100ms) and how many samples are kept
// (default DefaultHistory, 2 to 100000).
func WithSampling(interval time.Duration, history int) Option {
	return optionFunc(func(c *config) error {
		if interval < 100*time.Millisecond || history < 2 || history > 100000 {
			return &ConfigError{Field: "WithSampling", Reason: "needs an interval of at least 100ms and 2 to 100000 samples"}
		}
		c.interval, c.history = interval, history
		return nil
	})
}

// WithMaxStreams bounds the live event streams open at once (default
// DefaultMaxStreams, 1 to 1024); a request for one more gets 503.
func WithMaxStreams(n int) Option {
	return optionFunc(func(c *config) error {
		if n < 1 || n > 1024 {
			return &ConfigError{Field: "WithMaxStreams", Reason: "must be 1 to 1024"}
		}
		c.maxStreams = n
		return nil
	})
}

// WithClock sets the clock that stamps samples and pages (default
// time.Now).
func WithClock(now func() time.Time) Option {
	return optionFunc(func(c *config) error {
		if now == nil {
			return &ConfigError{Field: "WithClock", Reason: "is nil"}
		}
		c.clock = now
		return nil
	})
}
