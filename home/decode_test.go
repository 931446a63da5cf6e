package home_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/home"
)

const okState = `{"entity_id":"light.kitchen","state":"on","attributes":{},"last_changed":"2026-01-01T10:00:00+00:00","last_updated":"2026-01-01T10:00:00+00:00","context":{"id":"x","parent_id":null,"user_id":null}}`

func wsMsg(data string) string {
	return `{"id":3,"type":"event","event":{"event_type":"state_changed","data":` + data + `,"origin":"LOCAL","time_fired":"2026-01-01T10:00:00.5+00:00","context":{"id":"x","parent_id":null,"user_id":null}}}`
}

// Malformed websocket messages are refused with a *DecodeError naming the
// field, matching the right sentinel, and the output is left untouched.
func TestDecodeWebSocketRefuses(t *testing.T) {
	sample := string(readFile(t, "testdata/ws/media_player_playing.json"))
	cases := []struct {
		name, in string
		want     error
		field    string
	}{
		{"empty", ``, home.ErrTruncated, ""},
		{"not json", `hello`, home.ErrSyntax, ""},
		{"truncated", sample[:len(sample)/2], home.ErrTruncated, "event.data.new_state.attributes.app_name"},
		{"trailing garbage", sample + `x`, home.ErrSyntax, ""},
		{"array", `[1,2]`, home.ErrFieldType, ""},
		{"pong", `{"id":4,"type":"pong"}`, home.ErrNotStateChange, "type"},
		{"other event", strings.Replace(wsMsg(`{"entity_id":"light.kitchen","old_state":null,"new_state":`+okState+`}`), "state_changed", "call_service", 1), home.ErrNotStateChange, "event.event_type"},
		{"no data", `{"id":3,"type":"event","event":{"event_type":"state_changed","time_fired":"2026-01-01T10:00:00+00:00"}}`, home.ErrMissingField, "event.data"},
		{"no entity", wsMsg(`{"old_state":null,"new_state":` + okState + `}`), home.ErrMissingField, "event.data.entity_id"},
		{"no new_state", wsMsg(`{"entity_id":"light.kitchen","old_state":null}`), home.ErrMissingField, "event.data.new_state"},
		{"bad entity id", wsMsg(`{"entity_id":"Light.Kitchen","old_state":null,"new_state":` + okState + `}`), home.ErrFieldType, "event.data.entity_id"},
		{"entity without domain", wsMsg(`{"entity_id":"kitchen","old_state":null,"new_state":` + okState + `}`), home.ErrFieldType, "event.data.entity_id"},
		{"mismatched entity", wsMsg(`{"entity_id":"light.hall","old_state":null,"new_state":` + okState + `}`), home.ErrFieldType, "event.data.new_state.entity_id"},
		{"state not a string", wsMsg(`{"entity_id":"light.kitchen","old_state":null,"new_state":` + strings.Replace(okState, `"state":"on"`, `"state":1`, 1) + `}`), home.ErrFieldType, "event.data.new_state.state"},
		{"state missing", wsMsg(`{"entity_id":"light.kitchen","old_state":null,"new_state":` + strings.Replace(okState, `"state":"on",`, ``, 1) + `}`), home.ErrMissingField, "event.data.new_state.state"},
		{"bad time", wsMsg(`{"entity_id":"light.kitchen","old_state":null,"new_state":` + strings.Replace(okState, `"last_updated":"2026-01-01T10:00:00+00:00"`, `"last_updated":"yesterday"`, 1) + `}`), home.ErrFieldType, "event.data.new_state.last_updated"},
		{"temperature not a number", wsMsg(`{"entity_id":"light.kitchen","old_state":null,"new_state":` + strings.Replace(okState, `"attributes":{}`, `"attributes":{"temperature":"21"}`, 1) + `}`), home.ErrFieldType, "event.data.new_state.attributes.temperature"},
		{"attributes not an object", wsMsg(`{"entity_id":"light.kitchen","old_state":null,"new_state":` + strings.Replace(okState, `"attributes":{}`, `"attributes":[]`, 1) + `}`), home.ErrFieldType, "event.data.new_state.attributes"},
		{"invalid utf-8", wsMsg(`{"entity_id":"light.kitchen","old_state":null,"new_state":` + strings.Replace(okState, `"state":"on"`, "\"state\":\"o\xffn\"", 1) + `}`), home.ErrFieldType, "event.data.new_state.state"},
		{"state too long", wsMsg(`{"entity_id":"light.kitchen","old_state":null,"new_state":` + strings.Replace(okState, `"state":"on"`, `"state":"`+strings.Repeat("a", 256)+`"`, 1) + `}`), home.ErrFieldType, "event.data.new_state.state"},
		{"too large", `{"x":"` + strings.Repeat("a", home.MaxPayload) + `"}`, home.ErrTooLarge, ""},
		{"type invalid utf-8", "{\"id\":4,\"type\":\"ev\xffent\"}", home.ErrFieldType, "type"},
		{"event_type invalid utf-8", strings.Replace(wsMsg(`{"entity_id":"light.kitchen","old_state":null,"new_state":`+okState+`}`), "state_changed", "state\xffchanged", 1), home.ErrFieldType, "event.event_type"},
		{"bad time after the same good one", wsMsg(`{"entity_id":"light.kitchen","old_state":null,"new_state":` + strings.Replace(okState, `"last_updated":"2026-01-01T10:00:00+00:00"`, `"last_updated":"2026-01-01T10:00:00+00:0"`, 1) + `}`), home.ErrFieldType, "event.data.new_state.last_updated"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := home.StateChange{Device: "untouched"}
			err := home.DecodeWebSocket([]byte(tc.in), &c)
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
			var de *home.DecodeError
			if !errors.As(err, &de) || de.Source != home.SourceWebSocket {
				t.Fatalf("error %T %v, want a *DecodeError", err, err)
			}
			if de.Field != tc.field {
				t.Errorf("field %q, want %q (%v)", de.Field, tc.field, err)
			}
			if de.Offset > len(tc.in) {
				t.Errorf("offset %d past the payload", de.Offset)
			}
			if c.Device != "untouched" {
				t.Errorf("output modified on error: %+v", c)
			}
		})
	}
}

func TestDecodeWebSocketRemovedAndBare(t *testing.T) {
	var c home.StateChange
	if err := home.DecodeWebSocket([]byte(wsMsg(`{"entity_id":"light.kitchen","old_state":`+okState+`,"new_state":null}`)), &c); err != nil {
		t.Fatal(err)
	}
	if !c.Removed || !c.HasOld || c.Old.Value != "on" || !c.Time.Equal(time.Date(2026, 1, 1, 10, 0, 0, 5e8, time.UTC)) {
		t.Errorf("removed entity: %+v", c)
	}
}

func TestDecodeZigbeeRefuses(t *testing.T) {
	cases := []struct {
		name, topic, in string
		want            error
		field           string
	}{
		{"other base", "tasmota/plug", `{}`, home.ErrTopic, "topic"},
		{"no name", "zigbee2mqtt/", `{}`, home.ErrTopic, "topic"},
		{"bridge", "zigbee2mqtt/bridge/devices", `[]`, home.ErrNotStateChange, "topic"},
		{"availability", "zigbee2mqtt/plug/availability", `{"state":"online"}`, home.ErrNotStateChange, "topic"},
		{"set", "zigbee2mqtt/plug/set", `{"state":"ON"}`, home.ErrNotStateChange, "topic"},
		{"not json", "zigbee2mqtt/plug", `ON`, home.ErrSyntax, ""},
		{"not an object", "zigbee2mqtt/plug", `"ON"`, home.ErrFieldType, ""},
		{"truncated", "zigbee2mqtt/plug", `{"power":12`, home.ErrTruncated, ""},
		{"power as string", "zigbee2mqtt/plug", `{"power":"12"}`, home.ErrFieldType, "power"},
		{"occupancy as string", "zigbee2mqtt/pir", `{"occupancy":"true"}`, home.ErrFieldType, "occupancy"},
		{"bad last_seen", "zigbee2mqtt/pir", `{"occupancy":true,"last_seen":"soon"}`, home.ErrFieldType, "last_seen"},
		{"negative last_seen", "zigbee2mqtt/pir", `{"occupancy":true,"last_seen":-5}`, home.ErrFieldType, "last_seen"},
		{"bad nested", "zigbee2mqtt/pir", `{"update":{"state":}}`, home.ErrSyntax, "update"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := home.StateChange{Device: "untouched"}
			err := home.DecodeZigbee("", tc.topic, []byte(tc.in), recv, &c)
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
			var de *home.DecodeError
			if !errors.As(err, &de) || de.Source != home.SourceZigbee2MQTT || de.Field != tc.field {
				t.Fatalf("error %#v, want a *DecodeError for field %q", err, tc.field)
			}
			if c.Device != "untouched" {
				t.Errorf("output modified on error")
			}
		})
	}
	var c home.StateChange
	if err := home.DecodeZigbee("", "zigbee2mqtt/pir", []byte(`{"occupancy":true}`), time.Time{}, &c); !errors.Is(err, home.ErrInvalidTime) {
		t.Errorf("zero receive time: %v", err)
	}
}

func TestStatestreamRefuses(t *testing.T) {
	s, err := home.NewStatestream("homeassistant/", 0)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	cases := []struct {
		name, topic, in string
		want            error
	}{
		{"other base", "ha/light/kitchen/state", `on`, home.ErrTopic},
		{"too few levels", "homeassistant/light/state", `on`, home.ErrTopic},
		{"too many levels", "homeassistant/light/kitchen/x/state", `on`, home.ErrTopic},
		{"bad entity", "homeassistant/Light/kitchen/state", `on`, home.ErrFieldType},
		{"empty state", "homeassistant/light/kitchen/state", ``, home.ErrFieldType},
		{"control char", "homeassistant/light/kitchen/state", "o\nn", home.ErrFieldType},
		{"bad quoted state", "homeassistant/light/kitchen/state", `"on`, home.ErrTruncated},
		{"bad timestamp", "homeassistant/light/kitchen/last_updated", `noon`, home.ErrFieldType},
		{"bad attribute", "homeassistant/climate/hall/temperature", `{"x":`, home.ErrFieldType},
		{"attribute not json", "homeassistant/light/kitchen/friendly_name", `Kitchen`, home.ErrSyntax},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := s.Decode(nil, tc.topic, []byte(tc.in), now)
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
			var de *home.DecodeError
			if !errors.As(err, &de) || de.Source != home.SourceStatestream || len(out) != 0 || s.Pending() != 0 {
				t.Fatalf("error %#v, out %v, pending %d", err, out, s.Pending())
			}
		})
	}
	if _, err := home.NewStatestream("", 0); !errors.Is(err, home.ErrInvalidOption) {
		t.Errorf("empty base: %v", err)
	}
	if _, err := s.Decode(nil, "homeassistant/light/kitchen/state", []byte("on"), time.Time{}); !errors.Is(err, home.ErrInvalidTime) {
		t.Errorf("zero time: %v", err)
	}
}

// A statestream change completes on the entity's next state, or after the
// settle time, and attributes that arrive for no pending change are
// counted.
func TestStatestreamSettle(t *testing.T) {
	s, _ := home.NewStatestream("homeassistant", time.Second)
	t0 := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	out, _ := s.Decode(nil, "homeassistant/light/kitchen/brightness", []byte("200"), t0)
	if len(out) != 0 || s.Dropped() != 1 {
		t.Fatalf("orphan attribute: out %v dropped %d", out, s.Dropped())
	}
	out, _ = s.Decode(out, "homeassistant/light/kitchen/state", []byte("on"), t0)
	out, _ = s.Decode(out, "homeassistant/light/hall/state", []byte(`"off"`), t0.Add(500*time.Millisecond))
	if len(out) != 0 {
		t.Fatalf("completed too early: %v", out)
	}
	out, _ = s.Decode(out, "homeassistant/light/hall/friendly_name", []byte(`"Hall"`), t0.Add(1200*time.Millisecond))
	if len(out) != 1 || out[0].Device != "light.kitchen" || out[0].HasOld || out[0].New.Value != "on" {
		t.Fatalf("kitchen should settle first: %+v", out)
	}
	out, _ = s.Decode(out[:0], "homeassistant/light/hall/state", []byte(`on`), t0.Add(1300*time.Millisecond))
	if len(out) != 1 || out[0].Device != "light.hall" || out[0].New.Value != "off" {
		t.Fatalf("the next state completes the previous: %+v", out)
	}
	out = s.Flush(out[:0], t0.Add(1400*time.Millisecond), false)
	if len(out) != 0 {
		t.Fatalf("flushed before settle: %+v", out)
	}
	out = s.Flush(out, t0.Add(2400*time.Millisecond), false)
	if len(out) != 1 || !out[0].HasOld || out[0].Old.Value != "off" || out[0].New.Value != "on" {
		t.Fatalf("settled hall: %+v", out)
	}
}

// TestDecodeWebSocketTimes: each time field gets its own value when the
// texts repeat (the decoder parses a repeated text once), differ, or
// spell one instant with an escape.
func TestDecodeWebSocketTimes(t *testing.T) {
	old := `{"entity_id":"light.kitchen","state":"off","last_changed":"2026-01-01T09:00:00+00:00","last_updated":"2026-01-01T09:30:00+00:00"}`
	nw := `{"entity_id":"light.kitchen","state":"on","last_changed":"2026-01-01T10:00:00\u002b00:00","last_updated":"2026-01-01T10:00:00+00:00"}`
	in := `{"event_type":"state_changed","time_fired":"2026-01-01T09:30:00+00:00","data":{"entity_id":"light.kitchen","old_state":` + old + `,"new_state":` + nw + `}}`
	var c home.StateChange
	if err := home.DecodeWebSocket([]byte(in), &c); err != nil {
		t.Fatal(err)
	}
	at := func(h, m int) time.Time { return time.Date(2026, 1, 1, h, m, 0, 0, time.UTC) }
	for _, x := range []struct {
		name      string
		got, want time.Time
	}{
		{"old last_changed", c.Old.LastChanged, at(9, 0)},
		{"old last_updated", c.Old.LastUpdated, at(9, 30)},
		{"new last_changed", c.New.LastChanged, at(10, 0)},
		{"new last_updated", c.New.LastUpdated, at(10, 0)},
		{"time", c.Time, at(10, 0)},
	} {
		if !x.got.Equal(x.want) || x.got.Location() != time.UTC {
			t.Errorf("%s = %v, want %v", x.name, x.got, x.want)
		}
	}
}
