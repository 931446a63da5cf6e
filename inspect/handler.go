package inspect

import (
	"bytes"
	"context"
	"crypto/rand"
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Handler serves the inspector's pages. Mount it under a prefix with
// http.StripPrefix, as net/http/pprof is mounted:
//
//	mux.Handle("/debug/touchpoint/", http.StripPrefix("/debug/touchpoint", h))
//
// Pages link to each other relatively, so any prefix works. Every request
// goes through the authorisation hook first; see the package doc for the
// security contract.
//
// A Handler is safe for concurrent use. When it has stats sources
// (WithStats) it runs one sampler goroutine; call Shutdown to stop it and
// to end the live streams.
type Handler struct {
	cfg       config
	authorize func(*http.Request) error
	pages     map[string]*template.Template
	nav       []navItem

	streams  atomic.Int64
	refused  atomic.Uint64 // streams refused: too many open
	series   *history
	done     chan struct{}
	closing  sync.Once
	sampler  sync.WaitGroup
	streamMu sync.Mutex     // orders enterStream against Shutdown
	active   sync.WaitGroup // open streams
	shutdown atomic.Bool
}

type navItem struct{ Path, Title string }

// New returns a Handler that lets a request in only when authorize returns
// nil for it. authorize is required: a nil hook gets a *ConfigError, so the
// inspector is never open by default. An invalid option also gets a
// *ConfigError. authorize is called on every request, concurrently; it
// returns ErrUnauthenticated (or an error wrapping it) for 401, any other
// error for 403. The error's text is never sent to the client.
//
// If WithStats gave sources, New starts the sampler goroutine; Shutdown
// stops it.
func New(authorize func(*http.Request) error, opts ...Option) (*Handler, error) {
	if authorize == nil {
		return nil, &ConfigError{Field: "Authorize", Reason: "is nil: the inspector needs an authorisation hook and is never open by default"}
	}
	cfg := config{interval: DefaultSampleInterval, history: DefaultHistory, maxStreams: DefaultMaxStreams, clock: time.Now}
	for _, o := range opts {
		if o == nil {
			return nil, &ConfigError{Field: "Option", Reason: "is nil"}
		}
		if err := o.apply(&cfg); err != nil {
			return nil, err
		}
	}
	if cfg.pseudo == nil {
		key := make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, err
		}
		p, err := connected.NewPseudonymizer(key)
		if err != nil {
			return nil, err
		}
		cfg.pseudo = p
	}
	h := &Handler{cfg: cfg, authorize: authorize, done: make(chan struct{})}
	if err := h.parseTemplates(); err != nil {
		return nil, err
	}
	h.nav = append(h.nav, navItem{"./", "Overview"})
	if cfg.tap != nil {
		h.nav = append(h.nav, navItem{"events", "Events"})
	}
	if cfg.decisions != nil {
		h.nav = append(h.nav, navItem{"decisions", "Decisions"})
	}
	if len(cfg.stats) > 0 {
		h.nav = append(h.nav, navItem{"charts", "Delivery"})
	}
	if cfg.zones != nil {
		h.nav = append(h.nav, navItem{"zones", "Zones"})
	}
	if cfg.explainer != nil {
		h.nav = append(h.nav, navItem{"identity", "Identity"})
	}
	if cfg.audiences != nil {
		h.nav = append(h.nav, navItem{"audiences", "Audiences"})
	}
	if len(cfg.stats) > 0 {
		h.series = newHistory(cfg.stats, cfg.history)
		h.series.sample(cfg.clock())
		h.sampler.Add(1)
		go h.runSampler()
	}
	return h, nil
}

var funcs = template.FuncMap{
	"abbr": abbr,
}

func (h *Handler) parseTemplates() error {
	base, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/svg.html")
	if err != nil {
		return err
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return err
	}
	h.pages = map[string]*template.Template{}
	for _, n := range names {
		n = strings.TrimPrefix(n, "templates/")
		if n == "layout.html" || n == "svg.html" {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(templateFS, "templates/"+n)
		if err != nil {
			return err
		}
		h.pages[strings.TrimSuffix(n, ".html")] = t
	}
	return nil
}

// Shutdown stops the sampler goroutine and ends every live stream, then
// waits for them until ctx is done (returning ctx.Err() then). Later
// requests get 503. Shutdown is idempotent.
func (h *Handler) Shutdown(ctx context.Context) error {
	if ctx == nil {
		return errors.New("inspect: Shutdown: nil context")
	}
	h.closing.Do(func() {
		h.streamMu.Lock()
		h.shutdown.Store(true)
		h.streamMu.Unlock()
		close(h.done)
	})
	waited := make(chan struct{})
	go func() {
		h.sampler.Wait()
		h.active.Wait()
		close(waited)
	}()
	select {
	case <-waited:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// setHeaders applies the security headers every response carries.
func setHeaders(w http.ResponseWriter) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("Cache-Control", "no-store")
}

// ServeHTTP authorises the request, then serves the page its path names.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	setHeaders(w)
	if err := h.authorize(r); err != nil {
		if errors.Is(err, ErrUnauthenticated) {
			http.Error(w, "inspect: authentication required", http.StatusUnauthorized)
			return
		}
		http.Error(w, "inspect: forbidden", http.StatusForbidden)
		return
	}
	if h.shutdown.Load() {
		http.Error(w, ErrClosed.Error(), http.StatusServiceUnavailable)
		return
	}
	p := r.URL.Path
	if p == "" {
		// Mounted with StripPrefix at "/x" and asked for "/x": pages link
		// relatively, so they need the trailing slash.
		http.Redirect(w, r, strings.SplitN(r.RequestURI, "?", 2)[0]+"/", http.StatusMovedPermanently)
		return
	}
	if r.Method == http.MethodPost && p != "/identity" || r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodPost {
		http.Error(w, "inspect: method not allowed", http.StatusMethodNotAllowed)
		return
	}
	switch {
	case p == "/":
		h.serveIndex(w, r)
	case p == "/events" && h.cfg.tap != nil:
		h.serveEvents(w, r)
	case p == "/stream" && h.cfg.tap != nil:
		h.serveStream(w, r)
	case p == "/decisions" && h.cfg.decisions != nil:
		h.serveDecisions(w, r)
	case p == "/charts" && h.series != nil:
		h.serveCharts(w, r)
	case p == "/zones" && h.cfg.zones != nil:
		h.serveZones(w, r)
	case p == "/identity" && h.cfg.explainer != nil:
		h.serveIdentity(w, r)
	case p == "/audiences" && h.cfg.audiences != nil:
		h.serveAudiences(w, r)
	case p == "/static/app.js" || p == "/static/app.css":
		h.serveStatic(w, r, p[1:])
	default:
		http.NotFound(w, r)
	}
}

func (h *Handler) serveStatic(w http.ResponseWriter, r *http.Request, name string) {
	b, err := staticFS.ReadFile(name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	if strings.HasSuffix(name, ".js") {
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	} else {
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
	}
	_, _ = w.Write(b)
}

// pageData is what every page template gets.
type pageData struct {
	Title    string
	Page     string
	Nav      []navItem
	Now      string
	Revealed bool
	Refresh  int // seconds between live refreshes of the content, 0 for none
	Data     any
}

// render executes page's template: the whole page, or only its content
// block when the request asks for a fragment (the pages' live refresh).
func (h *Handler) render(w http.ResponseWriter, r *http.Request, page, title string, refresh int, data any) {
	h.renderStatus(w, r, http.StatusOK, page, title, refresh, data)
}

func (h *Handler) renderStatus(w http.ResponseWriter, r *http.Request, status int, page, title string, refresh int, data any) {
	t := h.pages[page]
	pd := pageData{Title: title, Page: page, Nav: h.nav, Now: h.cfg.clock().UTC().Format(time.RFC3339), Revealed: h.revealed(r), Refresh: refresh, Data: data}
	name := "layout"
	if r.URL.Query().Get("fragment") == "1" {
		name = "content"
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, pd); err != nil {
		http.Error(w, "inspect: rendering "+page+" failed", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(buf.Bytes())
	}
}

func (h *Handler) revealed(r *http.Request) bool {
	return h.cfg.reveal != nil && h.cfg.reveal(r)
}

// sourceError renders a failed source on its page: the error's text is the
// user's own code's, shown to an authorised operator.
type sourceError struct{ Source, Err string }
