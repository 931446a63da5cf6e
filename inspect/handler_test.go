package inspect_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/inspect"
)

var pages = []string{"/", "/events", "/decisions", "/charts", "/zones", "/identity", "/audiences"}

func TestNewRequiresAuthorize(t *testing.T) {
	h, err := inspect.New(nil)
	require.Nil(t, h)
	var ce *inspect.ConfigError
	require.ErrorAs(t, err, &ce)
	assert.ErrorIs(t, err, inspect.ErrConfig)
	assert.Equal(t, "Authorize", ce.Field)
}

func TestNewRefusesBadOptions(t *testing.T) {
	allow := func(*http.Request) error { return nil }
	for name, o := range map[string]inspect.Option{
		"WithTap":        inspect.WithTap(nil),
		"WithDecisions":  inspect.WithDecisions(nil),
		"WithStats":      inspect.WithStats("", nil),
		"WithZones":      inspect.WithZones(nil),
		"WithExplainer":  inspect.WithExplainer(nil),
		"WithAudiences":  inspect.WithAudiences(nil),
		"WithReveal":     inspect.WithReveal(nil),
		"WithSampling":   inspect.WithSampling(time.Millisecond, 10),
		"WithMaxStreams": inspect.WithMaxStreams(0),
		"WithClock":      inspect.WithClock(nil),
		"nil":            nil,
	} {
		_, err := inspect.New(allow, o)
		assert.ErrorIs(t, err, inspect.ErrConfig, name)
	}
	_, err := inspect.NewTap(inspect.WithCapacity(0))
	assert.ErrorIs(t, err, inspect.ErrConfig)
}

// Every path, static files and the stream included, asks the hook first;
// without the token nothing but the status comes back, and the hook's
// error text never does.
func TestAuthorizationOnEveryPath(t *testing.T) {
	f := newFixture(t)
	for _, p := range append(pages, "/stream", "/static/app.js", "/static/app.css", "/nope") {
		for _, tc := range []struct {
			auth   string
			status int
		}{{"", http.StatusUnauthorized}, {"Bearer wrong", http.StatusForbidden}} {
			req, err := http.NewRequest(http.MethodGet, f.srv.URL+"/debug/touchpoint"+p, nil)
			require.NoError(t, err)
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			resp, err := f.srv.Client().Do(req)
			require.NoError(t, err)
			body := make([]byte, 4096)
			n, _ := resp.Body.Read(body)
			resp.Body.Close()
			assert.Equal(t, tc.status, resp.StatusCode, p)
			assert.NotContains(t, string(body[:n]), "alice", p)
			assert.NotEmpty(t, resp.Header.Get("Content-Security-Policy"), p)
		}
	}
	for _, p := range pages {
		status, hd, body := f.get(t, p)
		assert.Equal(t, http.StatusOK, status, p)
		assert.Contains(t, hd.Get("Content-Security-Policy"), "script-src 'self'", p)
		assert.Equal(t, "nosniff", hd.Get("X-Content-Type-Options"), p)
		assert.Equal(t, "DENY", hd.Get("X-Frame-Options"), p)
		assert.Equal(t, "no-store", hd.Get("Cache-Control"), p)
		assert.Contains(t, body, "Touchpoint inspector", p)
	}
}

func TestMountedWithoutTrailingSlashRedirects(t *testing.T) {
	f := newFixture(t)
	c := *f.srv.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	req, _ := http.NewRequest(http.MethodGet, f.srv.URL+"/debug/touchpoint", nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := c.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMovedPermanently, resp.StatusCode)
	assert.Equal(t, "/debug/touchpoint/", resp.Header.Get("Location"))
}

func TestUnconfiguredPagesAreNotServed(t *testing.T) {
	h, err := inspect.New(func(*http.Request) error { return nil })
	require.NoError(t, err)
	defer h.Shutdown(context.Background())
	for _, p := range pages[1:] {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, p, nil))
		assert.Equal(t, http.StatusNotFound, rec.Code, p)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.NotContains(t, rec.Body.String(), `href="events"`)
}

func TestMethodsOtherThanGetRefused(t *testing.T) {
	f := newFixture(t)
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete} {
		req, _ := http.NewRequest(m, f.srv.URL+"/debug/touchpoint/events", nil)
		req.Header.Set("Authorization", "Bearer "+testToken)
		resp, err := f.srv.Client().Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode, m)
	}
}

// A hostile event name, property key, destination-like point and zone are
// escaped everywhere they appear.
func TestHostileNamesAreEscaped(t *testing.T) {
	const evil = `<script>alert("x")</script><img src=x onerror=alert(1)>`
	f := newFixture(t, inspect.WithReveal(func(*http.Request) bool { return true }))
	f.track(t, evil, connected.Properties{evil: evil})
	for _, p := range []string{"/events", "/events?event=" + "%3Cscript", "/decisions"} {
		status, _, body := f.get(t, p)
		require.Equal(t, http.StatusOK, status, p)
		assert.NotContains(t, body, "<script>alert", p)
		assert.NotContains(t, body, "<img src=x", p)
	}
	_, _, body := f.get(t, "/events")
	assert.Contains(t, body, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := f.stream(t, ctx, "after=0")
	m := s.until(t, func(m message) bool { return m.event == "" && m.data != "" })
	assert.NotContains(t, m.data, "<script>")
	assert.Contains(t, m.data, `\u003cscript\u003ealert`)
}

func TestHookErrorsAreMatchable(t *testing.T) {
	err := authorize(httptest.NewRequest(http.MethodGet, "/", nil))
	assert.True(t, errors.Is(err, inspect.ErrUnauthenticated))
}

func TestShutdownIsIdempotentAndRefusesLaterRequests(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, f.h.Shutdown(ctx))
	require.NoError(t, f.h.Shutdown(ctx))
	status, _, body := f.get(t, "/")
	assert.Equal(t, http.StatusServiceUnavailable, status)
	assert.True(t, strings.Contains(body, "shut down"))
}
