package inspect_test

import (
	"context"
	"crypto/subtle"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/touchpoint-sdk/touchpoint/beacon"
	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/inspect"
	"github.com/touchpoint-sdk/touchpoint/transport"
)

// fetch GETs url with a bearer token and returns the status and body.
func fetch(url, token string) (int, string) {
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// The inspector over a pipeline: a tap in the Client's middleware, the
// batcher's stats on the delivery charts, mounted under /debug/touchpoint/
// behind a token check. The events page shows the event with a pseudonym
// in place of the user id.
func Example() {
	ctx := context.Background()
	tap, _ := inspect.NewTap()
	w, _ := transport.NewWriter(io.Discard)
	batcher, _ := transport.NewBatcher(w)
	client, _ := connected.New(batcher, connected.WithMiddleware(tap.Middleware("client")))
	defer client.Shutdown(ctx)

	const token = "operator-token-from-a-secret-store"
	authorize := func(r *http.Request) error {
		got := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		if subtle.ConstantTimeCompare([]byte(got), []byte(token)) != 1 {
			return inspect.ErrUnauthenticated
		}
		return nil
	}
	h, err := inspect.New(authorize, inspect.WithTap(tap), inspect.WithStats("batcher", batcher.Stats))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer h.Shutdown(ctx)
	mux := http.NewServeMux()
	mux.Handle("/debug/touchpoint/", http.StripPrefix("/debug/touchpoint", h))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	_ = client.Track(ctx, connected.Event{UserID: "alice@example.com", Event: "Order Completed"})
	status, _ := fetch(srv.URL+"/debug/touchpoint/events", "")
	fmt.Println("without the token:", status)
	status, body := fetch(srv.URL+"/debug/touchpoint/events", token)
	fmt.Println("with the token:", status)
	fmt.Println("shows the event:", strings.Contains(body, "Order Completed"))
	fmt.Println("shows alice's address:", strings.Contains(body, "alice@example.com"))
	fmt.Println("shows a pseudonym:", regexp.MustCompile(`ps1_[0-9a-f]{32}`).MatchString(body))
	// Output:
	// without the token: 401
	// with the token: 200
	// shows the event: true
	// shows alice's address: false
	// shows a pseudonym: true
}

// New refuses to build an inspector without an authorisation hook: it is
// never open by default.
func ExampleNew() {
	_, err := inspect.New(nil)
	fmt.Println(err)
	// Output:
	// inspect: Authorize is nil: the inspector needs an authorisation hook and is never open by default
}

// A Tap at two points of a pipeline: before a consent router and in front
// of a destination. Recent returns what it saw, oldest first.
func ExampleTap_Middleware() {
	ctx := context.Background()
	tap, _ := inspect.NewTap(inspect.WithCapacity(100))
	destination := connected.HandlerFunc(func(context.Context, *connected.Record) error { return nil })
	refusing := connected.HandlerFunc(func(_ context.Context, r *connected.Record) error {
		if r.Type == connected.TypeIdentify {
			return fmt.Errorf("identify not accepted")
		}
		return destination.Handle(ctx, r)
	})
	client, _ := connected.New(tap.Middleware("warehouse")(refusing), connected.WithMiddleware(tap.Middleware("client")))
	defer client.Shutdown(ctx)

	_ = client.Track(ctx, connected.Event{AnonymousID: "a-1", Event: "Product Viewed"})
	_ = client.Identify(ctx, connected.Event{UserID: "u-1"})
	for _, e := range tap.Recent(10) {
		fmt.Println(e.Seq, e.Point, e.Record.Type, e.Err)
	}
	fmt.Println(tap.Stats().Recorded, "recorded")
	// Output:
	// 1 warehouse track <nil>
	// 2 client track <nil>
	// 3 warehouse identify identify not accepted
	// 4 client identify identify not accepted
	// 4 recorded
}

// NewTap with a callback for the records a slow viewer skipped.
func ExampleNewTap() {
	tap, err := inspect.NewTap(inspect.WithCapacity(4096), inspect.WithOnDrop(func(d inspect.TapDrop) {
		fmt.Println("a viewer skipped", d.N, "records:", d.Reason)
	}))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(tap.Stats().Capacity)
	_, err = inspect.NewTap(inspect.WithCapacity(0))
	fmt.Println(err)
	// Output:
	// 4096
	// inspect: WithCapacity must be 1 to 1048576
}

// Zone occupancy on a store plan: the snapshot function takes the lock
// that guards the Tracker, which is not safe for concurrent use.
func ExampleWithZones() {
	now := time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)
	tracker, _ := beacon.NewTracker([]beacon.Zone{{Name: "shoes", Gateways: []string{"gw-shoes"}}, {Name: "tills", Gateways: []string{"gw-tills"}}})
	_, _ = tracker.Observe(nil, beacon.Sighting{Time: now, Subject: "alice", Gateway: "gw-shoes", RSSI: -60})
	_, _ = tracker.Observe(nil, beacon.Sighting{Time: now, Subject: "bob", Gateway: "gw-shoes", RSSI: -62})
	var mu sync.Mutex // the gateway's loop holds it while it observes
	snapshot := func(context.Context) (beacon.Snapshot, error) {
		mu.Lock()
		defer mu.Unlock()
		return tracker.Snapshot(), nil
	}
	plan := inspect.Plan{Name: "Store 12", Width: 30, Height: 20, Areas: []inspect.Area{
		{Zone: "shoes", X: 0, Y: 0, W: 18, H: 20},
		{Zone: "tills", Polygon: []inspect.Point{{X: 18, Y: 0}, {X: 30, Y: 0}, {X: 30, Y: 20}, {X: 18, Y: 12}}},
	}}
	h, err := inspect.New(func(*http.Request) error { return nil }, inspect.WithZones(snapshot, plan))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer h.Shutdown(context.Background())
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/zones", nil))
	body := rec.Body.String()
	fmt.Println(rec.Code, strings.Count(body, `<circle class="dot"`), "people drawn")
	fmt.Println(regexp.MustCompile(`<title>shoes: [^<]*</title>`).FindString(body))
	// Output:
	// 200 2 people drawn
	// <title>shoes: 2 inside, 0 entering</title>
}

// WithReveal shows identifiers in the clear to the requests it picks, here
// those of an administrator role the authorisation middleware put in the
// request's context.
func ExampleWithReveal() {
	type roleKey struct{}
	reveal := func(r *http.Request) bool { return r.Context().Value(roleKey{}) == "admin" }
	tap, _ := inspect.NewTap()
	client, _ := connected.New(tap.Middleware("client")(connected.HandlerFunc(func(context.Context, *connected.Record) error { return nil })))
	defer client.Shutdown(context.Background())
	_ = client.Track(context.Background(), connected.Event{UserID: "alice@example.com", Event: "Order Completed"})

	h, _ := inspect.New(func(*http.Request) error { return nil }, inspect.WithTap(tap), inspect.WithReveal(reveal))
	defer h.Shutdown(context.Background())
	for _, role := range []string{"support", "admin"} {
		req := httptest.NewRequest(http.MethodGet, "/events", nil)
		req = req.WithContext(context.WithValue(req.Context(), roleKey{}, role))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		fmt.Println(role, strings.Contains(rec.Body.String(), "alice@example.com"))
	}
	// Output:
	// support false
	// admin true
}

// Shutdown ends the live streams and stops the sampler; later requests get
// 503.
func ExampleHandler_Shutdown() {
	h, _ := inspect.New(func(*http.Request) error { return nil },
		inspect.WithStats("spool", func() transport.Stats { return transport.Stats{SpoolDepth: 3} }))
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	fmt.Println(h.Shutdown(ctx))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/charts", nil))
	fmt.Println(rec.Code)
	// Output:
	// <nil>
	// 503
}
