package connected_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// TestDecodeGoldenRoundTrip decodes every golden Segment message and checks
// that encoding the result gives the same bytes.
func TestDecodeGoldenRoundTrip(t *testing.T) {
	files, _ := filepath.Glob("testdata/segment_*.json")
	if len(files) < 9 {
		t.Fatalf("found %d golden files, want at least 9", len(files))
	}
	for _, f := range files {
		if filepath.Base(f) == "segment_batch.json" {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		data = bytes.TrimSpace(data)
		e, err := connected.DecodeSegment(data)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out, err := connected.AppendSegment(nil, &e)
		if err != nil {
			t.Fatalf("%s: re-encode: %v", f, err)
		}
		if !bytes.Equal(out, data) {
			t.Errorf("%s: round trip differs\n got: %s\nwant: %s", f, out, data)
		}
	}
}

func TestDecodeFields(t *testing.T) {
	e, err := connected.DecodeSegment([]byte(`{"type":"track","messageId":"m1","userId":"u1","event":"Zone Entered",
		"properties":{"n":1.50},"originalTimestamp":"2026-11-24T10:30:00.123456Z","sentAt":"2026-11-24T10:31:00Z",
		"context":{"channel":"store","dataCategory":"location","location":{"placeId":"s12","zone":"shoes","latitude":1,"longitude":2},
		"device":{"id":"gw","advertisingId":"ad-1"},"app":{"name":"x"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if e.Category != connected.CategoryLocation || e.Context.Channel != connected.ChannelStore ||
		e.Context.Location.Zone != "shoes" || e.Context.Location.Geo == nil || e.Context.Location.Geo.Longitude != 2 ||
		e.Context.Device.Extra["advertisingId"] != "ad-1" || e.OriginalTimestamp.Nanosecond() != 123456000 {
		t.Errorf("decoded %+v", e)
	}
	if got := e.Properties["n"]; !reflect.DeepEqual(got, jsonNumber("1.50")) {
		t.Errorf("number = %#v, want json.Number 1.50 kept verbatim", got)
	}
}

func TestDecodeErrors(t *testing.T) {
	cases := []struct {
		in    string
		field string
		is    error
	}{
		{`not json`, "", connected.ErrMalformed},
		{`null`, "", connected.ErrMalformed},
		{`{"type":"track"} {}`, "", connected.ErrMalformed},
		{`{"type":"track","messageId":"m","userId":"u","event":"e","originalTimestamp":"2026-11-24T10:30:00Z","color":"red"}`, "color", connected.ErrMalformed},
		{`{"type":"track","messageId":7}`, "messageId", connected.ErrMalformed},
		{`{"type":"track","originalTimestamp":"yesterday"}`, "originalTimestamp", connected.ErrMalformed},
		{`{"type":"track","context":{"library":{"name":"x","flavour":"y"}}}`, "context.library.flavour", connected.ErrMalformed},
		{`{"type":"track","context":{"location":{"latitude":1}}}`, "context.location", connected.ErrMalformed},
		{`{"type":"track","messageId":"m","event":"e","originalTimestamp":"2026-11-24T10:30:00Z"}`, "userId", connected.ErrInvalidEvent},
		{`{"type":"track","messageId":"m","userId":"u","event":"e"}`, "originalTimestamp", connected.ErrInvalidEvent},
	}
	for _, tc := range cases {
		_, err := connected.DecodeSegment([]byte(tc.in))
		if !errors.Is(err, tc.is) {
			t.Errorf("%s: err = %v, want %v", tc.in, err, tc.is)
			continue
		}
		var de *connected.DecodeError
		var ve *connected.ValidationError
		switch {
		case errors.As(err, &de):
			if de.Field != tc.field {
				t.Errorf("%s: field %q, want %q", tc.in, de.Field, tc.field)
			}
		case errors.As(err, &ve):
			if ve.Field != tc.field {
				t.Errorf("%s: field %q, want %q", tc.in, ve.Field, tc.field)
			}
		default:
			t.Errorf("%s: untyped error %T", tc.in, err)
		}
	}
}
