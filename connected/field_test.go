package connected_test

import (
	"bytes"
	"context"
	"errors"
	"math"
	"strconv"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// payloadRecorder is a PayloadOnly sink that keeps the records it gets.
type payloadRecorder struct{ recs []*connected.Record }

func (p *payloadRecorder) Handle(_ context.Context, r *connected.Record) error {
	p.recs = append(p.recs, r)
	return nil
}
func (*payloadRecorder) PayloadOnly() {}

// fieldCase is one event given both ways: as an Event for Track and as
// typed fields for TrackFields.
type fieldCase struct {
	name   string
	event  connected.Event
	fields []connected.Field
}

func fieldCases() []fieldCase {
	at := t0.Add(-90 * time.Minute).Add(123 * time.Millisecond)
	when := time.Date(2026, 3, 1, 9, 15, 0, 456_000_000, time.FixedZone("CET", 3600))
	return []fieldCase{
		{"none", connected.Event{UserID: "u1", Event: "Zone Entered"},
			[]connected.Field{connected.UserID("u1")}},
		{"every kind", connected.Event{UserID: "user-8421", Event: connected.EventOrderCompleted, Properties: connected.Properties{
			"order_id": "o-1", "revenue": 9.99, "quantity": 3, "big": int64(-1) << 40, "u": uint64(math.MaxUint64),
			"f32": float32(0.1), "tiny": 1e-9, "huge": 1e22, "ok": true, "no": false, "when": when,
			"quote": "a \"b\" \\ \n \u2028 é", "tags": []string{"x", "y"}, "nested": map[string]any{"b": 1, "a": nil},
		}}, []connected.Field{
			connected.String("quote", "a \"b\" \\ \n \u2028 é"), connected.UserID("user-8421"),
			connected.Float("revenue", 9.99), connected.Int("quantity", 3), connected.Int64("big", int64(-1)<<40),
			connected.Uint64("u", math.MaxUint64), connected.Float32("f32", 0.1), connected.Float("tiny", 1e-9),
			connected.Float("huge", 1e22), connected.Bool("ok", true), connected.Bool("no", false), connected.Time("when", when),
			connected.String("order_id", "o-1"), connected.Any("tags", []string{"x", "y"}),
			connected.Any("nested", map[string]any{"b": 1, "a": nil}),
		}},
		{"own fields", connected.Event{AnonymousID: "anon-7", UserID: "u2", MessageID: "msg-1", Event: connected.EventZoneEntered,
			OriginalTimestamp: at, Category: connected.CategoryLocation,
			Properties: connected.Properties{"rssi": -71, "": "empty key"},
			Context: connected.Context{Channel: connected.ChannelStore, Location: connected.Location{PlaceID: "store-12", Zone: "shoes"},
				Device: connected.Device{ID: "gw-3"}}},
			[]connected.Field{connected.MessageID("msg-1"), connected.AnonymousID("anon-7"), connected.UserID("u2"),
				connected.OccurredAt(at), connected.DataCategory(connected.CategoryLocation), connected.FromChannel(connected.ChannelStore),
				connected.PlaceID("store-12"), connected.Zone("shoes"), connected.DeviceID("gw-3"),
				connected.Int("rssi", -71), connected.String("", "empty key")}},
		{"many properties", manyProps(), manyFields()},
	}
}

func manyProps() connected.Event {
	p := connected.Properties{}
	for i := range 80 {
		p["k"+string(rune('a'+i%26))+string(rune('A'+i/26))] = i
	}
	return connected.Event{UserID: "u3", Event: "Many", Properties: p}
}

func manyFields() []connected.Field {
	f := []connected.Field{connected.UserID("u3")}
	for i := 79; i >= 0; i-- {
		f = append(f, connected.Int("k"+string(rune('a'+i%26))+string(rune('A'+i/26)), i))
	}
	return f
}

// recordingClient returns a client with a fixed clock and message ids
// id-1, id-2, ... and a function returning the records its sink got. The
// sink is PayloadOnly when payloadOnly.
func recordingClient(t *testing.T, payloadOnly bool) (*connected.Client, func() []*connected.Record) {
	t.Helper()
	p := &payloadRecorder{}
	var sink connected.Handler = p
	if !payloadOnly {
		sink = connected.HandlerFunc(p.Handle)
	}
	n := 0
	c, err := connected.New(sink, connected.WithClock(func() time.Time { return t0 }),
		connected.WithIDGenerator(func() string { n++; return "id-" + strconv.Itoa(n) }))
	if err != nil {
		t.Fatal(err)
	}
	return c, func() []*connected.Record { return p.recs }
}

// TestTrackFieldsMatchesTrack: the typed-field path writes the same bytes,
// and the same Record, as the map path for the same data, into a
// PayloadOnly sink and into one that keeps the Event.
func TestTrackFieldsMatchesTrack(t *testing.T) {
	ctx := context.Background()
	for _, payloadOnly := range []bool{true, false} {
		for _, tc := range fieldCases() {
			mc, mapRecs := recordingClient(t, payloadOnly)
			fc, fieldRecs := recordingClient(t, payloadOnly)
			if err := mc.Track(ctx, tc.event); err != nil {
				t.Fatalf("%s: Track: %v", tc.name, err)
			}
			if err := fc.TrackFields(ctx, tc.event.Event, tc.fields...); err != nil {
				t.Fatalf("%s: TrackFields: %v", tc.name, err)
			}
			if len(mapRecs()) != 1 || len(fieldRecs()) != 1 {
				t.Fatalf("%s: %d and %d records", tc.name, len(mapRecs()), len(fieldRecs()))
			}
			m, f := mapRecs()[0], fieldRecs()[0]
			if !bytes.Equal(m.Payload, f.Payload) {
				t.Errorf("%s (payloadOnly %v): payloads differ\nmap:    %s\nfields: %s", tc.name, payloadOnly, m.Payload, f.Payload)
			}
			if m.ID != f.ID || m.Type != f.Type || !m.Time.Equal(f.Time) || m.Category != f.Category ||
				m.PartitionKey != f.PartitionKey || m.UserID != f.UserID || m.AnonymousID != f.AnonymousID {
				t.Errorf("%s: records differ:\n%+v\n%+v", tc.name, *m, *f)
			}
			if payloadOnly != (f.Event == nil) {
				t.Errorf("%s: payloadOnly %v but Event %v", tc.name, payloadOnly, f.Event)
			}
			if f.Event != nil {
				again, err := connected.AppendSegment(nil, f.Event)
				if err != nil || !bytes.Equal(again, f.Payload) {
					t.Errorf("%s: the record's Event encodes to %s (%v), want %s", tc.name, again, err, f.Payload)
				}
			}
		}
	}
}

// TestTrackFieldsRejects: bad fields get a *ValidationError naming the
// field, and nothing reaches the sink.
func TestTrackFieldsRejects(t *testing.T) {
	ctx := context.Background()
	u := connected.UserID("u1")
	for _, tc := range []struct {
		name   string
		fields []connected.Field
		field  string
	}{
		{"no identity", []connected.Field{connected.Int("n", 1)}, "userId"},
		{"duplicate key", []connected.Field{u, connected.Int("n", 1), connected.String("n", "x")}, "properties.n"},
		{"duplicate userId", []connected.Field{u, connected.UserID("u2")}, "userId"},
		{"zero Field", []connected.Field{u, {}}, "fields[1]"},
		{"NaN", []connected.Field{u, connected.Float("x", math.NaN())}, "properties.x"},
		{"infinite float32", []connected.Field{u, connected.Float32("x", float32(math.Inf(1)))}, "properties.x"},
		{"bad UTF-8 value", []connected.Field{u, connected.String("s", "a\xffb")}, "properties.s"},
		{"bad UTF-8 key", []connected.Field{u, connected.String("\xff", "v")}, `properties."\xff"`},
		{"zero time", []connected.Field{u, connected.Time("t", time.Time{})}, "properties.t"},
		{"bad Any", []connected.Field{u, connected.Any("c", make(chan int))}, "properties.c"},
		{"zero OccurredAt", []connected.Field{u, connected.OccurredAt(time.Time{})}, "originalTimestamp"},
		{"empty MessageID", []connected.Field{u, connected.MessageID("")}, "messageId"},
		{"unknown channel", []connected.Field{u, connected.FromChannel("webb")}, "context.channel"},
		{"unknown category", []connected.Field{u, connected.DataCategory("nope")}, "context.dataCategory"},
		{"future", []connected.Field{u, connected.OccurredAt(t0.Add(connected.DefaultMaxClockSkew + time.Hour))}, "originalTimestamp"},
	} {
		for _, payloadOnly := range []bool{true, false} {
			c, recs := recordingClient(t, payloadOnly)
			err := c.TrackFields(ctx, "Thing", tc.fields...)
			var ve *connected.ValidationError
			if !errors.Is(err, connected.ErrInvalidEvent) || !errors.As(err, &ve) {
				t.Errorf("%s: err = %v, want a *ValidationError", tc.name, err)
				continue
			}
			if ve.Field != tc.field {
				t.Errorf("%s: field %q, want %q (%v)", tc.name, ve.Field, tc.field, err)
			}
			if len(recs()) != 0 {
				t.Errorf("%s: a record reached the sink", tc.name)
			}
		}
	}
	c, _ := recordingClient(t, true)
	if err := c.TrackFields(ctx, "", u); !errors.Is(err, connected.ErrInvalidEvent) {
		t.Errorf("empty name: %v", err)
	}
	//lint:ignore SA1012 testing the nil-context contract
	if err := c.TrackFields(nil, "x", u); !errors.Is(err, connected.ErrNilContext) { //nolint:staticcheck
		t.Errorf("nil ctx: %v", err)
	}
	_ = c.Shutdown(ctx)
	if err := c.TrackFields(ctx, "x", u); !errors.Is(err, connected.ErrClosed) {
		t.Errorf("after Shutdown: %v", err)
	}
}

// TestFieldsAllocs: the typed-field path allocates nothing per event into a
// PayloadOnly sink (records and bytes come from slabs), and the map path
// nothing beyond the caller's map.
func TestFieldsAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation budgets are checked without -race: the race detector's sync.Pool drops items on purpose")
	}
	ctx := context.Background()
	c, _ := connected.New(discardPayload{})
	price := 129.95
	if n := testing.AllocsPerRun(1000, func() {
		_ = c.TrackFields(ctx, connected.EventProductAddedToWishlist, connected.UserID("user-8421"),
			connected.String("product_id", "boot-1207"), connected.String("name", "Trail boot"),
			connected.Float("price", price), connected.Int("quantity", 1), connected.Bool("in_stock", true),
			connected.FromChannel(connected.ChannelWeb))
	}); n > 0 {
		t.Errorf("TrackFields into a PayloadOnly sink allocates %.2f times per event, budget 0", n)
	}
	e := benchEvent()
	if n := testing.AllocsPerRun(1000, func() { _ = c.Track(ctx, e) }); n > 0 {
		t.Errorf("Track (map built once) into a PayloadOnly sink allocates %.2f times per event, budget 0", n)
	}
	// The map path's whole cost, the caller's map included: budget 3.
	i := 0
	if n := testing.AllocsPerRun(1000, func() {
		i++
		_ = c.Track(ctx, connected.Event{UserID: "user-8421", Event: "bench_evt", Properties: connected.Properties{
			"n": i, "plan": "pro", "color": "blue", "price": 9.99}})
	}); n > 3 {
		t.Errorf("Track with a new map per event allocates %.2f times per event, budget 3", n)
	}
}

// TestSegmentBatchMarkedEqualsScanned: framing a Client's record (whose key
// offsets the encoder marked) gives the bytes framing an unmarked copy
// gives (which is scanned), and a copy with a replaced Payload is scanned,
// not framed from stale offsets.
func TestSegmentBatchMarkedEqualsScanned(t *testing.T) {
	ctx := context.Background()
	c, recs := recordingClient(t, true)
	for _, tc := range fieldCases() {
		if err := c.Track(ctx, tc.event); err != nil {
			t.Fatal(err)
		}
	}
	e := benchEvent()
	e.Timestamp = t0.Add(-time.Second)
	if err := c.Track(ctx, e); err != nil {
		t.Fatal(err)
	}
	marked := recs()
	var scanned []*connected.Record
	for _, r := range marked {
		cp := &connected.Record{ID: r.ID, Time: r.Time, Payload: bytes.Clone(r.Payload)}
		scanned = append(scanned, cp)
	}
	sentAt := t0.Add(5 * time.Second)
	a, err1 := connected.AppendSegmentBatch(nil, marked, sentAt)
	b, err2 := connected.AppendSegmentBatch(nil, scanned, sentAt)
	if err1 != nil || err2 != nil || !bytes.Equal(a, b) {
		t.Fatalf("marked %v / scanned %v:\n%s\n%s", err1, err2, a, b)
	}
	a, err1 = connected.AppendRudderStackBatch(nil, marked, sentAt)
	b, err2 = connected.AppendRudderStackBatch(nil, scanned, sentAt)
	if err1 != nil || err2 != nil || !bytes.Equal(a, b) {
		t.Fatalf("rudder marked %v / scanned %v:\n%s\n%s", err1, err2, a, b)
	}
	// A middleware's copy with a new, different payload: not framed by the
	// stale marks (the new payload has a sentAt, which only a scan sees).
	cp := *marked[0]
	cp.Payload = []byte(`{"sentAt":"x","type":"track"}`)
	if _, err := connected.AppendSegmentBatch(nil, []*connected.Record{&cp}, sentAt); !errors.Is(err, connected.ErrMalformed) {
		t.Errorf("a copy with a replaced payload was framed from stale offsets: %v", err)
	}
	// Same length, same first byte address is impossible for a new slice,
	// but a shorter reslice of the same bytes must be scanned too.
	cp = *marked[0]
	cp.Payload = cp.Payload[:len(cp.Payload)-1]
	if _, err := connected.AppendSegmentBatch(nil, []*connected.Record{&cp}, sentAt); !errors.Is(err, connected.ErrMalformed) {
		t.Errorf("a truncated payload was framed: %v", err)
	}
}
