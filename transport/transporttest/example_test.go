package transporttest_test

import (
	"bytes"
	"fmt"
	"regexp"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/transport"
	"github.com/touchpoint-sdk/touchpoint/transport/transporttest"
)

// Run a Sender through the suite. In a real test file this is the body of a
// TestXxx(t *testing.T) function; testing.RunTests stands in for go test
// here.
func ExampleRun() {
	var buf bytes.Buffer
	ids := regexp.MustCompile(`"messageId":"([^"]+)"`)
	ok := testing.RunTests(func(string, string) (bool, error) { return true, nil }, []testing.InternalTest{{
		Name: "TestWriterConformance",
		F: func(t *testing.T) {
			transporttest.Run(t, func(t *testing.T) transporttest.Target {
				buf.Reset()
				w, _ := transport.NewWriter(&buf)
				return transporttest.Target{Sender: w, Received: func() []string {
					var out []string
					for _, m := range ids.FindAllSubmatch(buf.Bytes(), -1) {
						out = append(out, string(m[1]))
					}
					return out
				}}
			})
		},
	}})
	fmt.Println("conformant:", ok)
	// Output: conformant: true
}

func ExampleRecords() {
	for _, r := range transporttest.Records("demo", 0, 2) {
		fmt.Println(r.ID, r.Type, len(r.Payload) > 0)
	}
	// Output:
	// demo-00000 track true
	// demo-00001 track true
}
