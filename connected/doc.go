// Package connected is the heart of Touchpoint: the one canonical Event for
// every customer touchpoint, digital or physical, its wire encodings, and
// the Client that emits it.
//
// # The event
//
// An Event is shaped like a Segment-spec message (track, identify, page,
// screen, group, alias), so it drops into Segment, RudderStack and every
// Segment-compatible CDP unchanged. The physical world lives in the same
// shape: Context.Channel says where it happened (web, store, pos, wearable,
// vehicle, ...), Context.Location carries the store and the zone, and
// physical happenings are track events with a fixed vocabulary
// (EventZoneEntered, EventWorkoutCompleted, EventVehicleApproaching, ...)
// next to the e-commerce v2 names (EventOrderCompleted, ...). Every event has
// a data Category (behavioral by default; location, health, identity, ...)
// that routing uses: health data never reaches a marketing destination.
//
// # Encode once
//
// The Client stamps (messageId as UUIDv7, originalTimestamp from its clock),
// validates and encodes each event exactly once, at emit time, into a Record:
// the Segment JSON bytes plus the fields transports need (id, type, time,
// category, hashed partition key). Everything downstream moves records and
// frames their bytes (AppendSegmentBatch, AppendCloudEventsBatch,
// CloudEventAttributes); nobody re-marshals. Track costs two allocations.
//
// # The pipeline
//
// A Client hands records to a Handler. Middleware (func(Handler) Handler)
// sits in between: identity stitching, the consent gate, enrichment. The sink
// at the end is usually a transport.Batcher.
//
//	var (
//		ctx    context.Context
//		sender transport.Sender     // HTTP, a file, a broker
//		ids    *identity.Middleware // identity.NewMiddleware(graph)
//		gate   *consent.Gate        // consent.NewGate(ledger, auditKey, destination)
//	)
//	sink, _ := transport.NewBatcher(sender)
//	c, _ := connected.New(sink, connected.WithMiddleware(ids.Middleware(), gate.Middleware()))
//	defer c.Shutdown(ctx)
//	err := c.Track(ctx, connected.Event{UserID: "user-42", Event: connected.EventOrderCompleted})
//
// # Contracts
//
// Client methods are safe for concurrent use and take a context first; the
// context bounds waiting, but cancelling it does not abort a record that was
// accepted. Invalid events are refused with a *ValidationError naming the
// field (errors.Is(err, ErrInvalidEvent)); oversized ones with a *SizeError
// (ErrTooLarge); nothing is fixed silently. After Shutdown, every call
// returns ErrClosed. Records and their payloads are immutable once emitted.
// The package has no globals and reads no environment.
package connected
