package mqtttransport_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport/mqtttransport"
)

// mosquittoEnv names the variable CI sets (bash .ci/mosquitto.sh, then
// . .ci/mosquitto.env) to the host:port of Debian's mosquitto on loopback.
const mosquittoEnv = "TOUCHPOINT_MOSQUITTO_ADDR"

// mosquittoAddr returns the broker to test against: $TOUCHPOINT_MOSQUITTO_ADDR,
// which must answer, or else 127.0.0.1:1883 if something answers there. It
// skips the test, saying how to run it, when neither is available.
func mosquittoAddr(t *testing.T) string {
	t.Helper()
	if addr := os.Getenv(mosquittoEnv); addr != "" {
		conn, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err != nil {
			t.Fatalf("%s=%s but nothing answers there: %v", mosquittoEnv, addr, err)
		}
		conn.Close()
		return addr
	}
	const fallback = "127.0.0.1:1883"
	conn, err := net.DialTimeout("tcp", fallback, 300*time.Millisecond)
	if err != nil {
		t.Skipf("mosquitto not available: %s is unset and nothing answers on %s (%v); "+
			"run `bash .ci/mosquitto.sh && . .ci/mosquitto.env` (installs and starts Debian's mosquitto on loopback) to run this test",
			mosquittoEnv, fallback, err)
	}
	conn.Close()
	return fallback
}

// The Sender and the Source against a real broker: Debian's mosquitto
// (2.0.x) must carry the MQTT 5 properties (content type, payload format,
// user properties) and keep each key's order.
func TestMosquittoInterop(t *testing.T) {
	server := "mqtt://" + mosquittoAddr(t)
	var b [6]byte
	_, _ = rand.Read(b[:])
	root := "touchpoint-interop/" + hex.EncodeToString(b[:]) // other runs may share the broker

	const n = 30
	c := newCollector(n)
	newSource(t, server, []string{root + "/#"}, c.handle)
	s := newSender(t, server, root+"/{category}/{type}", mqtttransport.WithMaxInFlight(2))
	var batch []*connected.Record
	for i := range n {
		r := rec(i, fmt.Sprint("k", i%3))
		if i%2 == 1 {
			r.Category = connected.CategoryLocation
		}
		batch = append(batch, r)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := s.Send(ctx, batch); err != nil {
		t.Fatal(err)
	}
	last := map[string]string{}
	byID := map[string]*connected.Record{}
	for _, r := range batch {
		byID[r.ID] = r
	}
	for _, m := range c.wait(t) {
		id, k := m.UserProperties.Get("id"), m.UserProperties.Get("partitionkey")
		r := byID[id]
		if r == nil {
			t.Fatalf("unexpected message %s on %s", id, m.Topic)
		}
		wantTopic := root + "/" + string(r.Category) + "/track"
		if m.Topic != wantTopic || string(m.Payload) != string(r.Payload) || m.ContentType != "application/json" {
			t.Errorf("%s: topic %s, content type %q, payload %q", id, m.Topic, m.ContentType, m.Payload)
		}
		if m.UserProperties.Get("specversion") != "1.0" || m.UserProperties.Get("source") != ce.Source ||
			m.UserProperties.Get("datacategory") != string(r.Category) {
			t.Errorf("%s: user properties %v", id, m.UserProperties)
		}
		if id <= last[k] {
			t.Errorf("key %s: %s after %s", k, id, last[k])
		}
		last[k] = id
	}
}
