package transport_test

import (
	"bytes"
	stdgzip "compress/gzip"
	"context"
	"strconv"
	"testing"
	"time"

	kgzip "github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/touchpoint-sdk/touchpoint/connected"
)

// benchBody is a full Segment /v1/batch body of n records of the benchmark
// module's workload (user-(i%1000), bench_evt, four properties).
func benchBody(b *testing.B, n int) []byte {
	var recs []*connected.Record
	c, err := connected.New(connected.HandlerFunc(func(_ context.Context, r *connected.Record) error {
		recs = append(recs, r)
		return nil
	}))
	if err != nil {
		b.Fatal(err)
	}
	for i := range n {
		if err := c.TrackFields(context.Background(), "bench_evt", connected.UserID("user-"+strconv.Itoa(i%1000)),
			connected.Int("n", i), connected.String("plan", "pro"), connected.String("color", "blue"), connected.Float("price", 9.99)); err != nil {
			b.Fatal(err)
		}
	}
	body, err := connected.AppendSegmentBatch(nil, recs, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	return body
}

// BenchmarkCompression compares, on one batch body of 2,500 events, the
// standard library's gzip (BestSpeed, the SDK's compressor before
// klauspost/compress), klauspost's gzip (BestSpeed, the default now) and
// zstd (SpeedFastest, WithCompression(CompressionZstd)): ns per event and
// wire bytes per event, each with its writer reused as the HTTP sender
// pools it.
func BenchmarkCompression(b *testing.B) {
	const n = 2500
	body := benchBody(b, n)
	var out bytes.Buffer
	report := func(b *testing.B) {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/event")
		b.ReportMetric(float64(out.Len())/n, "wireB/event")
		b.ReportMetric(float64(len(body))/n, "rawB/event")
	}
	b.Run("stdlib-gzip", func(b *testing.B) {
		zw, _ := stdgzip.NewWriterLevel(&out, stdgzip.BestSpeed)
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			out.Reset()
			zw.Reset(&out)
			_, _ = zw.Write(body)
			_ = zw.Close()
		}
		report(b)
	})
	b.Run("klauspost-gzip", func(b *testing.B) {
		zw, _ := kgzip.NewWriterLevel(&out, kgzip.BestSpeed)
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			out.Reset()
			zw.Reset(&out)
			_, _ = zw.Write(body)
			_ = zw.Close()
		}
		report(b)
	})
	b.Run("zstd", func(b *testing.B) {
		enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderCRC(true), zstd.WithWindowSize(1<<20))
		if err != nil {
			b.Fatal(err)
		}
		defer enc.Close()
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			out.Reset()
			out.Grow(len(body) / 4)
			_, _ = out.Write(enc.EncodeAll(body, out.AvailableBuffer()))
		}
		report(b)
	})
}
