package natstransport_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport/natstransport"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// The JetStream message as stored: subject, headers (sorted: NATS headers
// are a map), payload.
func TestGoldenMessage(t *testing.T) {
	ns := startServer(t)
	s, err := natstransport.New(ctxT(t), ns.ClientURL(), natstransport.DefaultSubject, connected.CloudEventsOptions{
		Source: "urn:touchpoint:store:12:gateway:3", TypePrefix: "com.acme.omni",
		DataSchema: "iglu:com.acme/product_viewed/jsonschema/1-0-0",
	}, natstransport.WithStream(stream))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { shutdown(t, s) })
	r := rec(7, "2c26b46b68ffc68ff99b453c1d304134")
	r.Category = connected.CategoryLocation
	if err := s.Send(t.Context(), []*connected.Record{r}); err != nil {
		t.Fatal(err)
	}
	golden(t, "message.golden", describe(stored(t, ns, stream.Name)[0]))
}

// Attribute values outside printable ASCII, or holding space, '"' or '%',
// travel percent-encoded (NATS protocol binding 3.1.3.2); Nats-Msg-Id keeps
// the messageId as it is, the dedupe key.
func TestGoldenMessageEncodedValues(t *testing.T) {
	ns := startServer(t)
	s, err := natstransport.New(ctxT(t), ns.ClientURL(), natstransport.DefaultSubject, connected.CloudEventsOptions{
		Source: "urn:touchpoint:store:m\u00fcnchen:%2F3", TypePrefix: "com.acme \"omni\" \u20ac",
		DataSchema: "https://touchpoint.dev/schemas/caf\u00e9.json",
	}, natstransport.WithStream(stream))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { shutdown(t, s) })
	r := rec(8, "")
	r.ID = "order 1001/\u00fc"
	r.Payload = []byte(`{"type":"track","messageId":"order 1001/\u00fc","event":"Product Viewed","originalTimestamp":"2026-03-01T12:00:00.000Z"}`)
	if err := s.Send(t.Context(), []*connected.Record{r}); err != nil {
		t.Fatal(err)
	}
	m := stored(t, ns, stream.Name)[0]
	golden(t, "message_encoded.golden", describe(m))
	for k, want := range map[string]string{
		"ce-id": "order%201001/%C3%BC", "ce-source": "urn:touchpoint:store:m%C3%BCnchen:%252F3",
		"ce-type": "com.acme%20%22omni%22%20%E2%82%AC.track", "Nats-Msg-Id": r.ID,
	} {
		if got := m.Header.Get(k); got != want {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
}

// describe prints a stored message: subject, headers (sorted: NATS headers
// are a map), payload.
func describe(m *jetstream.RawStreamMsg) string {
	var b strings.Builder
	fmt.Fprintf(&b, "subject: %s\nheaders:\n", m.Subject)
	keys := make([]string, 0, len(m.Header))
	for k := range m.Header {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "  %s: %s\n", k, strings.Join(m.Header[k], ", "))
	}
	fmt.Fprintf(&b, "data: %s\n", m.Data)
	return b.String()
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run Golden -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (go test -run Golden -update rewrites it)\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}
