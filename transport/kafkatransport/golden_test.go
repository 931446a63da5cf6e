package kafkatransport_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport/kafkatransport"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// The Kafka record as a consumer sees it: key, headers in order, value.
func TestGoldenRecord(t *testing.T) {
	c := cluster(t, 1)
	s, err := kafkatransport.New(c.ListenAddrs(), topic, connected.CloudEventsOptions{
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
	got := consume(t, c, 1)[0]
	var b strings.Builder
	fmt.Fprintf(&b, "topic: %s\nkey: %s\nheaders:\n", got.Topic, got.Key)
	for _, h := range got.Headers {
		fmt.Fprintf(&b, "  %s: %s\n", h.Key, h.Value)
	}
	fmt.Fprintf(&b, "value: %s\n", got.Value)
	golden(t, "record.golden", b.String())
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
