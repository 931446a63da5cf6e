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
// Run is called from a test of your Sender; this example is compiled, not
// run, because it needs the *testing.T of a real test (running a suite
// inside an example mixes the inner runner's output into the example's).
func ExampleRun() {
	var t *testing.T // in your code: the *testing.T of TestMySenderConformance
	ids := regexp.MustCompile(`"messageId":"([^"]+)"`)
	transporttest.Run(t, func(t *testing.T) transporttest.Target {
		var buf bytes.Buffer
		w, _ := transport.NewWriter(&buf)
		return transporttest.Target{Sender: w, Received: func() []string {
			var out []string
			for _, m := range ids.FindAllSubmatch(buf.Bytes(), -1) {
				out = append(out, string(m[1]))
			}
			return out
		}}
	})
}

func ExampleRecords() {
	for _, r := range transporttest.Records("demo", 0, 2) {
		fmt.Println(r.ID, r.Type, len(r.Payload) > 0)
	}
	// Output:
	// demo-00000 track true
	// demo-00001 track true
}
