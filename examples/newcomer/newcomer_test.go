package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/hooks/auth"
	"github.com/mochi-mqtt/server/v2/listeners"
	"go.uber.org/goleak"

	"github.com/touchpoint-sdk/touchpoint"
	"github.com/touchpoint-sdk/touchpoint/beacon"
	"github.com/touchpoint-sdk/touchpoint/connected"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// service is what both wirings offer.
type service interface {
	Login(ctx context.Context, userID, anonymousID, bleID string, choices map[string]bool) error
	Track(ctx context.Context, e connected.Event) error
	Shutdown(ctx context.Context) error
}

// started is Start's Client with Login as a method, so that the test
// drives both wirings the same way.
type started struct{ *touchpoint.Client }

func (s started) Login(ctx context.Context, userID, anonymousID, bleID string, choices map[string]bool) error {
	return Login(ctx, s.Client, userID, anonymousID, bleID, choices)
}

var wirings = []struct {
	name  string
	start func(context.Context, Config) (service, error)
}{
	{"touchpoint.New", func(ctx context.Context, c Config) (service, error) {
		client, err := Start(ctx, c)
		if err != nil {
			return nil, err
		}
		return started{client}, nil
	}},
	{"handwired", func(ctx context.Context, c Config) (service, error) { return StartHandwired(ctx, c) }},
}

// startBroker starts an in-process MQTT broker on loopback; publish sends
// a message to its subscribers as an ESPresense node would.
func startBroker(t *testing.T) (url string, publish func(topic, payload string)) {
	t.Helper()
	srv := mqtt.New(&mqtt.Options{InlineClient: true, Logger: slog.New(slog.DiscardHandler)})
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
	t.Cleanup(func() {
		// mochi 2.7.9's Close reads its clients holding their read lock
		// twice (Clients.GetByListener calls Len), so a disconnection's
		// Clients.Delete waiting for the write lock in between deadlocks
		// it: close once the network clients are gone (or after 5 s).
		for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(2 * time.Millisecond) {
			if srv.Clients.Len() <= 1 { // the inline client stays
				break
			}
		}
		_ = srv.Close()
	})
	return "mqtt://" + tcp.Address(), func(topic, payload string) {
		if err := srv.Publish(topic, []byte(payload), false, 1); err != nil {
			t.Fatal(err)
		}
	}
}

// received is one message as a collector got it, with its request.
type received struct {
	msg      map[string]any
	raw      string
	sentAt   any // the request's top-level sentAt (Segment)
	user     string
	encoding string
}

// receiver is a loopback collector of RudderStack's or Segment's shape:
// POST /v1/batch, Basic auth with the write key, {"batch":[...]}.
type receiver struct {
	srv  *httptest.Server
	down atomic.Bool // answer 503: an outage
	mu   sync.Mutex
	msgs []received
	bad  []string
}

func newReceiver(t *testing.T) *receiver {
	rv := &receiver{}
	rv.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rv.down.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		body, err := io.ReadAll(r.Body)
		if err == nil && r.Header.Get("Content-Encoding") == "gzip" {
			var zr *gzip.Reader
			if zr, err = gzip.NewReader(bytes.NewReader(body)); err == nil {
				body, err = io.ReadAll(zr)
			}
		}
		var batch struct {
			Batch  []json.RawMessage `json:"batch"`
			SentAt any               `json:"sentAt"`
		}
		if err == nil {
			err = json.Unmarshal(body, &batch)
		}
		user, _, ok := r.BasicAuth()
		rv.mu.Lock()
		defer rv.mu.Unlock()
		if err != nil || r.Method != http.MethodPost || r.URL.Path != "/v1/batch" || !ok {
			rv.bad = append(rv.bad, fmt.Sprintf("%s %s auth=%v: %v", r.Method, r.URL.Path, ok, err))
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		for _, raw := range batch.Batch {
			var m map[string]any
			if err := json.Unmarshal(raw, &m); err != nil {
				rv.bad = append(rv.bad, err.Error())
				continue
			}
			rv.msgs = append(rv.msgs, received{msg: m, raw: string(raw), sentAt: batch.SentAt, user: user,
				encoding: r.Header.Get("Content-Encoding")})
		}
	}))
	t.Cleanup(rv.srv.Close)
	return rv
}

// count returns how many distinct messages (by messageId) of event
// arrived: delivery is at-least-once, so a shutdown that gives up may leave
// an acknowledged batch to be sent again, and receivers dedupe.
func (rv *receiver) count(event string) int {
	rv.mu.Lock()
	defer rv.mu.Unlock()
	ids := map[any]bool{}
	for _, r := range rv.msgs {
		if r.msg["event"] == event {
			ids[r.msg["messageId"]] = true
		}
	}
	return len(ids)
}

// summary is "type event userId|anonymousId", sorted.
func (rv *receiver) summary(pseudonyms map[string]string) []string {
	rv.mu.Lock()
	defer rv.mu.Unlock()
	var out []string
	for _, r := range rv.msgs {
		who, _ := r.msg["userId"].(string)
		if who == "" {
			who, _ = r.msg["anonymousId"].(string)
		}
		if name, ok := pseudonyms[who]; ok {
			who = name
		}
		ev, _ := r.msg["event"].(string)
		out = append(out, fmt.Sprintf("%s %s %s", r.msg["type"], ev, who))
	}
	sort.Strings(out)
	return out
}

const (
	anaBLE = "irk:a1a2a3a4a5a6a7a8a9aaabacadaeaf10"
	benBLE = "irk:b1b2b3b4b5b6b7b8b9babbbcbdbebf20"
)

func espresense(bleID, room string, rssi float64) (topic, payload string) {
	return "espresense/devices/" + bleID + "/" + room,
		fmt.Sprintf(`{"id":%q,"rssi@1m":-59,"rssi":%.2f,"distance":1.4,"mac":"5a1b2c3d4e5f"}`, bleID, rssi)
}

// The newcomer's task end to end, for both wirings: identity on login,
// consent from the banner, app events and ESPresense sightings over MQTT,
// RudderStack gets everything, the marketing tool only what Ana consented
// to, and no BLE identifier leaves in the clear.
func TestNewcomerEndToEnd(t *testing.T) {
	for _, w := range wirings {
		t.Run(w.name, func(t *testing.T) {
			brokerURL, publish := startBroker(t)
			rudder, marketing := newReceiver(t), newReceiver(t)
			cfg := Config{DataPlaneURL: rudder.srv.URL, WriteKey: "rudder-key", MarketingURL: marketing.srv.URL,
				MarketingKey: "marketing-key", SpoolDir: t.TempDir(), BrokerURL: brokerURL,
				Secret: []byte("newcomer test secret, 16+ bytes"),
				Zones:  []beacon.Zone{{Name: "shoes", Place: "store-12", Rooms: []string{"shoes"}}}}
			ctx := context.Background()
			svc, err := w.start(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { // a failed test still stops everything (goleak)
				sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				_ = svc.Shutdown(sctx)
			}()

			steps := []error{
				svc.Login(ctx, "ana", "web-a", anaBLE, map[string]bool{"Marketing": true, "Location": true}),
				svc.Login(ctx, "ben", "web-b", benBLE, map[string]bool{"Marketing": false, "Location": true}),
				svc.Track(ctx, connected.Event{AnonymousID: "web-a", Event: "Product Viewed",
					Properties: connected.Properties{"product_id": "boot-1207"}}),
				svc.Track(ctx, connected.Event{AnonymousID: "web-b", Event: "Product Viewed",
					Properties: connected.Properties{"product_id": "boot-1207"}}),
			}
			for i, err := range steps {
				if err != nil {
					t.Fatalf("step %d: %v", i, err)
				}
			}
			publish(espresense(anaBLE, "shoes", -62.5))
			publish(espresense(benBLE, "shoes", -64))
			publish("espresense/devices/"+benBLE+"/shoes", `{"id":"`+benBLE+`","rssi":"strong"}`) // malformed
			// The reports travel through the broker: wait until both zone
			// events reached the data plane (the spool sends them on).
			deadline := time.Now().Add(20 * time.Second)
			for rudder.count("Zone Entered") < 2 && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
			defer cancel()
			if err := svc.Shutdown(sctx); err != nil {
				t.Fatalf("Shutdown: %v", err)
			}

			// Device pseudonyms, named for the comparison.
			names := map[string]string{}
			for _, r := range rudder.msgs {
				if ev, _ := r.msg["event"].(string); ev == "Zone Entered" {
					ctxm, _ := r.msg["context"].(map[string]any)
					dev, _ := ctxm["device"].(map[string]any)
					id, _ := r.msg["anonymousId"].(string)
					if !strings.HasPrefix(id, connected.PseudonymPrefix) || dev["id"] != id {
						t.Errorf("zone event identity %q / device %v: want one keyed pseudonym", id, dev["id"])
					}
					names[id] = "device"
				}
			}
			gotR, gotM := rudder.summary(names), marketing.summary(names)
			wantR := []string{"identify  ana", "identify  ben", "track Product Viewed web-a", "track Product Viewed web-b",
				"track Zone Entered device", "track Zone Entered device"}
			wantM := []string{"identify  ana", "track Product Viewed web-a", "track Zone Entered device"}
			if strings.Join(gotR, "\n") != strings.Join(wantR, "\n") {
				t.Errorf("RudderStack received:\n%s\nwant:\n%s", strings.Join(gotR, "\n"), strings.Join(wantR, "\n"))
			}
			if strings.Join(gotM, "\n") != strings.Join(wantM, "\n") {
				t.Errorf("marketing received:\n%s\nwant:\n%s", strings.Join(gotM, "\n"), strings.Join(wantM, "\n"))
			}
			for _, rv := range []*receiver{rudder, marketing} {
				if len(rv.bad) > 0 {
					t.Errorf("bad requests: %q", rv.bad)
				}
			}
			// RudderStack's shape: channel and sentAt per message, the write
			// key, gzip; Segment's for the marketing tool.
			for _, r := range rudder.msgs {
				if r.msg["channel"] != "server" || r.msg["sentAt"] == nil || r.user != "rudder-key" || r.encoding != "gzip" {
					t.Errorf("RudderStack message not in RudderStack's shape (user %q, encoding %q): %s", r.user, r.encoding, r.raw)
				}
				if ctxm, _ := r.msg["context"].(map[string]any); r.msg["event"] == "Zone Entered" {
					if loc, _ := ctxm["location"].(map[string]any); loc["zone"] != "shoes" || loc["placeId"] != "store-12" {
						t.Errorf("zone event location %v", loc)
					}
				}
			}
			for _, r := range marketing.msgs {
				if r.sentAt == nil || r.user != "marketing-key" || r.msg["timestamp"] == nil {
					t.Errorf("marketing message not in Segment's shape: %s", r.raw)
				}
			}
			for _, rv := range []*receiver{rudder, marketing} {
				for _, r := range rv.msgs {
					if strings.Contains(r.raw, "irk:") || strings.Contains(r.raw, "5a1b2c3d4e5f") {
						t.Errorf("a BLE identifier left in the clear: %s", r.raw)
					}
				}
			}
			// Both destinations spooled, and the spools are empty.
			for _, name := range []string{"default", "marketing"} {
				if _, err := os.Stat(filepath.Join(cfg.SpoolDir, name)); err != nil {
					t.Errorf("spool of %s: %v", name, err)
				}
			}
		})
	}
}

// The spool at work: during a RudderStack outage Track still returns nil
// (the events are on disk), a shutdown that gives up leaves them there, and
// the next start delivers them.
func TestNewcomerOutageAndRestart(t *testing.T) {
	brokerURL, _ := startBroker(t)
	rudder, marketing := newReceiver(t), newReceiver(t)
	rudder.down.Store(true)
	cfg := Config{DataPlaneURL: rudder.srv.URL, WriteKey: "rudder-key", MarketingURL: marketing.srv.URL,
		MarketingKey: "marketing-key", SpoolDir: t.TempDir(), BrokerURL: brokerURL,
		Secret: []byte("newcomer test secret, 16+ bytes"),
		Zones:  []beacon.Zone{{Name: "shoes", Place: "store-12", Rooms: []string{"shoes"}}}}
	ctx := context.Background()
	client, err := Start(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := Login(ctx, client, "ana", "web-a", anaBLE, map[string]bool{"Marketing": true}); err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		if err := client.Track(ctx, touchpoint.Event{UserID: "ana", Event: "Product Viewed",
			Properties: touchpoint.Properties{"n": i}}); err != nil {
			t.Fatalf("Track during the outage: %v", err)
		}
	}
	if err := client.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if d := client.Stats()[0]; d.Spool.Enqueued != 11 || d.HTTP.Delivered != 0 {
		t.Fatalf("during the outage: spooled %d, delivered %d; want 11 on disk, none delivered", d.Spool.Enqueued, d.HTTP.Delivered)
	}
	gone, cancel := context.WithCancel(ctx)
	cancel()
	_ = client.Shutdown(gone) // gives up at once: the events stay on disk

	rudder.down.Store(false)
	client, err = Start(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := client.Shutdown(sctx); err != nil {
		t.Fatal(err)
	}
	if n := rudder.count("Product Viewed"); n != 10 {
		t.Errorf("RudderStack got %d Product Viewed after the restart, want 10", n)
	}
	if n := marketing.count("Product Viewed"); n != 10 {
		t.Errorf("marketing got %d Product Viewed, want 10", n)
	}
}
