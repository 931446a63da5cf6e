package connected_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/connectedtest"
)

// Caller-supplied message ids are the dedupe key at every receiver: control
// characters, surrounding white space and more than Segment's 100
// characters are refused with a *ValidationError for messageId, whether the
// id comes with the event, from WithIDGenerator, from a decoded message or on
// a Record being framed as a CloudEvent.
func TestMessageIDValidation(t *testing.T) {
	bad := map[string]string{
		"NUL":               "id\x00x",
		"newline":           "id\nx",
		"tab":               "id\tx",
		"DEL":               "id\x7fx",
		"C1 NEL":            "id\u0085x",
		"leading space":     " id-1",
		"trailing space":    "id-1 ",
		"trailing NBSP":     "id-1\u00a0",
		"leading ideograph": "\u3000id",
		"101 characters":    strings.Repeat("a", 101),
		"101 runes":         strings.Repeat("ü", 101),
		"invalid UTF-8":     "id\xffx",
		"only space":        " ",
	}
	good := []string{"m", "0195d0a4-7a1f-7c3e-9b2a-5d1e2f3a4b5c", strings.Repeat("a", 100), strings.Repeat("ü", 100), "order 1001/line 2", "ünï-👟"}

	check := func(t *testing.T, how string, err error) {
		t.Helper()
		var ve *connected.ValidationError
		if !errors.Is(err, connected.ErrInvalidEvent) || !errors.As(err, &ve) || ve.Field != "messageId" {
			t.Errorf("%s: err = %v, want a *ValidationError for messageId", how, err)
		}
	}
	for name, id := range bad {
		t.Run(name, func(t *testing.T) {
			rec := &connectedtest.Recorder{}
			c := newTestClient(t, rec)
			check(t, "Track", c.Track(context.Background(), connected.Event{MessageID: id, UserID: "u", Event: "e"}))

			gen := newTestClient(t, rec, connected.WithIDGenerator(func() string { return id }))
			check(t, "WithIDGenerator", gen.Track(context.Background(), connected.Event{UserID: "u", Event: "e"}))
			if n := len(rec.Records()); n != 0 {
				t.Fatalf("%d records emitted", n)
			}

			e := connected.Event{Type: connected.TypeTrack, MessageID: id, UserID: "u", Event: "e", OriginalTimestamp: t0}
			check(t, "Validate", e.Validate())
			if name != "invalid UTF-8" { // JSON text cannot carry it: a decoder reads U+FFFD
				raw, _ := json.Marshal(id)
				_, err := connected.DecodeSegment([]byte(`{"type":"track","messageId":` + string(raw) + `,"userId":"u","event":"e","originalTimestamp":"2026-11-24T10:30:00.000Z"}`))
				check(t, "DecodeSegment", err)
			}

			r := &connected.Record{ID: id, Type: connected.TypeTrack, Time: t0, Category: connected.CategoryBehavioral, Payload: []byte(`{"type":"track"}`)}
			o := connected.CloudEventsOptions{Source: "urn:x"}
			_, err := connected.AppendCloudEvent(nil, r, o)
			check(t, "AppendCloudEvent", err)
			check(t, "CloudEventAttributes", connected.CloudEventAttributes(r, o, func(string, string) {}))
		})
	}
	for _, id := range good {
		rec := &connectedtest.Recorder{}
		c := newTestClient(t, rec)
		if err := c.Track(context.Background(), connected.Event{MessageID: id, UserID: "u", Event: "e"}); err != nil {
			t.Errorf("id %q refused: %v", id, err)
			continue
		}
		if _, err := connected.AppendCloudEvent(nil, rec.Records()[0], connected.CloudEventsOptions{Source: "urn:x"}); err != nil {
			t.Errorf("id %q: AppendCloudEvent: %v", id, err)
		}
	}
	if connected.MaxMessageIDLength != 100 {
		t.Errorf("MaxMessageIDLength = %d", connected.MaxMessageIDLength)
	}
}

// CloudEventsOptions.Validate refuses attributes that CloudEvents forbids,
// with a *CloudEventsOptionsError naming the field.
func TestCloudEventsOptionsValidate(t *testing.T) {
	for _, c := range []struct {
		name  string
		o     connected.CloudEventsOptions
		field string
	}{
		{"empty source", connected.CloudEventsOptions{}, "Source"},
		{"source with newline", connected.CloudEventsOptions{Source: "urn:store:12\n"}, "Source"},
		{"source with NUL", connected.CloudEventsOptions{Source: "urn:store\x00:12"}, "Source"},
		{"source with C1", connected.CloudEventsOptions{Source: "urn:store\u009b12"}, "Source"},
		{"source with space", connected.CloudEventsOptions{Source: "urn:store 12"}, "Source"},
		{"source invalid UTF-8", connected.CloudEventsOptions{Source: "urn:\xff"}, "Source"},
		{"type prefix with control", connected.CloudEventsOptions{Source: "urn:x", TypePrefix: "com.acme\x1b"}, "TypePrefix"},
		{"relative dataschema", connected.CloudEventsOptions{Source: "urn:x", DataSchema: "schemas/event.json"}, "DataSchema"},
		{"network-path dataschema", connected.CloudEventsOptions{Source: "urn:x", DataSchema: "//touchpoint.dev/schema.json"}, "DataSchema"},
		{"dataschema with space", connected.CloudEventsOptions{Source: "urn:x", DataSchema: "https://touchpoint.dev/my schema.json"}, "DataSchema"},
		{"dataschema with tab", connected.CloudEventsOptions{Source: "urn:x", DataSchema: "https://touchpoint.dev/\tschema.json"}, "DataSchema"},
		{"dataschema bad scheme", connected.CloudEventsOptions{Source: "urn:x", DataSchema: "1http://touchpoint.dev/"}, "DataSchema"},
		{"dataschema bad escape", connected.CloudEventsOptions{Source: "urn:x", DataSchema: "https://touchpoint.dev/%zz"}, "DataSchema"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.o.Validate()
			var oe *connected.CloudEventsOptionsError
			if !errors.Is(err, connected.ErrInvalidCloudEventsOptions) || !errors.As(err, &oe) || oe.Field != c.field {
				t.Fatalf("Validate() = %v, want a *CloudEventsOptionsError for %s", err, c.field)
			}
			if _, err := connected.AppendCloudEventsBatch(nil, nil, c.o); !errors.Is(err, connected.ErrInvalidCloudEventsOptions) {
				t.Fatalf("AppendCloudEventsBatch = %v", err)
			}
		})
	}
	for _, o := range []connected.CloudEventsOptions{
		{Source: "urn:touchpoint:store:12:gateway:3"},
		{Source: "/stores/12/gateways/3", TypePrefix: "com.acme.omni"},
		{Source: "https://shop.example/checkout?x=%20", DataSchema: "https://touchpoint.dev/schemas/segment-message.json"},
		{Source: "urn:x", DataSchema: "iglu:com.acme/product_viewed/jsonschema/1-0-0"},
		{Source: "urn:x", TypePrefix: "com.acme omni"},
	} {
		if err := o.Validate(); err != nil {
			t.Errorf("%+v: %v", o, err)
		}
	}
}

// FuzzSegmentBatchFraming: for any payload, framing it for Segment or
// RudderStack either fails with ErrMalformed (leaving dst alone) or, when
// the payload is a JSON object, gives valid JSON whose message has the
// payload's keys plus exactly what the receiver needs.
func FuzzSegmentBatchFraming(f *testing.F) {
	files, _ := filepath.Glob("testdata/segment_*.json")
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(bytes.TrimSpace(data))
	}
	f.Add([]byte(`{"type":"track","properties":{"a":"}\"{"},"originalTimestamp":"2026-11-24T10:30:00.000Z"}`))
	f.Add([]byte(`{"type":"track","sentAt":1}`))
	f.Fuzz(func(t *testing.T, payload []byte) {
		r := &connected.Record{ID: "f", Type: connected.TypeTrack, Time: t0, Payload: payload}
		sentAt := t0.Add(time.Second)
		var in map[string]json.RawMessage
		object := json.Unmarshal(payload, &in) == nil && in != nil
		for name, fn := range map[string]func([]byte, []*connected.Record, time.Time) ([]byte, error){
			"segment": connected.AppendSegmentBatch, "rudderstack": connected.AppendRudderStackBatch,
		} {
			out, err := fn([]byte("x"), []*connected.Record{r}, sentAt)
			if err != nil {
				if !errors.Is(err, connected.ErrMalformed) || string(out) != "x" {
					t.Fatalf("%s: err %v, out %q", name, err, out)
				}
				continue
			}
			if !object {
				continue // the framer checks structure, not JSON grammar
			}
			var env struct {
				Batch []map[string]json.RawMessage `json:"batch"`
			}
			if err := json.Unmarshal(out[1:], &env); err != nil || len(env.Batch) != 1 {
				t.Fatalf("%s: output is not a batch of one: %v\n%s", name, err, out)
			}
			msg := env.Batch[0]
			for k := range in {
				if _, ok := msg[k]; !ok && !(name == "segment" && k == "originalTimestamp") {
					t.Fatalf("%s: key %q lost\n%s", name, k, out)
				}
			}
			switch name {
			case "segment":
				if _, ok := msg["timestamp"]; !ok {
					t.Fatalf("segment message without timestamp\n%s", out)
				}
			case "rudderstack":
				if string(msg["sentAt"]) != `"2026-11-24T10:30:01.000Z"` || string(msg["channel"]) != `"server"` {
					t.Fatalf("rudderstack message without sentAt/channel\n%s", out)
				}
			}
		}
	})
}

// Options that cannot be CloudEvents attributes are refused with a typed
// error naming the field.
func ExampleCloudEventsOptions_Validate() {
	err := connected.CloudEventsOptions{Source: "urn:touchpoint:store:12", DataSchema: "schemas/event.json"}.Validate()
	var oe *connected.CloudEventsOptionsError
	fmt.Println(errors.Is(err, connected.ErrInvalidCloudEventsOptions), errors.As(err, &oe), oe.Field)
	fmt.Println(err)
	// Output:
	// true true DataSchema
	// connected: invalid CloudEventsOptions.DataSchema: "schemas/event.json" is not an absolute URI (no scheme)
}

// TestFormatUUID: the word-at-a-time hex formatting of generated ids
// writes what github.com/google/uuid writes for the same 16 bytes.
func TestFormatUUID(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	words := []uint64{0, ^uint64(0), 0x0123456789abcdef, 0xfedcba9876543210, 0xa0a0a0a0a0a0a0a0, 0x0909090909090909}
	for range 10000 {
		words = append(words, r.Uint64())
	}
	for i := 0; i+1 < len(words); i++ {
		var u uuid.UUID
		binary.BigEndian.PutUint64(u[:8], words[i])
		binary.BigEndian.PutUint64(u[8:], words[i+1])
		if got, want := connected.FormatUUID(words[i], words[i+1]), u.String(); got != want {
			t.Fatalf("%#x %#x: got %s, want %s", words[i], words[i+1], got, want)
		}
	}
}
