package touchpoint_test

import (
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
)

// message is one event as a collector received it.
type message struct {
	Type        string         `json:"type"`
	Event       string         `json:"event"`
	Name        string         `json:"name"`
	MessageID   string         `json:"messageId"`
	UserID      string         `json:"userId"`
	AnonymousID string         `json:"anonymousId"`
	Channel     string         `json:"channel"`
	Properties  map[string]any `json:"properties"`
	Context     map[string]any `json:"context"`
	raw         json.RawMessage
}

// collector is a loopback Segment / RudderStack collector: it decodes every
// /v1/batch request (gzip or not) and keeps what arrived. fail, when set,
// answers a request with its status instead (0: accept).
type collector struct {
	srv *httptest.Server

	mu        sync.Mutex
	msgs      []message
	encodings []string
	users     []string
	requests  int
	fail      func(n int) int
}

func newCollector() *collector {
	c := &collector{}
	c.srv = httptest.NewServer(http.HandlerFunc(c.serve))
	return c
}

func (c *collector) serve(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	c.requests++
	n, fail := c.requests, c.fail
	c.mu.Unlock()
	if r.URL.Path != "/v1/batch" {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	if fail != nil {
		if code := fail(n); code != 0 {
			http.Error(w, "unavailable", code)
			return
		}
	}
	var body io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		body = zr
	}
	var batch struct {
		Batch []json.RawMessage `json:"batch"`
	}
	if err := json.NewDecoder(body).Decode(&batch); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	user, _, _ := r.BasicAuth()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, raw := range batch.Batch {
		var m message
		if err := json.Unmarshal(raw, &m); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		m.raw = raw
		c.msgs = append(c.msgs, m)
	}
	c.encodings = append(c.encodings, r.Header.Get("Content-Encoding"))
	c.users = append(c.users, user)
	w.WriteHeader(http.StatusOK)
}

// received returns the messages so far, sorted by type, event or name,
// userId and anonymousId: the order of arrival is not deterministic across
// concurrent batches.
func (c *collector) received() []message {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := append([]message(nil), c.msgs...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Type+a.Event+a.Name != b.Type+b.Event+b.Name {
			return a.Type+a.Event+a.Name < b.Type+b.Event+b.Name
		}
		return a.UserID+"/"+a.AnonymousID < b.UserID+"/"+b.AnonymousID
	})
	return out
}

func (c *collector) close() { c.srv.Close() }
