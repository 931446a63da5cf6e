package main

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// FuzzParseGATT checks the GATT topic decoder: no panic; an error is a
// *gattError matching one sentinel and comes with the zero message; a
// decoded message names the topic's device, respects the GATT value limit,
// and survives encode -> decode unchanged.
func FuzzParseGATT(f *testing.F) {
	for _, s := range loadSamples(f, "gatt") {
		f.Add(s.Topic, []byte(s.Payload))
	}
	f.Add("touchpoint/gatt/d", []byte(`{"uuid":"0x2A5B","value":"03","ts":"2026-03-01T09:00:00+02:00"}`))
	f.Add("touchpoint/gatt/d", []byte(`{"uuid":"00002a37-0000-1000-8000-00805f9b34fb","value":"1234","ts":1}`))
	f.Add("touchpoint/gatt/d", []byte(`{"event":"connected","value":null}`))
	f.Add("gatt/", []byte(`{}`))
	f.Add("x/gatt/d", []byte(`{"uuid":"2a37","value":"0`))
	f.Fuzz(func(t *testing.T, topic string, payload []byte) {
		m, err := parseGATT(topic, payload)
		if err != nil {
			var ge *gattError
			if !errors.As(err, &ge) {
				t.Fatalf("error %v is a %T, not a *gattError", err, err)
			}
			n := 0
			for _, s := range []error{errGATTMalformed, errGATTMissing, errGATTBadValue, errGATTTopic} {
				if errors.Is(err, s) {
					n++
				}
			}
			if n != 1 {
				t.Fatalf("error %v matches %d sentinels", err, n)
			}
			if m.Device != "" || m.Value != nil || m.Event != "" || m.Char != 0 || !m.Time.IsZero() {
				t.Fatalf("partial message %+v with error %v", m, err)
			}
			return
		}
		if m.Device == "" || !strings.HasSuffix(topic, "/"+m.Device) && topic != "gatt/"+m.Device || len(m.Device) > maxDeviceName {
			t.Fatalf("device %q from topic %q", m.Device, topic)
		}
		if len(m.Value) > 512 || (m.Event != "") == (m.Value != nil) {
			t.Fatalf("message %+v: want either an event or a value of at most 512 bytes", m)
		}
		again, err := parseGATT(topic, encodeGATT(m))
		if err != nil {
			t.Fatalf("re-parse of %s: %v", encodeGATT(m), err)
		}
		if again.Device != m.Device || again.Char != m.Char || !bytes.Equal(again.Value, m.Value) ||
			again.Event != m.Event || !again.Time.Equal(m.Time) {
			t.Fatalf("round trip %+v -> %+v", m, again)
		}
	})
}

// encodeGATT writes the payload a bridge would publish for m.
func encodeGATT(m gattMessage) []byte {
	p := map[string]string{}
	if m.Event != "" {
		p["event"] = m.Event
	} else {
		p["uuid"] = fmt.Sprintf("%04x", uint16(m.Char))
		p["value"] = hex.EncodeToString(m.Value)
	}
	if !m.Time.IsZero() {
		p["ts"] = m.Time.Format(time.RFC3339Nano)
	}
	b, _ := json.Marshal(p)
	return b
}
