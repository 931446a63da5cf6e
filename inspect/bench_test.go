package inspect_test

import (
	"context"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/inspect"
)

// BenchmarkTapMiddleware is the cost a tap adds to the pipeline per
// record: one small allocation and a few atomics, whether or not anyone
// watches.
func BenchmarkTapMiddleware(b *testing.B) {
	tap, err := inspect.NewTap()
	if err != nil {
		b.Fatal(err)
	}
	h := tap.Middleware("client")(connected.HandlerFunc(func(context.Context, *connected.Record) error { return nil }))
	r := &connected.Record{ID: "m", Payload: []byte(`{}`)}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		_ = h.Handle(ctx, r)
	}
}

func BenchmarkTapMiddlewareParallel(b *testing.B) {
	tap, err := inspect.NewTap()
	if err != nil {
		b.Fatal(err)
	}
	h := tap.Middleware("client")(connected.HandlerFunc(func(context.Context, *connected.Record) error { return nil }))
	r := &connected.Record{ID: "m", Payload: []byte(`{}`)}
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			_ = h.Handle(ctx, r)
		}
	})
}
