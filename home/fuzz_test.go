package home_test

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/touchpoint-sdk/touchpoint/home"
)

func seedDir(f *testing.F, glob string) {
	files, _ := filepath.Glob(glob)
	if len(files) == 0 {
		f.Fatalf("no seeds in %s", glob)
	}
	for _, p := range files {
		f.Add(readFile(f, p))
	}
}

// checkDecodeError asserts the error contract: a *DecodeError of src whose
// offset lies within the payload, and an untouched output.
func checkDecodeError(t *testing.T, err error, src home.Source, in []byte, c *home.StateChange) {
	t.Helper()
	var de *home.DecodeError
	if !errors.As(err, &de) {
		t.Fatalf("error %T %v is not a *DecodeError", err, err)
	}
	if de.Source != src || de.Offset > len(in) && !errors.Is(err, home.ErrTooLarge) {
		t.Fatalf("bad error %#v for %d bytes", de, len(in))
	}
	if c.Device != "untouched" {
		t.Fatalf("output modified on error")
	}
}

// checkState asserts what every decoded state keeps: bounded UTF-8 strings.
func checkState(t *testing.T, s *home.State) {
	t.Helper()
	for _, v := range []string{s.Value, s.DeviceClass, s.Unit, s.ContentType, s.App, s.HVACAction, s.Preset} {
		if len(v) > home.MaxStringLen || !utf8.ValidString(v) {
			t.Fatalf("kept string %q", v)
		}
	}
}

func FuzzDecodeWebSocket(f *testing.F) {
	seedDir(f, "testdata/ws/*.json")
	f.Add([]byte(wsMsg(`{"entity_id":"light.kitchen","old_state":null,"new_state":` + okState + `}`)))
	// Repeated and escaped time texts (parsed once when repeated), a type
	// that is compared and not kept.
	f.Add([]byte(`{"type":"event","event":{"event_type":"state_changed","time_fired":"2026-01-01T10:00:00\u002b00:00","data":{"entity_id":"light.kitchen","old_state":{"entity_id":"light.kitchen","state":"off","last_changed":"2026-01-01T10:00:00+00:00","last_updated":"2026-01-01T10:00:00+00:00"},"new_state":{"entity_id":"light.kitchen","state":"on","last_changed":"2026-01-01T10:00:00\u002b00:00","last_updated":"2026-01-01T10:00:00\u002b00:00"}}}}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		c := home.StateChange{Device: "untouched"}
		err := home.DecodeWebSocket(in, &c)
		if err != nil {
			checkDecodeError(t, err, home.SourceWebSocket, in, &c)
			return
		}
		if !json.Valid(in) {
			t.Fatalf("accepted invalid JSON %q", in)
		}
		if !strings.HasPrefix(c.Device, c.Domain+".") || c.Domain == "" || c.Time.IsZero() || c.Time.Location() != time.UTC {
			t.Fatalf("bad change %+v", c)
		}
		if !c.Removed && c.New.Has&home.HasValue == 0 {
			t.Fatalf("a state without a value: %+v", c)
		}
		checkState(t, &c.New)
		checkState(t, &c.Old)
		var again home.StateChange
		if err := home.DecodeWebSocket(in, &again); err != nil || !reflect.DeepEqual(c, again) {
			t.Fatalf("not deterministic: %v", err)
		}
		tr := newTracker(t, nil)
		if _, err := tr.Observe(nil, &c); err != nil {
			t.Fatalf("Observe refused a decoded change: %v", err)
		}
	})
}

func FuzzDecodeZigbee(f *testing.F) {
	files, _ := filepath.Glob("testdata/z2m/*.json")
	for _, p := range files {
		f.Add("zigbee2mqtt/"+strings.TrimSuffix(filepath.Base(p), ".json"), readFile(f, p))
	}
	f.Add("zigbee2mqtt/bridge/state", []byte(`{"state":"online"}`))
	f.Fuzz(func(t *testing.T, topic string, in []byte) {
		c := home.StateChange{Device: "untouched"}
		err := home.DecodeZigbee("zigbee2mqtt", topic, in, recv, &c)
		if err != nil {
			checkDecodeError(t, err, home.SourceZigbee2MQTT, in, &c)
			return
		}
		if !json.Valid(in) || !strings.HasPrefix(topic, "zigbee2mqtt/") || c.Device != strings.TrimPrefix(topic, "zigbee2mqtt/") {
			t.Fatalf("accepted %q on %q as %+v", in, topic, c)
		}
		if c.Time.IsZero() || c.Time.Location() != time.UTC || c.HasOld {
			t.Fatalf("bad change %+v", c)
		}
		checkState(t, &c.New)
		tr := newTracker(t, nil)
		if _, err := tr.Observe(nil, &c); err != nil {
			t.Fatalf("Observe refused a decoded change: %v", err)
		}
	})
}

// FuzzStatestream feeds the capture with one message replaced by the
// fuzzer's: whatever happens to that message, every change that comes out
// is well formed and the assembler ends with nothing pending after Flush.
func FuzzStatestream(f *testing.F) {
	lines := readStatestream(f, "testdata/statestream/tv_and_washer.tsv")
	for i, l := range lines {
		f.Add(uint8(i), l.topic, l.payload)
	}
	f.Fuzz(func(t *testing.T, at uint8, topic string, payload []byte) {
		s, err := home.NewStatestream("homeassistant", 0)
		if err != nil {
			t.Fatal(err)
		}
		var out []home.StateChange
		for i, l := range lines {
			tp, p := l.topic, l.payload
			if i == int(at)%len(lines) {
				tp, p = topic, payload
			}
			n := len(out)
			out, err = s.Decode(out, tp, p, l.at)
			if err != nil {
				if len(out) != n {
					t.Fatalf("output grew on error")
				}
				var de *home.DecodeError
				if !errors.As(err, &de) {
					t.Fatalf("error %T %v", err, err)
				}
			}
		}
		out = s.Flush(out, lines[len(lines)-1].at, true)
		if s.Pending() != 0 {
			t.Fatalf("%d pending after Flush", s.Pending())
		}
		for _, c := range out {
			if !strings.HasPrefix(c.Device, c.Domain+".") || c.Time.IsZero() || c.New.Has&home.HasValue == 0 {
				t.Fatalf("bad change %+v", c)
			}
			checkState(t, &c.New)
		}
	})
}
