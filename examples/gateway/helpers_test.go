package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eclipse/paho.golang/autopaho"
	"github.com/eclipse/paho.golang/paho"
	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/hooks/auth"
	"github.com/mochi-mqtt/server/v2/listeners"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// testSecret is the master secret of the tests' gateways.
var testSecret = []byte("0123456789abcdef-touchpoint-test-secret")

// The devices of the sample payloads.
const (
	tagID   = "ibeacon:e2c56db5-dffb-48d2-b060-d0f5a71096e0:1:7" // consented: analytics, location, linking
	uidID   = "eddystone-uid:edd1ebeac04e5defa0170123456789ab"   // analytics only: location refused
	irkID   = "irk:1a2b3c4d5e6f708192a3b4c5d6e7f809"             // denied
	polarID = "address:0C:1D:2E:3F:4A:5B"                        // no decision
	strapID = "strap-8e2a1f"                                     // analytics, health
)

// startBroker starts an in-process mochi MQTT broker on a random loopback
// port, closed at cleanup, and returns its URL.
func startBroker(t testing.TB) string {
	t.Helper()
	srv := mqtt.New(&mqtt.Options{Logger: slog.New(slog.DiscardHandler)})
	if err := srv.AddHook(new(auth.AllowHook), nil); err != nil {
		t.Fatal(err)
	}
	tcp := listeners.NewTCP(listeners.Config{ID: "tcp", Address: "127.0.0.1:0"})
	if err := srv.AddListener(tcp); err != nil {
		t.Fatal(err)
	}
	if err := srv.Serve(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return "mqtt://" + tcp.Address()
}

// publisher is a firmware stand-in: an MQTT client that publishes samples.
func publisher(t testing.TB, server string) *autopaho.ConnectionManager {
	t.Helper()
	u, err := url.Parse(server)
	if err != nil {
		t.Fatal(err)
	}
	cm, err := autopaho.NewConnection(context.Background(), autopaho.ClientConfig{
		ServerUrls: []*url.URL{u}, KeepAlive: 30, CleanStartOnInitialConnection: true,
		ClientConfig: paho.ClientConfig{ClientID: "firmware-" + strings.ReplaceAll(t.Name(), "/", "-")},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = cm.Disconnect(ctx)
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := cm.AwaitConnection(ctx); err != nil {
		t.Fatal(err)
	}
	return cm
}

// sample is one MQTT message of the testdata files.
type sample struct {
	Topic   string          `json:"topic"`
	Payload json.RawMessage `json:"payload"`
}

// loadSamples reads testdata/<name>.jsonl.
func loadSamples(t testing.TB, name string) []sample {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name+".jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []sample
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var s sample
		if err := json.Unmarshal(sc.Bytes(), &s); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out = append(out, s)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// publish publishes the samples with QoS 1, in order.
func publish(t testing.TB, cm *autopaho.ConnectionManager, samples []sample) {
	t.Helper()
	for _, s := range samples {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, err := cm.Publish(ctx, publishPacket(s))
		cancel()
		if err != nil {
			t.Fatalf("publish %s: %v", s.Topic, err)
		}
	}
}

func publishPacket(s sample) *paho.Publish {
	return &paho.Publish{QoS: 1, Topic: s.Topic, Payload: s.Payload}
}

// testConfig parses the flags a test runs with: the broker, the test secret
// and consent file, a short shutdown timeout, and extra.
func testConfig(t testing.TB, broker string, extra ...string) *config {
	t.Helper()
	secret := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secret, testSecret, 0o600); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"-broker", broker, "-secret-file", secret, "-consent", "testdata/consent.json",
		"-shutdown-timeout", "5s", "-v"}, extra...)
	cfg, err := parseFlags(args, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	cfg.logger = slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
	return cfg
}

// running is a gateway started by startGateway.
type running struct {
	g      *gateway
	cancel context.CancelFunc
	done   chan error
	rep    chan Report
	once   sync.Once
	err    error
	report Report
}

// startGateway runs cfg until stop (or cleanup) and waits until it is
// subscribed.
func startGateway(t testing.TB, cfg *config) *running {
	t.Helper()
	ready := make(chan *gateway, 1)
	r := &running{done: make(chan error, 1), rep: make(chan Report, 1)}
	cfg.onReady = func(g *gateway) { ready <- g }
	cfg.onDone = func(rep Report) { r.rep <- rep }
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	go func() { r.done <- run(ctx, cfg) }()
	t.Cleanup(func() { r.stop(t) })
	select {
	case r.g = <-ready:
	case err := <-r.done:
		cancel()
		t.Fatalf("run returned before it was ready: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("gateway not ready after 10 s")
	}
	return r
}

// stop cancels the run, as SIGTERM does, and returns its report and error.
func (r *running) stop(t testing.TB) (Report, error) {
	t.Helper()
	r.once.Do(func() {
		r.cancel()
		select {
		case r.err = <-r.done:
		case <-time.After(20 * time.Second):
			t.Fatal("run did not return 20 s after cancellation")
		}
		r.report = <-r.rep
	})
	return r.report, r.err
}

// waitFor polls cond until it holds or 10 s pass.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// readEvents decodes the NDJSON file of a file sink; every line must be a
// valid Segment message.
func readEvents(t testing.TB, path string) ([]connected.Event, []byte) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var evs []connected.Event
	for i, line := range bytes.Split(bytes.TrimSuffix(b, []byte("\n")), []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		ev, err := connected.DecodeSegment(line)
		if err != nil {
			t.Fatalf("line %d is not a Segment message: %v\n%s", i+1, err, line)
		}
		evs = append(evs, ev)
	}
	return evs, b
}

// refused sums the consent gate's drops.
func refused(r Report) uint64 {
	var n uint64
	for _, c := range r.Gate.Dropped {
		n += c
	}
	return n
}

// unconnectedGateway is a gateway writing to a file sink in a temporary
// directory, without an MQTT connection or ticker: tests hand messages to
// handle and move time with advance. It is shut down at cleanup unless the
// test did.
func unconnectedGateway(t testing.TB, extra ...string) (*gateway, string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "events.ndjson")
	cfg := testConfig(t, "mqtt://127.0.0.1:1", append([]string{"-out", out}, extra...)...)
	if _, ok := t.(*testing.B); ok {
		cfg.logger = nil // benchmarks log nothing
	}
	g, err := newGateway(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := g.shutdown(ctx); err != nil {
			t.Error(err)
		}
	})
	return g, out
}
