package spool_test

import (
	"context"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport"
	"github.com/touchpoint-sdk/touchpoint/transport/spool"
)

// BenchmarkSpoolAppendAndDrain: one op is one record appended (in batches of
// 500) and drained to a sender that discards.
func BenchmarkSpoolAppendAndDrain(b *testing.B) {
	sp, err := spool.Open(b.TempDir(), transport.SenderFunc(func(context.Context, []*connected.Record) error { return nil }),
		spool.WithOverflow(transport.OverflowBlock))
	if err != nil {
		b.Fatal(err)
	}
	batch := recs(0, 500)
	ctx := context.Background()
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		if n%500 == 0 {
			if err := sp.Send(ctx, batch); err != nil {
				b.Fatal(err)
			}
		}
		n++
	}
	if err := sp.Shutdown(ctx); err != nil {
		b.Fatal(err)
	}
}

func BenchmarkAppendFrame(b *testing.B) {
	r := rec(1)
	buf := make([]byte, 0, 4096)
	b.ReportAllocs()
	for b.Loop() {
		buf, _ = spool.AppendFrame(buf[:0], r)
	}
}
