package main

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport/spool"
)

func TestSpoolGolden(t *testing.T) {
	dir := writeSpool(t, 8, 4)
	for _, c := range []struct{ name, cmd string }{
		{"stat", "stat"}, {"ls", "ls"}, {"cat", "cat"}, {"verify", "verify"},
	} {
		for _, js := range []bool{false, true} {
			args := []string{"spool", c.cmd, dir}
			name, ext := "spool_"+c.name, ".txt"
			if js {
				args, ext = append(args, "--json"), ".json"
			}
			out, errOut, code := cli(t, "", args...)
			if code != 0 || errOut != "" {
				t.Fatalf("%v: exit %d, stderr %q", args, code, errOut)
			}
			golden(t, name+ext, scrub(out, dir))
		}
	}
}

// TestSpoolIdentifiersPseudonymous: no identifier of the test events
// appears in any spool output without --reveal; with it they do.
func TestSpoolIdentifiersPseudonymous(t *testing.T) {
	dir := writeSpool(t, 8, 8)
	for _, cmd := range []string{"stat", "ls", "cat", "verify"} {
		for _, js := range []string{"", "--json"} {
			out, _, _ := cli(t, "", "spool", cmd, dir, js)
			for _, secret := range []string{"user-0@example.com", "user-1@example.com", "AA:BB:CC:DD:EE:0"} {
				if strings.Contains(out, secret) {
					t.Errorf("spool %s %s shows %q in the clear", cmd, js, secret)
				}
			}
		}
	}
	out, _, code := cli(t, "", "spool", "cat", dir, "--reveal")
	if code != 0 || !strings.Contains(out, "user=user-1@example.com") || !strings.Contains(out, `"userId":"user-1@example.com"`) {
		t.Fatalf("--reveal: exit %d\n%s", code, out)
	}
	out, _, code = cli(t, "", "spool", "cat", "--reveal", "--payload", dir)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 8 || !json.Valid([]byte(lines[0])) {
		t.Fatalf("--payload: exit %d, %d lines\n%s", code, len(lines), out)
	}
	if _, errOut, code := cli(t, "", "spool", "cat", "--payload", dir); code != exitUsage || !strings.Contains(errOut, "--reveal") {
		t.Fatalf("--payload without --reveal: exit %d, %q", code, errOut)
	}
}

// snapshot returns every file of dir with its bytes.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = string(b)
	}
	return out
}

func sameFiles(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestSpoolCorrupted writes a spool with the library, flips bytes in one
// frame, and checks that verify, cat, stat, ls and replay each report the
// salvage: one record lost, where, and every other record readable.
func TestSpoolCorrupted(t *testing.T) {
	dir := writeSpool(t, 8, 8)
	seg, _ := corrupt(t, dir, "msg-0002")
	before := snapshot(t, dir)

	out, errOut, code := cli(t, "", "spool", "verify", dir)
	if code != exitFail || !strings.Contains(errOut, "1 record lost") {
		t.Fatalf("verify: exit %d, stderr %q", code, errOut)
	}
	golden(t, "spool_verify_corrupt.txt", scrub(out, dir))
	out, _, code = cli(t, "", "spool", "verify", dir, "--json")
	if code != exitFail {
		t.Fatalf("verify --json: exit %d", code)
	}
	golden(t, "spool_verify_corrupt.json", scrub(out, dir))
	var v verifyView
	if err := json.Unmarshal([]byte(out), &v); err != nil || v.OK || v.Salvage.Lost != 1 || v.Readable != 7 ||
		len(v.Salvage.Losses) != 1 || !strings.HasPrefix(v.Salvage.Losses[0].Where, seg+" offset ") {
		t.Fatalf("verify --json = %+v (%v)", v, err)
	}

	out, errOut, code = cli(t, "", "spool", "cat", dir, "--json")
	if code != 0 || !strings.Contains(errOut, "salvage: 1 record lost") || !strings.Contains(errOut, seg+" offset ") {
		t.Fatalf("cat: exit %d, stderr %q", code, errOut)
	}
	var ids []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var r recordView
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.MessageID)
	}
	want := []string{"msg-0000", "msg-0001", "msg-0003", "msg-0004", "msg-0005", "msg-0006", "msg-0007"}
	if !slices.Equal(ids, want) {
		t.Fatalf("cat salvaged %v, want %v", ids, want)
	}

	out, _, code = cli(t, "", "spool", "stat", dir)
	if code != 0 || !strings.Contains(out, "7 records") || !strings.Contains(out, "lost         1 record lost") {
		t.Fatalf("stat: exit %d\n%s", code, out)
	}
	out, _, code = cli(t, "", "spool", "ls", dir)
	if code != 0 || !strings.Contains(out, "damaged (1 record lost)") {
		t.Fatalf("ls: exit %d\n%s", code, out)
	}
	if !sameFiles(before, snapshot(t, dir)) {
		t.Fatal("a read-only spool command changed the directory")
	}

	srv := newCollector(t, http.StatusOK)
	out, errOut, code = cli(t, "", append([]string{"spool", "replay", dir, "--progress", "never"}, to(t, srv.URL)...)...)
	if code != exitFail || !strings.Contains(errOut, "1 record lost") {
		t.Fatalf("replay: exit %d, stderr %q\n%s", code, errOut, out)
	}
	if !strings.Contains(out, "salvage: 1 record lost") || !strings.Contains(out, seg+" offset ") || !strings.Contains(out, "delivered     7 records") {
		t.Fatalf("replay report:\n%s", out)
	}
	if got := srv.ids(); !slices.Equal(got, want) {
		t.Fatalf("collector got %v, want %v", got, want)
	}
	// The replay acknowledged everything and marked the damage: the spool
	// is now sound and empty.
	out, _, code = cli(t, "", "spool", "verify", dir)
	if code != 0 || !strings.HasPrefix(out, "ok: ") || !strings.Contains(out, "0 records readable") {
		t.Fatalf("verify after replay: exit %d\n%s", code, out)
	}
}

func TestSpoolMissingSegment(t *testing.T) {
	dir := writeSpool(t, 60, 5, spool.WithSegmentBytes(4096))
	in, err := spool.Inspect(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Segments) < 3 {
		t.Fatalf("want 3 segments or more, got %d", len(in.Segments))
	}
	victim := in.Segments[1]
	if err := os.Remove(filepath.Join(dir, victim.Name)); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := cli(t, "", "spool", "verify", dir)
	if code != exitFail || !strings.Contains(out, "segment "+victim.Name+" missing") || !strings.Contains(errOut, plural(victim.Records, "record")+" lost") {
		t.Fatalf("verify: exit %d, stderr %q\n%s", code, errOut, out)
	}
	out, _, _ = cli(t, "", "spool", "ls", dir)
	if !strings.Contains(out, victim.Name) || !strings.Contains(out, "missing") {
		t.Fatalf("ls:\n%s", out)
	}
}

func TestSpoolBadInput(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"spool", "stat", filepath.Join(t.TempDir(), "nope")}, exitFail, "no such directory"},
		{[]string{"spool", "verify", t.TempDir()}, exitFail, "is not a spool directory"},
		{[]string{"spool", "verify"}, exitUsage, "want <dir>, got 0 argument(s)"},
		{[]string{"spool", "cat", "a", "b"}, exitUsage, "got 2 argument(s)"},
		{[]string{"spool", "ls", "--nope", "x"}, exitUsage, "flag provided but not defined: -nope"},
		{[]string{"spool", "replay", t.TempDir()}, exitUsage, "--to is required"},
		{append([]string{"spool", "replay", t.TempDir()}, to(t, "http://127.0.0.1:1")...), exitFail, "is not a spool directory"},
		{append([]string{"spool", "replay", t.TempDir(), "--api", "kafka"}, to(t, "http://127.0.0.1:1")...), exitUsage, `--api "kafka"`},
		{[]string{"spool", "replay", t.TempDir(), "--to", "http://127.0.0.1:1"}, exitUsage, "--write-key-file is required for --api segment"},
		{append([]string{"spool", "replay", filepath.Join(t.TempDir(), "nope")}, to(t, "http://127.0.0.1:1")...), exitFail, "no such directory"},
		{[]string{"spool", "frobnicate"}, exitUsage, "unknown or missing subcommand"},
	} {
		_, errOut, code := cli(t, "", c.args...)
		if code != c.code || !strings.Contains(errOut, c.msg) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", c.args, code, errOut, c.code, c.msg)
		}
	}
	// A frame of a newer format: a clear refusal, nothing touched.
	dir := writeSpool(t, 2, 2)
	seg := filepath.Join(dir, "00000000000000000001.seg")
	b, _ := os.ReadFile(seg)
	b[4] = 9 // header version byte; the header checksum then fails
	b[28+12] = 9
	if err := os.WriteFile(seg, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := cli(t, "", "spool", "verify", dir); code != exitFail || errOut == "" {
		t.Fatalf("damaged header and frame: exit %d, %q", code, errOut)
	}
}

// collector is a loopback Segment-compatible endpoint.
type collector struct {
	*httptest.Server
	mu     sync.Mutex
	got    []string
	status int
}

func newCollector(t *testing.T, status int) *collector {
	c := &collector{status: status}
	c.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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
			Batch []struct {
				MessageID string `json:"messageId"`
			} `json:"batch"`
		}
		if err := json.NewDecoder(body).Decode(&batch); err != nil || r.URL.Path != "/v1/batch" {
			http.Error(w, "bad batch", http.StatusBadRequest)
			return
		}
		c.mu.Lock()
		st := c.status
		if st == http.StatusOK {
			for _, m := range batch.Batch {
				c.got = append(c.got, m.MessageID)
			}
		}
		c.mu.Unlock()
		w.WriteHeader(st)
		_, _ = io.WriteString(w, `{"error":"echo user-0@example.com"}`)
	}))
	t.Cleanup(c.Close)
	return c
}

func (c *collector) ids() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.got)
}

func TestSpoolReplay(t *testing.T) {
	dir := writeSpool(t, 40, 8)
	srv := newCollector(t, http.StatusOK)
	key := filepath.Join(t.TempDir(), "wk")
	if err := os.WriteFile(key, []byte("write-key\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := cli(t, "", "spool", "replay", "--to", srv.URL, "--write-key-file", key, "--progress", "always", "--json", dir)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q\n%s", code, errOut, out)
	}
	var v replayView
	if err := json.Unmarshal([]byte(out), &v); err != nil || v.Delivered != 40 || v.Left != 0 || len(v.Rejected) != 0 || v.Salvage.Lost != 0 {
		t.Fatalf("report %+v (%v)", v, err)
	}
	if !strings.Contains(errOut, "40/40 records 100%") || !strings.Contains(errOut, "["+strings.Repeat("#", barWidth)+"]") {
		t.Fatalf("progress bar: %q", errOut)
	}
	want := make([]string, 40)
	for i := range want {
		want[i] = event(i).ID
	}
	if got := srv.ids(); !slices.Equal(got, want) {
		t.Fatalf("collector got %v", got)
	}
	out, _, _ = cli(t, "", "spool", "stat", dir, "--json")
	var st statView
	if err := json.Unmarshal([]byte(out), &st); err != nil || st.Pending != 0 {
		t.Fatalf("after replay: %+v (%v)", st, err)
	}
}

func TestSpoolReplayRejected(t *testing.T) {
	dir := writeSpool(t, 4, 4)
	srv := newCollector(t, http.StatusBadRequest)
	out, errOut, code := cli(t, "", append([]string{"spool", "replay", "--progress", "never", dir}, to(t, srv.URL)...)...)
	if code != exitFail || !strings.Contains(errOut, "4 records rejected") {
		t.Fatalf("exit %d, stderr %q\n%s", code, errOut, out)
	}
	if !strings.Contains(out, "rejected: 4 records: HTTP 400 (response body hidden; --reveal shows it): msg-0000 msg-0001 msg-0002 msg-0003") ||
		strings.Contains(out, "user-0@example.com") {
		t.Fatalf("report:\n%s", out)
	}
	if errOut != "" && strings.Contains(errOut, "[") {
		t.Fatalf("--progress never drew a bar: %q", errOut)
	}
}

func TestSpoolReplayTimeoutLeavesRecords(t *testing.T) {
	dir := writeSpool(t, 5, 5)
	srv := newCollector(t, http.StatusServiceUnavailable)
	out, errOut, code := cli(t, "", append([]string{"spool", "replay", "--timeout", "300ms", "--progress", "never", dir}, to(t, srv.URL)...)...)
	if code != exitFail || !strings.Contains(errOut, "5 records left on disk (timeout after 300ms)") {
		t.Fatalf("exit %d, stderr %q\n%s", code, errOut, out)
	}
	in, err := spool.Inspect(dir)
	if err != nil || in.Pending != 5 {
		t.Fatalf("after a failed replay: pending %v (%v)", in, err)
	}
}

func TestSpoolReplayLocked(t *testing.T) {
	dir := writeSpool(t, 1, 1)
	sp, err := spool.Open(dir, nopSender{}, spool.WithDrainOnShutdown(false))
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = sp.Shutdown(ctx)
	}()
	_, errOut, code := cli(t, "", append([]string{"spool", "replay", dir}, to(t, "http://127.0.0.1:1")...)...)
	if code != exitFail || !strings.Contains(errOut, "open in another process") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
}

// to returns the flags of a replay to url, with a write key.
func to(t *testing.T, url string) []string {
	key := filepath.Join(t.TempDir(), "write.key")
	if err := os.WriteFile(key, []byte("write-key\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return []string{"--to", url, "--write-key-file", key}
}

type nopSender struct{}

func (nopSender) Send(context.Context, []*connected.Record) error { return nil }

// TestSpoolReplayAPIs replays to a RudderStack data plane and to a
// CloudEvents receiver: each gets every record once, in its own shape.
func TestSpoolReplayAPIs(t *testing.T) {
	rs := newCollector(t, http.StatusOK) // {"batch":[...]} at /v1/batch, as Segment
	dir := writeSpool(t, 6, 3)
	out, errOut, code := cli(t, "", append([]string{"spool", "replay", dir, "--api", "rudderstack", "--progress", "never"}, to(t, rs.URL)...)...)
	if code != 0 || len(rs.ids()) != 6 || !strings.Contains(out, "(rudderstack)") {
		t.Fatalf("rudderstack: exit %d, %q, got %v\n%s", code, errOut, rs.ids(), out)
	}

	var mu sync.Mutex
	var ids []string
	ce := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var batch []struct {
			ID     string `json:"id"`
			Source string `json:"source"`
		}
		if r.Header.Get("Content-Type") != "application/cloudevents-batch+json" || json.NewDecoder(r.Body).Decode(&batch) != nil {
			http.Error(w, "not a CloudEvents batch", http.StatusBadRequest)
			return
		}
		mu.Lock()
		for _, e := range batch {
			if e.Source == "urn:touchpoint:test" {
				ids = append(ids, e.ID)
			}
		}
		mu.Unlock()
	}))
	defer ce.Close()
	dir = writeSpool(t, 6, 3)
	if _, errOut, code := cli(t, "", "spool", "replay", dir, "--api", "cloudevents", "--to", ce.URL, "--progress", "never"); code != exitUsage || !strings.Contains(errOut, "Source") {
		t.Fatalf("cloudevents without --ce-source: exit %d, %q", code, errOut)
	}
	_, errOut, code = cli(t, "", "spool", "replay", dir, "--api", "cloudevents", "--ce-source", "urn:touchpoint:test", "--to", ce.URL, "--progress", "never")
	mu.Lock()
	defer mu.Unlock()
	if code != 0 || len(ids) != 6 || ids[0] != "msg-0000" {
		t.Fatalf("cloudevents: exit %d, %q, got %v", code, errOut, ids)
	}
}

func TestProgressBar(t *testing.T) {
	var buf strings.Builder
	p := newProgress(&buf, "auto")
	p.draw(50, 50, false)
	p.done()
	if buf.Len() != 0 {
		t.Fatalf("auto drew on a non-terminal: %q", buf.String())
	}
	p = newProgress(&buf, "always")
	p.start = p.start.Add(-2 * time.Second)
	p.draw(25, 75, true)
	p.done()
	got := buf.String()
	for _, want := range []string{"\r[#######.......................] 25/100 records  25%", "ETA 6s", "destination failing, retrying", "\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("bar %q lacks %q", got, want)
		}
	}
	// A drain that settled every record before the bar existed (a small
	// spool, a fast destination) still ends on the full bar.
	buf.Reset()
	p = newProgress(&buf, "always")
	p.draw(40, 0, false)
	p.done()
	if got := buf.String(); !strings.Contains(got, "40/40 records 100%") || !strings.Contains(got, "["+strings.Repeat("#", barWidth)+"]") {
		t.Errorf("bar after the drain %q", got)
	}
	buf.Reset()
	p = newProgress(&buf, "never")
	p.draw(100, 0, false)
	if buf.Len() != 0 {
		t.Fatalf("never drew: %q", buf.String())
	}
}
