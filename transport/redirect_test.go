package transport_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/transport"
	"github.com/touchpoint-sdk/touchpoint/transport/spool"
)

// redirectCollector answers POST /v1/batch with a redirect (when status is
// set) to Location, and accepts whatever arrives anywhere else with 200, as
// a landing page would. It records every request, so a test can tell a
// batch that reached the collector with its body from one that did not.
type redirectCollector struct {
	srv *httptest.Server

	mu       sync.Mutex
	status   int    // 0: accept /v1/batch itself
	location string // "" with status set: no Location header
	hits     []hit
}

type hit struct {
	path, method, auth string
	raw                []byte // as received (gzipped)
	ids                []string
	accepted           bool // answered 200, not the redirect
}

func newRedirectCollector(t *testing.T, status int, location string) *redirectCollector {
	c := &redirectCollector{status: status, location: location}
	c.srv = httptest.NewServer(c)
	t.Cleanup(c.srv.Close)
	return c
}

func (c *redirectCollector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	h := hit{path: r.URL.Path, method: r.Method, auth: r.Header.Get("Authorization"), raw: raw}
	body := raw
	if r.Header.Get("Content-Encoding") == "gzip" && len(raw) > 0 {
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err == nil {
			body, err = io.ReadAll(zr)
		}
		if err != nil {
			w.WriteHeader(400)
			return
		}
	}
	for _, m := range messageIDRE.FindAllSubmatch(body, -1) {
		h.ids = append(h.ids, string(m[1]))
	}
	c.mu.Lock()
	status, loc := c.status, c.location
	h.accepted = r.URL.Path != "/v1/batch" || status == 0
	c.hits = append(c.hits, h)
	c.mu.Unlock()
	if r.URL.Path == "/v1/batch" && status != 0 {
		if loc != "" {
			w.Header().Set("Location", loc)
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, "moved")
		return
	}
	_, _ = io.WriteString(w, `{"ok":true}`) // a landing page: 200 to anything
}

func (c *redirectCollector) set(status int, location string) {
	c.mu.Lock()
	c.status, c.location = status, location
	c.mu.Unlock()
}

func (c *redirectCollector) snapshot() []hit {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]hit(nil), c.hits...)
}

// delivered returns the message ids that arrived with a body somewhere.
func (c *redirectCollector) delivered() map[string]int {
	out := map[string]int{}
	for _, h := range c.snapshot() {
		if !h.accepted {
			continue // answered with the redirect
		}
		for _, id := range h.ids {
			out[id]++
		}
	}
	return out
}

var redirectStatuses = []int{http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect}

// TestHTTPRedirects: a 301, 302 or 303 never counts as delivery (net/http
// would have replayed the POST as a bodiless GET and taken the landing
// page's 200 for it): Send returns a retryable *RedirectError naming the
// Location, and the landing page is never asked. A same-host 307 or 308 is
// followed with the exact same body.
func TestHTTPRedirects(t *testing.T) {
	for _, status := range redirectStatuses {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			c := newRedirectCollector(t, status, "/landing/v1/batch")
			h, err := transport.NewSegment(c.srv.URL, "wk")
			if err != nil {
				t.Fatal(err)
			}
			err = h.Send(t.Context(), recs(3))
			hits := c.snapshot()
			follow := status == http.StatusTemporaryRedirect || status == http.StatusPermanentRedirect
			if follow {
				if err != nil {
					t.Fatalf("Send through a same-host %d = %v, want it followed", status, err)
				}
				if len(hits) != 2 || hits[1].path != "/landing/v1/batch" || hits[1].method != http.MethodPost {
					t.Fatalf("hits %+v, want the POST repeated at the Location", hits)
				}
				if !bytes.Equal(hits[0].raw, hits[1].raw) || len(hits[1].raw) == 0 {
					t.Fatalf("the %d hop carried %d bytes, the original %d: not the same body", status, len(hits[1].raw), len(hits[0].raw))
				}
				if hits[1].auth != hits[0].auth || hits[1].auth == "" {
					t.Fatalf("credentials did not follow the same-host redirect: %q", hits[1].auth)
				}
				if joinIDs(hits[1].ids) != joinIDs(sortedIDs(3)) || h.Stats().Delivered != 3 {
					t.Fatalf("landing got %v, stats %+v", hits[1].ids, h.Stats())
				}
				return
			}
			var re *transport.RedirectError
			if !errors.Is(err, transport.ErrRedirect) || !errors.As(err, &re) {
				t.Fatalf("Send through a %d = %v, want a *RedirectError", status, err)
			}
			if re.StatusCode != status || re.Location != c.srv.URL+"/landing/v1/batch" || re.URL != c.srv.URL+"/v1/batch" {
				t.Fatalf("RedirectError %+v", re)
			}
			if !strings.Contains(err.Error(), re.Location) || !strings.Contains(err.Error(), "not delivered") {
				t.Fatalf("error %q does not say where it was sent and that it was not delivered", err)
			}
			if !transport.IsRetryable(err) {
				t.Fatal("a redirect must be retryable, so that a spool never acknowledges the batch")
			}
			if len(hits) != 1 || hits[0].path != "/v1/batch" {
				t.Fatalf("hits %+v: the landing page must not be asked", hits)
			}
			if st := h.Stats(); st.Delivered != 0 || st.LastError == "" {
				t.Fatalf("stats after a %d: %+v", status, st)
			}
		})
	}
}

// TestHTTPRedirectRefusals: 307/308 hops that would leak the events or
// lose the credentials, loops, and a 3xx without Location are refused with a
// *RedirectError that says where the batch was sent.
func TestHTTPRedirectRefusals(t *testing.T) {
	plain := newRedirectCollector(t, 0, "")
	cases := []struct {
		name   string
		srv    func(t *testing.T) (url string, client *http.Client)
		reason string
	}{
		{"other host", func(t *testing.T) (string, *http.Client) {
			c := newRedirectCollector(t, http.StatusTemporaryRedirect, strings.Replace(plain.srv.URL, "127.0.0.1", "localhost", 1)+"/v1/batch")
			return c.srv.URL, nil
		}, "leaves the endpoint's host"},
		{"https to http", func(t *testing.T) (string, *http.Client) {
			s := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Location", plain.srv.URL+"/v1/batch")
				w.WriteHeader(http.StatusPermanentRedirect)
			}))
			t.Cleanup(s.Close)
			return s.URL, s.Client()
		}, "unencrypted"},
		{"loop", func(t *testing.T) (string, *http.Client) {
			c := newRedirectCollector(t, http.StatusTemporaryRedirect, "/v1/batch")
			return c.srv.URL, nil
		}, "stopped after 10 redirects"},
		{"no Location", func(t *testing.T) (string, *http.Client) {
			c := newRedirectCollector(t, http.StatusFound, "")
			return c.srv.URL, nil
		}, "GET without the body"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			url, client := tc.srv(t)
			var opts []transport.HTTPOption
			if client != nil {
				opts = append(opts, transport.WithHTTPClient(client))
			}
			h, err := transport.NewSegment(url, "wk", opts...)
			if err != nil {
				t.Fatal(err)
			}
			before := len(plain.snapshot())
			err = h.Send(t.Context(), recs(2))
			var re *transport.RedirectError
			if !errors.As(err, &re) || !errors.Is(err, transport.ErrRedirect) || !transport.IsRetryable(err) {
				t.Fatalf("Send = %v (%T), want a retryable *RedirectError", err, err)
			}
			if !strings.Contains(re.Reason, tc.reason) || !strings.Contains(err.Error(), re.URL) {
				t.Fatalf("error %q: want the reason %q and the URL", err, tc.reason)
			}
			if got := len(plain.snapshot()) - before; got != 0 {
				t.Fatalf("the refused target received %d requests", got)
			}
			if h.Stats().Delivered != 0 {
				t.Fatalf("stats %+v", h.Stats())
			}
		})
	}
}

// TestHTTPRedirectUserClient: a client given with WithHTTPClient gets the
// same rules through a copy; the client itself is not modified, and its
// own CheckRedirect still sees the hops that are followed.
func TestHTTPRedirectUserClient(t *testing.T) {
	for _, status := range redirectStatuses {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			c := newRedirectCollector(t, status, "/landing/v1/batch")
			var asked int
			check := func(req *http.Request, via []*http.Request) error { asked++; return nil }
			user := &http.Client{Timeout: 5 * time.Second, CheckRedirect: check}
			bare := &http.Client{Timeout: 5 * time.Second}
			for _, cl := range []*http.Client{user, bare} {
				h, err := transport.NewSegment(c.srv.URL, "wk", transport.WithHTTPClient(cl))
				if err != nil {
					t.Fatal(err)
				}
				err = h.Send(t.Context(), recs(2))
				follow := status == http.StatusTemporaryRedirect || status == http.StatusPermanentRedirect
				if follow != (err == nil) || (!follow && !errors.Is(err, transport.ErrRedirect)) {
					t.Fatalf("Send with a user client, %d: %v", status, err)
				}
			}
			if bare.CheckRedirect != nil || user.Timeout != 5*time.Second {
				t.Fatal("the user's http.Client was modified")
			}
			wantAsked := 0
			if status == http.StatusTemporaryRedirect || status == http.StatusPermanentRedirect {
				wantAsked = 1
			}
			if asked != wantAsked {
				t.Fatalf("the user's CheckRedirect was asked %d times, want %d", asked, wantAsked)
			}
			for _, h := range c.snapshot() {
				if h.method != http.MethodPost || (h.path == "/landing/v1/batch" && len(h.raw) == 0) {
					t.Fatalf("a hop without the body: %+v", h)
				}
			}
		})
	}
}

// TestHTTPRedirectThroughRetryReportsFailure: without a spool, Retry gives
// up on a redirect at its budget and the Batcher reports the records to the
// failure callback with the *RedirectError inside; none is reported
// delivered.
func TestHTTPRedirectThroughRetryReportsFailure(t *testing.T) {
	c := newRedirectCollector(t, http.StatusFound, "https://collector.example/v1/batch")
	var o outcomes
	var mu sync.Mutex
	var waits []time.Duration
	h, _ := transport.NewSegment(c.srv.URL, "wk")
	r, _ := transport.NewRetry(h, transport.WithRetryBudget(500*time.Millisecond), transport.WithBackoff(time.Millisecond, 2*time.Millisecond), instantSleep(&waits, &mu))
	b, err := transport.NewBatcher(r, transport.WithCallbacks(o.callbacks()))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		if err := b.Handle(t.Context(), rec(i, "")); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Shutdown(shutdownCtx(t)); err != nil {
		t.Fatal(err)
	}
	if len(o.delivered()) != 0 || len(c.delivered()) != 0 {
		t.Fatalf("delivered %v / collector got %v after a 302", o.delivered(), c.delivered())
	}
	failed := o.failed(transport.ReasonRetriesExhausted)
	if joinIDs(failed) != joinIDs(sortedIDs(10)) {
		t.Fatalf("failure callback got %v", failed)
	}
	o.mu.Lock()
	f := o.failures[0]
	o.mu.Unlock()
	if !errors.Is(f.Err, transport.ErrRedirect) || !errors.Is(f.Err, transport.ErrRetriesExhausted) || !strings.Contains(f.Err.Error(), "https://collector.example/v1/batch") {
		t.Fatalf("failure error %v: want ErrRedirect naming the Location", f.Err)
	}
}

// TestHTTPRedirectSpoolNeverAcknowledges: behind a spool, a batch answered
// with a 301, 302 or 303 stays on disk (never acknowledged, never reported
// delivered) however often the drain tries, and goes out once the
// collector stops redirecting; a same-host 307 or 308 is delivered with its
// body and acknowledged.
func TestHTTPRedirectSpoolNeverAcknowledges(t *testing.T) {
	for _, status := range redirectStatuses {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			c := newRedirectCollector(t, status, "/landing/v1/batch")
			dir := t.TempDir()
			open := func(o *outcomes) (*transport.Batcher, *spool.Spool) {
				h, err := transport.NewSegment(c.srv.URL, "wk")
				if err != nil {
					t.Fatal(err)
				}
				r, _ := transport.NewRetry(h, transport.WithRetryBudget(20*time.Millisecond), transport.WithBackoff(time.Millisecond, 2*time.Millisecond))
				sp, err := spool.Open(dir, r, spool.WithDrainBackoff(time.Millisecond, 5*time.Millisecond), spool.WithCallbacks(o.callbacks()))
				if err != nil {
					t.Fatal(err)
				}
				b, err := transport.NewBatcher(sp, transport.WithMaxBatchEvents(10), transport.WithOverflow(transport.OverflowBlock))
				if err != nil {
					t.Fatal(err)
				}
				return b, sp
			}
			var o outcomes
			b, sp := open(&o)
			offer(t, b, 50)
			if err := b.Flush(t.Context()); err != nil {
				t.Fatal(err)
			}
			follow := status == http.StatusTemporaryRedirect || status == http.StatusPermanentRedirect
			if !follow {
				// Let the drain meet the redirect again and again.
				deadline := time.Now().Add(5 * time.Second)
				for len(c.snapshot()) < 10 && time.Now().Before(deadline) {
					time.Sleep(5 * time.Millisecond)
				}
				if n := len(c.snapshot()); n < 10 {
					t.Fatalf("the drain asked the collector only %d times in 5s", n)
				}
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			if !follow {
				cancel()
				ctx, cancel = context.WithTimeout(context.Background(), 50*time.Millisecond)
			}
			err := b.Shutdown(ctx)
			cancel()
			if err != nil {
				t.Fatalf("Shutdown = %v", err)
			}
			if follow {
				if sp.Pending() != 0 || len(c.delivered()) != 50 || len(o.delivered()) != 50 {
					t.Fatalf("%d: pending %d, collector got %d, reported delivered %d", status, sp.Pending(), len(c.delivered()), len(o.delivered()))
				}
				return
			}
			if sp.Pending() != 50 {
				t.Fatalf("after %d answers of %d the spool holds %d of 50 records: it acknowledged undelivered ones", len(c.snapshot()), status, sp.Pending())
			}
			if len(o.delivered()) != 0 || len(c.delivered()) != 0 || len(o.failed(transport.ReasonRejected)) != 0 {
				t.Fatalf("reported delivered %d, landing got %d, rejected %d", len(o.delivered()), len(c.delivered()), len(o.failed(transport.ReasonRejected)))
			}
			for _, h := range c.snapshot() {
				if h.path != "/v1/batch" {
					t.Fatalf("the landing page was asked: %+v", h)
				}
			}
			if st := sp.Stats(); !strings.Contains(st.LastError, "not followed") {
				t.Fatalf("the spool's last error %q does not say why", st.LastError)
			}
			// The endpoint is fixed: the next start delivers everything.
			c.set(0, "")
			var o2 outcomes
			b2, sp2 := open(&o2)
			if err := b2.Shutdown(shutdownCtx(t)); err != nil {
				t.Fatal(err)
			}
			if sp2.Pending() != 0 || len(c.delivered()) != 50 || len(o2.delivered()) != 50 {
				t.Fatalf("after the fix: pending %d, collector got %d, reported %d", sp2.Pending(), len(c.delivered()), len(o2.delivered()))
			}
		})
	}
}
