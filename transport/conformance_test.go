package transport_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport"
	"github.com/touchpoint-sdk/touchpoint/transport/transporttest"
)

var messageIDRE = regexp.MustCompile(`"messageId":"([^"]+)"`)

// modalCollector is a loopback collector that answers according to a
// transporttest.Mode and records the messageIds it accepted.
type modalCollector struct {
	mu   sync.Mutex
	mode transporttest.Mode
	got  []string
	srv  *httptest.Server
	stop chan struct{}
}

func newModalCollector() *modalCollector {
	c := &modalCollector{stop: make(chan struct{})}
	c.srv = httptest.NewServer(c)
	return c
}

func (c *modalCollector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	mode := c.mode
	c.mu.Unlock()
	switch mode {
	case transporttest.Down:
		w.Header().Set("Retry-After", "0")
		w.WriteHeader(503)
		return
	case transporttest.Reject:
		w.WriteHeader(400)
		return
	case transporttest.Hang:
		select {
		case <-r.Context().Done():
		case <-c.stop:
		}
		return
	}
	var body io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			w.WriteHeader(400)
			return
		}
		body = zr
	}
	b, err := io.ReadAll(body)
	if err != nil {
		w.WriteHeader(400)
		return
	}
	c.mu.Lock()
	for _, m := range messageIDRE.FindAllSubmatch(b, -1) {
		c.got = append(c.got, string(m[1]))
	}
	c.mu.Unlock()
}

func (c *modalCollector) target(s transport.Sender) transporttest.Target {
	return transporttest.Target{
		Sender:   s,
		Received: func() []string { c.mu.Lock(); defer c.mu.Unlock(); return append([]string(nil), c.got...) },
		SetMode:  func(m transporttest.Mode) bool { c.mu.Lock(); c.mode = m; c.mu.Unlock(); return true },
		Close:    func() { close(c.stop); c.srv.Close() },
	}
}

func TestConformanceSegment(t *testing.T) {
	transporttest.Run(t, func(t *testing.T) transporttest.Target {
		c := newModalCollector()
		h, err := transport.NewSegment(c.srv.URL, "wk")
		if err != nil {
			t.Fatal(err)
		}
		return c.target(h)
	})
}

func TestConformanceRudderStack(t *testing.T) {
	transporttest.Run(t, func(t *testing.T) transporttest.Target {
		c := newModalCollector()
		h, _ := transport.NewRudderStack(c.srv.URL, "wk", transport.WithGzip(false))
		return c.target(h)
	})
}

func TestConformanceCloudEvents(t *testing.T) {
	transporttest.Run(t, func(t *testing.T) transporttest.Target {
		c := newModalCollector()
		h, _ := transport.NewCloudEvents(c.srv.URL, connected.CloudEventsOptions{Source: "urn:test"})
		return c.target(h)
	})
}

func TestConformanceRetry(t *testing.T) {
	transporttest.Run(t, func(t *testing.T) transporttest.Target {
		c := newModalCollector()
		h, _ := transport.NewSegment(c.srv.URL, "wk")
		r, _ := transport.NewRetry(h, transport.WithBackoff(time.Millisecond, 2*time.Millisecond), transport.WithRetryBudget(20*time.Millisecond))
		return c.target(r)
	})
}

// modalWriter fails writes when down.
type modalWriter struct {
	mu   sync.Mutex
	down bool
	buf  bytes.Buffer
}

func (w *modalWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.down {
		return 0, errors.New("write: broken pipe")
	}
	return w.buf.Write(p)
}

func (w *modalWriter) ids() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for _, m := range messageIDRE.FindAllSubmatch(w.buf.Bytes(), -1) {
		out = append(out, string(m[1]))
	}
	return out
}

func TestConformanceWriter(t *testing.T) {
	transporttest.Run(t, func(t *testing.T) transporttest.Target {
		mw := &modalWriter{}
		w, _ := transport.NewWriter(mw)
		return transporttest.Target{Sender: w, Received: mw.ids, SetMode: func(m transporttest.Mode) bool {
			mw.mu.Lock()
			defer mw.mu.Unlock()
			mw.down = m == transporttest.Down
			return m == transporttest.Up || m == transporttest.Down
		}}
	})
}

func TestConformanceFile(t *testing.T) {
	transporttest.Run(t, func(t *testing.T) transporttest.Target {
		path := filepath.Join(t.TempDir(), "out.ndjson")
		f, err := transport.NewFile(path, transport.WithFileMaxBytes(4<<10))
		if err != nil {
			t.Fatal(err)
		}
		return transporttest.Target{Sender: f, Received: func() []string {
			// Rotated files hold the older lines: read oldest first.
			var out []string
			for _, p := range []string{path + ".5", path + ".4", path + ".3", path + ".2", path + ".1", path} {
				b, _ := os.ReadFile(p)
				for _, m := range messageIDRE.FindAllSubmatch(b, -1) {
					out = append(out, string(m[1]))
				}
			}
			return out
		}}
	})
}
