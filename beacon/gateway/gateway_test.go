package gateway_test

import (
	"bufio"
	"encoding/json"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/beacon"
	"github.com/touchpoint-sdk/touchpoint/beacon/gateway"
)

var received = time.Date(2026, 11, 24, 10, 30, 0, 0, time.UTC)

type sample struct {
	Name    string          `json:"name"`
	Topic   string          `json:"topic"`
	Payload json.RawMessage `json:"payload"`
}

func samples(t testing.TB, file string) []sample {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []sample
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var s sample
		if err := json.Unmarshal(sc.Bytes(), &s); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		out = append(out, s)
	}
	return out
}

func TestOpenMQTTGatewaySamples(t *testing.T) {
	ss := samples(t, "testdata/openmqttgateway.jsonl")
	want := []struct {
		gateway string
		format  beacon.Format
		id      string
		rssi    beacon.RSSI
		random  bool
	}{
		{"store12-gw-shoes", beacon.FormatIBeacon, "ibeacon:e2c56db5-dffb-48d2-b060-d0f5a71096e0:1:7", -71, true},
		{"store12-gw-entrance", beacon.FormatEddystoneUID, "", -64, false},
		{"store12-gw-entrance", beacon.FormatEddystoneTLM, "", -66, false},
		{"store12-gw-shoes", beacon.FormatUnknown, "", -80, true}, // a heart-rate strap: not a beacon
	}
	if len(ss) != len(want) {
		t.Fatalf("%d samples", len(ss))
	}
	for i, s := range ss {
		m, err := gateway.ParseOpenMQTTGateway(s.Topic, s.Payload, received)
		if err != nil {
			t.Fatalf("sample %d: %v", i, err)
		}
		w := want[i]
		adv := &m.Advertisement
		if m.Gateway != w.gateway || adv.Observer != w.gateway || adv.RSSI != w.rssi || adv.AddressRandom != w.random || !adv.Time.Equal(received) {
			t.Errorf("sample %d: %+v", i, m)
		}
		f, err := beacon.Parse(adv)
		if w.format == beacon.FormatUnknown {
			if !errors.Is(err, beacon.ErrNotBeacon) {
				t.Errorf("sample %d: Parse = %v, want ErrNotBeacon", i, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("sample %d: beacon.Parse: %v", i, err)
		}
		if f.Format != w.format {
			t.Errorf("sample %d: format %v, want %v", i, f.Format, w.format)
		}
		if w.id != "" {
			id, _ := f.ID()
			if id.String() != w.id {
				t.Errorf("sample %d: id %s, want %s", i, id, w.id)
			}
		}
	}
	if ss[0].Topic == "" || !json.Valid(ss[0].Payload) {
		t.Fatal("bad fixture")
	}
}

func TestESPresenseSamples(t *testing.T) {
	ss := samples(t, "testdata/espresense.jsonl")
	if len(ss) != 3 {
		t.Fatalf("%d samples", len(ss))
	}
	m, err := gateway.ParseESPresense(ss[0].Topic, ss[0].Payload, received)
	if err != nil {
		t.Fatal(err)
	}
	s := m.Sighting
	if m.Room != "shoes" || s.Gateway != "shoes" || s.Room != "shoes" || s.RSSI != -71 || !s.HasTxPower || s.TxPower1m != -59 ||
		s.Distance != 2.51 || s.Subject != "" || s.Beacon.String() != "ibeacon:e2c56db5-dffb-48d2-b060-d0f5a71096e0:1:7" {
		t.Errorf("iBeacon report: %+v beacon=%s", m, s.Beacon)
	}
	m, err = gateway.ParseESPresense(ss[1].Topic, ss[1].Payload, received)
	if err != nil {
		t.Fatal(err)
	}
	if m.Sighting.Subject != "irk:1a2b3c4d5e6f708192a3b4c5d6e7f809" || m.Name != "Ana's iPhone" ||
		m.Sighting.Beacon.String() != "address:5A:1B:2C:3D:4E:5F" || m.Room != "entrance" {
		t.Errorf("irk report: %+v beacon=%s", m, m.Sighting.Beacon)
	}
	if _, err := gateway.ParseESPresense(ss[2].Topic, ss[2].Payload, received); err != nil {
		t.Errorf("apple report: %v", err)
	}
}

func TestErrors(t *testing.T) {
	omgTopic := "home/gw1/BTtoMQTT/C1D2E3F4A5B6"
	espTopic := "espresense/devices/x/shoes"
	cases := []struct {
		name     string
		esp      bool
		topic    string
		payload  string
		field    string
		sentinel error
	}{
		{"not json", false, omgTopic, `{"id":`, "", gateway.ErrMalformedJSON},
		{"null", false, omgTopic, `null`, "", gateway.ErrMalformedJSON},
		{"trailing", false, omgTopic, `{"id":"C1:D2:E3:F4:A5:B6","rssi":-1} x`, "", gateway.ErrMalformedJSON},
		{"no id", false, omgTopic, `{"rssi":-70}`, "id", gateway.ErrMissingField},
		{"bad mac", false, omgTopic, `{"id":"C1:D2:E3:F4:A5","rssi":-70}`, "id", gateway.ErrBadValue},
		{"no rssi", false, omgTopic, `{"id":"C1:D2:E3:F4:A5:B6"}`, "rssi", gateway.ErrMissingField},
		{"rssi string", false, omgTopic, `{"id":"C1:D2:E3:F4:A5:B6","rssi":"-70"}`, "rssi", gateway.ErrBadValue},
		{"rssi out of range", false, omgTopic, `{"id":"C1:D2:E3:F4:A5:B6","rssi":-300}`, "rssi", gateway.ErrBadValue},
		{"rssi fraction", false, omgTopic, `{"id":"C1:D2:E3:F4:A5:B6","rssi":-70.5}`, "rssi", gateway.ErrBadValue},
		{"odd hex", false, omgTopic, `{"id":"C1:D2:E3:F4:A5:B6","rssi":-70,"manufacturerdata":"4c0"}`, "manufacturerdata", gateway.ErrBadHex},
		{"non hex", false, omgTopic, `{"id":"C1:D2:E3:F4:A5:B6","rssi":-70,"servicedata":"zz","servicedatauuid":"0xfeaa"}`, "servicedata", gateway.ErrBadHex},
		{"short manufacturer data", false, omgTopic, `{"id":"C1:D2:E3:F4:A5:B6","rssi":-70,"manufacturerdata":"4c"}`, "manufacturerdata", gateway.ErrBadValue},
		{"ibeacon without major", false, omgTopic, `{"id":"C1:D2:E3:F4:A5:B6","rssi":-70,"model_id":"IBEACON","uuid":"e2c56db5dffb48d2b060d0f5a71096e0","minor":1}`, "major", gateway.ErrMissingField},
		{"ibeacon bad uuid", false, omgTopic, `{"id":"C1:D2:E3:F4:A5:B6","rssi":-70,"model_id":"IBEACON","uuid":"e2c5-6db5","major":1,"minor":1}`, "uuid", gateway.ErrBadValue},
		{"ibeacon major out of range", false, omgTopic, `{"id":"C1:D2:E3:F4:A5:B6","rssi":-70,"model_id":"IBEACON","uuid":"e2c56db5dffb48d2b060d0f5a71096e0","major":70000,"minor":1}`, "major", gateway.ErrBadValue},
		{"uuid id without mac", false, "home/gw1/BTtoMQTT", `{"id":"e2c56db5dffb48d2b060d0f5a71096e0","rssi":-70,"model_id":"IBEACON","uuid":"e2c56db5dffb48d2b060d0f5a71096e0","major":1,"minor":1}`, "id", gateway.ErrBadValue},
		{"uuid id, bad mac", false, "home/gw1/BTtoMQTT", `{"id":"e2c56db5dffb48d2b060d0f5a71096e0","mac":"zz","rssi":-70,"model_id":"IBEACON","uuid":"e2c56db5dffb48d2b060d0f5a71096e0","major":1,"minor":1}`, "mac", gateway.ErrBadValue},
		{"uuid topic of another beacon", false, "home/gw1/BTtoMQTT/1de4b189115e45f6b44e509352269977", `{"id":"C1:D2:E3:F4:A5:B6","rssi":-70,"model_id":"IBEACON","uuid":"e2c56db5dffb48d2b060d0f5a71096e0","major":1,"minor":1}`, "topic", gateway.ErrTopic},
		{"uuid topic without decoded ibeacon", false, "home/gw1/BTtoMQTT/e2c56db5dffb48d2b060d0f5a71096e0", `{"id":"C1:D2:E3:F4:A5:B6","rssi":-70}`, "topic", gateway.ErrTopic},
		{"presence topic without gateway", false, "home/presence/", `{"id":"C1:D2:E3:F4:A5:B6","rssi":-70}`, "topic", gateway.ErrTopic},
		{"bad service uuid", false, omgTopic, `{"id":"C1:D2:E3:F4:A5:B6","rssi":-70,"servicedata":"00","servicedatauuid":"0xfeag"}`, "servicedatauuid", gateway.ErrBadValue},
		{"wrong topic", false, "home/gw1/RFtoMQTT", `{"id":"C1:D2:E3:F4:A5:B6","rssi":-70}`, "topic", gateway.ErrTopic},
		{"topic mac mismatch", false, "home/gw1/BTtoMQTT/AABBCCDDEEFF", `{"id":"C1:D2:E3:F4:A5:B6","rssi":-70}`, "topic", gateway.ErrTopic},
		{"esp telemetry topic", true, "espresense/rooms/shoes/telemetry", `{"id":"x","rssi":-70}`, "topic", gateway.ErrTopic},
		{"esp query report topic", true, "espresense/devices/x/shoes/miflora", `{"id":"x","rssi":-70}`, "topic", gateway.ErrTopic},
		{"esp rssi string", true, espTopic, `{"id":"x","rssi":"-81.10"}`, "rssi", gateway.ErrBadValue},
		{"esp rssi out of range", true, espTopic, `{"id":"x","rssi":-128.5}`, "rssi", gateway.ErrBadValue},
		{"esp id mismatch", true, espTopic, `{"id":"y","rssi":-70}`, "topic", gateway.ErrTopic},
		{"esp no id", true, espTopic, `{"rssi":-70}`, "id", gateway.ErrMissingField},
		{"esp no signal", true, espTopic, `{"id":"x"}`, "rssi", gateway.ErrMissingField},
		{"esp bad distance", true, espTopic, `{"id":"x","rssi":-70,"distance":-1}`, "distance", gateway.ErrBadValue},
		{"esp bad mac", true, espTopic, `{"id":"x","rssi":-70,"mac":"zz"}`, "mac", gateway.ErrBadValue},
		{"esp bad ibeacon", true, "espresense/devices/iBeacon:nope-1-2/shoes", `{"id":"iBeacon:nope-1-2","rssi":-70}`, "id", gateway.ErrBadValue},
		{"esp ibeacon minor", true, "espresense/devices/iBeacon:e2c56db5-dffb-48d2-b060-d0f5a71096e0-1-70000/shoes", `{"id":"iBeacon:e2c56db5-dffb-48d2-b060-d0f5a71096e0-1-70000","rssi":-70}`, "id", gateway.ErrBadValue},
	}
	for _, tc := range cases {
		var err error
		if tc.esp {
			_, err = gateway.ParseESPresense(tc.topic, []byte(tc.payload), received)
		} else {
			_, err = gateway.ParseOpenMQTTGateway(tc.topic, []byte(tc.payload), received)
		}
		var pe *gateway.ParseError
		if !errors.As(err, &pe) || !errors.Is(err, tc.sentinel) {
			t.Errorf("%s: err = %v, want *ParseError matching %v", tc.name, err, tc.sentinel)
			continue
		}
		if pe.Field != tc.field {
			t.Errorf("%s: field %q, want %q (%v)", tc.name, pe.Field, tc.field, err)
		}
	}
}
