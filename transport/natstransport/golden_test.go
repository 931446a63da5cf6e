package natstransport_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

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
	m := stored(t, ns, stream.Name)[0]
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
	golden(t, "message.golden", b.String())
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
