package vehicle_test

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/vehicle"
)

var sentinels = []error{vehicle.ErrSyntax, vehicle.ErrTruncated, vehicle.ErrMissing, vehicle.ErrType,
	vehicle.ErrRange, vehicle.ErrUnit, vehicle.ErrUnknownEvent, vehicle.ErrFormat}

func fuzzErr(t *testing.T, err error, data []byte) {
	t.Helper()
	var pe *vehicle.ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T) is not a *ParseError", err, err)
	}
	if pe.Offset < 0 || pe.Offset > len(data) || pe.Error() == "" {
		t.Fatalf("offset %d outside %d bytes (%v)", pe.Offset, len(data), err)
	}
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return
		}
	}
	t.Fatalf("error %v matches no sentinel", err)
}

// syntaxAgrees asserts the scanner's verdict on well-formedness agrees
// with encoding/json's: success only on valid JSON, and valid JSON is
// never called malformed.
func syntaxAgrees(t *testing.T, data []byte, err error) {
	t.Helper()
	valid := json.Valid(data)
	if err == nil && !valid {
		t.Fatalf("accepted malformed JSON %q", data)
	}
	if valid && (errors.Is(err, vehicle.ErrSyntax) || errors.Is(err, vehicle.ErrTruncated)) {
		t.Fatalf("valid JSON %q refused as malformed: %v", data, err)
	}
}

func seedFiles(f *testing.F, pattern string) {
	files, _ := filepath.Glob(pattern)
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

func FuzzDecodeSmartcar(f *testing.F) {
	seedFiles(f, "testdata/smartcar/*.json")
	f.Add([]byte(`{"eventType":"VERIFY","data":{"challenge":"\ud83d\ude00x"}}`))
	f.Add([]byte(`{"eventId":"e","eventType":"VEHICLE_STATE","vehicleId":"v","data":{"signals":[{"code":"location-preciselocation","body":{"latitude":1,"longitude":2}}]}}`))
	f.Add([]byte(`{"eventId":"e","eventType":"VEHICLE_ERROR","data":{"errors":[{"code":"A","signals":[{"code":"x"},{"code":"y"}]},{"code":"B","signals":[{"code":"\u00e9"}]}]}}`))
	f.Add([]byte(`{"eventId":"e","eventType":"VEHICLE_STATE","vehicleId":"v","data":{"signals":[{"code":"x","meta":{"oemUpdatedAt":1767261590000,"fetchedAt":1767261600,"retrievedAt":17672616001234567}}]}}`))
	// SmartcarDecoder must agree with DecodeSmartcar whatever it decoded
	// before: each input is decoded after the largest sample, by the same
	// decoder.
	var d vehicle.SmartcarDecoder
	warm, err := os.ReadFile("testdata/smartcar/vehicle_state_location.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, err := d.Decode(warm); err != nil {
			t.Fatal(err)
		}
		sameAsDecodeSmartcar(t, &d, data)
		e, err := vehicle.DecodeSmartcar(data)
		syntaxAgrees(t, data, err)
		if err != nil {
			fuzzErr(t, err, data)
			if e.Type != "" || e.Signals != nil || e.Triggers != nil || e.EventID != "" {
				t.Fatalf("partial value with %v", err)
			}
			return
		}
		var m struct {
			EventID   *string `json:"eventId"`
			EventType string  `json:"eventType"`
		}
		if json.Unmarshal(data, &m) == nil && (m.EventType != string(e.Type) || (m.EventID != nil && *m.EventID != e.EventID)) {
			t.Fatalf("encoding/json reads %q/%v, decoder %q/%q", m.EventType, m.EventID, e.Type, e.EventID)
		}
		if p, ok := e.Position(); ok && !p.Valid() {
			t.Fatalf("Position() ok but invalid: %+v", p)
		}
	})
}

// encodePosition writes p in the stream's own keys.
func encodePosition(p vehicle.Position) []byte {
	id, _ := json.Marshal(p.VehicleID)
	b := []byte(`{"vehicle_id":`)
	b = append(b, id...)
	b = append(b, `,"time":"`+p.Time.Format(time.RFC3339Nano)+`","lat":`...)
	b = strconv.AppendFloat(b, p.Lat, 'g', -1, 64)
	b = append(b, `,"lon":`...)
	b = strconv.AppendFloat(b, p.Lon, 'g', -1, 64)
	if p.HasSpeed {
		b = append(b, `,"speed_mps":`...)
		b = strconv.AppendFloat(b, p.Speed, 'g', -1, 64)
	}
	if p.HasHeading {
		b = append(b, `,"heading":`...)
		b = strconv.AppendFloat(b, p.Heading, 'g', -1, 64)
	}
	if p.Accuracy != 0 {
		b = append(b, `,"accuracy":`...)
		b = strconv.AppendFloat(b, p.Accuracy, 'g', -1, 64)
	}
	return append(b, '}')
}

func FuzzParsePosition(f *testing.F) {
	b, err := os.ReadFile("testdata/positions/stream.ndjson")
	if err != nil {
		f.Fatal(err)
	}
	for _, line := range splitLines(b) {
		f.Add(line)
	}
	f.Add([]byte(`{"id":"\u00e9","time":"2026-01-01T00:00:00.123456789-05:30","lat":-0,"lon":1e-7}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := vehicle.ParsePosition(data)
		syntaxAgrees(t, data, err)
		if err != nil {
			fuzzErr(t, err, data)
			if p != (vehicle.Position{}) {
				t.Fatalf("partial value %+v with %v", p, err)
			}
			return
		}
		if !p.Valid() {
			t.Fatalf("decoded an invalid position %+v", p)
		}
		q, err := vehicle.ParsePosition(encodePosition(p))
		if err != nil || q != p {
			t.Fatalf("round trip: %+v (%v), want %+v", q, err, p)
		}
	})
}

func splitLines(b []byte) [][]byte {
	var out [][]byte
	for len(b) > 0 {
		i := 0
		for i < len(b) && b[i] != '\n' {
			i++
		}
		out = append(out, b[:i])
		if i < len(b) {
			i++
		}
		b = b[i:]
	}
	return out
}

// FuzzTracker drives a Tracker with arbitrary positions and Advance
// calls: it never panics, every refusal is one of its typed errors, each
// vehicle's events are in time order, and counters add up.
func FuzzTracker(f *testing.F) {
	f.Add([]byte("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f"))
	f.Add(make([]byte, 160))
	f.Fuzz(func(t *testing.T, data []byte) {
		tr, err := vehicle.NewTracker([]vehicle.Place{store, {ID: "b", Lat: 52.53, Lon: 13.41, ArrivalRadius: 50, Rings: []time.Duration{10 * time.Minute}}})
		if err != nil {
			t.Fatal(err)
		}
		var evs []vehicle.TripEvent
		now := t0
		calls := uint64(0)
		for len(data) >= 8 {
			w := binary.LittleEndian.Uint64(data)
			data = data[8:]
			now = now.Add(time.Duration(w&0x3ff) * time.Second / 4)
			if w>>10&7 == 0 {
				evs = tr.Advance(evs, now)
				continue
			}
			calls++
			p := vehicle.Position{VehicleID: string(rune('a' + w>>13&3)), Time: now,
				Lat: store.Lat + (float64(int16(w>>16))/32768)*0.1, Lon: store.Lon + (float64(int16(w>>32))/32768)*0.15,
				Speed: float64(w>>48&63) * 0.7, HasSpeed: w>>54&1 == 1, Heading: float64(w>>55&255) * 1.4, HasHeading: w>>63 == 1}
			if w>>10&7 == 7 {
				p.Time = p.Time.Add(-time.Hour) // late
			}
			evs, err = tr.Observe(evs, p)
			if err != nil && !errors.Is(err, vehicle.ErrLate) && !errors.Is(err, vehicle.ErrDuplicate) &&
				!errors.Is(err, vehicle.ErrImplausible) && !errors.Is(err, vehicle.ErrInvalidPosition) {
				t.Fatalf("untyped error %v", err)
			}
		}
		last := map[string]time.Time{}
		for _, e := range evs {
			if e.Time.Before(last[e.VehicleID]) {
				t.Fatalf("%s: event %v at %v before %v", e.VehicleID, e.Kind, e.Time, last[e.VehicleID])
			}
			last[e.VehicleID] = e.Time
			if e.Confidence < 0 || e.Confidence > 1 || math.IsNaN(e.ETA.Seconds()) {
				t.Fatalf("bad event %+v", e)
			}
		}
		s := tr.Stats()
		if s.Positions+s.Late+s.Duplicates+s.Invalid+s.Implausible != calls || s.Events != uint64(len(evs)) {
			t.Fatalf("stats %+v do not add up to %d calls, %d events", s, calls, len(evs))
		}
	})
}
