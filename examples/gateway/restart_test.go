package main

import (
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport"
)

// collector is a Segment-compatible endpoint that is down (503) until up
// is set, then records the messageIds of the batches it accepts.
type collector struct {
	srv     *httptest.Server
	up      atomic.Bool
	refused atomic.Int64

	mu       sync.Mutex
	ids      map[string]int // messageId -> times received
	received int
	bad      []string
}

func newCollector(t testing.TB) *collector {
	c := &collector{ids: map[string]int{}}
	c.srv = httptest.NewServer(http.HandlerFunc(c.serve))
	t.Cleanup(c.srv.Close)
	return c
}

func (c *collector) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/v1/batch" || !c.up.Load() {
		c.refused.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
		return
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
	var b struct {
		Batch []json.RawMessage `json:"batch"`
	}
	if err := json.NewDecoder(body).Decode(&b); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, m := range b.Batch {
		ev, err := connected.DecodeSegment(m)
		if err != nil {
			c.bad = append(c.bad, err.Error())
			continue
		}
		c.ids[ev.MessageID]++
		c.received++
	}
	w.WriteHeader(http.StatusOK)
}

// counts returns the distinct and total messages received, and decoding
// failures.
func (c *collector) counts() (distinct, total int, bad []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.ids), c.received, append([]string(nil), c.bad...)
}

// A SIGTERM while the uplink is down leaves the pending records in the
// spool, the run succeeds (nothing is lost), and the next start delivers
// them.
func TestShutdownDuringOutageKeepsRecordsInSpoolForNextStart(t *testing.T) {
	broker := startBroker(t)
	col := newCollector(t)
	spoolDir := filepath.Join(t.TempDir(), "spool")
	args := []string{"-deliver", "http", "-url", col.srv.URL, "-write-key", "wk", "-spool", spoolDir}

	// Run 1: the collector is down. Gateways keep publishing while the
	// gateway is stopped.
	r := startGateway(t, testConfig(t, broker, append(args, "-shutdown-timeout", "2s")...))
	samples := append(loadSamples(t, "openmqttgateway"), loadSamples(t, "espresense")...)
	fw := publisher(t, broker)
	stopPub := make(chan struct{})
	pubDone := make(chan error, 1)
	go func() {
		defer close(pubDone)
		pace := time.NewTicker(2 * time.Millisecond) // a busy store, not a flood
		defer pace.Stop()
		for {
			for _, s := range samples {
				select {
				case <-stopPub:
					return
				case <-pace.C:
				}
				if _, err := fw.Publish(t.Context(), publishPacket(s)); err != nil {
					pubDone <- err
					return
				}
			}
		}
	}()
	waitFor(t, "a refused delivery attempt", func() bool { return col.refused.Load() > 0 })
	rep1, err := r.stop(t)
	close(stopPub)
	if perr := <-pubDone; perr != nil {
		t.Fatalf("publisher: %v", perr)
	}
	if err != nil {
		t.Fatalf("run 1 with a spool returned %v: nothing should count as lost", err)
	}
	t.Logf("run 1: %+v", rep1)
	if rep1.Messages < uint64(len(samples)) || rep1.Gate.Delivered == 0 {
		t.Fatalf("run 1 handled %d messages and passed %d records: the test needs both", rep1.Messages, rep1.Gate.Delivered)
	}
	if rep1.Pending != int(rep1.Gate.Delivered) || rep1.Spool.Delivered != 0 || rep1.Undelivered != 0 {
		t.Fatalf("run 1: %d records passed the gate, %d pending in the spool, %d delivered, %d undelivered",
			rep1.Gate.Delivered, rep1.Pending, rep1.Spool.Delivered, rep1.Undelivered)
	}
	if d, _, _ := col.counts(); d != 0 {
		t.Fatalf("the collector accepted %d records while down", d)
	}

	// Run 2: the collector is back; nothing new is published. The spool
	// delivers what run 1 left.
	col.up.Store(true)
	r2 := startGateway(t, testConfig(t, broker, args...))
	waitFor(t, "the spooled records at the collector", func() bool {
		d, _, _ := col.counts()
		return d >= rep1.Pending
	})
	rep2, err := r2.stop(t)
	if err != nil {
		t.Fatalf("run 2: %v", err)
	}
	distinct, total, bad := col.counts()
	if len(bad) > 0 {
		t.Errorf("collector could not decode: %v", bad)
	}
	if distinct != rep1.Pending || total != rep1.Pending {
		t.Errorf("collector got %d records (%d distinct), run 1 left %d", total, distinct, rep1.Pending)
	}
	if rep2.Emitted != 0 || rep2.Pending != 0 || rep2.Delivered != uint64(rep1.Pending) || rep2.Undelivered != 0 {
		t.Errorf("run 2: emitted %d, pending %d, spool delivered %d (want %d), undelivered %d",
			rep2.Emitted, rep2.Pending, rep2.Delivered, rep1.Pending, rep2.Undelivered)
	}
}

// Without a spool, records the sink did not take by the end of shutdown are
// reported, and run fails: the exit code says something was lost.
func TestShutdownWithoutSpoolReportsUndelivered(t *testing.T) {
	broker := startBroker(t)
	col := newCollector(t) // down throughout
	r := startGateway(t, testConfig(t, broker, "-deliver", "http", "-url", col.srv.URL, "-write-key", "wk",
		"-shutdown-timeout", "500ms"))
	publish(t, publisher(t, broker), loadSamples(t, "openmqttgateway"))
	waitFor(t, "a refused delivery attempt", func() bool { return col.refused.Load() > 0 })
	rep, err := r.stop(t)
	if !errors.Is(err, transport.ErrUndelivered) {
		t.Fatalf("run returned %v, want an error matching transport.ErrUndelivered", err)
	}
	if rep.Gate.Delivered == 0 || rep.Delivered != 0 || rep.Undelivered != int64(rep.Gate.Delivered) || rep.Batcher.Dropped[transport.ReasonShutdown] != rep.Gate.Delivered {
		t.Errorf("%d records passed the gate, %d reported undelivered, batcher drops %v",
			rep.Gate.Delivered, rep.Undelivered, rep.Batcher.Dropped)
	}
}

// With -state, consent decisions outlive the process: a second run given no
// consent file still knows every grant and denial of the first, so it
// delivers exactly what the first delivered. Without -state (the control),
// the same second run refuses everything: unknown means denied.
func TestStateDirKeepsConsentAcrossRestarts(t *testing.T) {
	broker := startBroker(t)
	fw := publisher(t, broker)
	dir := t.TempDir()
	state := filepath.Join(dir, "state")
	samples := append(loadSamples(t, "openmqttgateway"), loadSamples(t, "espresense")...)
	// runOnce returns the zone events that reached the sink (with whom);
	// identity-link facts are left out, since a graph that remembers its
	// links has none to send again.
	runOnce := func(name string, extra ...string) []string {
		t.Helper()
		out := filepath.Join(dir, name+".ndjson")
		r := startGateway(t, testConfig(t, broker, append([]string{"-deliver", "file", "-out", out}, extra...)...))
		publish(t, fw, samples)
		waitFor(t, name+": every message handled", func() bool { return r.g.report().Messages == uint64(len(samples)) })
		if _, err := r.stop(t); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		evs, _ := readEvents(t, out)
		var tracks []string
		for _, ev := range evs {
			if ev.Type == connected.TypeTrack && strings.HasPrefix(ev.Event, "Zone ") {
				tracks = append(tracks, ev.Event+" "+ev.AnonymousID)
			}
		}
		sort.Strings(tracks)
		return tracks
	}
	first := runOnce("first", "-state", state)
	if len(first) == 0 {
		t.Fatal("first run delivered no track event: the consent file's grants did not apply")
	}
	second := runOnce("second", "-state", state, "-consent", "")
	if !slices.Equal(second, first) {
		t.Errorf("second run (same -state, no consent file) delivered\n%v\nthe first\n%v\nconsent was forgotten", second, first)
	}
	if control := runOnce("control", "-consent", ""); len(control) != 0 {
		t.Errorf("a run without -state or consent delivered %v; want nothing (unknown means denied)", control)
	}
}
