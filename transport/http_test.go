package transport_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"flag"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// capture is a collector that records requests and answers with status.
type capture struct {
	mu      sync.Mutex
	status  int
	header  http.Header
	reqs    []http.Header
	bodies  [][]byte
	respond func(w http.ResponseWriter) bool // optional override; true = handled
}

func (c *capture) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			http.Error(w, "bad gzip", 400)
			return
		}
		if body, err = io.ReadAll(zr); err != nil {
			http.Error(w, "bad gzip", 400)
			return
		}
	}
	c.mu.Lock()
	c.reqs = append(c.reqs, r.Header.Clone())
	c.bodies = append(c.bodies, body)
	status, respond := c.status, c.respond
	for k, v := range c.header {
		w.Header()[k] = v
	}
	c.mu.Unlock()
	if respond != nil && respond(w) {
		return
	}
	if status == 0 {
		status = 200
	}
	w.WriteHeader(status)
	_, _ = w.Write([]byte(`{"ok":false,"detail":"` + http.StatusText(status) + `"}`))
}

func newServer(t *testing.T, h http.Handler) *httptest.Server {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s mismatch:\n got %s\nwant %s", name, got, want)
	}
}

func fixedNow() time.Time { return time.Date(2026, 3, 1, 12, 0, 1, 500e6, time.UTC) }

func TestHTTPSenderWireFormats(t *testing.T) {
	ce := connected.CloudEventsOptions{Source: "urn:touchpoint:test"}
	cases := []struct {
		name, golden, path, ctype, auth string
		make                            func(url string, opts ...transport.HTTPOption) (*transport.HTTP, error)
	}{
		{"segment", "segment_batch.golden", "/v1/batch", "application/json", "Basic d2s6",
			func(u string, o ...transport.HTTPOption) (*transport.HTTP, error) {
				return transport.NewSegment(u, "wk", o...)
			}},
		{"rudderstack", "rudderstack_batch.golden", "/v1/batch", "application/json", "Basic d2s6",
			func(u string, o ...transport.HTTPOption) (*transport.HTTP, error) {
				return transport.NewRudderStack(u, "wk", o...)
			}},
		{"cloudevents", "cloudevents_batch.golden", "/ingest", connected.CloudEventsBatchContentType, "",
			func(u string, o ...transport.HTTPOption) (*transport.HTTP, error) {
				return transport.NewCloudEvents(u+"/ingest", ce, o...)
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, gz := range []bool{true, false} {
				var paths []string
				cap := &capture{}
				mux := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					paths = append(paths, r.URL.Path)
					cap.ServeHTTP(w, r)
				})
				srv := newServer(t, mux)
				h, err := c.make(srv.URL, transport.WithHTTPClock(fixedNow), transport.WithGzip(gz), transport.WithHeader("X-Test", "1"))
				if err != nil {
					t.Fatal(err)
				}
				if err := h.Send(t.Context(), recs(2)); err != nil {
					t.Fatal(err)
				}
				if err := h.Shutdown(t.Context()); err != nil {
					t.Fatal(err)
				}
				golden(t, c.golden, cap.bodies[0])
				hd := cap.reqs[0]
				if paths[0] != c.path || hd.Get("Content-Type") != c.ctype || hd.Get("Authorization") != c.auth || hd.Get("X-Test") != "1" {
					t.Fatalf("path %s headers %v", paths[0], hd)
				}
				if (hd.Get("Content-Encoding") == "gzip") != gz {
					t.Fatalf("gzip %v but Content-Encoding %q", gz, hd.Get("Content-Encoding"))
				}
				if st := h.Stats(); st.Delivered != 2 || st.Requests != 1 || st.WireBytes == 0 {
					t.Fatalf("stats %+v", st)
				}
				if err := h.Send(t.Context(), recs(1)); !errors.Is(err, transport.ErrClosed) {
					t.Fatalf("Send after Shutdown = %v", err)
				}
			}
		})
	}
}

func TestHTTPSenderErrors(t *testing.T) {
	c := &capture{status: 503, header: http.Header{"Retry-After": {"7"}}}
	srv := newServer(t, c)
	h, _ := transport.NewSegment(srv.URL, "wk", transport.WithHTTPClock(fixedNow))
	defer h.Shutdown(context.Background())

	err := h.Send(t.Context(), recs(1))
	var he *transport.HTTPError
	if !errors.As(err, &he) || he.StatusCode != 503 || he.RetryAfter != 7*time.Second || !transport.IsRetryable(err) {
		t.Fatalf("503: %v", err)
	}

	c.mu.Lock()
	c.status, c.header = 429, http.Header{"Retry-After": {fixedNow().Add(90 * time.Second).Format(http.TimeFormat)}}
	c.mu.Unlock()
	err = h.Send(t.Context(), recs(1))
	if !errors.As(err, &he) || he.RetryAfter < 89*time.Second || he.RetryAfter > 91*time.Second {
		t.Fatalf("429 with HTTP-date: %v", err)
	}

	c.mu.Lock()
	c.status, c.header = 400, nil
	c.respond = func(w http.ResponseWriter) bool {
		w.WriteHeader(400)
		_, _ = w.Write(bytes.Repeat([]byte("x"), 10000))
		return true
	}
	c.mu.Unlock()
	err = h.Send(t.Context(), recs(1))
	if !errors.As(err, &he) || he.StatusCode != 400 || len(he.Body) != transport.MaxErrorBody || transport.IsRetryable(err) {
		t.Fatalf("400: %v", err)
	}
}

func TestHTTPSenderNetworkErrors(t *testing.T) {
	// Refused: a port that was listening and is closed now.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	h, _ := transport.NewSegment("http://"+addr, "wk")
	err = h.Send(t.Context(), recs(1))
	var ne *transport.NetworkError
	if !errors.As(err, &ne) || !transport.IsRetryable(err) {
		t.Fatalf("refused: %v", err)
	}
	_ = h.Shutdown(t.Context())

	// Hanging: the per-request timeout turns it into a retryable error.
	release := make(chan struct{})
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
	defer close(release)
	h, _ = transport.NewSegment(srv.URL, "wk", transport.WithRequestTimeout(50*time.Millisecond))
	defer h.Shutdown(context.Background())
	if err := h.Send(t.Context(), recs(1)); !errors.As(err, &ne) {
		t.Fatalf("hanging: %v", err)
	}
	// Cancelled by the caller: not retryable.
	ctx, cancel := context.WithCancel(t.Context())
	go func() { time.Sleep(10 * time.Millisecond); cancel() }()
	if err := h.Send(ctx, recs(1)); !errors.Is(err, context.Canceled) || transport.IsRetryable(err) {
		t.Fatalf("cancelled: %v", err)
	}
}

func TestNewHTTPValidates(t *testing.T) {
	if _, err := transport.NewSegment("ftp://x", "wk"); err == nil {
		t.Error("ftp accepted")
	}
	if _, err := transport.NewSegment("http://x", ""); err == nil {
		t.Error("empty write key accepted")
	}
	if _, err := transport.NewRudderStack("http://x", ""); err == nil {
		t.Error("empty rudder write key accepted")
	}
	if _, err := transport.NewCloudEvents("http://x", connected.CloudEventsOptions{}); err == nil {
		t.Error("empty source accepted")
	}
	for _, o := range []transport.HTTPOption{nil, transport.WithRequestTimeout(0), transport.WithResponseBodyLimit(-1), transport.WithHTTPClock(nil)} {
		if _, err := transport.NewSegment("http://x", "wk", o); err == nil {
			t.Errorf("option %v accepted", o)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := fixedNow()
	cases := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"0", 0, true},
		{" 120 ", 120 * time.Second, true},
		{now.Add(time.Hour).Format(http.TimeFormat), time.Hour, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"-1", 0, false},
		{"1.5", 0, false},
		{"99999999999", 0, false},
		{"tomorrow", 0, false},
		{"", 0, false},
	}
	for _, c := range cases {
		got, err := transport.ParseRetryAfter(c.in, now)
		if (err == nil) != c.ok || (c.ok && got.Round(time.Second) != c.want) {
			t.Errorf("ParseRetryAfter(%q) = %v, %v", c.in, got, err)
		}
		if err != nil && !errors.Is(err, transport.ErrInvalidRetryAfter) {
			t.Errorf("error %v does not match ErrInvalidRetryAfter", err)
		}
	}
}
