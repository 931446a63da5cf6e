package inspect_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/inspect"
)

type streamRow struct {
	Seq     uint64   `json:"seq"`
	Point   string   `json:"point"`
	Name    string   `json:"name"`
	Channel string   `json:"channel"`
	User    string   `json:"user"`
	Anon    string   `json:"anon"`
	Device  string   `json:"device"`
	Keys    []string `json:"keys"`
	Err     string   `json:"err"`
	Payload string   `json:"payload"`
}

func decodeRow(t *testing.T, m message) streamRow {
	t.Helper()
	var r streamRow
	require.NoError(t, json.Unmarshal([]byte(m.data), &r))
	return r
}

// An event tracked after the stream opened arrives on it, once per tap
// point, with pseudonyms in place of the identifiers.
func TestStreamShowsEventsTrackedAfterOpening(t *testing.T) {
	f := newFixture(t)
	f.track(t, "Before Opening", nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := f.stream(t, ctx, "")
	f.track(t, "Product Viewed", connected.Properties{"sku": "SKU-1", "email": "alice@example.com"})

	points := map[string]streamRow{}
	for len(points) < 2 {
		m := s.until(t, func(m message) bool { return m.event == "" && m.data != "" })
		r := decodeRow(t, m)
		assert.NotEqual(t, "Before Opening", r.Name, "the stream starts after the page's rows")
		points[r.Point] = r
	}
	r := points["client"]
	assert.Equal(t, "Product Viewed", r.Name)
	assert.Equal(t, "web", r.Channel)
	assert.Equal(t, []string{"email", "sku"}, r.Keys)
	assert.True(t, strings.HasPrefix(r.User, connected.PseudonymPrefix), r.User)
	assert.True(t, strings.HasPrefix(r.Device, connected.PseudonymPrefix), r.Device)
	assert.Empty(t, r.Payload)
	assert.Contains(t, points, "analytics")
	for _, r := range points {
		raw, _ := json.Marshal(r)
		assert.NotContains(t, string(raw), "alice@example.com")
		assert.NotContains(t, string(raw), "ios-device-77")
		assert.NotContains(t, string(raw), "anon-7f3c")
	}
}

func TestStreamFilters(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := f.stream(t, ctx, "event=order&dest=analytics&channel=web")
	f.track(t, "Product Viewed", nil)
	f.track(t, "Order Completed", nil)
	m := s.until(t, func(m message) bool { return m.event == "" && m.data != "" })
	r := decodeRow(t, m)
	assert.Equal(t, "Order Completed", r.Name)
	assert.Equal(t, "analytics", r.Point)

	// The ads destination has no consent: the router refuses the record, so
	// the tap in front of ads never sees it, and the page says so.
	_, _, body := f.get(t, "/events?dest=ads")
	assert.NotContains(t, body, "Order Completed")
	_, _, body = f.get(t, "/decisions")
	assert.Contains(t, body, "no_consent")
}

func TestStreamResumesFromLastEventID(t *testing.T) {
	f := newFixture(t)
	for i := range 3 {
		f.track(t, fmt.Sprintf("Event %d", i), nil)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, f.srv.URL+"/debug/touchpoint/stream?dest=client", nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	req.Header.Set("Last-Event-ID", "0")
	resp, err := f.srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	s := &sse{resp: resp, rd: bufio.NewReader(resp.Body)}
	var names []string
	for len(names) < 3 {
		m := s.until(t, func(m message) bool { return m.event == "" && m.data != "" })
		names = append(names, decodeRow(t, m).Name)
	}
	assert.Equal(t, []string{"Event 0", "Event 1", "Event 2"}, names)

	for _, bad := range []string{"after=x", "event=" + strings.Repeat("a", 300)} {
		status, _, _ := f.get(t, "/stream?"+bad)
		assert.Equal(t, http.StatusBadRequest, status, bad)
	}
}

// The stream ends, and leaves no goroutine behind, when the client goes
// away or the Handler shuts down.
func TestStreamEndsWithItsRequest(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	s := f.stream(t, ctx, "")
	f.track(t, "One", nil)
	s.until(t, func(m message) bool { return m.data != "" && m.event == "" })
	st := f.tap.Stats()
	assert.Equal(t, 1, st.Viewers)
	cancel()
	require.Eventually(t, func() bool { return f.tap.Stats().Viewers == 0 }, 5*time.Second, 5*time.Millisecond)
	_, _, body := f.get(t, "/")
	assert.Contains(t, body, "<dt>open</dt><dd>0</dd>")

	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	s2 := f.stream(t, ctx2, "")
	sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer scancel()
	require.NoError(t, f.h.Shutdown(sctx))
	for {
		if _, err := s2.next(); err != nil {
			break // the server ended the stream
		}
	}
	f.srv.CloseClientConnections()
	goleak.VerifyNone(t, goleak.IgnoreCurrent())
}

func TestStreamLimit(t *testing.T) {
	f := newFixture(t, inspect.WithMaxStreams(1))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f.stream(t, ctx, "")
	status, _, _ := f.get(t, "/stream")
	assert.Equal(t, http.StatusServiceUnavailable, status)
	_, _, body := f.get(t, "/")
	assert.Contains(t, body, "<dt>refused (too many)</dt><dd>1</dd>")
}

// A viewer that never reads does not slow the pipeline: the tap keeps
// recording, and what the viewer missed is counted and reported.
func TestStalledViewerDoesNotBlockPipeline(t *testing.T) {
	var mu sync.Mutex
	var reported uint64
	tap, err := inspect.NewTap(inspect.WithCapacity(64), inspect.WithOnDrop(func(d inspect.TapDrop) {
		mu.Lock()
		reported += d.N
		mu.Unlock()
		assert.Equal(t, inspect.DropBehind, d.Reason)
	}))
	require.NoError(t, err)
	f := newFixture(t, inspect.WithTap(tap))
	client, err := connected.New(connected.HandlerFunc(func(context.Context, *connected.Record) error { return nil }),
		connected.WithMiddleware(tap.Middleware("client")))
	require.NoError(t, err)
	defer client.Shutdown(context.Background())

	// A raw connection that asks for the stream and then never reads.
	conn, err := net.Dial("tcp", strings.TrimPrefix(f.srv.URL, "http://"))
	require.NoError(t, err)
	_, err = fmt.Fprintf(conn, "GET /debug/touchpoint/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n", testToken)
	require.NoError(t, err)
	require.Eventually(t, func() bool { return tap.Stats().Viewers == 1 }, 5*time.Second, 5*time.Millisecond)

	const n = 20000
	big := connected.Properties{"padding": strings.Repeat("p", 2000)}
	for i := range n {
		require.NoError(t, client.Track(context.Background(), connected.Event{AnonymousID: "a", Event: fmt.Sprint("E", i), Properties: big}))
	}
	assert.Equal(t, uint64(n), tap.Stats().Recorded)

	// Now the viewer reads again: the stream tells it what it missed.
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(10*time.Second)))
	rd := bufio.NewReader(conn)
	for {
		line, err := rd.ReadString('\n')
		require.NoError(t, err)
		if strings.HasPrefix(line, "event: gap") {
			break
		}
	}
	conn.Close()
	require.Eventually(t, func() bool { return tap.Stats().Viewers == 0 }, 15*time.Second, 10*time.Millisecond)
	st := tap.Stats()
	mu.Lock()
	defer mu.Unlock()
	assert.Positive(t, st.Dropped)
	assert.Equal(t, st.Dropped, reported)
	t.Logf("stalled viewer: %d recorded, %d skipped for it", st.Recorded, st.Dropped)
}
