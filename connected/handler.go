package connected

import "context"

// Handler receives the records the Client emits. It is the one interface of
// the pipeline: middleware, routers and transports (transport.Batcher)
// implement it.
//
// Handle may be called concurrently from many goroutines. The record and its
// Payload are immutable once handed over: a Handler may keep the pointer, but
// must not modify it; middleware that wants to change a record copies it
// (r2 := *r) and passes the copy on. Handle honours ctx only while it waits
// (for queue space, say); once it has accepted the record, cancelling ctx does
// not abort delivery. An error means the record was not accepted.
type Handler interface {
	Handle(ctx context.Context, r *Record) error
}

// HandlerFunc adapts a function to a Handler.
type HandlerFunc func(ctx context.Context, r *Record) error

// Handle calls f(ctx, r).
func (f HandlerFunc) Handle(ctx context.Context, r *Record) error { return f(ctx, r) }

// Middleware wraps a Handler, like net/http middleware: identity stitching,
// the consent gate and enrichment are middleware.
type Middleware func(next Handler) Handler

// Chain wraps h in the middleware so that mw[0] sees a record first.
func Chain(h Handler, mw ...Middleware) Handler {
	for i := len(mw) - 1; i >= 0; i-- {
		h = mw[i](h)
	}
	return h
}

// PayloadOnly is implemented by a Handler that reads only a record's encoded
// fields (ID, Type, Time, Category, PartitionKey, ProfileID, UserID,
// AnonymousID, Payload) and never Record.Event: transports, which frame
// bytes. A Client with no middleware whose sink is PayloadOnly leaves
// Record.Event nil, which saves a copy of every event and keeps its maps
// from living on in the queue. The method has no behaviour; it is a promise.
type PayloadOnly interface {
	Handler
	PayloadOnly()
}

// Flusher is implemented by handlers that buffer: Flush delivers everything
// accepted so far, or returns when ctx is done.
type Flusher interface {
	Flush(ctx context.Context) error
}

// Shutdowner is implemented by handlers that own resources. Shutdown flushes,
// releases them, and is idempotent; it returns when done or when ctx is done.
type Shutdowner interface {
	Shutdown(ctx context.Context) error
}
