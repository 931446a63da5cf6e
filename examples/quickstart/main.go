// Command quickstart emits a few touchpoints of one customer — a web page
// view, a wishlist add, a store zone entry and a workout — through
// touchpoint.New, the one-call pipeline, to a Segment-compatible collector
// it runs itself on loopback, and prints what the collector received. It
// needs no network or service.
//
//	go run ./examples/quickstart
//
// Pass -endpoint and -writekey to send to a real collector instead
// (Segment's https://api.segment.io, say).
package main

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"sync"
	"time"

	"github.com/touchpoint-sdk/touchpoint"
	"github.com/touchpoint-sdk/touchpoint/connected"
)

func main() {
	endpoint := flag.String("endpoint", "", "collector base URL (default: a loopback collector)")
	writeKey := flag.String("writekey", "QUICKSTART", "write key")
	flag.Parse()
	if err := run(os.Stdout, *endpoint, *writeKey); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run(out io.Writer, endpoint, writeKey string) error {
	ctx := context.Background()
	var got *collector
	if endpoint == "" {
		got = newCollector()
		defer got.srv.Close()
		endpoint = got.srv.URL
	}

	// A fixed clock and fixed ids make the output the same on every run;
	// leave them out and messageIds are UUIDv7s, times the wall clock's.
	start := time.Date(2026, 11, 24, 10, 30, 0, 0, time.UTC)
	var mu sync.Mutex
	tick, ids := 0, 0
	client, err := touchpoint.New(endpoint, writeKey, touchpoint.WithClientOptions(
		connected.WithLibrary("quickstart", connected.Version),
		connected.WithClock(func() time.Time {
			mu.Lock()
			defer mu.Unlock()
			tick++
			return start.Add(time.Duration(tick) * time.Minute)
		}),
		connected.WithIDGenerator(func() string {
			mu.Lock()
			defer mu.Unlock()
			ids++
			return fmt.Sprintf("evt-%d", ids)
		})))
	if err != nil {
		return err
	}
	defer client.Shutdown(ctx)

	web := connected.Context{Channel: connected.ChannelWeb}
	steps := []error{
		client.Page(ctx, touchpoint.Event{AnonymousID: "anon-7f3a", Name: "Trail boots", Context: web}),
		client.Track(ctx, touchpoint.Event{UserID: "user-42", AnonymousID: "anon-7f3a", Context: web,
			Event:      connected.EventProductAddedToWishlist,
			Properties: touchpoint.Properties{"product_id": "boot-1207", "name": "Trail boot", "price": 129.95}}),
		// The fast path: typed fields instead of a Properties map.
		client.TrackFields(ctx, connected.EventZoneEntered, touchpoint.UserID("user-42"),
			touchpoint.FromChannel(connected.ChannelStore), touchpoint.DataCategory(connected.CategoryLocation),
			touchpoint.PlaceID("store-12"), touchpoint.Zone("shoes"),
			touchpoint.String("zone", "shoes"), touchpoint.Float("distance_m", 1.8)),
		client.TrackFields(ctx, connected.EventWorkoutCompleted, touchpoint.UserID("user-42"),
			touchpoint.FromChannel(connected.ChannelWearable), touchpoint.DataCategory(connected.CategoryHealth),
			touchpoint.String("activity", "running"), touchpoint.Int("duration_minutes", 32), touchpoint.Int("avg_heart_rate_bpm", 148)),
	}
	for _, err := range steps {
		if err != nil {
			return err
		}
	}
	fmt.Fprintln(out, "An invalid event is refused with the field named, never fixed silently:")
	fmt.Fprintln(out, " ", client.Track(ctx, touchpoint.Event{Event: connected.EventOrderCompleted}))

	// Shutdown delivers what is queued (the deferred call then does nothing).
	if err := client.Shutdown(ctx); err != nil {
		return err
	}
	if got == nil {
		fmt.Fprintln(out, "Sent 4 events to", endpoint)
		return nil
	}
	fmt.Fprintf(out, "\nThe collector received %d events (write key %q, Content-Encoding %q):\n", len(got.msgs), got.user, got.encoding)
	// Batches may arrive in any order; the ids give the order of emission.
	sort.Slice(got.msgs, func(i, j int) bool { return string(got.msgs[i]) < string(got.msgs[j]) })
	for _, m := range got.msgs {
		fmt.Fprintln(out, " ", string(m))
	}
	return nil
}

// collector is a loopback Segment-compatible collector: POST /v1/batch.
type collector struct {
	srv            *httptest.Server
	mu             sync.Mutex
	msgs           []json.RawMessage
	user, encoding string
}

func newCollector() *collector {
	c := &collector{}
	c.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body io.Reader = r.Body
		if r.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(r.Body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			body = zr
		}
		var batch struct {
			Batch []json.RawMessage `json:"batch"`
		}
		if err := json.NewDecoder(body).Decode(&batch); err != nil || r.URL.Path != "/v1/batch" {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		c.msgs = append(c.msgs, batch.Batch...)
		c.user, _, _ = r.BasicAuth()
		c.encoding = r.Header.Get("Content-Encoding")
	}))
	return c
}
