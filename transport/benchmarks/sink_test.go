package benchmarks

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"sync"
)

// sink is the loopback collector every SDK talks to: it gunzips when asked,
// counts "bench_evt" occurrences and the wire bytes, and answers 200 — or
// 503 with Retry-After: 1 during an outage, or nothing while stalled.
type sink struct {
	mu       sync.Mutex
	events   int64
	wire     int64
	requests int64
	outage   bool
	stalled  bool
	stop     chan struct{}
}

var needle = []byte("bench_evt")

func (s *sink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasSuffix(r.URL.Path, "/cluster-info") { // RudderStack asks for this first
		_, _ = w.Write([]byte(`{"nodeCount":1}`))
		return
	}
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	s.mu.Lock()
	outage, stalled := s.outage, s.stalled
	s.requests++
	s.mu.Unlock()
	if stalled {
		select {
		case <-r.Context().Done():
		case <-s.stop:
		}
		return
	}
	if outage {
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	body := raw
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err == nil {
			body, err = io.ReadAll(zr)
		}
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
	}
	n := int64(bytes.Count(body, needle))
	s.mu.Lock()
	s.events += n
	s.wire += int64(len(raw))
	s.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

func (s *sink) reset() {
	s.mu.Lock()
	s.events, s.wire, s.requests, s.outage, s.stalled = 0, 0, 0, false, false
	s.mu.Unlock()
}

func (s *sink) set(outage, stalled bool) {
	s.mu.Lock()
	s.outage, s.stalled = outage, stalled
	s.mu.Unlock()
}

func (s *sink) counts() (events, wire int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.events, s.wire
}
