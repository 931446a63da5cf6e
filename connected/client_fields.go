package connected

import (
	"context"
	"time"
)

// TrackFields emits a track event named name, built from typed fields: the
// fast path. Properties come from String, Int, Float, Bool, Time, ... and
// the event's own fields from UserID, AnonymousID, MessageID, OccurredAt,
// FromChannel, DataCategory, PlaceID, Zone and DeviceID:
//
//	err := c.TrackFields(ctx, connected.EventOrderCompleted,
//		connected.UserID(u), connected.String("order_id", id), connected.Float("revenue", 9.99))
//
// The payload is byte for byte what Track writes for the same event given
// with a Properties map (keys sorted the same way), and the Record is the
// same. Into a PayloadOnly sink (a transport.Batcher with no middleware in
// front of it) it allocates nothing per event in steady state: no map, no
// boxed values, and the Record and its bytes come from slabs shared by many
// events. With middleware (or a sink that is not PayloadOnly) the Record
// carries an Event whose Properties map is built from the fields.
//
// It stamps, validates and reports errors as Emit does. A field given
// twice (a property key, or UserID, say) is refused with a
// *ValidationError naming it, as is the zero Field. TrackFields does not
// keep fields or anything they point to, except the strings, which the
// Record may share. It is safe for concurrent use; it returns ErrNilContext
// for a nil ctx and ErrClosed after Shutdown.
func (c *Client) TrackFields(ctx context.Context, name string, fields ...Field) error {
	if ctx == nil {
		return nilContext("Client.TrackFields")
	}
	c.inflight.Add(1)
	defer c.inflight.Add(-1)
	if c.closed.Load() {
		return ErrClosed
	}
	var r *Record
	var err error
	if c.withEvent {
		r, err = c.trackFieldsEvent(name, fields, false, time.Time{}, "", nil)
	} else {
		r, err = c.trackFields(name, fields)
	}
	if err != nil {
		return err
	}
	return c.handler.Handle(ctx, r)
}

// countProps counts the property fields.
func countProps(fields []Field) int {
	n := 0
	for i := range fields {
		if fields[i].isProp() {
			n++
		}
	}
	return n
}
