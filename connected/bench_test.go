package connected_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// discard is a sink that accepts and forgets records. It is not
// PayloadOnly, so the records it gets carry their Event.
var discard = connected.HandlerFunc(func(context.Context, *connected.Record) error { return nil })

// discardPayload is a PayloadOnly sink that accepts and forgets records, as
// a transport.Batcher with no middleware before it is.
type discardPayload struct{}

func (discardPayload) Handle(context.Context, *connected.Record) error { return nil }
func (discardPayload) PayloadOnly()                                    {}

func benchEvent() connected.Event {
	return connected.Event{
		UserID: "user-8421",
		Event:  connected.EventProductAddedToWishlist,
		Properties: connected.Properties{
			"product_id": "boot-1207",
			"name":       "Trail boot",
			"price":      129.95,
			"quantity":   1,
			"in_stock":   true,
		},
		Context: connected.Context{Channel: connected.ChannelWeb},
	}
}

// BenchmarkTrack measures Client.Track end to end: stamp, validate, encode
// into a Record, hand to a sink that does nothing.
func BenchmarkTrack(b *testing.B) {
	c, err := connected.New(discardPayload{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	e := benchEvent()
	b.ReportAllocs()
	for b.Loop() {
		if err := c.Track(ctx, e); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTrackKeepEvent is BenchmarkTrack into a sink that is not
// PayloadOnly (middleware, say): each record carries a copy of its Event.
func BenchmarkTrackKeepEvent(b *testing.B) {
	c, err := connected.New(discard)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	e := benchEvent()
	b.ReportAllocs()
	for b.Loop() {
		if err := c.Track(ctx, e); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTrackParallel is BenchmarkTrack from GOMAXPROCS goroutines.
func BenchmarkTrackParallel(b *testing.B) {
	c, err := connected.New(discardPayload{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		e := benchEvent()
		for pb.Next() {
			if err := c.Track(ctx, e); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkEncodeSegment measures AppendSegment into a reused buffer.
func BenchmarkEncodeSegment(b *testing.B) {
	e := benchEvent()
	e.Type = connected.TypeTrack
	e.MessageID = "0190c4a2-7b3e-7d4c-9f00-2b8e5c1d0a77"
	e.OriginalTimestamp = time.Date(2026, 11, 24, 10, 30, 0, 0, time.UTC)
	buf := make([]byte, 0, 1024)
	b.ReportAllocs()
	for b.Loop() {
		out, err := connected.AppendSegment(buf[:0], &e)
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(len(out)))
	}
}

// benchRecords returns n records of benchEvent made by a client.
func benchRecords(b *testing.B, n int) []*connected.Record {
	var recs []*connected.Record
	sink := connected.HandlerFunc(func(_ context.Context, r *connected.Record) error {
		recs = append(recs, r)
		return nil
	})
	c, err := connected.New(sink)
	if err != nil {
		b.Fatal(err)
	}
	for range n {
		if err := c.Track(context.Background(), benchEvent()); err != nil {
			b.Fatal(err)
		}
	}
	return recs
}

// BenchmarkEncodeCloudEvents measures framing one record as a structured
// CloudEvent (the payload is copied, not re-encoded).
func BenchmarkEncodeCloudEvents(b *testing.B) {
	r := benchRecords(b, 1)[0]
	o := connected.CloudEventsOptions{Source: "urn:touchpoint:store:12:gateway:3"}
	buf := make([]byte, 0, 2048)
	b.ReportAllocs()
	for b.Loop() {
		out, err := connected.AppendCloudEvent(buf[:0], r, o)
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(len(out)))
	}
}

// BenchmarkEncodeCloudEventsBatch measures a 100-record CloudEvents batch.
func BenchmarkEncodeCloudEventsBatch(b *testing.B) {
	recs := benchRecords(b, 100)
	o := connected.CloudEventsOptions{Source: "urn:touchpoint:store:12:gateway:3"}
	buf := make([]byte, 0, 128<<10)
	b.ReportAllocs()
	for b.Loop() {
		out, err := connected.AppendCloudEventsBatch(buf[:0], recs, o)
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(len(out)))
	}
}

// BenchmarkEncodeSegmentBatch measures a 100-record /v1/batch body.
func BenchmarkEncodeSegmentBatch(b *testing.B) {
	benchBatch(b, benchRecords(b, 100), connected.AppendSegmentBatch)
}

// BenchmarkEncodeSegmentBatchUnmarked is BenchmarkEncodeSegmentBatch for
// records whose payloads are not the encoder's (read back from a broker,
// or from a spool of version-2 frames): each payload is scanned for its
// top-level keys.
func BenchmarkEncodeSegmentBatchUnmarked(b *testing.B) {
	recs := benchRecords(b, 100)
	for i, r := range recs {
		c := *r
		c.Payload = bytes.Clone(r.Payload)
		recs[i] = &c
	}
	benchBatch(b, recs, connected.AppendSegmentBatch)
}

// BenchmarkEncodeRudderStackBatch measures a 100-record RudderStack
// /v1/batch body (channel and sentAt spliced into every message).
func BenchmarkEncodeRudderStackBatch(b *testing.B) {
	benchBatch(b, benchRecords(b, 100), connected.AppendRudderStackBatch)
}

// benchBatch measures framing recs into one request body with appendBatch.
func benchBatch(b *testing.B, recs []*connected.Record, appendBatch func([]byte, []*connected.Record, time.Time) ([]byte, error)) {
	buf := make([]byte, 0, 128<<10)
	sentAt := time.Date(2026, 11, 24, 10, 30, 5, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		out, err := appendBatch(buf[:0], recs, sentAt)
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(len(out)))
	}
}

// BenchmarkDecodeSegment measures decoding one message back into an Event.
func BenchmarkDecodeSegment(b *testing.B) {
	payload := benchRecords(b, 1)[0].Payload
	b.ReportAllocs()
	for b.Loop() {
		if _, err := connected.DecodeSegment(payload); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTrackFields is BenchmarkTrack through the typed-field fast path
// (Client.TrackFields): the same event, no Properties map. It measures one
// call into a PayloadOnly sink that drops the record at once: the clock
// read, the UUIDv7, validation, encoding into the slab chunk, the
// partition key (cached after the first call) and the Record, plus the
// amortised cost of the slab memory (about 640 B/op, reported as B/op
// with 0 allocs/op) and of collecting it. Records are not recycled: a
// Handler may keep them (a Batcher hands them to failure callbacks), so a
// real Batcher's steady state allocates the same bytes; with this
// benchmark's tiny live heap the collector runs far more often than in a
// service, which makes the figure an upper bound.
func BenchmarkTrackFields(b *testing.B) {
	c, err := connected.New(discardPayload{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := c.TrackFields(ctx, connected.EventProductAddedToWishlist, connected.UserID("user-8421"),
			connected.String("product_id", "boot-1207"), connected.String("name", "Trail boot"),
			connected.Float("price", 129.95), connected.Int("quantity", 1), connected.Bool("in_stock", true),
			connected.FromChannel(connected.ChannelWeb)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTrackFieldsParallel is BenchmarkTrackFields from GOMAXPROCS
// goroutines.
func BenchmarkTrackFieldsParallel(b *testing.B) {
	c, err := connected.New(discardPayload{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := c.TrackFields(ctx, connected.EventProductAddedToWishlist, connected.UserID("user-8421"),
				connected.String("product_id", "boot-1207"), connected.String("name", "Trail boot"),
				connected.Float("price", 129.95), connected.Int("quantity", 1), connected.Bool("in_stock", true),
				connected.FromChannel(connected.ChannelWeb)); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkPartitionKey is the one-shot keyed PartitionKey: an HMAC built
// per call.
func BenchmarkPartitionKey(b *testing.B) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	b.ReportAllocs()
	for b.Loop() {
		_ = connected.PartitionKey(secret, "profile-123456")
	}
}

// BenchmarkPartitionKeyer is the same key from a PartitionKeyer, the
// identity keyed recently (the cache hit of a run of one person's events).
func BenchmarkPartitionKeyer(b *testing.B) {
	k := connected.NewPartitionKeyer([]byte("0123456789abcdef0123456789abcdef"))
	b.ReportAllocs()
	for b.Loop() {
		_ = k.Key("profile-123456")
	}
}
