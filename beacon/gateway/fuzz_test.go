package gateway_test

import (
	"errors"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/beacon"
	"github.com/touchpoint-sdk/touchpoint/beacon/gateway"
)

// checkErr fails unless err is a *ParseError wrapping one of the sentinels.
func checkErr(t *testing.T, err error) {
	var pe *gateway.ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("untyped error %T: %v", err, err)
	}
	for _, s := range []error{gateway.ErrMalformedJSON, gateway.ErrBadHex, gateway.ErrMissingField, gateway.ErrBadValue, gateway.ErrTopic} {
		if errors.Is(err, s) {
			return
		}
	}
	t.Fatalf("error matches no sentinel: %v", err)
}

// seed adds every sample of the files, in the firmware's exact shapes.
func seed(f *testing.F, files ...string) {
	for _, file := range files {
		for _, s := range samples(f, file) {
			f.Add(s.Topic, []byte(s.Payload))
		}
	}
}

func FuzzOpenMQTTGateway(f *testing.F) {
	seed(f, "testdata/openmqttgateway.jsonl", "testdata/openmqttgateway-current.jsonl", "testdata/theengs-gateway.jsonl")
	f.Fuzz(func(t *testing.T, topic string, payload []byte) {
		m, err := gateway.ParseOpenMQTTGateway(topic, payload, received)
		if err != nil {
			checkErr(t, err)
			return
		}
		a := &m.Advertisement
		if !a.Time.Equal(received) || a.Observer != m.Gateway || m.Gateway == "" {
			t.Fatalf("inconsistent message %+v", m)
		}
		if !a.RSSI.Valid() && a.RSSI != 0 {
			t.Fatalf("rssi %d accepted", a.RSSI)
		}
		if m.Warnings.Has(gateway.WarnServiceDataNoUUID) != (m.UnkeyedServiceData != nil) {
			t.Fatalf("unkeyed service data %x with warnings %v", m.UnkeyedServiceData, m.Warnings)
		}
		fr, err := m.Frame()
		var pe *beacon.ParseError
		switch {
		case err == nil:
			if fr.Format == beacon.FormatUnknown {
				t.Fatal("frame without a format")
			}
		case err == beacon.ErrNotBeacon:
			if m.Decoded.HasIBeacon {
				t.Fatal("decoded iBeacon lost")
			}
		case !errors.As(err, &pe):
			t.Fatalf("Frame error %T %v", err, err)
		}
	})
}

func FuzzESPresense(f *testing.F) {
	seed(f, "testdata/espresense.jsonl", "testdata/espresense-v4.jsonl", "testdata/espresense-v3.jsonl")
	f.Fuzz(func(t *testing.T, topic string, payload []byte) {
		m, err := gateway.ParseESPresense(topic, payload, received)
		if err != nil {
			checkErr(t, err)
			return
		}
		s := m.Sighting
		if m.ID == "" || s.Gateway != m.Room || !s.Time.Equal(received) || (!s.RSSI.Valid() && s.Distance <= 0) {
			t.Fatalf("inconsistent report %+v", m)
		}
		if s.Subject == "" && s.Beacon.IsZero() {
			t.Fatalf("report locates nothing: %+v", m)
		}
		if s.SubjectIsDevice != (s.Subject != "") {
			t.Fatalf("a device id would leave as a customer id: %+v", s)
		}
	})
}
