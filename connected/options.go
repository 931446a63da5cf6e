package connected

import (
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Version is the version of this SDK, written into context.library.version
// unless WithLibrary says otherwise.
const Version = "0.1.0"

// LibraryName is the default context.library.name.
const LibraryName = "touchpoint-go"

// DefaultMaxEventBytes is the default limit on one encoded event: Segment's
// 32,000 bytes, the strictest of the CDPs and well inside CloudEvents' 64 KiB.
const DefaultMaxEventBytes = 32000

// DefaultMaxClockSkew is how far in the future, by the client's clock, an
// event's originalTimestamp may lie before it is rejected.
const DefaultMaxClockSkew = 24 * time.Hour

// Option configures a Client. Options are applied in order; the last wins.
type Option interface {
	apply(*config)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	library    Library
	channel    Channel
	clock      func() time.Time
	newID      func() string
	logger     *slog.Logger
	middleware []Middleware
	maxBytes   int
	maxSkew    time.Duration
	keySecret  []byte
	extraChans []Channel
	channels   *Channels
}

func newConfig(opts []Option) (*config, error) {
	c := &config{
		library:  Library{Name: LibraryName, Version: Version},
		clock:    wallNow,
		logger:   slog.New(slog.DiscardHandler),
		maxBytes: DefaultMaxEventBytes,
		maxSkew:  DefaultMaxClockSkew,
	}
	for _, o := range opts {
		if o == nil {
			return nil, errors.New("connected: nil Option")
		}
		o.apply(c)
	}
	switch {
	case c.clock == nil:
		return nil, errors.New("connected: WithClock: nil clock")
	case c.logger == nil:
		return nil, errors.New("connected: WithLogger: nil logger")
	case c.maxBytes < 256 || c.maxBytes > 16<<20:
		return nil, fmt.Errorf("connected: WithMaxEventBytes(%d): must be in [256, 16 MiB]", c.maxBytes)
	case c.maxSkew < 0:
		return nil, fmt.Errorf("connected: WithMaxClockSkew(%v): must be >= 0", c.maxSkew)
	}
	chans, err := NewChannels(c.extraChans...)
	if err != nil {
		return nil, fmt.Errorf("connected: WithChannels: %w", err)
	}
	c.channels = chans
	if err := chans.Check(c.channel); err != nil {
		return nil, fmt.Errorf("connected: WithChannel(%q): %w", c.channel, err)
	}
	for i, m := range c.middleware {
		if m == nil {
			return nil, fmt.Errorf("connected: WithMiddleware: middleware %d is nil", i)
		}
	}
	return c, nil
}

// WithLibrary sets context.library on events that do not set it themselves.
// Default: {touchpoint-go, Version}.
func WithLibrary(name, version string) Option {
	return optionFunc(func(c *config) { c.library = Library{Name: name, Version: version} })
}

// WithChannel sets context.channel on events that do not set it themselves.
// It must be a built-in channel or one registered with WithChannels.
// Default: none (the field is omitted).
func WithChannel(ch Channel) Option {
	return optionFunc(func(c *config) { c.channel = ch })
}

// WithChannels registers channels beyond the built-in ones (see
// Channels), for instance "service", "field", "contact_center", "email",
// "social". Events whose context.channel is neither empty nor registered
// are refused with a *ValidationError that suggests the nearest registered
// name. Names must match [a-z][a-z0-9_]* (at most 32 bytes, no "__", no
// trailing '_'); New returns a *ChannelNameError (ErrChannelName)
// otherwise. Options accumulate; registering a name twice, or a built-in
// name, is harmless. Default: the built-in channels only.
func WithChannels(names ...Channel) Option {
	n := append([]Channel(nil), names...)
	return optionFunc(func(c *config) { c.extraChans = append(c.extraChans, n...) })
}

// WithClock sets the clock that stamps originalTimestamp on events without
// one, and that the clock-skew check compares against. Default: the
// system's wall clock (time.Now's wall time, read without the monotonic
// clock, which the stamp does not need).
// Tests and examples use a fixed clock to get deterministic output.
func WithClock(now func() time.Time) Option {
	return optionFunc(func(c *config) { c.clock = now })
}

// WithIDGenerator sets the function that makes messageIds for events without
// one. It must be safe for concurrent use and return unique, non-empty,
// valid UTF-8 ids. Default: UUIDv7 (time-ordered), generated without
// allocating. A custom generator costs one allocation per event.
func WithIDGenerator(newID func() string) Option {
	return optionFunc(func(c *config) { c.newID = newID })
}

// WithLogger sets the logger. Default: a logger that discards everything.
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(c *config) { c.logger = l })
}

// WithMiddleware adds middleware between the client and its sink. The first
// middleware sees each record first. Options accumulate: two WithMiddleware
// options add both lists, in order.
func WithMiddleware(mw ...Middleware) Option {
	return optionFunc(func(c *config) { c.middleware = append(c.middleware, mw...) })
}

// WithMaxEventBytes sets the largest accepted encoded event, in bytes.
// Larger events are refused at emit with a *SizeError (ErrTooLarge).
// Default: DefaultMaxEventBytes (32,000). Valid: 256 to 16 MiB.
func WithMaxEventBytes(n int) Option {
	return optionFunc(func(c *config) { c.maxBytes = n })
}

// WithMaxClockSkew sets how far in the future an event's originalTimestamp
// may be, by the client's clock. Default: DefaultMaxClockSkew (24 h).
func WithMaxClockSkew(d time.Duration) Option {
	return optionFunc(func(c *config) { c.maxSkew = d })
}

// WithPartitionKeySecret makes partition keys keyed hashes (HMAC-SHA256) of
// the identity instead of plain SHA-256, so that a key seen on a broker
// cannot be matched against a list of known user ids. The slice is copied.
// Default: no secret.
func WithPartitionKeySecret(secret []byte) Option {
	s := append([]byte(nil), secret...)
	return optionFunc(func(c *config) { c.keySecret = s })
}
