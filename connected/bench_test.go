package connected_test

import (
	"context"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// discard is a sink that accepts and forgets records.
var discard = connected.HandlerFunc(func(context.Context, *connected.Record) error { return nil })

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
	c, err := connected.New(discard)
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
