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
	ids     *uuidV7
	keys    *keyer
	bufs    sync.Pool // of *[]byte scratch buffers
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
		ids:     newUUIDV7(),
		keys:    newKeyer(cfg.keySecret),
	}
	_, payloadOnly := sink.(PayloadOnly)
	c.withEvent = len(cfg.middleware) > 0 || !payloadOnly
	c.bufs.New = func() any { b := make([]byte, 0, 2048); return &b }
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
// and its bytes (payload, then partition key; the id and the key are views
// of those bytes, which never change) are carved from the Client's slabs
// (see arena), and the copy of the Event, when withEvent, is allocated.
// With fields not nil, the properties come from fields (TrackFields).
func (c *Client) encode(e *Event, fields []Field) (*Record, error) {
	now := c.cfg.clock()
	if e.OriginalTimestamp.IsZero() {
		e.OriginalTimestamp = now
	} else if e.OriginalTimestamp.After(now.Add(c.cfg.maxSkew)) {
		return nil, fieldError("originalTimestamp", "is more than "+c.cfg.maxSkew.String()+" ahead of the client clock: "+e.OriginalTimestamp.UTC().Format(time.RFC3339))
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
		if c.cfg.newID != nil {
			e.MessageID = c.cfg.newID()
			if e.MessageID == "" {
				return nil, fieldError("messageId", "the ID generator returned an empty id")
			}
		} else {
			c.ids.appendID(&idBuf, e.OriginalTimestamp)
			id = idBuf[:]
		}
	}

	bp := c.bufs.Get().(*[]byte)
	defer c.putBuf(bp)
	out, offs, err := encodeSegment((*bp)[:0], e, id, c.cfg.channels, fields)
	if err != nil {
		return nil, err
	}
	*bp = out // keep a buffer that grew for a large event
	n := len(out)
	if n > c.cfg.maxBytes {
		return nil, &SizeError{Size: n, Limit: c.cfg.maxBytes}
	}
	identity := e.UserID
	if identity == "" {
		identity = e.AnonymousID
	}
	// The Record keeps nothing the caller's Event points to: its strings
	// are copied after the payload and the partition key (see detach), so
	// that an Event and the maps in it, given to Track by value, can live
	// on the caller's stack.
	ext := 0
	if id == nil {
		ext += len(e.MessageID)
	}
	ext += len(e.UserID) + len(e.AnonymousID)
	a := c.arenas.Get().(*arena)
	b := a.bytes(n + 32 + ext)
	r := a.record()
	var ev *Event
	if c.withEvent {
		ev = new(Event)
		detachEvent(ev, e, a)
	}
	c.arenas.Put(a)
	copy(b, out[:n])
	if !c.keys.lookup(b[n:n+32], identity) {
		out = c.keys.appendInput(out, identity)
		if cap(out)-len(out) < 32 {
			out = append(out, make([]byte, 32)...)[:len(out)]
		}
		*bp = out
		c.keys.sum(b[n:n+32], out[n:])
		c.keys.remember(b[n:n+32], identity)
	}
	rest := b[n+32:]
	*r = Record{
		Type:         canonicalType(e.Type),
		Time:         detachTime(e.OriginalTimestamp),
		Category:     canonicalCategory(e.Category),
		PartitionKey: unsafe.String(&b[n], 32),
		Payload:      b[:n:n],
		keys:         c.keys,
	}
	if id != nil {
		r.ID = unsafe.String(&b[offs.id], len(idBuf))
	} else {
		r.ID, rest = carve(rest, e.MessageID)
	}
	r.UserID, rest = carve(rest, e.UserID)
	r.AnonymousID, _ = carve(rest, e.AnonymousID)
	r.mark(offs.ot, offs.ts)
	if ev != nil {
		ev.MessageID = r.ID
		if fields != nil {
			ev.Properties = fieldsProperties(fields, countProps(fields))
		}
		r.Event = ev
	}
	return r, nil
}

func (c *Client) putBuf(bp *[]byte) {
	if cap(*bp) <= 64<<10 {
		c.bufs.Put(bp)
	}
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
