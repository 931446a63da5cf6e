package transport

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// HTTP is a Sender that POSTs each batch as one request: a Segment or
// RudderStack /v1/batch body (NewSegment, NewRudderStack) or a CloudEvents
// JSON batch (NewCloudEvents). The body is gzipped by default with pooled
// writers and built from the records' encoded payloads without
// re-marshalling.
//
// A 2xx answer delivers the batch. Any other status returns an *HTTPError
// (StatusCode, Retry-After, the first bytes of the body); a failure to reach
// the server returns a *NetworkError. Wrap HTTP in Retry to retry them.
//
// HTTP is safe for concurrent use. Shutdown waits for requests in flight (or
// ctx), and closes idle connections of a client it created; Send then
// returns ErrClosed.
type HTTP struct {
	url     string
	cfg     httpConfig
	client  *http.Client
	own     bool
	format  httpFormat
	headers http.Header
	ctr     Counters
	bodies  slicePool
	zbodies bufPool
	gz      gzipPool

	mu     sync.Mutex
	closed bool
	active int           // requests in flight
	idle   chan struct{} // closed when active drops to 0 after Shutdown
}

var (
	_ Sender               = (*HTTP)(nil)
	_ connected.Shutdowner = (*HTTP)(nil)
)

// httpFormat encodes a request body for one collector API.
type httpFormat interface {
	contentType() string
	appendBody(dst []byte, recs []*connected.Record, sentAt time.Time) ([]byte, error)
}

func newHTTP(endpoint string, f httpFormat, auth string, opts []HTTPOption) (*HTTP, error) {
	if !strings.HasPrefix(endpoint, "http://") && !strings.HasPrefix(endpoint, "https://") {
		return nil, fmt.Errorf("transport: endpoint %q: must be an http:// or https:// URL", endpoint)
	}
	cfg, err := newHTTPConfig(opts)
	if err != nil {
		return nil, err
	}
	h := &HTTP{url: endpoint, cfg: cfg, client: cfg.client, format: f}
	if h.client == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = 64
		h.client, h.own = &http.Client{Transport: t}, true
	}
	h.headers = cfg.headers.Clone()
	h.headers.Set("Content-Type", f.contentType())
	h.headers.Set("User-Agent", connected.LibraryName+"/"+connected.Version)
	if cfg.gzip {
		h.headers.Set("Content-Encoding", "gzip")
	}
	if auth != "" {
		h.headers.Set("Authorization", auth)
	}
	return h, nil
}

// Send POSTs batch as one request and waits for the answer, at most the
// request timeout. See HTTP for the errors.
func (h *HTTP) Send(ctx context.Context, batch []*connected.Record) error {
	if len(batch) == 0 {
		return nil
	}
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return ErrClosed
	}
	h.active++
	h.mu.Unlock()
	defer h.done()
	if err := ctx.Err(); err != nil {
		return err
	}

	raw := h.bodies.get()
	var err error
	*raw, err = h.format.appendBody(*raw, batch, h.cfg.now())
	if err != nil {
		h.bodies.put(raw)
		return Permanent(fmt.Errorf("transport: encode batch: %w", err))
	}
	var body *pooledBody
	if h.cfg.gzip {
		wire := h.zbodies.get()
		err = h.gz.compress(wire, *raw)
		h.bodies.put(raw)
		if err != nil {
			h.zbodies.put(wire)
			return fmt.Errorf("transport: gzip: %w", err)
		}
		body = &pooledBody{r: bytes.NewReader(wire.Bytes()), release: func() { h.zbodies.put(wire) }}
	} else {
		body = &pooledBody{r: bytes.NewReader(*raw), release: func() { h.bodies.put(raw) }}
	}
	n := body.r.Len()

	rctx, cancel := context.WithTimeout(ctx, h.cfg.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodPost, h.url, body)
	if err != nil {
		body.Close()
		return Permanent(fmt.Errorf("transport: build request: %w", err))
	}
	req.ContentLength = int64(n)
	req.Header = h.headers.Clone()
	h.ctr.Requests.Add(1)
	resp, err := h.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("transport: POST %s: %w", h.url, ctx.Err())
		}
		err = &NetworkError{Err: err}
		h.ctr.Fail(err, h.cfg.now())
		return err
	}
	h.ctr.WireBytes.Add(uint64(n))
	return h.finish(ctx, resp, batch)
}

func (h *HTTP) finish(ctx context.Context, resp *http.Response, batch []*connected.Record) error {
	defer resp.Body.Close()
	var kept []byte
	if resp.StatusCode/100 != 2 {
		kept, _ = io.ReadAll(io.LimitReader(resp.Body, MaxErrorBody))
	}
	// Read the rest, up to the cap, so the connection can be reused.
	if _, err := io.Copy(io.Discard, io.LimitReader(resp.Body, h.cfg.bodyCap)); err != nil && resp.StatusCode/100 == 2 {
		if ctx.Err() != nil {
			return fmt.Errorf("transport: POST %s: %w", h.url, ctx.Err())
		}
		// The status line arrived: the batch was accepted.
	}
	if resp.StatusCode/100 == 2 {
		h.ctr.Delivered.Add(uint64(len(batch)))
		for _, r := range batch {
			h.ctr.Bytes.Add(uint64(len(r.Payload)))
		}
		return nil
	}
	e := &HTTPError{StatusCode: resp.StatusCode, Body: kept}
	if v := resp.Header.Get("Retry-After"); v != "" {
		e.RetryAfter, _ = ParseRetryAfter(v, h.cfg.now())
	}
	h.ctr.Fail(e, h.cfg.now())
	return e
}

// pooledBody returns its buffer to the pool when the transport closes it,
// which it does once it will not read it again.
type pooledBody struct {
	r       *bytes.Reader
	once    sync.Once
	release func()
}

func (p *pooledBody) Read(b []byte) (int, error) { return p.r.Read(b) }

func (p *pooledBody) Close() error {
	p.once.Do(p.release)
	return nil
}

func (h *HTTP) done() {
	h.mu.Lock()
	h.active--
	if h.active == 0 && h.idle != nil {
		close(h.idle)
		h.idle = nil
	}
	h.mu.Unlock()
}

// Shutdown stops accepting batches, waits for requests in flight until ctx
// is done, and closes idle connections if HTTP created its client. It is
// idempotent.
func (h *HTTP) Shutdown(ctx context.Context) error {
	h.mu.Lock()
	h.closed = true
	var wait chan struct{}
	if h.active > 0 {
		if h.idle == nil {
			h.idle = make(chan struct{})
		}
		wait = h.idle
	}
	h.mu.Unlock()
	var err error
	if wait != nil {
		select {
		case <-wait:
		case <-ctx.Done():
			err = ctx.Err() // requests end at their own timeout
		}
	}
	if h.own {
		h.client.CloseIdleConnections()
	}
	return err
}

// Stats returns request, delivery and wire-byte counters.
func (h *HTTP) Stats() Stats { return h.ctr.Snapshot() }

// ErrInvalidRetryAfter is matched by errors from ParseRetryAfter.
var ErrInvalidRetryAfter = errors.New("transport: invalid Retry-After")

// ParseRetryAfter parses a Retry-After header value: delay-seconds or an
// HTTP-date (RFC 9110 §10.2.3), relative to now. A date in the past gives 0.
// Errors match ErrInvalidRetryAfter.
func ParseRetryAfter(v string, now time.Time) (time.Duration, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, fmt.Errorf("%w: empty", ErrInvalidRetryAfter)
	}
	if v[0] >= '0' && v[0] <= '9' {
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return 0, fmt.Errorf("%w: %q is not a number of seconds below 2^32", ErrInvalidRetryAfter, v)
		}
		return time.Duration(n) * time.Second, nil
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, fmt.Errorf("%w: %q is neither seconds nor an HTTP-date", ErrInvalidRetryAfter, v)
	}
	if d := t.Sub(now); d > 0 {
		return d, nil
	}
	return 0, nil
}
