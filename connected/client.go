package connected

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// Client stamps, validates and encodes events once, into Records, and hands
// them to its middleware chain and sink.
//
// A Client is safe for concurrent use. It starts no goroutines of its own;
// its sink may (a transport.Batcher does), which is why Shutdown must be
// called. Every method takes a context first: the context bounds waiting (for
// queue space in a blocking sink, say), but once a record is accepted,
// cancelling the context does not abort its delivery. Every method returns
// ErrNilContext for a nil context, and does nothing else.
type Client struct {
	cfg     *config
	sink    Handler // the sink given to New: flushed and shut down
	handler Handler // the middleware chain ending in sink
	keys    *keyer
	lib     *libBlock // cfg.library, encoded
	arenas  sync.Pool // of *arena: slabs records and payloads are carved from
	// withEvent is whether records carry a copy of their Event: false only
	// when the sink is PayloadOnly and no middleware reads records first.
	withEvent bool

	closed   atomic.Bool
	inflight atomic.Int64
}

// New returns a Client that emits into sink through the middleware given by
// WithMiddleware. It returns an error if sink is nil or an option is invalid.
//
// Call Shutdown when done: it waits for calls in flight, then flushes and
// shuts down sink if sink implements Shutdowner.
func New(sink Handler, opts ...Option) (*Client, error) {
	if sink == nil {
		return nil, errors.New("connected: New: nil sink")
	}
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	c := &Client{
		cfg:     cfg,
		sink:    sink,
		handler: Chain(sink, cfg.middleware...),
		keys:    newKeyer(cfg.keySecret),
		lib:     newLibBlock(cfg.library),
	}
	_, payloadOnly := sink.(PayloadOnly)
	c.withEvent = len(cfg.middleware) > 0 || !payloadOnly
	c.arenas.New = func() any { return new(arena) }
	return c, nil
}

// Track emits a track event: something a customer did, e.g. "Order
// Completed" or "Zone Entered". e.Type may be empty or TypeTrack.
func (c *Client) Track(ctx context.Context, e Event) error { return c.typed(ctx, TypeTrack, &e) }

// Identify emits an identify event: who the customer is (userId, traits).
func (c *Client) Identify(ctx context.Context, e Event) error {
	return c.typed(ctx, TypeIdentify, &e)
}

// Page emits a page event: a web page view, named by e.Name.
func (c *Client) Page(ctx context.Context, e Event) error { return c.typed(ctx, TypePage, &e) }

// Screen emits a screen event: an app screen view, named by e.Name.
func (c *Client) Screen(ctx context.Context, e Event) error { return c.typed(ctx, TypeScreen, &e) }

// Group emits a group event: the customer belongs to e.GroupID (a household,
// an account).
func (c *Client) Group(ctx context.Context, e Event) error { return c.typed(ctx, TypeGroup, &e) }

// Alias emits an alias event: e.PreviousID and e.UserID are the same person.
func (c *Client) Alias(ctx context.Context, e Event) error { return c.typed(ctx, TypeAlias, &e) }

// Emit emits an event of any type; e.Type must be set. It stamps
// MessageID (UUIDv7 unless WithIDGenerator) and OriginalTimestamp (the
// client's clock) when they are empty, fills context.library and
// context.channel from the options when they are empty, validates, and
// encodes. It returns a *ValidationError (ErrInvalidEvent) for an invalid
// event, a *SizeError (ErrTooLarge) for one over the size limit, ErrClosed
// after Shutdown, ErrNilContext for a nil ctx, or the sink's error. Nothing
// is fixed silently.
func (c *Client) Emit(ctx context.Context, e Event) error {
	if ctx == nil {
		return nilContext("Client.Emit")
	}
	return c.emit(ctx, &e)
}

func (c *Client) typed(ctx context.Context, t Type, e *Event) error {
	if ctx == nil {
		return nilContext("Client." + typeMethod(t))
	}
	if e.Type != "" && e.Type != t {
		return fieldError("type", "is "+sanitize(string(e.Type))+" but the method emits "+string(t))
	}
	e.Type = t
	return c.emit(ctx, e)
}

func (c *Client) emit(ctx context.Context, e *Event) error {
	c.inflight.Add(1)
	defer c.inflight.Add(-1)
	if c.closed.Load() {
		return ErrClosed
	}
	r, err := c.encode(e, nil)
	if err != nil {
		return err
	}
	return c.handler.Handle(ctx, r)
}

// encode stamps, validates and encodes e into a new Record: the Record
// and its bytes (payload, then partition key, then the ids the Record
// keeps; the id and the key are views of those bytes, which never change)
// are carved from the Client's slabs (see arena), the payload encoded in
// place, and the copy of the Event, when withEvent, is allocated. With
// fields not nil, the properties come from fields (TrackFields).
func (c *Client) encode(e *Event, fields []Field) (*Record, error) {
	return c.encodeAt(e, fields, c.cfg.clock(), nil)
}

// encodeAt is encode with the clock read (now), and, when uuid is not
// nil, the UUIDv7 generated for an event whose MessageID is empty: the
// fast path, falling back, passes what it already did.
func (c *Client) encodeAt(e *Event, fields []Field, now time.Time, uuid *[36]byte) (*Record, error) {
	if e.OriginalTimestamp.IsZero() {
		e.OriginalTimestamp = now
	} else if e.OriginalTimestamp.After(now.Add(c.cfg.maxSkew)) {
		return nil, skewError(c.cfg.maxSkew, e.OriginalTimestamp)
	}
	if e.Context.Library == (Library{}) {
		e.Context.Library = c.cfg.library
	}
	if e.Context.Channel == "" {
		e.Context.Channel = c.cfg.channel
	}
	e.Category = canonicalCategory(e.Category) // OrDefault, without pointing into the caller's string

	var idBuf [36]byte
	var id []byte
	if e.MessageID == "" {
		switch {
		case uuid != nil:
			id = uuid[:]
		case c.cfg.newID != nil:
			e.MessageID = c.cfg.newID()
			if e.MessageID == "" {
				return nil, errEmptyGeneratedID()
			}
		default:
			appendUUIDV7(&idBuf, e.OriginalTimestamp.UnixMilli())
			id = idBuf[:]
		}
	}

	a := c.arenas.Get().(*arena)
	out, offs, err := encodeSegment(a.room(), e, id, c.cfg.channels, fields, c.lib)
	if err != nil {
		c.arenas.Put(a)
		return nil, err
	}
	if n := len(out); n > c.cfg.maxBytes {
		c.arenas.Put(a)
		return nil, &SizeError{Size: n, Limit: c.cfg.maxBytes}
	}
	h := recordHead{typ: e.Type, time: e.OriginalTimestamp, cat: e.Category, idOff: -1,
		userID: e.UserID, anonID: e.AnonymousID, ot: offs.ot, ts: offs.ts}
	if id != nil {
		h.idOff = offs.id
	} else {
		h.msgID = e.MessageID
	}
	r := c.finish(a, out, &h)
	if c.withEvent {
		ev := new(Event)
		detachEvent(ev, e, a)
		ev.MessageID = r.ID
		if fields != nil {
			ev.Properties = fieldsProperties(fields, countProps(fields))
		}
		r.Event = ev
	}
	c.arenas.Put(a)
	return r, nil
}

// skewError refuses an originalTimestamp too far ahead of the clock.
func skewError(maxSkew time.Duration, t time.Time) error {
	return fieldError("originalTimestamp", "is more than "+maxSkew.String()+" ahead of the client clock: "+t.UTC().Format(time.RFC3339))
}

// errEmptyGeneratedID refuses the empty id from WithIDGenerator.
func errEmptyGeneratedID() error {
	return fieldError("messageId", "the ID generator returned an empty id")
}

// recordHead is what a Record holds besides its bytes, as the encoder
// decided it.
type recordHead struct {
	typ            Type
	time           time.Time // originalTimestamp
	cat            Category  // valid, not empty
	msgID          string    // the messageId when not generated
	idOff          int       // offset of the generated UUID in the payload; -1 for msgID
	userID, anonID string
	ot, ts         int // offsets of the time keys (segOffsets)
}

// finish makes the Record of out, an event just encoded into a.room():
// it claims the payload's bytes and, after them, the partition key's and
// copies of the strings the Record keeps (the Record keeps nothing the
// caller's Event points to, so that an Event and the maps in it, given to
// Track by value, can live on the caller's stack), and takes the Record
// from the slab. The caller puts a back.
func (c *Client) finish(a *arena, out []byte, h *recordHead) *Record {
	n := len(out)
	ext := 32 + len(h.userID) + len(h.anonID)
	if h.idOff < 0 {
		ext += len(h.msgID)
	}
	b := a.claim(out, ext)
	identity := h.userID
	if identity == "" {
		identity = h.anonID
	}
	if !c.keys.lookup(b[n:n+32], identity) {
		// hash in the chunk's free part: scratch until the next event
		in := c.keys.appendInput(a.room(), identity)
		if cap(in)-len(in) < 32 {
			in = append(in, make([]byte, 32)...)[:len(in)]
		}
		c.keys.sum(b[n:n+32], in)
		c.keys.remember(b[n:n+32], identity)
	}
	r := a.record()
	// field by field: the slab's Record is zero, and a composite literal
	// would be built on the stack and copied with bulk write barriers
	r.Type = canonicalType(h.typ)
	r.Time = detachTime(h.time)
	r.Category = canonicalCategory(h.cat)
	r.PartitionKey = unsafe.String(&b[n], 32)
	r.Payload = b[:n:n]
	r.keys = c.keys
	rest := b[n+32:]
	if h.idOff >= 0 {
		r.ID = unsafe.String(&b[h.idOff], 36)
	} else {
		r.ID, rest = carve(rest, h.msgID)
	}
	r.UserID, rest = carve(rest, h.userID)
	r.AnonymousID, _ = carve(rest, h.anonID)
	r.mark(h.ot, h.ts)
	return r
}

// Flush asks the sink to deliver everything accepted so far, if it buffers
// (implements Flusher). It returns when done or when ctx is done, and
// ErrNilContext (doing nothing) for a nil ctx.
func (c *Client) Flush(ctx context.Context) error {
	if ctx == nil {
		return nilContext("Client.Flush")
	}
	if c.closed.Load() {
		return ErrClosed
	}
	if f, ok := c.sink.(Flusher); ok {
		return f.Flush(ctx)
	}
	return nil
}

// Shutdown stops accepting events (later calls return ErrClosed), waits for
// calls in flight, then shuts down the sink if it implements Shutdowner. It
// is bounded by ctx and idempotent: calling it again, after a timeout say,
// waits again and gives the sink another chance to drain. A nil ctx returns
// ErrNilContext and changes nothing: a later Shutdown still drains.
func (c *Client) Shutdown(ctx context.Context) error {
	if ctx == nil {
		return nilContext("Client.Shutdown")
	}
	if !c.closed.Swap(true) {
		c.cfg.logger.LogAttrs(ctx, slog.LevelDebug, "connected: shutting down")
	}
	if err := c.waitIdle(ctx); err != nil {
		return err
	}
	if s, ok := c.sink.(Shutdowner); ok {
		return s.Shutdown(ctx)
	}
	return nil
}

// waitIdle waits until no Emit call is in flight. Calls that start after
// closed is set return at once, so the count only falls.
func (c *Client) waitIdle(ctx context.Context) error {
	if c.inflight.Load() == 0 {
		return nil
	}
	t := time.NewTicker(time.Millisecond)
	defer t.Stop()
	for c.inflight.Load() != 0 {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
	return nil
}

// typeMethod names the Client method that emits events of type t.
func typeMethod(t Type) string {
	switch t {
	case TypeTrack:
		return "Track"
	case TypeIdentify:
		return "Identify"
	case TypePage:
		return "Page"
	case TypeScreen:
		return "Screen"
	case TypeGroup:
		return "Group"
	case TypeAlias:
		return "Alias"
	}
	return "Emit"
}
