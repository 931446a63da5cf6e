package gateway_test

import (
	"errors"
	"testing"

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

func FuzzOpenMQTTGateway(f *testing.F) {
	for _, s := range samples(f, "testdata/openmqttgateway.jsonl") {
		f.Add(s.Topic, []byte(s.Payload))
	}
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
	})
}

func FuzzESPresense(f *testing.F) {
	for _, s := range samples(f, "testdata/espresense.jsonl") {
		f.Add(s.Topic, []byte(s.Payload))
	}
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
	})
}
