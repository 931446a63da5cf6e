package spool_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport"
	"github.com/touchpoint-sdk/touchpoint/transport/spool"
)

// The SIGKILL crash test runs this test binary again as a child process
// selected by environment variables: "write" mode spools events through to a
// slow collector until it is killed; "resume" mode reopens the spool and
// drains it.
const (
	envMode = "TOUCHPOINT_SPOOL_CRASH_MODE"
	envDir  = "TOUCHPOINT_SPOOL_CRASH_DIR"
	envURL  = "TOUCHPOINT_SPOOL_CRASH_URL"
)

func crashRecord(i int) *connected.Record {
	id := fmt.Sprintf("c-%07d", i)
	return &connected.Record{ID: id, Type: connected.TypeTrack, Time: t0, Category: connected.CategoryBehavioral,
		Payload: fmt.Appendf(nil, `{"type":"track","messageId":%q,"userId":"u-%d","event":"Crash Test"}`, id, i%100)}
}

// runCrashChild runs the child side and reports whether it did.
func runCrashChild() bool {
	mode := os.Getenv(envMode)
	if mode == "" {
		return false
	}
	h, err := transport.NewSegment(os.Getenv(envURL), "wk")
	if err != nil {
		panic(err)
	}
	r, _ := transport.NewRetry(h, transport.WithBackoff(5*time.Millisecond, 50*time.Millisecond), transport.WithRetryBudget(0))
	sp, err := spool.Open(os.Getenv(envDir), r, spool.WithSyncInterval(10*time.Millisecond), spool.WithDrainBatch(100, 1<<20))
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(2)
	}
	ctx := context.Background()
	switch mode {
	case "track-durable", "track-default":
		trackUntilKilled(sp, mode == "track-durable")
	case "write":
		start := time.Now()
		for i := 0; i < 1_000_000 && time.Since(start) < 60*time.Second; i += 50 {
			batch := make([]*connected.Record, 50)
			for j := range batch {
				batch[j] = crashRecord(i + j)
			}
			if err := sp.Send(ctx, batch); err != nil {
				fmt.Println("send:", err)
				os.Exit(2)
			}
			fmt.Printf("acked %d\n", i+49)
			time.Sleep(200 * time.Microsecond)
		}
		fmt.Println("not killed")
		os.Exit(3)
	case "resume":
		fmt.Printf("pending %d\n", sp.Pending())
		for sp.Pending() > 0 {
			time.Sleep(5 * time.Millisecond)
		}
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := sp.Shutdown(sctx); err != nil {
			fmt.Println("shutdown:", err)
			os.Exit(2)
		}
		fmt.Println("drained")
	}
	return true
}

// trackUntilKilled has 16 goroutines hand records to a Batcher in front of
// the spool, printing "a <n>" for each record whose Handle returned nil,
// until the process is killed.
func trackUntilKilled(sp *spool.Spool, durable bool) {
	b, err := transport.NewBatcher(sp, transport.WithDurable(durable), transport.WithConcurrency(1),
		transport.WithOverflow(transport.OverflowBlock))
	if err != nil {
		panic(err)
	}
	const workers = 16
	var out sync.Mutex
	start := time.Now()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for k := w; k < 1_000_000 && time.Since(start) < 60*time.Second; k += workers {
				if err := b.Handle(context.Background(), crashRecord(k)); err != nil {
					fmt.Println("handle:", err)
					os.Exit(2)
				}
				out.Lock()
				fmt.Printf("a %d\n", k)
				out.Unlock()
			}
		})
	}
	wg.Wait()
	fmt.Println("not killed")
	os.Exit(3)
}

// crashCollector counts every messageId it receives; it is slow, so that a
// kill lands while batches are in flight and on disk.
type crashCollector struct {
	mu       sync.Mutex
	seen     map[string]int
	requests int
}

var idRE = regexp.MustCompile(`"messageId":"(c-\d{7})"`)

func (c *crashCollector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	if r.Header.Get("Content-Encoding") == "gzip" {
		body, err = gunzip(body)
		if err != nil {
			w.WriteHeader(400)
			return
		}
	}
	time.Sleep(3 * time.Millisecond)
	c.mu.Lock()
	c.requests++
	for _, m := range idRE.FindAllSubmatch(body, -1) {
		c.seen[string(m[1])]++
	}
	c.mu.Unlock()
}

// TestCrashSIGKILLTrack: records handed to a Batcher in front of a spool,
// by 16 concurrent callers, and the process killed (SIGKILL) mid-stream.
// With WithDurable every record whose Handle returned nil arrives after the
// restart: zero lost. By default, Handle returns once the record is queued
// in memory, and the kill loses what the Batcher had not yet handed to the
// spool; the test reports how much.
func TestCrashSIGKILLTrack(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the SIGKILL crash test starts child processes")
	}
	for _, mode := range []string{"track-durable", "track-default"} {
		t.Run(mode, func(t *testing.T) {
			col := &crashCollector{seen: map[string]int{}}
			srv := httptest.NewServer(col)
			defer srv.Close()
			dir := t.TempDir()
			cmd, lines := crashChild(t, mode, dir, srv.URL)
			acked := map[int]bool{}
			killed := false
			for lines.Scan() {
				var n int
				if _, err := fmt.Sscanf(lines.Text(), "a %d", &n); err != nil {
					t.Fatalf("child: %s", lines.Text())
				}
				acked[n] = true
				if !killed && len(acked) >= 20000 {
					if err := cmd.Process.Kill(); err != nil { // SIGKILL
						t.Fatal(err)
					}
					killed = true
				}
			}
			_ = cmd.Wait()
			if !killed {
				t.Fatalf("child finished before it could be killed (%d acknowledged)", len(acked))
			}
			resumeCrashChild(t, dir, srv.URL)
			col.mu.Lock()
			defer col.mu.Unlock()
			missing := 0
			for n := range acked {
				if col.seen[fmt.Sprintf("c-%07d", n)] == 0 {
					missing++
				}
			}
			t.Logf("%s: SIGKILL after %d records returned nil from Handle; %d of them never arrived (%.1f%%)",
				mode, len(acked), missing, 100*float64(missing)/float64(len(acked)))
			if mode == "track-durable" && missing > 0 {
				t.Fatalf("durable mode lost %d records whose Handle returned nil", missing)
			}
		})
	}
}

// crashChild starts this test binary as a crash-test child.
func crashChild(t *testing.T, mode, dir, url string) (*exec.Cmd, *bufio.Scanner) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envMode+"="+mode, envDir+"="+dir, envURL+"="+url)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, bufio.NewScanner(out)
}

// resumeCrashChild reopens the spool in a child and waits until it drained.
func resumeCrashChild(t *testing.T, dir, url string) {
	t.Helper()
	cmd, lines := crashChild(t, "resume", dir, url)
	var out bytes.Buffer
	for lines.Scan() {
		out.WriteString(lines.Text() + "\n")
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("resume child: %v\n%s", err, out.String())
		}
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("resume child hung\n%s", out.String())
	}
	if !bytes.Contains(out.Bytes(), []byte("drained")) {
		t.Fatalf("resume child did not drain: %s", out.String())
	}
}

func TestCrashSIGKILLMidFlight(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the SIGKILL crash test starts child processes")
	}
	col := &crashCollector{seen: map[string]int{}}
	srv := httptest.NewServer(col)
	defer srv.Close()
	dir := t.TempDir()

	child := func(mode string) (*exec.Cmd, *bufio.Scanner) {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), envMode+"="+mode, envDir+"="+dir, envURL+"="+srv.URL)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd, bufio.NewScanner(out)
	}

	// Phase 1: write until killed.
	cmd, lines := child("write")
	lastAcked := -1
	killed := false
	for lines.Scan() {
		line := lines.Text()
		var n int
		if _, err := fmt.Sscanf(line, "acked %d", &n); err != nil {
			t.Fatalf("child: %s", line)
		}
		lastAcked = n
		col.mu.Lock()
		reqs := col.requests
		col.mu.Unlock()
		if !killed && reqs >= 5 && lastAcked >= 5000 {
			if err := cmd.Process.Kill(); err != nil { // SIGKILL
				t.Fatal(err)
			}
			killed = true
		}
	}
	_ = cmd.Wait()
	if !killed {
		t.Fatalf("child finished before it could be killed (last acked %d)", lastAcked)
	}
	col.mu.Lock()
	before := len(col.seen)
	col.mu.Unlock()

	// Phase 2: restart and drain.
	cmd, lines = child("resume")
	var out bytes.Buffer
	for lines.Scan() {
		out.WriteString(lines.Text() + "\n")
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("resume child: %v\n%s", err, out.String())
		}
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("resume child hung\n%s", out.String())
	}

	col.mu.Lock()
	defer col.mu.Unlock()
	var missing []string
	dups, received := 0, 0
	for i := 0; i <= lastAcked; i++ {
		id := "c-" + fmt.Sprintf("%07d", i)
		n := col.seen[id]
		if n == 0 {
			missing = append(missing, id)
		}
	}
	for _, n := range col.seen {
		received += n
		dups += n - 1
	}
	t.Logf("SIGKILL after %d events acknowledged by Send; %d distinct delivered before the kill, %d after restart; %d duplicates (at-least-once); child said: %s",
		lastAcked+1, before, len(col.seen), dups, bytes.TrimSpace(out.Bytes()))
	if len(missing) > 0 {
		t.Fatalf("%d acknowledged events never arrived, e.g. %v", len(missing), missing[:min(5, len(missing))])
	}
	if !bytes.Contains(out.Bytes(), []byte("drained")) {
		t.Fatalf("resume child did not drain: %s", out.String())
	}
}
