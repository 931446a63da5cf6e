package touchpoint_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/touchpoint-sdk/touchpoint"
	"github.com/touchpoint-sdk/touchpoint/transport"
)

// The one-call Client keeps the fast path's budget: from TrackFields to the
// wire (Batcher, Retry, gzip HTTP) at most 0.5 allocations per event, as the
// hand-wired chain in transport's TestAllocsCallToWire.
func TestAllocsTrackFieldsToWire(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation budgets are checked without -race: the race detector's sync.Pool drops items on purpose")
	}
	if testing.Short() {
		t.Skip("-short: sends 50,000 events")
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
	}))
	defer srv.Close()
	client := newClient(t, srv.URL, touchpoint.WithBatcherOptions(transport.WithOverflow(transport.OverflowBlock)))
	ctx := context.Background()
	var users [1000]string
	for i := range users {
		users[i] = "user-" + strconv.Itoa(i)
	}
	const perRun = 10_000
	i := 0
	run := func() {
		for range perRun {
			i++
			_ = client.TrackFields(ctx, "Order Completed", touchpoint.UserID(users[i%1000]), touchpoint.Int("n", i),
				touchpoint.String("plan", "pro"), touchpoint.Float("revenue", 9.99))
		}
		if err := client.Flush(ctx); err != nil {
			t.Error(err)
		}
	}
	run() // warm up: pools, connections, partition-key cache
	if n := testing.AllocsPerRun(3, run) / perRun; n > 0.5 {
		t.Errorf("%.3f allocations per event from Client.TrackFields to the wire, budget 0.5", n)
	} else {
		t.Logf("%.3f allocations per event", n)
	}
	if d := client.Stats()[0].HTTP.Delivered; d != 5*perRun { // warm-up, AllocsPerRun's own warm-up, 3 runs
		t.Errorf("delivered %d, want %d", d, 5*perRun)
	}
}

// BenchmarkTrackFields is the one-call Client's fast path, to the wire.
func BenchmarkTrackFields(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
	}))
	defer srv.Close()
	client, err := touchpoint.New(srv.URL, "k", touchpoint.WithBatcherOptions(transport.WithOverflow(transport.OverflowBlock)))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	defer client.Shutdown(ctx)
	b.ReportAllocs()
	for b.Loop() {
		_ = client.TrackFields(ctx, "Order Completed", touchpoint.UserID("user-42"), touchpoint.Float("revenue", 9.99))
	}
}
