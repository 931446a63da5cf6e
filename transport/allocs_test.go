package transport_test

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport"
)

// TestAllocsCallToWire measures allocations per event from the caller's
// Track to the wire: Client -> Batcher -> Retry -> Segment HTTP (gzip) to a
// loopback collector, amortised over full batches, the collector's own
// allocations included. Budgets (issue 19): at most 0.5 per event on the
// typed-field path; at most 3 on the map path, the caller's map literal
// included (it costs 3 by itself when it escapes: the map, its group and
// the int it boxes; the Client lets it stay on the caller's stack).
func TestAllocsCallToWire(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation budgets are checked without -race: the race detector's sync.Pool drops items on purpose")
	}
	if testing.Short() {
		t.Skip("-short: sends 60,000 events")
	}
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
	}))
	h, err := transport.NewSegment(srv.URL, "k")
	if err != nil {
		t.Fatal(err)
	}
	rt, err := transport.NewRetry(h)
	if err != nil {
		t.Fatal(err)
	}
	b, err := transport.NewBatcher(rt, transport.WithOverflow(transport.OverflowBlock))
	if err != nil {
		t.Fatal(err)
	}
	c, err := connected.New(b)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	defer c.Shutdown(ctx)
	var users [1000]string
	for i := range users {
		users[i] = "user-" + strconv.Itoa(i)
	}
	const perRun = 10_000 // four full batches
	i := 0
	fields := func() {
		for range perRun {
			i++
			_ = c.TrackFields(ctx, "bench_evt", connected.UserID(users[i%1000]), connected.Int("n", i),
				connected.String("plan", "pro"), connected.String("color", "blue"), connected.Float("price", 9.99))
		}
		if err := c.Flush(ctx); err != nil {
			t.Error(err)
		}
	}
	maps := func() {
		for range perRun {
			i++
			_ = c.Track(ctx, connected.Event{UserID: users[i%1000], Event: "bench_evt", Properties: connected.Properties{
				"n": i, "plan": "pro", "color": "blue", "price": 9.99}})
		}
		if err := c.Flush(ctx); err != nil {
			t.Error(err)
		}
	}
	fields() // warm up: pools, connections, partition-key cache
	maps()
	if n := testing.AllocsPerRun(3, fields) / perRun; n > 0.5 {
		t.Errorf("typed fields: %.3f allocations per event from TrackFields to the wire, budget 0.5", n)
	} else {
		t.Logf("typed fields: %.3f allocations per event", n)
	}
	// The budget includes the caller's map literal: the Client keeps
	// nothing the Event points to, so the map and its group stay on the
	// caller's stack and only the int it boxes is allocated.
	if n := testing.AllocsPerRun(3, maps) / perRun; n > 3 {
		t.Errorf("map path: %.3f allocations per event from Track to the wire, map literal included: budget 3", n)
	} else {
		t.Logf("map path: %.3f allocations per event, map literal included", n)
	}
	if s := b.Stats(); s.Delivered != uint64(10*perRun) {
		t.Errorf("delivered %d of %d", s.Delivered, 10*perRun)
	}
}
