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
	"sync/atomic"
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
// Redirects never count as delivery of a body that was not sent. A 307 or
// 308 is followed with the same body, byte for byte, when it stays on the
// endpoint's host and does not go from https to http (at most 10 hops); any
// other redirect, and every 301, 302 and 303 (which net/http would replay
// as a GET without the body), returns a *RedirectError (ErrRedirect) that
// names the Location. This holds for a client given with WithHTTPClient too:
// HTTP sends through a shallow copy of it with its own CheckRedirect (which
// then calls the client's own CheckRedirect, if any, for the hops it
// follows); the client itself is not modified.
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
	comp    compressor

	mu     sync.Mutex
	closed bool
	active int           // requests in flight
	idle   chan struct{} // closed when active drops to 0 after Shutdown
}

var (
	_ Sender               = (*HTTP)(nil)
	_ Borrower             = (*HTTP)(nil)
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
	h := &HTTP{url: endpoint, cfg: cfg, format: f}
	if cfg.client == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = 64
		h.client, h.own = &http.Client{Transport: t}, true
	} else {
		c := *cfg.client // a shallow copy: the user's client stays as it was
		h.client = &c
	}
	h.client.CheckRedirect = redirectPolicy(h.client.CheckRedirect)
	h.headers = cfg.headers.Clone()
	h.headers.Set("Content-Type", f.contentType())
	h.headers.Set("User-Agent", connected.LibraryName+"/"+connected.Version)
	if cfg.compression != CompressionNone {
		h.headers.Set("Content-Encoding", cfg.compression.String())
	}
	if auth != "" {
		h.headers.Set("Authorization", auth)
	}
	return h, nil
}

// Send POSTs batch as one request and waits for the answer, at most the
// request timeout. See HTTP for the errors; a nil ctx returns
// ErrNilContext.
func (h *HTTP) Send(ctx context.Context, batch []*connected.Record) error {
	if ctx == nil {
		return nilContext("HTTP.Send")
	}
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
	if h.cfg.compression != CompressionNone {
		wire := h.zbodies.get()
		err = h.comp.compress(h.cfg.compression, wire, *raw)
		h.bodies.put(raw)
		if err != nil {
			h.zbodies.put(wire)
			return fmt.Errorf("transport: %s: %w", h.cfg.compression, err)
		}
		body = newPooledBody(wire.Bytes(), func() { h.zbodies.put(wire) })
	} else {
		body = newPooledBody(*raw, func() { h.bodies.put(raw) })
	}
	defer body.unref() // after Do: no redirect will ask for the body again
	n := body.r.Len()

	rctx, cancel := context.WithTimeout(ctx, h.cfg.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodPost, h.url, body)
	if err != nil {
		body.Close()
		return Permanent(fmt.Errorf("transport: build request: %w", err))
	}
	req.ContentLength = int64(n)
	req.GetBody = body.getBody
	req.Header = h.headers.Clone()
	h.ctr.Requests.Add(1)
	resp, err := h.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("transport: POST %s: %w", h.url, ctx.Err())
		}
		var re *RedirectError
		if errors.As(err, &re) { // a hop the redirect policy refused
			h.ctr.Fail(re, h.cfg.now())
			return re
		}
		err = &NetworkError{Err: err}
		h.ctr.Fail(err, h.cfg.now())
		return err
	}
	h.ctr.WireBytes.Add(uint64(n))
	return h.finish(ctx, resp, batch)
}

// BorrowsRecords reports true: Send copies the payloads into a body of its
// own and keeps no record or record bytes after it returns (see Borrower).
func (h *HTTP) BorrowsRecords() bool { return true }

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
	if isRedirect(resp.StatusCode) {
		// Not followed (see redirectPolicy): the body did not reach the
		// collector, whatever the landing page would have said.
		e := newRedirectError(resp, "")
		h.ctr.Fail(e, h.cfg.now())
		return e
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

// pooledBody returns its buffer to the pool once the transport has closed
// it (it will not read it again, though it may close it after Do returns)
// and Send has finished with the request (no redirect will call GetBody).
type pooledBody struct {
	r       *bytes.Reader
	data    []byte
	once    sync.Once
	refs    atomic.Int32
	release func()
}

func newPooledBody(data []byte, release func()) *pooledBody {
	p := &pooledBody{r: bytes.NewReader(data), data: data, release: release}
	p.refs.Store(2) // the transport's Close and Send's unref
	return p
}

func (p *pooledBody) Read(b []byte) (int, error) { return p.r.Read(b) }

func (p *pooledBody) Close() error {
	p.once.Do(p.unref)
	return nil
}

func (p *pooledBody) unref() {
	if p.refs.Add(-1) == 0 {
		p.release()
	}
}

// getBody is the request's GetBody: the same bytes again, for a 307 or 308
// (or an HTTP/2 retry). It runs inside Do, while Send still holds the
// buffer, and copies it, so the copy outlives the buffer's return to the
// pool.
func (p *pooledBody) getBody() (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(bytes.Clone(p.data))), nil
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
// idempotent. A nil ctx returns ErrNilContext and changes nothing.
func (h *HTTP) Shutdown(ctx context.Context) error {
	if ctx == nil {
		return nilContext("HTTP.Shutdown")
	}
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

// maxRedirects is how many 307/308 hops one request may follow, as
// net/http's default policy.
const maxRedirects = 10

// isRedirect reports whether status is one that net/http may follow.
func isRedirect(status int) bool {
	switch status {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// redirectPolicy is the CheckRedirect of the HTTP sender's client. It lets
// net/http follow a 307 or 308, which re-sends the same body (GetBody),
// when it stays on the endpoint's host, keeps https, and is within
// maxRedirects; then user, the client's own CheckRedirect, has the last
// word. A 301, 302 or 303 is never followed (net/http would send a GET
// without the body): ErrUseLastResponse hands the redirect to finish,
// which turns it into a *RedirectError.
func redirectPolicy(user func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		resp := req.Response
		if resp == nil || len(via) == 0 {
			return http.ErrUseLastResponse
		}
		if resp.StatusCode != http.StatusTemporaryRedirect && resp.StatusCode != http.StatusPermanentRedirect {
			return http.ErrUseLastResponse
		}
		first := via[0].URL
		switch {
		case first.Scheme == "https" && req.URL.Scheme != "https":
			return newRedirectError(resp, "it goes from https to "+req.URL.Scheme+", which would send the events unencrypted")
		case !strings.EqualFold(req.URL.Hostname(), first.Hostname()):
			return newRedirectError(resp, "it leaves the endpoint's host "+first.Hostname()+" (credentials would not follow)")
		case len(via) >= maxRedirects:
			return newRedirectError(resp, "stopped after "+strconv.Itoa(maxRedirects)+" redirects")
		}
		if user != nil {
			if err := user(req, via); err != nil {
				if err == http.ErrUseLastResponse {
					return err
				}
				return newRedirectError(resp, "the http.Client's CheckRedirect refused it: "+err.Error())
			}
		}
		return nil
	}
}

// newRedirectError describes resp, a redirect answered to a batch.
func newRedirectError(resp *http.Response, reason string) *RedirectError {
	e := &RedirectError{StatusCode: resp.StatusCode, Reason: reason}
	if resp.Request != nil && resp.Request.URL != nil {
		e.URL = resp.Request.URL.Redacted()
	}
	if loc, err := resp.Location(); err == nil {
		e.Location = loc.Redacted()
	} else if raw := resp.Header.Get("Location"); raw != "" {
		e.Location = raw
	}
	if reason == "" {
		switch resp.StatusCode {
		case http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
			e.Reason = "the redirect was refused or had no Location"
		default:
			e.Reason = "a " + strconv.Itoa(resp.StatusCode) + " would be followed by a GET without the body"
		}
	}
	return e
}
