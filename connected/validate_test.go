package connected_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/connectedtest"
)

func TestValidationRejects(t *testing.T) {
	cyclic := map[string]any{}
	cyclic["self"] = cyclic
	track := func(mod func(e *connected.Event)) connected.Event {
		e := connected.Event{Type: connected.TypeTrack, UserID: "u1", Event: "Product Viewed"}
		mod(&e)
		return e
	}
	cases := []struct {
		name  string
		e     connected.Event
		field string
	}{
		{"no identity", track(func(e *connected.Event) { e.UserID = "" }), "userId"},
		{"blank identity", track(func(e *connected.Event) { e.UserID = "  " }), "userId"},
		{"track without name", track(func(e *connected.Event) { e.Event = "" }), "event"},
		{"alias without previousId", connected.Event{Type: connected.TypeAlias, UserID: "u1"}, "previousId"},
		{"alias without userId", connected.Event{Type: connected.TypeAlias, AnonymousID: "a", PreviousID: "p"}, "userId"},
		{"group without groupId", connected.Event{Type: connected.TypeGroup, UserID: "u1"}, "groupId"},
		{"unknown type", connected.Event{Type: "purchase", UserID: "u1"}, "type"},
		{"event name on page", connected.Event{Type: connected.TypePage, UserID: "u1", Event: "x"}, "event"},
		{"NaN", track(func(e *connected.Event) { e.Properties = connected.Properties{"price": math.NaN()} }), "properties.price"},
		{"+Inf nested", track(func(e *connected.Event) {
			e.Properties = connected.Properties{"products": []any{map[string]any{"price": math.Inf(1)}}}
		}), "properties.products[0].price"},
		{"float32 Inf", track(func(e *connected.Event) { e.Traits = connected.Traits{"w": float32(math.Inf(-1))} }), "traits.w"},
		{"invalid UTF-8 value", track(func(e *connected.Event) { e.Properties = connected.Properties{"name": "bad\xff"} }), "properties.name"},
		{"invalid UTF-8 key", track(func(e *connected.Event) { e.Properties = connected.Properties{"k\xfe": 1} }), `properties."k\xfe"`},
		{"invalid UTF-8 userId", track(func(e *connected.Event) { e.UserID = "\xc3" }), "userId"},
		{"invalid UTF-8 event name", track(func(e *connected.Event) { e.Event = "Zone \xff" }), "event"},
		{"invalid UTF-8 device id", track(func(e *connected.Event) { e.Context.Device.ID = "\xff" }), "context.device.id"},
		{"channel value", track(func(e *connected.Event) { e.Properties = connected.Properties{"c": make(chan int)} }), "properties.c"},
		{"func value", track(func(e *connected.Event) { e.Properties = connected.Properties{"f": func() {}} }), "properties.f"},
		{"complex value", track(func(e *connected.Event) { e.Properties = connected.Properties{"z": complex(1, 2)} }), "properties.z"},
		{"cyclic map", track(func(e *connected.Event) { e.Properties = connected.Properties{"loop": cyclic} }), "properties.loop"},
		{"int-keyed map", track(func(e *connected.Event) { e.Properties = connected.Properties{"m": map[int]string{1: "a"}} }), "properties.m"},
		{"bad json.Number", track(func(e *connected.Event) { e.Properties = connected.Properties{"n": jsonNumber("01")} }), "properties.n"},
		{"zero time property", track(func(e *connected.Event) { e.Properties = connected.Properties{"at": time.Time{}} }), "properties.at"},
		{"absurd past", track(func(e *connected.Event) { e.OriginalTimestamp = time.Unix(0, 0) }), "originalTimestamp"},
		{"absurd future", track(func(e *connected.Event) { e.OriginalTimestamp = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC) }), "originalTimestamp"},
		{"ahead of clock", track(func(e *connected.Event) { e.OriginalTimestamp = t0.Add(48 * time.Hour) }), "originalTimestamp"},
		{"absurd timestamp", track(func(e *connected.Event) { e.Timestamp = time.Date(1999, 1, 1, 0, 0, 0, 0, time.UTC) }), "timestamp"},
		{"unknown channel", track(func(e *connected.Event) { e.Context.Channel = "webb" }), "context.channel"},
		{"unknown category", track(func(e *connected.Event) { e.Category = "medical" }), "context.dataCategory"},
		{"latitude out of range", track(func(e *connected.Event) { e.Context.Location.Geo = &connected.Geo{Latitude: 91} }), "context.location.latitude"},
		{"longitude NaN", track(func(e *connected.Event) { e.Context.Location.Geo = &connected.Geo{Longitude: math.NaN()} }), "context.location.longitude"},
		{"external id without type", track(func(e *connected.Event) { e.Context.ExternalIDs = []connected.ExternalID{{ID: "x"}} }), "context.externalIds[0]"},
		{"extra collides", track(func(e *connected.Event) { e.Context.Extra = map[string]any{"ip": "1.2.3.4"} }), "context.ip"},
		{"device extra collides", track(func(e *connected.Event) { e.Context.Device.Extra = map[string]any{"id": "x"} }), "context.device.id"},
		{"extra NaN", track(func(e *connected.Event) { e.Context.Extra = map[string]any{"app": map[string]any{"v": math.NaN()}} }), "context.app.v"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := &connectedtest.Recorder{}
			c := newTestClient(t, rec)
			err := c.Emit(context.Background(), tc.e)
			if !errors.Is(err, connected.ErrInvalidEvent) {
				t.Fatalf("Emit = %v, want ErrInvalidEvent", err)
			}
			var ve *connected.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error %T is not a *ValidationError", err)
			}
			if ve.Field != tc.field && !(tc.name == "cyclic map" && strings.HasPrefix(ve.Field, tc.field+".self.self")) {
				t.Errorf("Field = %q, want %q (error: %v)", ve.Field, tc.field, err)
			}
			if !strings.Contains(err.Error(), tc.field) {
				t.Errorf("message %q does not name the field", err)
			}
			if rec.Len() != 0 {
				t.Errorf("an invalid event reached the sink")
			}
		})
	}
}

type jsonNumber = json.Number

func TestValidationAccepts(t *testing.T) {
	type named string
	type point struct {
		X, Y int
	}
	p := 3
	e := connected.Event{Type: connected.TypeTrack, AnonymousID: "a1", Event: "Measured",
		Properties: connected.Properties{
			"named": named("x"), "ptr": &p, "nilptr": (*int)(nil), "struct": point{1, 2},
			"u8": uint8(7), "i16": int16(-3), "f32": float32(0.5), "bytes": []byte("hi"),
			"arr": [2]int{4, 5}, "mss": map[string]string{"a": "b"}, "nil": nil,
		}}
	r := record(t, e)
	want := `"properties":{"arr":[4,5],"bytes":"aGk=","f32":0.5,"i16":-3,"mss":{"a":"b"},"named":"x","nil":null,"nilptr":null,"ptr":3,"struct":{"X":1,"Y":2},"u8":7}`
	if !strings.Contains(string(r.Payload), want) {
		t.Errorf("payload %s\ndoes not contain %s", r.Payload, want)
	}
}

func TestTooLarge(t *testing.T) {
	rec := &connectedtest.Recorder{}
	c := newTestClient(t, rec, connected.WithMaxEventBytes(1000))
	err := c.Track(context.Background(), connected.Event{UserID: "u1", Event: "Big", Properties: connected.Properties{"blob": strings.Repeat("x", 2000)}})
	var se *connected.SizeError
	if !errors.Is(err, connected.ErrTooLarge) || !errors.As(err, &se) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
	if se.Limit != 1000 || se.Size <= 2000 {
		t.Errorf("SizeError = %+v", se)
	}
	if rec.Len() != 0 {
		t.Error("oversized event reached the sink")
	}
	// Default limit: Segment's 32,000 bytes.
	c2 := newTestClient(t, rec)
	if err := c2.Track(context.Background(), connected.Event{UserID: "u1", Event: "Big", Properties: connected.Properties{"blob": strings.Repeat("x", 32000)}}); !errors.Is(err, connected.ErrTooLarge) {
		t.Fatalf("default limit: err = %v", err)
	}
}
