package vehicle_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/vehicle"
)

var update = flag.Bool("update", false, "rewrite golden files")

func golden(t *testing.T, path string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s differs:\n%s", path, got)
	}
}

// TestGoldenSmartcar decodes every sample delivery exactly.
func TestGoldenSmartcar(t *testing.T) {
	files, _ := filepath.Glob("testdata/smartcar/*.json")
	if len(files) < 4 {
		t.Fatalf("found %d samples", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			e, err := vehicle.DecodeSmartcar(b)
			if err != nil {
				t.Fatalf("DecodeSmartcar: %v", err)
			}
			golden(t, strings.TrimSuffix(f, ".json")+".golden", e)
		})
	}
}

// TestSmartcarAccessors checks the typed accessors against the sample's
// documented values and units.
func TestSmartcarAccessors(t *testing.T) {
	b, _ := os.ReadFile("testdata/smartcar/vehicle_state_location.json")
	e, err := vehicle.DecodeSmartcar(b)
	if err != nil {
		t.Fatal(err)
	}
	p, ok := e.Position()
	want := vehicle.Position{VehicleID: "9af13248-3b73-4c9d-9a4b-d937ce6bc8e2", Time: time.UnixMilli(1767261590000).UTC(),
		Lat: 52.5163, Lon: 13.3777, Speed: p.Speed, HasSpeed: true, Heading: 270, HasHeading: true}
	if !ok || p != want || math.Abs(p.Speed-12) > 1e-9 { // 43.2 kph
		t.Fatalf("Position() = %+v, %v\nwant %+v", p, ok, want)
	}
	if m, at, ok := e.OdometerMeters(); !ok || m != 18234600 || !at.Equal(time.UnixMilli(1767261400000)) {
		t.Fatalf("OdometerMeters() = %v %v %v", m, at, ok)
	}
	if soc, ok := e.StateOfCharge(); !ok || soc != 62 {
		t.Fatalf("StateOfCharge() = %v %v", soc, ok)
	}
	if c, ok := e.IsCharging(); !ok || c {
		t.Fatalf("IsCharging() = %v %v", c, ok)
	}
	b, _ = os.ReadFile("testdata/smartcar/vehicle_state_first_delivery.json")
	if e, err = vehicle.DecodeSmartcar(b); err != nil {
		t.Fatal(err)
	}
	if e.VehicleID != "123e4567-e89b-12d3-a456-426614174000" || e.Triggers[0].Type != "FIRST_DELIVERY" {
		t.Fatalf("vehicle id %q, triggers %+v", e.VehicleID, e.Triggers)
	}
	if !e.Meta.DeliveredAt.Equal(time.Unix(1700000000, 0)) {
		t.Fatalf("deliveredAt in seconds read as %v", e.Meta.DeliveredAt)
	}
	if soc, ok := e.StateOfCharge(); !ok || soc != 75 {
		t.Fatalf("percentage body: %v %v", soc, ok)
	}
	if g := e.Signal("location-isathome"); g == nil || g.OK() || g.ErrorCode != "VEHICLE_NOT_CAPABLE" {
		t.Fatalf("signal error: %+v", g)
	}
}

func TestGoldenPositions(t *testing.T) {
	f, err := os.Open("testdata/positions/stream.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d := vehicle.NewPositionDecoder(vehicle.MetersPerSecond)
	var out []vehicle.Position
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		p, err := d.Decode(sc.Bytes())
		if err != nil {
			t.Fatalf("line %d: %v", len(out)+1, err)
		}
		if !p.Valid() {
			t.Fatalf("line %d decoded to an invalid position %+v", len(out)+1, p)
		}
		out = append(out, p)
	}
	golden(t, "testdata/positions/stream.golden", out)
}

// TestMalformed: every refusal is a *ParseError with the right sentinel,
// an offset inside the input, the field when there is one, and no value.
func TestMalformed(t *testing.T) {
	ok := `{"eventId":"e","eventType":"VEHICLE_STATE","vehicleId":"v","data":{"signals":[]}}`
	sig := func(body string) string {
		return `{"eventId":"e","eventType":"VEHICLE_STATE","vehicleId":"v","data":{"signals":[{"code":"` + body + `}]}}`
	}
	cases := []struct {
		name, in, field string
		err             error
	}{
		{"empty", ``, "", vehicle.ErrTruncated},
		{"not an object", `[1]`, "", vehicle.ErrType},
		{"truncated", ok[:len(ok)-3], "data.signals[0]", vehicle.ErrTruncated},
		{"trailing garbage", ok + `x`, "", vehicle.ErrSyntax},
		{"trailing comma", `{"eventType":"VERIFY",}`, "", vehicle.ErrSyntax},
		{"bad escape", `{"eventType":"VE\qRIFY"}`, "eventType", vehicle.ErrSyntax},
		{"control char", "{\"eventId\":\"a\x01\"}", "eventId", vehicle.ErrSyntax},
		{"leading zero", `{"x":01}`, "", vehicle.ErrSyntax},
		{"unknown event", `{"eventType":"VEHICLE_MOVED"}`, "eventType", vehicle.ErrUnknownEvent},
		{"no event type", `{"eventId":"e"}`, "eventType", vehicle.ErrMissing},
		{"no challenge", `{"eventType":"VERIFY","data":{}}`, "data.challenge", vehicle.ErrMissing},
		{"no event id", `{"eventType":"VEHICLE_STATE","vehicleId":"v","data":{"signals":[]}}`, "eventId", vehicle.ErrMissing},
		{"no vehicle", `{"eventId":"e","eventType":"VEHICLE_STATE","data":{"signals":[]}}`, "vehicleId", vehicle.ErrMissing},
		{"no signals", `{"eventId":"e","eventType":"VEHICLE_STATE","vehicleId":"v","data":{}}`, "data.signals", vehicle.ErrMissing},
		{"year string", `{"eventId":"e","eventType":"VEHICLE_STATE","data":{"vehicle":{"id":"v","year":"2020"},"signals":[]}}`, "data.vehicle.year", vehicle.ErrType},
		{"year fraction", `{"eventId":"e","eventType":"VEHICLE_STATE","data":{"vehicle":{"id":"v","year":2020.5},"signals":[]}}`, "data.vehicle.year", vehicle.ErrRange},
		{"latitude 91", sig(`location-preciselocation","body":{"latitude":91,"longitude":13}`), "data.signals[0].body.latitude", vehicle.ErrRange},
		{"no longitude", sig(`location-preciselocation","body":{"latitude":52}`), "data.signals[0].body.longitude", vehicle.ErrMissing},
		{"latitude string", sig(`location-preciselocation","body":{"latitude":"52.5","longitude":13}`), "data.signals[0].body.latitude", vehicle.ErrType},
		{"soc 120", sig(`tractionbattery-stateofcharge","body":{"unit":"percent","value":120}`), "data.signals[0].body.value", vehicle.ErrRange},
		{"odometer furlongs", sig(`odometer-traveleddistance","body":{"unit":"furlongs","value":12}`), "data.signals[0].body.unit", vehicle.ErrUnit},
		{"negative speed", sig(`motion-currentspeed","body":{"unit":"kph","value":-3}`), "data.signals[0].body.value", vehicle.ErrRange},
		{"signal without code", `{"eventId":"e","eventType":"VEHICLE_STATE","vehicleId":"v","data":{"signals":[{"body":{}}]}}`, "data.signals[0].code", vehicle.ErrMissing},
		// Malformed JSON inside a signal without a code is a syntax
		// error, as encoding/json would say, not a missing code.
		{"signal cut by ']'", `{"eventId":"e","eventType":"VEHICLE_STATE","vehicleId":"v","data":{"signals":[{"name":"x" ]}}`, "data.signals[0]", vehicle.ErrSyntax},
		{"oemUpdatedAt negative", sig(`x","meta":{"oemUpdatedAt":-5}`), "data.signals[0].meta.oemUpdatedAt", vehicle.ErrRange},
		{"huge number", `{"eventId":1e999}`, "eventId", vehicle.ErrType},
		{"deep nesting", `{"x":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}`, "", vehicle.ErrRange},
	}
	var d vehicle.SmartcarDecoder
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, err := vehicle.DecodeSmartcar([]byte(c.in))
			checkParseError(t, err, c.in, "smartcar", c.field, c.err)
			if e.Type != "" || e.Signals != nil || e.EventID != "" {
				t.Fatalf("partial value %+v", e)
			}
			sameAsDecodeSmartcar(t, &d, []byte(c.in))
		})
	}
	pcases := []struct {
		name, in, field string
		err             error
	}{
		{"no id", `{"time":"2026-01-01T00:00:00Z","lat":1,"lon":2}`, "vehicle_id", vehicle.ErrMissing},
		{"empty id", `{"id":"","time":"2026-01-01T00:00:00Z","lat":1,"lon":2}`, "id", vehicle.ErrMissing},
		{"no time", `{"id":"a","lat":1,"lon":2}`, "time", vehicle.ErrMissing},
		{"bad time", `{"id":"a","time":"2026-02-30T00:00:00Z","lat":1,"lon":2}`, "time", vehicle.ErrFormat},
		{"time without zone", `{"id":"a","time":"2026-01-01T00:00:00","lat":1,"lon":2}`, "time", vehicle.ErrFormat},
		{"time 1969", `{"id":"a","time":"1969-12-31T23:59:59Z","lat":1,"lon":2}`, "time", vehicle.ErrRange},
		{"epoch negative", `{"id":"a","time":-1,"lat":1,"lon":2}`, "time", vehicle.ErrRange},
		{"no lon", `{"id":"a","time":1773478807,"lat":1}`, "lon", vehicle.ErrMissing},
		{"lon 181", `{"id":"a","time":1773478807,"lat":1,"lon":181}`, "lon", vehicle.ErrRange},
		{"heading 400", `{"id":"a","time":1773478807,"lat":1,"lon":1,"heading":400}`, "heading", vehicle.ErrRange},
		{"speed -1", `{"id":"a","time":1773478807,"lat":1,"lon":1,"speed":-1}`, "speed", vehicle.ErrRange},
		{"lat string", `{"id":"a","time":1773478807,"lat":"1","lon":1}`, "lat", vehicle.ErrType},
		{"truncated", `{"id":"a","time":1773478807,"lat":1,"lon":1`, "", vehicle.ErrTruncated},
		{"two objects", `{"id":"a","time":1773478807,"lat":1,"lon":1}{}`, "", vehicle.ErrSyntax},
	}
	for _, c := range pcases {
		t.Run("position/"+c.name, func(t *testing.T) {
			p, err := vehicle.ParsePosition([]byte(c.in))
			checkParseError(t, err, c.in, "position", c.field, c.err)
			if p != (vehicle.Position{}) {
				t.Fatalf("partial value %+v", p)
			}
		})
	}
}

// TestSmartcarBodyErrorAt: a body the package refuses is reported at the
// offending field's value (indented as Smartcar sends it), or at the body
// when a required field is missing.
func TestSmartcarBodyErrorAt(t *testing.T) {
	for _, c := range []struct{ body, field, at string }{
		{`{"latitude": 52.5, "longitude": 13.4, "heading": 400}`, "heading", "400"},
		{`{"latitude": -91, "longitude": 13.4}`, "latitude", "-91"},
		{`{"longitude": 181, "latitude": 52.5}`, "longitude", "181"},
		{`{"longitude": 13.4}`, "latitude", `{"longitude"`},
	} {
		in := `{"eventId": "e", "eventType": "VEHICLE_STATE", "vehicleId": "v", "data": {"signals": [{"code": "location-preciselocation", "body": ` + c.body + `}]}}`
		_, err := vehicle.DecodeSmartcar([]byte(in))
		var pe *vehicle.ParseError
		if !errors.As(err, &pe) || pe.Field != "data.signals[0].body."+c.field || !strings.HasPrefix(in[pe.Offset:], c.at) {
			t.Errorf("%s: %v; want the field %s at %q", c.body, err, c.field, c.at)
		}
	}
}

// TestSmartcarBodyErrorKey: an out-of-range state of charge is reported
// under the key the body used: value, or percentage in older payloads.
func TestSmartcarBodyErrorKey(t *testing.T) {
	for _, key := range []string{"value", "percentage"} {
		in := `{"eventId":"e","eventType":"VEHICLE_STATE","vehicleId":"v","data":{"signals":[{"code":"tractionbattery-stateofcharge","body":{"` + key + `":120}}]}}`
		_, err := vehicle.DecodeSmartcar([]byte(in))
		var pe *vehicle.ParseError
		if !errors.As(err, &pe) || pe.Field != "data.signals[0].body."+key || !errors.Is(err, vehicle.ErrRange) || !strings.HasPrefix(in[pe.Offset:], "120") {
			t.Errorf("%s 120: %v", key, err)
		}
	}
}

func checkParseError(t *testing.T, err error, in, format, field string, want error) {
	t.Helper()
	var pe *vehicle.ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T) is not a *ParseError", err, err)
	}
	if !errors.Is(err, want) {
		t.Fatalf("error %v does not match %v", err, want)
	}
	if pe.Offset < 0 || pe.Offset > len(in) || pe.Format != format {
		t.Fatalf("offset %d outside %d bytes, or format %q (%v)", pe.Offset, len(in), pe.Format, err)
	}
	if pe.Field != field {
		t.Fatalf("field %q, want %q (%v)", pe.Field, field, err)
	}
}
