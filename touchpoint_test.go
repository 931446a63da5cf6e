package touchpoint_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint"
	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
	"github.com/touchpoint-sdk/touchpoint/transport"
	"github.com/touchpoint-sdk/touchpoint/transport/spool"
)

var secret = []byte("test secret, 16 bytes or more")

// newClient builds a Client and shuts it down at cleanup with a context of
// its own (t.Context is cancelled by then).
func newClient(t *testing.T, endpoint string, opts ...touchpoint.Option) *touchpoint.Client {
	t.Helper()
	c, err := touchpoint.New(endpoint, "k", opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = c.Shutdown(ctx)
	})
	return c
}

func TestNewConfigErrors(t *testing.T) {
	mkt := touchpoint.Destination{Name: "marketing", Endpoint: "http://127.0.0.1:1", Purpose: consent.PurposeMarketing}
	noPurpose := mkt
	noPurpose.Purpose = ""
	badName := mkt
	badName.Name = "Marketing Team"
	dup := mkt
	dup.Name = "default"
	badProto := mkt
	badProto.Protocol = 9
	for _, tc := range []struct {
		name, endpoint, where string
		opts                  []touchpoint.Option
	}{
		{"empty endpoint", "", `destination "default"`, nil},
		{"bad endpoint", "ftp://x", `destination "default"`, nil},
		{"identity without secret", "http://127.0.0.1:1", "WithSecret", []touchpoint.Option{touchpoint.WithIdentity()}},
		{"destination without secret", "http://127.0.0.1:1", "WithSecret", []touchpoint.Option{touchpoint.WithDestination(mkt)}},
		{"purpose without secret", "http://127.0.0.1:1", "WithSecret", []touchpoint.Option{touchpoint.WithPurpose(consent.PurposeAnalytics)}},
		{"short secret", "http://127.0.0.1:1", "WithSecret", []touchpoint.Option{touchpoint.WithSecret([]byte("short"))}},
		{"destination without purpose", "http://127.0.0.1:1", `destination "marketing"`, []touchpoint.Option{touchpoint.WithSecret(secret), touchpoint.WithDestination(noPurpose)}},
		{"bad name", "http://127.0.0.1:1", `destination "Marketing Team"`, []touchpoint.Option{touchpoint.WithSecret(secret), touchpoint.WithDestination(badName)}},
		{"duplicate name", "http://127.0.0.1:1", `destination "default"`, []touchpoint.Option{touchpoint.WithSecret(secret), touchpoint.WithDestination(dup)}},
		{"bad protocol", "http://127.0.0.1:1", `destination "marketing"`, []touchpoint.Option{touchpoint.WithSecret(secret), touchpoint.WithDestination(badProto)}},
		{"bad purpose", "http://127.0.0.1:1", `destination "default"`, []touchpoint.Option{touchpoint.WithSecret(secret), touchpoint.WithPurpose("Not Valid")}},
		{"durable without spool", "http://127.0.0.1:1", "WithDurable", []touchpoint.Option{touchpoint.WithDurable(true)}},
		{"link facts without identity", "http://127.0.0.1:1", "WithLinkFacts", []touchpoint.Option{touchpoint.WithLinkFacts(connected.HandlerFunc(func(context.Context, *connected.Record) error { return nil }))}},
		{"empty consent mapping", "http://127.0.0.1:1", "WithConsent", []touchpoint.Option{touchpoint.WithConsent(map[string]consent.Purpose{})}},
		{"health to marketing", "http://127.0.0.1:1", "WithDestination", []touchpoint.Option{touchpoint.WithSecret(secret), touchpoint.WithDestination(touchpoint.Destination{
			Name: "ads", Endpoint: "http://127.0.0.1:1", WriteKey: "w", Purpose: consent.PurposeMarketing, Categories: []connected.Category{connected.CategoryHealth}})}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := touchpoint.New(tc.endpoint, "k", tc.opts...)
			if err == nil {
				_ = c.Shutdown(context.Background())
				t.Fatal("New accepted the configuration")
			}
			var ce *touchpoint.ConfigError
			if !errors.Is(err, touchpoint.ErrConfig) || !errors.As(err, &ce) {
				t.Fatalf("error %v (%T) is not a *ConfigError matching ErrConfig", err, err)
			}
			if ce.Where != tc.where {
				t.Errorf("Where = %q, want %q (%v)", ce.Where, tc.where, err)
			}
			if c != nil {
				t.Error("New returned a Client with its error")
			}
		})
	}
}

// A consent error keeps its own type under the ConfigError.
func TestNewConfigErrorKeepsCause(t *testing.T) {
	_, err := touchpoint.New("http://127.0.0.1:1", "k", touchpoint.WithSecret(secret), touchpoint.WithDestination(touchpoint.Destination{
		Name: "ads", Endpoint: "http://127.0.0.1:1", WriteKey: "w", Purpose: consent.PurposeAdvertising, Categories: []connected.Category{connected.CategoryHealth}}))
	if !errors.Is(err, consent.ErrHealthToAdTech) {
		t.Fatalf("err = %v, want one matching consent.ErrHealthToAdTech", err)
	}
}

// The plain case retries by default: a collector that answers 503 twice,
// then 200, gets the event, and the Retry counted the re-sends.
func TestRetryIsOnByDefault(t *testing.T) {
	c := newCollector()
	defer c.close()
	c.fail = func(n int) int {
		if n <= 2 {
			return http.StatusServiceUnavailable
		}
		return 0
	}
	client := newClient(t, c.srv.URL, touchpoint.WithRetryOptions(transport.WithBackoff(time.Millisecond, 5*time.Millisecond)))
	ctx := context.Background()
	if err := client.TrackFields(ctx, "Order Completed", touchpoint.UserID("user-42")); err != nil {
		t.Fatal(err)
	}
	if err := client.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if got := c.received(); len(got) != 1 || got[0].UserID != "user-42" {
		t.Fatalf("received %+v, want the one event", got)
	}
	s := client.Stats()[0]
	if s.Retry.Retried == 0 || s.Batcher.DroppedTotal() != 0 || s.HTTP.Delivered != 1 {
		t.Errorf("stats: retried %d dropped %d delivered %d; want retries, no drop, 1 delivered",
			s.Retry.Retried, s.Batcher.DroppedTotal(), s.HTTP.Delivered)
	}
}

// The fast path and the map path put the same message on the wire, in
// RudderStack's protocol too.
func TestFieldsAndMapSameWire(t *testing.T) {
	c := newCollector()
	defer c.close()
	at := time.Date(2026, 11, 24, 10, 30, 0, 0, time.UTC)
	client := newClient(t, c.srv.URL, touchpoint.WithProtocol(touchpoint.RudderStack),
		touchpoint.WithClientOptions(connected.WithClock(func() time.Time { return at })))
	ctx := context.Background()
	if err := client.Track(ctx, touchpoint.Event{MessageID: "m-map", UserID: "u1", Event: "Order Completed",
		Properties: touchpoint.Properties{"order_id": "o1", "revenue": 9.99, "items": 2}}); err != nil {
		t.Fatal(err)
	}
	if err := client.TrackFields(ctx, "Order Completed", touchpoint.MessageID("m-fields"), touchpoint.UserID("u1"),
		touchpoint.String("order_id", "o1"), touchpoint.Float("revenue", 9.99), touchpoint.Int("items", 2)); err != nil {
		t.Fatal(err)
	}
	if err := client.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	got := c.received()
	if len(got) != 2 {
		t.Fatalf("received %d messages, want 2", len(got))
	}
	norm := func(m message) string {
		var v map[string]any
		if err := json.Unmarshal(m.raw, &v); err != nil {
			t.Fatal(err)
		}
		delete(v, "messageId")
		delete(v, "sentAt")
		b, _ := json.Marshal(v)
		return string(b)
	}
	if a, b := norm(got[0]), norm(got[1]); a != b {
		t.Errorf("map path and fast path differ:\n%s\n%s", a, b)
	}
	if got[0].Channel != "server" {
		t.Errorf(`RudderStack message without "channel":"server": %s`, got[0].raw)
	}
}

// Shutdown shuts down everything: later calls return ErrClosed, the spool's
// directory lock is released, and (TestMain) no goroutine is left.
func TestShutdownReleasesEverything(t *testing.T) {
	c := newCollector()
	defer c.close()
	dir := t.TempDir()
	client, err := touchpoint.New(c.srv.URL, "k", touchpoint.WithSpool(dir), touchpoint.WithSecret(secret),
		touchpoint.WithIdentity(), touchpoint.WithConsent(map[string]consent.Purpose{"Marketing": consent.PurposeMarketing}),
		touchpoint.WithDestination(touchpoint.Destination{Name: "marketing", Endpoint: c.srv.URL, WriteKey: "w", Purpose: consent.PurposeMarketing}))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := client.TrackFields(ctx, "Product Viewed", touchpoint.UserID("u1")); err != nil {
		t.Fatal(err)
	}
	if err := client.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if err := client.Shutdown(ctx); err != nil {
		t.Errorf("second Shutdown: %v", err)
	}
	if err := client.TrackFields(ctx, "Product Viewed", touchpoint.UserID("u1")); !errors.Is(err, connected.ErrClosed) {
		t.Errorf("Track after Shutdown = %v, want ErrClosed", err)
	}
	if len(c.received()) != 1 {
		t.Errorf("collector received %d, want 1", len(c.received()))
	}
	for _, name := range []string{"default", "marketing"} {
		sp, err := spool.Open(dir+"/"+name, transport.SenderFunc(func(context.Context, []*connected.Record) error { return nil }))
		if err != nil {
			t.Fatalf("spool %s still held after Shutdown: %v", name, err)
		}
		if n := sp.Pending(); n != 0 {
			t.Errorf("spool %s: %d pending after a clean Shutdown", name, n)
		}
		_ = sp.Shutdown(ctx)
	}
}

// A second Client on the same spool directory fails with spool.ErrLocked
// and leaves nothing running (TestMain checks goroutines).
func TestNewSpoolLocked(t *testing.T) {
	dir := t.TempDir()
	newClient(t, "http://127.0.0.1:1", touchpoint.WithSpool(dir))
	_, err := touchpoint.New("http://127.0.0.1:1", "k", touchpoint.WithSpool(dir))
	if !errors.Is(err, spool.ErrLocked) {
		t.Fatalf("err = %v, want spool.ErrLocked", err)
	}
}

// With a spool, Track is durable by default: it returns once the event is
// on disk even while the collector is down, and the next Client on the
// directory delivers it.
func TestSpoolDurableByDefault(t *testing.T) {
	down := newCollector()
	down.fail = func(int) int { return http.StatusServiceUnavailable }
	defer down.close()
	dir := t.TempDir()
	client, err := touchpoint.New(down.srv.URL, "k", touchpoint.WithSpool(dir))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i := range 20 {
		if err := client.TrackFields(ctx, "Order Completed", touchpoint.UserID("u"+strconv.Itoa(i))); err != nil {
			t.Fatal(err)
		}
	}
	// Durable: every record is on disk now, before any Flush.
	if d := client.Stats()[0].Spool.Enqueued; d != 20 {
		t.Errorf("spool holds %d records after 20 durable Tracks, want 20", d)
	}
	gone, cancel := context.WithCancel(ctx)
	cancel()
	_ = client.Shutdown(gone)

	up := newCollector()
	defer up.close()
	client, err = touchpoint.New(up.srv.URL, "k", touchpoint.WithSpool(dir))
	if err != nil {
		t.Fatal(err)
	}
	if err := client.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(up.received()); n != 20 {
		t.Errorf("delivered %d after restart, want 20", n)
	}
}

// Identity and consent together: consent given at login under a user id
// holds for the person's anonymous events, a denial stops them, and beacon
// pseudonyms never carry the raw identifier.
func TestConsentFollowsIdentity(t *testing.T) {
	col, mkt := newCollector(), newCollector()
	defer col.close()
	defer mkt.close()
	client := newClient(t, col.srv.URL, touchpoint.WithSecret(secret), touchpoint.WithIdentity(),
		touchpoint.WithConsent(map[string]consent.Purpose{"C0004": consent.PurposeMarketing}),
		touchpoint.WithDestination(touchpoint.Destination{Name: "marketing", Endpoint: mkt.srv.URL, WriteKey: "w",
			Protocol: touchpoint.RudderStack, Purpose: consent.PurposeMarketing}))
	ctx := context.Background()
	prefs := func(yes bool) connected.Context {
		return connected.Context{Consent: connected.Consent{CategoryPreferences: map[string]bool{"C0004": yes}}}
	}
	steps := []error{
		client.Identify(ctx, touchpoint.Event{UserID: "ana", AnonymousID: "a-1", Context: prefs(true)}),
		client.Track(ctx, touchpoint.Event{AnonymousID: "a-1", Event: "Product Viewed"}),
		client.Track(ctx, touchpoint.Event{UserID: "nobody", Event: "Product Viewed"}),
		client.Identify(ctx, touchpoint.Event{UserID: "ana", Context: prefs(false)}),
		client.Track(ctx, touchpoint.Event{AnonymousID: "a-1", Event: "Order Completed"}),
	}
	for i, err := range steps {
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	if err := client.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range mkt.received() {
		got = append(got, m.Type+":"+m.Event+":"+m.UserID+m.AnonymousID)
	}
	if want := "identify::anaa-1 track:Product Viewed:a-1"; strings.Join(got, " ") != want {
		t.Errorf("marketing received %q, want %q", strings.Join(got, " "), want)
	}
	if n := len(col.received()); n != 5 {
		t.Errorf("collector received %d, want all 5", n)
	}
	st := client.Stats()[1].Consent
	if st.Delivered != 2 || st.Delivered+st.Stripped+st.Errors+uint64(st.Holding) != 2 || len(st.Dropped) == 0 {
		t.Errorf("marketing consent stats %+v: want 2 delivered, 3 dropped", st)
	}
}

// recorder is a connected.Handler that keeps what it was given and
// whether it was shut down.
type recorder struct {
	mu       sync.Mutex
	recs     []*connected.Record
	shutdown bool
}

func (r *recorder) Handle(_ context.Context, rec *connected.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.recs = append(r.recs, rec)
	return nil
}

func (r *recorder) Shutdown(context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.shutdown = true
	return nil
}

// Identity-link facts go only where WithLinkFacts routes them, never to a
// destination, and the Client owns (shuts down) that handler. The user's
// middleware runs before identity stitching.
func TestLinkFactsOnlyWhereRouted(t *testing.T) {
	for _, routed := range []bool{false, true} {
		t.Run("routed="+strconv.FormatBool(routed), func(t *testing.T) {
			c := newCollector()
			defer c.close()
			facts := &recorder{}
			var sawProfile []string
			opts := []touchpoint.Option{touchpoint.WithSecret(secret), touchpoint.WithIdentity(),
				touchpoint.WithMiddleware(func(next connected.Handler) connected.Handler {
					return connected.HandlerFunc(func(ctx context.Context, r *connected.Record) error {
						sawProfile = append(sawProfile, r.ProfileID)
						return next.Handle(ctx, r)
					})
				})}
			if routed {
				opts = append(opts, touchpoint.WithLinkFacts(facts))
			}
			client, err := touchpoint.New(c.srv.URL, "k", opts...)
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			if err := client.Identify(ctx, touchpoint.Event{UserID: "ana", AnonymousID: "a-1"}); err != nil {
				t.Fatal(err)
			}
			if err := client.Shutdown(ctx); err != nil {
				t.Fatal(err)
			}
			for _, m := range c.received() {
				if m.Event == "Identity Linked" {
					t.Errorf("a link fact reached the collector: %s", m.raw)
				}
			}
			if n := len(c.received()); n != 1 {
				t.Errorf("collector received %d messages, want the identify only", n)
			}
			if routed && (len(facts.recs) == 0 || !facts.shutdown) {
				t.Errorf("link-fact handler got %d records, shut down %v; want the link fact and a shutdown", len(facts.recs), facts.shutdown)
			}
			if len(sawProfile) != 1 || sawProfile[0] != "" {
				t.Errorf("user middleware saw profile ids %q: it should run before stitching", sawProfile)
			}
		})
	}
}

// With a secret, partition keys are keyed by a key derived from it: the
// same user gets a different key under another secret, and never the
// unkeyed hash.
func TestOnePartitionKeySecret(t *testing.T) {
	key := func(s []byte) string {
		var got string
		opts := []touchpoint.Option{touchpoint.WithSecret(s), touchpoint.WithMiddleware(func(next connected.Handler) connected.Handler {
			return connected.HandlerFunc(func(ctx context.Context, r *connected.Record) error {
				got = r.PartitionKey
				return nil
			})
		})}
		client := newClient(t, "http://127.0.0.1:1", opts...)
		if err := client.TrackFields(context.Background(), "E", touchpoint.UserID("ana")); err != nil {
			t.Fatal(err)
		}
		return got
	}
	a, b := key(secret), key([]byte("another secret of 16+ bytes"))
	if a == "" || a == b {
		t.Errorf("partition keys %q and %q: want keyed by the secret", a, b)
	}
	if plain := connected.PartitionKey(nil, "ana"); a == plain {
		t.Error("partition key is the unkeyed hash despite WithSecret")
	}
}
