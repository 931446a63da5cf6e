package connected_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/connectedtest"
)

func TestClientStampsAndRecords(t *testing.T) {
	rec := &connectedtest.Recorder{}
	c, err := connected.New(rec, connected.WithClock(func() time.Time { return t0 }), connected.WithChannel(connected.ChannelStore))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Shutdown(context.Background())
	if err := c.Track(context.Background(), connected.Event{UserID: "u1", Event: "Zone Entered"}); err != nil {
		t.Fatal(err)
	}
	r := rec.Records()[0]
	id, err := uuid.Parse(r.ID)
	if err != nil || id.Version() != 7 || id.Variant() != uuid.RFC4122 {
		t.Fatalf("id %q: not a UUIDv7 (%v)", r.ID, err)
	}
	if sec, nsec := id.Time().UnixTime(); time.Unix(sec, nsec).UnixMilli() != t0.UnixMilli() {
		t.Errorf("UUIDv7 time = %v, want %v", time.Unix(sec, nsec), t0)
	}
	if r.Event.MessageID != r.ID || !strings.Contains(string(r.Payload), `"messageId":"`+r.ID+`"`) {
		t.Errorf("record id %q not the payload's messageId: %s", r.ID, r.Payload)
	}
	if !r.Time.Equal(t0) || r.Type != connected.TypeTrack || r.Category != connected.CategoryBehavioral {
		t.Errorf("record fields: %+v", r)
	}
	if r.Event.Context.Channel != connected.ChannelStore || r.Event.Context.Library.Name != connected.LibraryName {
		t.Errorf("defaults not applied: %+v", r.Event.Context)
	}
	if r.PartitionKey != connected.PartitionKey(nil, "u1") || len(r.PartitionKey) != 32 || strings.Contains(r.PartitionKey, "u1") {
		t.Errorf("partition key %q", r.PartitionKey)
	}
	if r.Size() != len(r.Payload) {
		t.Error("Size")
	}
}

func TestUUIDsUniqueAndOrdered(t *testing.T) {
	rec := &connectedtest.Recorder{}
	c, _ := connected.New(rec)
	defer c.Shutdown(context.Background())
	seen := map[string]bool{}
	for range 2000 {
		if err := c.Track(context.Background(), connected.Event{AnonymousID: "a", Event: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	prev := ""
	for _, r := range rec.Records() {
		if seen[r.ID] {
			t.Fatalf("duplicate id %s", r.ID)
		}
		seen[r.ID] = true
		if r.ID[:13] < prev { // the first 48 bits are the millisecond time
			t.Fatalf("ids not time-ordered: %s after %s", r.ID, prev)
		}
		prev = r.ID[:13]
	}
}

func TestPartitionKeySecret(t *testing.T) {
	rec := &connectedtest.Recorder{}
	c := newTestClient(t, rec, connected.WithPartitionKeySecret([]byte("k1")))
	_ = c.Track(context.Background(), connected.Event{UserID: "u1", Event: "x"})
	_ = c.Track(context.Background(), connected.Event{AnonymousID: "a9", Event: "x"})
	rs := rec.Records()
	if rs[0].PartitionKey != connected.PartitionKey([]byte("k1"), "u1") || rs[0].PartitionKey == connected.PartitionKey(nil, "u1") {
		t.Errorf("keyed partition key wrong: %s", rs[0].PartitionKey)
	}
	if rs[1].PartitionKey != connected.PartitionKey([]byte("k1"), "a9") {
		t.Errorf("anonymous id not used: %s", rs[1].PartitionKey)
	}
}

func TestTypedMethods(t *testing.T) {
	rec := &connectedtest.Recorder{}
	c := newTestClient(t, rec)
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(c.Identify(ctx, connected.Event{UserID: "u"}))
	must(c.Page(ctx, connected.Event{UserID: "u", Name: "Home"}))
	must(c.Screen(ctx, connected.Event{UserID: "u", Name: "Home"}))
	must(c.Group(ctx, connected.Event{UserID: "u", GroupID: "g"}))
	must(c.Alias(ctx, connected.Event{UserID: "u", PreviousID: "a"}))
	must(c.Emit(ctx, connected.Event{Type: connected.TypeTrack, UserID: "u", Event: "x"}))
	want := []connected.Type{connected.TypeIdentify, connected.TypePage, connected.TypeScreen, connected.TypeGroup, connected.TypeAlias, connected.TypeTrack}
	for i, r := range rec.Records() {
		if r.Type != want[i] {
			t.Errorf("record %d type %s, want %s", i, r.Type, want[i])
		}
	}
	err := c.Track(ctx, connected.Event{Type: connected.TypePage, UserID: "u", Event: "x"})
	if !errors.Is(err, connected.ErrInvalidEvent) {
		t.Errorf("Track with Type page: %v", err)
	}
	if err := c.Emit(ctx, connected.Event{UserID: "u"}); !errors.Is(err, connected.ErrInvalidEvent) {
		t.Errorf("Emit without type: %v", err)
	}
}

func TestMiddlewareOrderAndSinkError(t *testing.T) {
	var order []string
	mw := func(name string) connected.Middleware {
		return func(next connected.Handler) connected.Handler {
			return connected.HandlerFunc(func(ctx context.Context, r *connected.Record) error {
				order = append(order, name)
				return next.Handle(ctx, r)
			})
		}
	}
	rec := &connectedtest.Recorder{}
	c := newTestClient(t, rec, connected.WithMiddleware(mw("a"), mw("b")), connected.WithMiddleware(mw("c")))
	if err := c.Track(context.Background(), connected.Event{UserID: "u", Event: "x"}); err != nil {
		t.Fatal(err)
	}
	if strings.Join(order, "") != "abc" {
		t.Errorf("middleware order %v", order)
	}
	boom := errors.New("queue full")
	rec.Err = boom
	if err := c.Track(context.Background(), connected.Event{UserID: "u", Event: "x"}); !errors.Is(err, boom) {
		t.Errorf("sink error not returned: %v", err)
	}
}

func TestShutdown(t *testing.T) {
	rec := &connectedtest.Recorder{}
	c := newTestClient(t, rec)
	ctx := context.Background()
	if err := c.Flush(ctx); err != nil || rec.Flushes() != 1 {
		t.Fatalf("Flush: %v, flushes %d", err, rec.Flushes())
	}
	require.NoError(t, c.Shutdown(ctx))
	require.NoError(t, c.Shutdown(ctx), "second Shutdown")
	for _, err := range []error{
		c.Track(ctx, connected.Event{UserID: "u", Event: "x"}),
		c.Identify(ctx, connected.Event{UserID: "u"}),
		c.Emit(ctx, connected.Event{Type: connected.TypeTrack, UserID: "u", Event: "x"}),
		c.Flush(ctx),
	} {
		if !errors.Is(err, connected.ErrClosed) {
			t.Errorf("after Shutdown: %v, want ErrClosed", err)
		}
	}
	if rec.Shutdowns() < 1 {
		t.Error("sink not shut down")
	}
}

// blockingSink blocks Handle until release is closed.
type blockingSink struct{ entered, release chan struct{} }

func (b *blockingSink) Handle(ctx context.Context, _ *connected.Record) error {
	b.entered <- struct{}{}
	<-b.release
	return nil
}

func TestShutdownWaitsForInflightAndHonoursContext(t *testing.T) {
	sink := &blockingSink{entered: make(chan struct{}), release: make(chan struct{})}
	c, _ := connected.New(sink)
	done := make(chan error)
	go func() { done <- c.Track(context.Background(), connected.Event{UserID: "u", Event: "x"}) }()
	<-sink.entered
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := c.Shutdown(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Shutdown with an event in flight and a cancelled ctx: %v", err)
	}
	close(sink.release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := c.Shutdown(context.Background()); err != nil {
		t.Fatalf("second Shutdown: %v", err)
	}
}

func TestConcurrentSafe(t *testing.T) {
	rec := &connectedtest.Recorder{}
	c, _ := connected.New(rec)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				_ = c.Track(context.Background(), connected.Event{UserID: "u" + string(rune('a'+g)), Event: "x", Properties: connected.Properties{"i": i}})
			}
		})
	}
	wg.Wait()
	_ = c.Shutdown(context.Background())
	if rec.Len() != 1600 {
		t.Fatalf("recorded %d, want 1600", rec.Len())
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	rec := &connectedtest.Recorder{}
	for name, opts := range map[string][]connected.Option{
		"nil clock":      {connected.WithClock(nil)},
		"nil logger":     {connected.WithLogger(nil)},
		"tiny limit":     {connected.WithMaxEventBytes(10)},
		"bad channel":    {connected.WithChannel("fax")},
		"negative skew":  {connected.WithMaxClockSkew(-time.Second)},
		"nil middleware": {connected.WithMiddleware(nil)},
		"nil option":     {nil},
	} {
		if _, err := connected.New(rec, opts...); err == nil {
			t.Errorf("%s: New accepted it", name)
		}
	}
	if _, err := connected.New(nil); err == nil {
		t.Error("New(nil) accepted")
	}
}

// TestTrackAllocs enforces BenchmarkTrack's budget: at most 2 allocations
// into a PayloadOnly sink, 3 (the Event's copy) into any other.
func TestTrackAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation budgets are checked without -race: the race detector's sync.Pool drops items on purpose")
	}
	e := benchEvent()
	ctx := context.Background()
	c, _ := connected.New(discardPayload{})
	if n := testing.AllocsPerRun(200, func() { _ = c.Track(ctx, e) }); n > 2 {
		t.Errorf("Track into a PayloadOnly sink allocates %.1f times per event, budget 2", n)
	}
	c, _ = connected.New(discard)
	if n := testing.AllocsPerRun(200, func() { _ = c.Track(ctx, e) }); n > 3 {
		t.Errorf("Track into a sink that keeps the Event allocates %.1f times per event, budget 3", n)
	}
	buf := make([]byte, 0, 2048)
	e.Type, e.MessageID, e.OriginalTimestamp = connected.TypeTrack, "m", t0
	if n := testing.AllocsPerRun(200, func() { _, _ = connected.AppendSegment(buf[:0], &e) }); n != 0 {
		t.Errorf("AppendSegment allocates %.1f times", n)
	}
}

// TestAppendStringMatchesEncodingJSON checks the hand-written escaper
// against encoding/json (with HTML escaping off) on random strings biased
// towards the bytes that need escaping, and that invalid UTF-8 is refused.
func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	special := []string{"\x00", "\x1f", " ", "\"", "\\", "\n", "\t", "\r", "\x7f", "é", "\u2028", "\u2029", "👟", "<", "&", "a", "Z"}
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		var b strings.Builder
		for range r.IntN(40) {
			if r.IntN(3) == 0 {
				b.WriteString(special[r.IntN(len(special))])
			} else {
				b.WriteByte(byte('a' + r.IntN(26)))
			}
		}
		s := b.String()
		got, ok := connected.AppendString(nil, s)
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil || !ok {
			t.Fatalf("%q: ok=%v err=%v", s, ok, err)
		}
		if string(got) != strings.TrimSuffix(want.String(), "\n") {
			t.Fatalf("%q: got %s, encoding/json %s", s, got, want.String())
		}
	}
	for _, bad := range []string{"\xff", "a\xc3", "\xed\xa0\x80", "ok\x80ok"} {
		if out, ok := connected.AppendString([]byte("x"), bad); ok || string(out) != "x" {
			t.Errorf("%q: accepted (%q, %v)", bad, out, ok)
		}
	}
}

// TestPartitionKeyCache: with more identities than cache slots, repeats and
// collisions, every record's key is exactly the uncached PartitionKey.
func TestPartitionKeyCache(t *testing.T) {
	for _, secret := range [][]byte{nil, []byte("k1")} {
		var got []*connected.Record
		sink := connected.HandlerFunc(func(_ context.Context, r *connected.Record) error {
			got = append(got, r)
			return nil
		})
		c2, err := connected.New(sink, connected.WithPartitionKeySecret(secret))
		if err != nil {
			t.Fatal(err)
		}
		r := rand.New(rand.NewPCG(3, 4))
		for range 20000 {
			id := "user-" + strconv.Itoa(r.IntN(6000))
			if err := c2.Track(context.Background(), connected.Event{UserID: id, Event: "x"}); err != nil {
				t.Fatal(err)
			}
		}
		for _, rec := range got {
			if want := connected.PartitionKey(secret, rec.Event.UserID); rec.PartitionKey != want {
				t.Fatalf("secret %q, %s: key %s, want %s", secret, rec.Event.UserID, rec.PartitionKey, want)
			}
		}
	}
}

// TestPartitionKeyer: from many goroutines, with more identities than
// cache slots and repeats, a PartitionKeyer gives exactly PartitionKey's
// keys, keyed and unkeyed; the secret is copied; and a record no Client
// emitted gets the unkeyed key from PartitionKeyFor.
func TestPartitionKeyer(t *testing.T) {
	for _, secret := range [][]byte{nil, []byte("k1")} {
		own := append([]byte(nil), secret...)
		k := connected.NewPartitionKeyer(own)
		if len(own) > 0 {
			own[0] ^= 0xff // the keyer kept its own copy
		}
		var wg sync.WaitGroup
		for g := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := rand.New(rand.NewPCG(uint64(g), 9))
				for range 5000 {
					id := "profile-" + strconv.Itoa(r.IntN(12000))
					if got, want := k.Key(id), connected.PartitionKey(secret, id); got != want {
						t.Errorf("secret %q, %s: key %s, want %s", secret, id, got, want)
						return
					}
				}
			}()
		}
		wg.Wait()
	}
	var r connected.Record // built by hand: no Client's keyer
	for range 2 {          // computed, then cached
		if got, want := r.PartitionKeyFor("p-1"), connected.PartitionKey(nil, "p-1"); got != want {
			t.Fatalf("PartitionKeyFor = %s, want %s", got, want)
		}
	}
}

// TestTrackAllocsLargeEvent: a large event reuses the grown scratch buffer,
// so it costs the same 2 allocations as a small one.
// (PayloadOnly sink: see TestTrackAllocs.)
func TestTrackAllocsLargeEvent(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation budgets are checked without -race: the race detector's sync.Pool drops items on purpose")
	}
	c, _ := connected.New(discardPayload{})
	ctx := context.Background()
	// A small event first: the user's partition key is now cached, so the
	// large events below take the cache-hit path.
	if err := c.Track(ctx, benchEvent()); err != nil {
		t.Fatal(err)
	}
	e := benchEvent()
	e.Properties = connected.Properties{"blob": strings.Repeat("x", 8000)}
	if n := testing.AllocsPerRun(100, func() { _ = c.Track(ctx, e) }); n > 2 {
		t.Errorf("a large Track allocates %.1f times per event, budget 2", n)
	}
}

// TestRecordEventOnlyWhenNeeded: records carry a copy of their Event for
// any sink or middleware that may read it, and none when the Client emits
// straight into a PayloadOnly sink; the fields routing needs are always set.
func TestRecordEventOnlyWhenNeeded(t *testing.T) {
	var got *connected.Record
	keep := connected.HandlerFunc(func(_ context.Context, r *connected.Record) error { got = r; return nil })
	payloadOnly := &capturePayload{}
	passThrough := func(next connected.Handler) connected.Handler { return next }
	for _, tc := range []struct {
		name      string
		sink      connected.Handler
		mw        []connected.Middleware
		wantEvent bool
	}{
		{"plain sink", keep, nil, true},
		{"PayloadOnly sink", payloadOnly, nil, false},
		{"PayloadOnly sink behind middleware", payloadOnly, []connected.Middleware{passThrough}, true},
	} {
		got, payloadOnly.r = nil, nil
		c, err := connected.New(tc.sink, connected.WithMiddleware(tc.mw...))
		if err != nil {
			t.Fatal(err)
		}
		e := benchEvent()
		e.AnonymousID = "anon-7"
		if err := c.Track(context.Background(), e); err != nil {
			t.Fatal(err)
		}
		r := got
		if r == nil {
			r = payloadOnly.r
		}
		if r == nil {
			t.Fatalf("%s: no record", tc.name)
		}
		if (r.Event != nil) != tc.wantEvent {
			t.Errorf("%s: Event set = %v, want %v", tc.name, r.Event != nil, tc.wantEvent)
		}
		if r.Event != nil && (r.Event.MessageID != r.ID || r.Event.Event != e.Event) {
			t.Errorf("%s: Event %q/%q does not match record %q", tc.name, r.Event.MessageID, r.Event.Event, r.ID)
		}
		if r.UserID != "user-8421" || r.AnonymousID != "anon-7" {
			t.Errorf("%s: UserID, AnonymousID = %q, %q", tc.name, r.UserID, r.AnonymousID)
		}
	}
}

type capturePayload struct{ r *connected.Record }

func (c *capturePayload) Handle(_ context.Context, r *connected.Record) error { c.r = r; return nil }
func (c *capturePayload) PayloadOnly()                                        {}

// TestAppendTimeMatchesFormat: the cached-second fast path and the slow
// path both write what time.Format writes, whichever second was cached
// before, for times in and around the same second, in any zone.
func TestAppendTimeMatchesFormat(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	base := time.Date(2026, 11, 24, 10, 30, 0, 0, time.UTC)
	berlin := time.FixedZone("CET", 3600)
	for i := range 20000 {
		var at time.Time
		switch i % 4 {
		case 0: // anywhere in 2000..2100
			at = time.Unix(946684800+rng.Int64N(100*365*86400), rng.Int64N(1e9))
		case 1, 2: // the same few seconds again and again
			at = base.Add(time.Duration(rng.Int64N(3e9)))
		case 3: // another zone, same instants
			at = base.Add(time.Duration(rng.Int64N(3e9))).In(berlin)
		}
		want := `"` + at.UTC().Format(connected.TimeLayout) + `"`
		if got := string(connected.AppendTime(nil, at)); got != want {
			t.Fatalf("appendTime(%v) = %s, want %s", at, got, want)
		}
	}
}
