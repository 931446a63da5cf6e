package inspect_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/touchpoint-sdk/touchpoint/beacon"
	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
	"github.com/touchpoint-sdk/touchpoint/identity"
	"github.com/touchpoint-sdk/touchpoint/inspect"
	"github.com/touchpoint-sdk/touchpoint/transport"
)

const testToken = "s3cret-operator-token"

// authorize lets in requests with the test token.
func authorize(r *http.Request) error {
	switch r.Header.Get("Authorization") {
	case "":
		return inspect.ErrUnauthenticated
	case "Bearer " + testToken:
		return nil
	}
	return errors.New("wrong token for user alice@example.com") // must never reach the client
}

// fixture is a whole pipeline with an inspector over it: a Client whose
// records pass a tap, a consent Router with two destinations (each
// tapped), a Batcher writing to io.Discard, an identity graph, a zone
// snapshot and audience counts.
type fixture struct {
	tap     *inspect.Tap
	client  *connected.Client
	ledger  *consent.Ledger
	router  *consent.Router
	batcher *transport.Batcher
	graph   *identity.Graph
	h       *inspect.Handler
	srv     *httptest.Server
	now     time.Time
}

var fixedNow = time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)

func newFixture(t *testing.T, opts ...inspect.Option) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{now: fixedNow}
	var err error
	f.tap, err = inspect.NewTap(inspect.WithCapacity(256))
	require.NoError(t, err)
	w, err := transport.NewWriter(io.Discard)
	require.NoError(t, err)
	f.batcher, err = transport.NewBatcher(w, transport.WithFlushInterval(10*time.Millisecond))
	require.NoError(t, err)
	f.ledger, err = consent.NewLedger()
	require.NoError(t, err)
	f.router, err = consent.NewRouter(f.ledger, []byte("inspect-test-audit-key-0123456789"), []consent.Destination{
		{Name: "analytics", Purpose: consent.PurposeAnalytics, Categories: []connected.Category{connected.CategoryBehavioral, connected.CategoryLocation}, Handler: f.tap.Middleware("analytics")(f.batcher)},
		{Name: "ads", Purpose: consent.PurposeAdvertising, Categories: []connected.Category{connected.CategoryBehavioral}, Handler: f.tap.Middleware("ads")(f.batcher)},
	})
	require.NoError(t, err)
	f.client, err = connected.New(f.router, connected.WithMiddleware(f.tap.Middleware("client")),
		connected.WithClock(func() time.Time { return f.now }))
	require.NoError(t, err)
	_, err = f.ledger.Record(ctx, consent.Fact{Subject: "alice@example.com", Purpose: consent.PurposeAnalytics, Granted: true,
		Effective: fixedNow.Add(-time.Hour), Source: consent.SourceAppSetting, Document: "privacy-2026"})
	require.NoError(t, err)
	f.graph, err = identity.New([]byte("inspect-test-identity-secret"))
	require.NoError(t, err)
	_, err = f.graph.Link(ctx, identity.Observation{EventID: "web-1", Time: fixedNow.Add(-time.Hour), IDs: []identity.Identifier{
		{Type: identity.TypeEmail, Value: "alice@example.com"}, {Type: identity.TypeAnonymousID, Value: "anon-7f3c"}}})
	require.NoError(t, err)
	_, err = f.graph.Link(ctx, identity.Observation{EventID: "app-1", Time: fixedNow.Add(-30 * time.Minute), IDs: []identity.Identifier{
		{Type: identity.TypeAnonymousID, Value: "anon-7f3c"}, {Type: identity.TypeDeviceID, Value: "ios-device-77"}}})
	require.NoError(t, err)

	snap := beacon.Snapshot{Now: fixedNow, States: []beacon.ZoneState{
		{Subject: "alice@example.com", Zone: "shoes", Inside: true, Since: fixedNow.Add(-5 * time.Minute), EnteredAt: fixedNow.Add(-5 * time.Minute), LastSeen: fixedNow, Gateway: "gw-1", RSSI: -61},
		{Subject: "bob-device-42", Device: true, Zone: "shoes", Inside: false, Since: fixedNow.Add(-10 * time.Second), LastSeen: fixedNow, Gateway: "gw-1", RSSI: -79},
		{Subject: "carol-99", Zone: "tills", Inside: true, Since: fixedNow.Add(-time.Minute), EnteredAt: fixedNow.Add(-time.Minute), LastSeen: fixedNow, Gateway: "gw-2", RSSI: -55},
		{Subject: "dave-1", Zone: "stockroom", Inside: true, Since: fixedNow.Add(-time.Minute), EnteredAt: fixedNow.Add(-time.Minute), LastSeen: fixedNow, Gateway: "gw-3", RSSI: -70},
	}}
	plan := inspect.Plan{Name: "Store 12", Width: 40, Height: 20, Areas: []inspect.Area{
		{Zone: "entrance", X: 0, Y: 14, W: 10, H: 6},
		{Zone: "shoes", X: 0, Y: 0, W: 20, H: 14},
		{Zone: "tills", Polygon: []inspect.Point{{20, 0}, {40, 0}, {40, 10}, {30, 14}, {20, 10}}},
	}}
	all := []inspect.Option{
		inspect.WithTap(f.tap),
		inspect.WithDecisions(f.router),
		inspect.WithStats("batcher", f.batcher.Stats),
		inspect.WithZones(func(context.Context) (beacon.Snapshot, error) { return snap, nil }, plan),
		inspect.WithExplainer(f.graph),
		inspect.WithAudiences(func(context.Context) (map[string]int, error) {
			return map[string]int{"runners": 120, "lapsed buyers": 37, "vip": 5}, nil
		}),
		inspect.WithSampling(100*time.Millisecond, 50),
	}
	f.h, err = inspect.New(authorize, append(all, opts...)...)
	require.NoError(t, err)
	f.srv = httptest.NewServer(http.StripPrefix("/debug/touchpoint", f.h))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		f.srv.CloseClientConnections()
		f.srv.Close()
		require.NoError(t, f.h.Shutdown(ctx))
		require.NoError(t, f.client.Shutdown(ctx))
		require.NoError(t, f.graph.Shutdown(context.Background()))
	})
	return f
}

// track emits a track event for alice.
func (f *fixture) track(t *testing.T, name string, props connected.Properties) {
	t.Helper()
	require.NoError(t, f.client.Track(context.Background(), connected.Event{UserID: "alice@example.com", AnonymousID: "anon-7f3c",
		Event: name, Properties: props, Context: connected.Context{Channel: connected.ChannelWeb, Device: connected.Device{ID: "ios-device-77"}}}))
}

// get fetches path (under the mount point) with the test token.
func (f *fixture) get(t *testing.T, path string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, f.srv.URL+"/debug/touchpoint"+path, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := f.srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header, string(b)
}

// post submits the identity form.
func (f *fixture) post(t *testing.T, form url.Values, site string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, f.srv.URL+"/debug/touchpoint/identity", strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+testToken)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if site != "" {
		req.Header.Set("Sec-Fetch-Site", site)
	}
	resp, err := f.srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// stream opens the live stream; the returned function ends it.
type sse struct {
	resp *http.Response
	rd   *bufio.Reader
}

func (f *fixture) stream(t *testing.T, ctx context.Context, query string) *sse {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.srv.URL+"/debug/touchpoint/stream?"+query, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := f.srv.Client().Do(req)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "text/event-stream; charset=utf-8", resp.Header.Get("Content-Type"))
	t.Cleanup(func() { resp.Body.Close() })
	return &sse{resp: resp, rd: bufio.NewReader(resp.Body)}
}

// message is one server-sent event.
type message struct{ id, event, data string }

// next reads the next event (comments skipped).
func (s *sse) next() (message, error) {
	var m message
	for {
		line, err := s.rd.ReadString('\n')
		if err != nil {
			return m, err
		}
		line = strings.TrimRight(line, "\n")
		switch {
		case line == "":
			if m.data != "" || m.id != "" {
				return m, nil
			}
		case strings.HasPrefix(line, ":"), strings.HasPrefix(line, "retry:"):
		case strings.HasPrefix(line, "id: "):
			m.id = line[4:]
		case strings.HasPrefix(line, "event: "):
			m.event = line[7:]
		case strings.HasPrefix(line, "data: "):
			m.data += line[6:]
		}
	}
}

// until reads messages until one satisfies ok, or fails.
func (s *sse) until(t *testing.T, ok func(message) bool) message {
	t.Helper()
	for {
		m, err := s.next()
		require.NoError(t, err)
		if ok(m) {
			return m
		}
	}
}
