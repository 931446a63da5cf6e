package mqtttransport_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport/mqtttransport"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// The PUBLISH as a subscriber receives it: topic, QoS, content type, user
// properties in order, payload.
func TestGoldenPublish(t *testing.T) {
	server := startBroker(t, nil)
	c := newCollector(1)
	newSource(t, server, []string{"touchpoint/#"}, c.handle)
	s, err := mqtttransport.New(ctxT(t), server, mqtttransport.DefaultTopic, connected.CloudEventsOptions{
		Source: "urn:touchpoint:store:12:gateway:3", TypePrefix: "com.acme.omni",
		DataSchema: "iglu:com.acme/product_viewed/jsonschema/1-0-0",
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { shutdown(t, s) })
	r := rec(7, "2c26b46b68ffc68ff99b453c1d304134")
	r.Category = connected.CategoryLocation
	if err := s.Send(t.Context(), []*connected.Record{r}); err != nil {
		t.Fatal(err)
	}
	m := c.wait(t)[0]
	var b strings.Builder
	fmt.Fprintf(&b, "topic: %s\nqos: %d\ncontent type: %s\nuser properties:\n", m.Topic, m.QoS, m.ContentType)
	for _, u := range m.UserProperties {
		fmt.Fprintf(&b, "  %s: %s\n", u.Key, u.Value)
	}
	fmt.Fprintf(&b, "payload: %s\n", m.Payload)
	golden(t, "publish.golden", b.String())
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
