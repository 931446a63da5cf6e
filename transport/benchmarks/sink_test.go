package benchmarks

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
)

// sink is the loopback collector every SDK talks to: it gunzips when asked,
// counts "bench_evt" occurrences and the wire bytes, and answers 200 — or
// 503 with Retry-After: 1 during an outage, or nothing while stalled.
//
// It streams each body through a pooled 64 KiB buffer and a pooled gzip
// reader instead of reading it whole: the sink shares the machine's two
// cores with the SDK under test, so the less it costs, the less it skews the
// comparison (for every SDK; the uncompressed ones too).
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

var (
	bufPool = sync.Pool{New: func() any { b := make([]byte, 64<<10); return &b }}
	zrPool  sync.Pool // of *gzip.Reader
)

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// countNeedles counts the needles in r's stream, including those that
// straddle two reads.
func countNeedles(r io.Reader) (int64, error) {
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	buf := *bp
	var n int64
	keep := 0 // bytes carried over from the previous read: a needle's prefix
	for {
		m, err := r.Read(buf[keep:])
		end := keep + m
		n += int64(bytes.Count(buf[:end], needle))
		keep = min(len(needle)-1, end)
		copy(buf, buf[end-keep:end])
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

func (s *sink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasSuffix(r.URL.Path, "/cluster-info") { // RudderStack asks for this first
		_, _ = w.Write([]byte(`{"nodeCount":1}`))
		return
	}
	s.mu.Lock()
	outage, stalled := s.outage, s.stalled
	s.requests++
	s.mu.Unlock()
	if stalled {
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-s.stop:
		}
		return
	}
	if outage {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	raw := &countingReader{r: r.Body}
	var body io.Reader = raw
	var zr *gzip.Reader
	if r.Header.Get("Content-Encoding") == "gzip" {
		var err error
		if z, ok := zrPool.Get().(*gzip.Reader); ok {
			zr, err = z, z.Reset(raw)
		} else {
			zr, err = gzip.NewReader(raw)
		}
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		defer zrPool.Put(zr)
		body = zr
	}
	n, err := countNeedles(body)
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	_, _ = io.Copy(io.Discard, raw) // the gzip trailer's tail, if any
	s.mu.Lock()
	s.events += n
	s.wire += raw.n
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

// TestCountNeedles: the streaming count equals bytes.Count however the
// stream is cut, needles straddling two reads included.
func TestCountNeedles(t *testing.T) {
	var b bytes.Buffer
	for i := range 5000 {
		fmt.Fprintf(&b, `{"event":"bench_evt","n":%d},`, i)
		if i%7 == 0 {
			b.WriteString("bench_ev") // a prefix that is not a needle
		}
	}
	want := int64(bytes.Count(b.Bytes(), needle))
	for _, r := range []io.Reader{bytes.NewReader(b.Bytes()), iotest.OneByteReader(bytes.NewReader(b.Bytes())), iotest.HalfReader(bytes.NewReader(b.Bytes()))} {
		got, err := countNeedles(r)
		if err != nil || got != want {
			t.Errorf("countNeedles = %d, %v; want %d", got, err, want)
		}
	}
	if _, err := countNeedles(iotest.ErrReader(io.ErrUnexpectedEOF)); err == nil {
		t.Error("a read error was not returned")
	}
}
