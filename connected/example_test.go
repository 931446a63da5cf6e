package connected_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/connectedtest"
)

// exampleClient returns a client with a fixed clock and ids so that the
// examples print the same bytes every run.
func exampleClient(sink connected.Handler, opts ...connected.Option) *connected.Client {
	opts = append([]connected.Option{
		connected.WithClock(func() time.Time { return time.Date(2026, 11, 24, 10, 30, 0, 0, time.UTC) }),
		connected.WithIDGenerator(connectedtest.IDs("msg")),
		connected.WithLibrary("example", "1.0"),
	}, opts...)
	c, err := connected.New(sink, opts...)
	if err != nil {
		panic(err)
	}
	return c
}

// A Client with a sink. In production the sink is a transport.Batcher; here
// it is a Recorder.
func ExampleNew() {
	rec := &connectedtest.Recorder{}
	c, err := connected.New(rec, connected.WithChannel(connected.ChannelStore))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Shutdown(context.Background())
	err = c.Track(context.Background(), connected.Event{UserID: "user-42", Event: connected.EventZoneEntered})
	fmt.Println(err, rec.Len(), rec.Records()[0].Event.Context.Channel)
	// Output: <nil> 1 store
}

func ExampleClient_Track() {
	rec := &connectedtest.Recorder{}
	c := exampleClient(rec)
	_ = c.Track(context.Background(), connected.Event{
		UserID:     "user-42",
		Event:      connected.EventProductAddedToWishlist,
		Properties: connected.Properties{"product_id": "boot-1207", "price": 129.95},
	})
	fmt.Println(rec.Payloads()[0])
	// Output: {"type":"track","messageId":"msg-1","userId":"user-42","event":"Product Added to Wishlist","properties":{"price":129.95,"product_id":"boot-1207"},"originalTimestamp":"2026-11-24T10:30:00.000Z","context":{"dataCategory":"behavioral","library":{"name":"example","version":"1.0"}}}
}

func ExampleClient_Identify() {
	rec := &connectedtest.Recorder{}
	c := exampleClient(rec)
	_ = c.Identify(context.Background(), connected.Event{UserID: "user-42", Traits: connected.Traits{"email": "ana@example.com"}, Category: connected.CategoryIdentity})
	fmt.Println(rec.Payloads()[0])
	// Output: {"type":"identify","messageId":"msg-1","userId":"user-42","traits":{"email":"ana@example.com"},"originalTimestamp":"2026-11-24T10:30:00.000Z","context":{"dataCategory":"identity","library":{"name":"example","version":"1.0"}}}
}

func ExampleClient_Page() {
	rec := &connectedtest.Recorder{}
	c := exampleClient(rec, connected.WithChannel(connected.ChannelWeb))
	_ = c.Page(context.Background(), connected.Event{AnonymousID: "anon-7f3a", Name: "Trail boots", Properties: connected.Properties{"path": "/boots/trail"}})
	fmt.Println(rec.Payloads()[0])
	// Output: {"type":"page","messageId":"msg-1","anonymousId":"anon-7f3a","name":"Trail boots","properties":{"path":"/boots/trail"},"originalTimestamp":"2026-11-24T10:30:00.000Z","context":{"channel":"web","dataCategory":"behavioral","library":{"name":"example","version":"1.0"}}}
}

func ExampleClient_Screen() {
	rec := &connectedtest.Recorder{}
	c := exampleClient(rec, connected.WithChannel(connected.ChannelMobile))
	_ = c.Screen(context.Background(), connected.Event{UserID: "user-42", Name: "Wishlist"})
	fmt.Println(rec.Records()[0].Type, rec.Records()[0].Event.Name)
	// Output: screen Wishlist
}

func ExampleClient_Group() {
	rec := &connectedtest.Recorder{}
	c := exampleClient(rec)
	_ = c.Group(context.Background(), connected.Event{UserID: "user-42", GroupID: "household-9"})
	fmt.Println(rec.Records()[0].Type, rec.Records()[0].Event.GroupID)
	// Output: group household-9
}

func ExampleClient_Alias() {
	rec := &connectedtest.Recorder{}
	c := exampleClient(rec)
	_ = c.Alias(context.Background(), connected.Event{UserID: "user-42", PreviousID: "anon-7f3a"})
	fmt.Println(rec.Payloads()[0])
	// Output: {"type":"alias","messageId":"msg-1","userId":"user-42","previousId":"anon-7f3a","originalTimestamp":"2026-11-24T10:30:00.000Z","context":{"dataCategory":"behavioral","library":{"name":"example","version":"1.0"}}}
}

// Emit takes any type; invalid events come back as a *ValidationError that
// names the field.
func ExampleClient_Emit() {
	c := exampleClient(&connectedtest.Recorder{})
	err := c.Emit(context.Background(), connected.Event{
		Type: connected.TypeTrack, UserID: "user-42", Event: "Measurement Recorded",
		Properties: connected.Properties{"heart_rate_bpm": math.NaN()},
	})
	var ve *connected.ValidationError
	fmt.Println(errors.Is(err, connected.ErrInvalidEvent), errors.As(err, &ve), ve.Field)
	// Output: true true properties.heart_rate_bpm
}

func ExampleClient_Flush() {
	rec := &connectedtest.Recorder{}
	c := exampleClient(rec)
	fmt.Println(c.Flush(context.Background()), rec.Flushes())
	// Output: <nil> 1
}

func ExampleClient_Shutdown() {
	rec := &connectedtest.Recorder{}
	c := exampleClient(rec)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	fmt.Println(c.Shutdown(ctx))
	err := c.Track(ctx, connected.Event{UserID: "u", Event: "Too late"})
	fmt.Println(errors.Is(err, connected.ErrClosed))
	// Output:
	// <nil>
	// true
}

// Middleware sees every record before the sink, like net/http middleware.
func ExampleChain() {
	rec := &connectedtest.Recorder{}
	onlyStore := func(next connected.Handler) connected.Handler {
		return connected.HandlerFunc(func(ctx context.Context, r *connected.Record) error {
			if r.Event.Context.Channel != connected.ChannelStore {
				return nil // a real filter would count what it drops
			}
			return next.Handle(ctx, r)
		})
	}
	c := exampleClient(connected.Chain(rec, onlyStore))
	_ = c.Track(context.Background(), connected.Event{UserID: "u", Event: "Web thing", Context: connected.Context{Channel: connected.ChannelWeb}})
	_ = c.Track(context.Background(), connected.Event{UserID: "u", Event: "Store thing", Context: connected.Context{Channel: connected.ChannelStore}})
	fmt.Println(rec.Len(), rec.Records()[0].Event.Event)
	// Output: 1 Store thing
}

func ExampleHandlerFunc() {
	h := connected.HandlerFunc(func(_ context.Context, r *connected.Record) error {
		fmt.Println(r.Type, r.Event.Event, r.Category)
		return nil
	})
	c := exampleClient(h)
	_ = c.Track(context.Background(), connected.Event{UserID: "u", Event: connected.EventWorkoutCompleted, Category: connected.CategoryHealth})
	// Output: track Workout Completed health
}

func ExampleAppendSegment() {
	e := connected.Event{
		Type: connected.TypeTrack, MessageID: "m-1", UserID: "user-42", Event: connected.EventZoneExited,
		OriginalTimestamp: time.Date(2026, 11, 24, 10, 34, 0, 0, time.UTC),
		Properties:        connected.Properties{"zone": "shoes", "dwell_seconds": 240},
		Context:           connected.Context{Channel: connected.ChannelStore, Location: connected.Location{PlaceID: "store-12", Zone: "shoes"}},
		Category:          connected.CategoryLocation,
	}
	b, err := connected.AppendSegment(nil, &e)
	fmt.Println(string(b), err)
	// Output: {"type":"track","messageId":"m-1","userId":"user-42","event":"Zone Exited","properties":{"dwell_seconds":240,"zone":"shoes"},"originalTimestamp":"2026-11-24T10:34:00.000Z","context":{"channel":"store","dataCategory":"location","location":{"placeId":"store-12","zone":"shoes"}}} <nil>
}

func ExampleEvent_Validate() {
	e := connected.Event{Type: connected.TypeAlias, MessageID: "m", UserID: "user-42", OriginalTimestamp: time.Now()}
	fmt.Println(e.Validate())
	// Output: connected: invalid event: previousId: an alias event needs previousId
}

func ExampleDecodeSegment() {
	e, err := connected.DecodeSegment([]byte(`{"type":"track","messageId":"m-1","anonymousId":"a-9","event":"Product Viewed","properties":{"price":9.90},"originalTimestamp":"2026-11-24T10:30:00.000Z","sentAt":"2026-11-24T10:30:05.000Z"}`))
	fmt.Println(err, e.Type, e.Event, e.Properties["price"], e.OriginalTimestamp.Format(time.RFC3339))
	// Output: <nil> track Product Viewed 9.90 2026-11-24T10:30:00Z
}

func ExampleAppendCloudEvent() {
	rec := &connectedtest.Recorder{}
	c := exampleClient(rec)
	_ = c.Alias(context.Background(), connected.Event{UserID: "user-42", PreviousID: "anon-7f3a"})
	b, err := connected.AppendCloudEvent(nil, rec.Records()[0], connected.CloudEventsOptions{Source: "urn:touchpoint:store:12"})
	fmt.Println(string(b), err)
	// Output: {"specversion":"1.0","id":"msg-1","source":"urn:touchpoint:store:12","type":"dev.touchpoint.alias","datacontenttype":"application/json","time":"2026-11-24T10:30:00.000Z","data":{"type":"alias","messageId":"msg-1","userId":"user-42","previousId":"anon-7f3a","originalTimestamp":"2026-11-24T10:30:00.000Z","context":{"dataCategory":"behavioral","library":{"name":"example","version":"1.0"}}},"datacategory":"behavioral","partitionkey":"65ae70e27d27ce1918d88d393e11b6aa"} <nil>
}

func ExampleAppendCloudEventsBatch() {
	rec := &connectedtest.Recorder{}
	c := exampleClient(rec)
	_ = c.Track(context.Background(), connected.Event{UserID: "u1", Event: "A"})
	_ = c.Track(context.Background(), connected.Event{UserID: "u2", Event: "B"})
	b, err := connected.AppendCloudEventsBatch(nil, rec.Records(), connected.CloudEventsOptions{Source: "urn:x"})
	fmt.Println(len(b) > 0, b[0] == '[', err, connected.CloudEventsBatchContentType)
	// Output: true true <nil> application/cloudevents-batch+json
}

// Binary mode: the attributes become headers (ce_ for Kafka) and the
// payload is the body. No attribute holds a plaintext identifier.
func ExampleCloudEventAttributes() {
	rec := &connectedtest.Recorder{}
	c := exampleClient(rec)
	_ = c.Track(context.Background(), connected.Event{UserID: "user-42", Event: "Zone Entered", Category: connected.CategoryLocation})
	_ = connected.CloudEventAttributes(rec.Records()[0], connected.CloudEventsOptions{Source: "urn:touchpoint:store:12"}, func(name, value string) {
		fmt.Printf("ce_%s: %s\n", name, value)
	})
	// Output:
	// ce_specversion: 1.0
	// ce_id: msg-1
	// ce_source: urn:touchpoint:store:12
	// ce_type: dev.touchpoint.track
	// ce_datacontenttype: application/json
	// ce_time: 2026-11-24T10:30:00.000Z
	// ce_datacategory: location
	// ce_partitionkey: 65ae70e27d27ce1918d88d393e11b6aa
}

func ExampleAppendSegmentBatch() {
	rec := &connectedtest.Recorder{}
	c := exampleClient(rec)
	_ = c.Screen(context.Background(), connected.Event{UserID: "u1", Name: "Home"})
	b, err := connected.AppendSegmentBatch(nil, rec.Records(), time.Date(2026, 11, 24, 10, 30, 5, 0, time.UTC))
	if err != nil {
		panic(err)
	}
	fmt.Println(string(b))
	// Output: {"batch":[{"type":"screen","messageId":"msg-1","userId":"u1","name":"Home","timestamp":"2026-11-24T10:30:00.000Z","context":{"dataCategory":"behavioral","library":{"name":"example","version":"1.0"}}}],"sentAt":"2026-11-24T10:30:05.000Z"}
}

// RudderStack reads sentAt from each message: it is stamped on every one.
func ExampleAppendRudderStackBatch() {
	rec := &connectedtest.Recorder{}
	c := exampleClient(rec)
	_ = c.Screen(context.Background(), connected.Event{UserID: "u1", Name: "Home"})
	b, err := connected.AppendRudderStackBatch(nil, rec.Records(), time.Date(2026, 11, 24, 10, 30, 5, 0, time.UTC))
	if err != nil {
		panic(err)
	}
	fmt.Println(string(b))
	// Output: {"batch":[{"channel":"server","sentAt":"2026-11-24T10:30:05.000Z","type":"screen","messageId":"msg-1","userId":"u1","name":"Home","originalTimestamp":"2026-11-24T10:30:00.000Z","context":{"dataCategory":"behavioral","library":{"name":"example","version":"1.0"}}}]}
}

func ExamplePartitionKey() {
	fmt.Println(connected.PartitionKey(nil, "user-42"))
	fmt.Println(connected.PartitionKey([]byte("per-tenant secret"), "user-42"))
	// Output:
	// 65ae70e27d27ce1918d88d393e11b6aa
	// 4ce28255cef34638a0bbd2e042e1092a
}

func ExamplePartitionKeyer() {
	// One keyer for a consumer's lifetime: the same keys as PartitionKey,
	// without building an HMAC per record.
	k := connected.NewPartitionKeyer([]byte("per-tenant secret"))
	fmt.Println(k.Key("user-42"))
	fmt.Println(k.Key("user-42") == connected.PartitionKey([]byte("per-tenant secret"), "user-42"))
	// Output:
	// 4ce28255cef34638a0bbd2e042e1092a
	// true
}

// queue is a PayloadOnly sink: it keeps records but reads only their encoded
// fields, as a transport does.
type queue struct{ recs []*connected.Record }

func (q *queue) Handle(_ context.Context, r *connected.Record) error {
	q.recs = append(q.recs, r)
	return nil
}

func (q *queue) PayloadOnly() {}

// A Client emitting straight into a PayloadOnly sink leaves Record.Event
// nil: the queued record holds its bytes and routing fields, not a copy of
// the event and its maps. Behind middleware, records carry the Event.
func ExamplePayloadOnly() {
	q := &queue{}
	c := exampleClient(q)
	_ = c.Track(context.Background(), connected.Event{UserID: "user-42", Event: "Order Completed"})
	r := q.recs[0]
	fmt.Println(r.Event == nil, r.UserID, r.Size() > 0)

	tap := func(next connected.Handler) connected.Handler {
		return connected.HandlerFunc(func(ctx context.Context, r *connected.Record) error {
			fmt.Println("middleware sees", r.Event.Event)
			return next.Handle(ctx, r)
		})
	}
	c = exampleClient(q, connected.WithMiddleware(tap))
	_ = c.Track(context.Background(), connected.Event{UserID: "user-42", Event: "Order Completed"})
	// Output:
	// true user-42 true
	// middleware sees Order Completed
}

// A device identifier leaves the process only as its keyed pseudonym.
func ExamplePseudonymizer() {
	p, err := connected.NewPseudonymizer([]byte("a secret of at least 16 bytes"))
	if err != nil {
		fmt.Println(err)
		return
	}
	a := p.Pseudonym("irk:1a2b3c4d5e6f708192a3b4c5d6e7f809")
	fmt.Println(len(a), a[:4], a == p.Pseudonym("irk:1a2b3c4d5e6f708192a3b4c5d6e7f809"))
	// Output: 36 ps1_ true
}

// A missing or short key is refused with a typed error.
func ExamplePseudonym() {
	_, err := connected.Pseudonym([]byte("short"), "C1:D2:E3:F4:A5:B6")
	fmt.Println(errors.Is(err, connected.ErrPseudonymKey), err)
	// Output: true connected: pseudonym key has 5 bytes, need at least 16
}

// AppendPseudonym writes into a caller's buffer: with room for
// PseudonymLen bytes and a recently seen identifier it does not allocate.
func ExamplePseudonymizer_AppendPseudonym() {
	p, _ := connected.NewPseudonymizer([]byte("a secret of at least 16 bytes"))
	buf := make([]byte, 0, 64)
	buf = append(buf, "anonymousId="...)
	buf = p.AppendPseudonym(buf, "C1:D2:E3:F4:A5:B6")
	fmt.Println(len(buf) == len("anonymousId=")+connected.PseudonymLen)
	// Output: true
}

// NewPseudonymizer refuses a key shorter than MinPseudonymKeyLen with a
// *PseudonymKeyError; build one Pseudonymizer per key and share it.
func ExampleNewPseudonymizer() {
	_, err := connected.NewPseudonymizer(nil)
	var ke *connected.PseudonymKeyError
	fmt.Println(errors.As(err, &ke), ke.Len, err)
	p, err := connected.NewPseudonymizer([]byte("0123456789abcdef"))
	fmt.Println(p != nil, err)
	// Output:
	// true 0 connected: pseudonym key missing (need at least 16 bytes)
	// true <nil>
}

// A transport that stores records keeps their marks with the payload and
// restores them when it reads the record back, so that framing it needs
// no scan of the payload.
func ExampleRecord_SetMarks() {
	rec := &connectedtest.Recorder{}
	c := exampleClient(rec)
	_ = c.Track(context.Background(), connected.Event{UserID: "u1", Event: "Order Completed"})
	r := rec.Records()[0]
	ot, ts, ok := r.Marks()
	fmt.Println(ot, ts, ok)

	stored := bytes.Clone(r.Payload) // written to disk, read back
	back := &connected.Record{ID: r.ID, Type: r.Type, Time: r.Time, Category: r.Category, Payload: stored}
	_, _, ok = back.Marks()
	fmt.Println(ok, back.SetMarks(ot, ts))
	// Output:
	// 76 -1 true
	// false true
}
