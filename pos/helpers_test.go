package pos_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/pos"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// testKey is the pseudonym key of tests and examples; production keys come
// from a secret store.
var testKey = []byte("pos-test-key-0123456789abcdef!!")

func pseudonymizer() *connected.Pseudonymizer {
	p, err := connected.NewPseudonymizer(testKey)
	if err != nil {
		panic(err)
	}
	return p
}

// arrival is when the tests pretend a wallet request arrived.
var arrival = time.Date(2026, 3, 1, 12, 5, 0, 0, time.UTC)

// berlin is a store near the first location of apple_pass.json.
const berlinLat, berlinLon = 52.52210, 13.41290

func readSample(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// splitHTTP splits a .http sample: "METHOD PATH", a blank line, the body.
func splitHTTP(b []byte) (method, path string, body []byte) {
	line, rest, _ := bytes.Cut(b, []byte("\n"))
	m, p, _ := strings.Cut(strings.TrimSpace(string(line)), " ")
	return m, p, bytes.TrimSpace(rest)
}

// decodeSample decodes one sample by its name and maps it to events: what
// the golden files hold.
func decodeSample(t testing.TB, name string, data []byte) (decoded any, events []connected.Event, eventErr error, err error) {
	opts := pos.Options{Pseudonymizer: pseudonymizer()}
	switch {
	case strings.HasPrefix(name, "square_"), strings.HasPrefix(name, "stripe_"):
		var n pos.Notification
		if strings.HasPrefix(name, "square_") {
			n, err = pos.DecodeSquare(data)
		} else {
			n, err = pos.DecodeStripe(data)
		}
		if err != nil {
			return nil, nil, nil, err
		}
		ev, eerr := n.Event(opts)
		if eerr != nil {
			return n, nil, eerr, nil
		}
		return n, []connected.Event{ev}, nil, nil
	case strings.HasPrefix(name, "google_"), strings.HasSuffix(name, ".http"):
		var c pos.PassChange
		if strings.HasSuffix(name, ".http") {
			m, p, body := splitHTTP(data)
			c, err = pos.DecodeAppleWebService(m, p, body)
		} else {
			c, err = pos.DecodeGoogleWalletCallback(data)
		}
		if err != nil {
			return nil, nil, nil, err
		}
		ev, eerr := c.Event(opts, arrival)
		if eerr != nil {
			return c, nil, eerr, nil
		}
		return c, []connected.Event{ev}, nil, nil
	case name == "apple_pass.json":
		p, err := pos.DecodeApplePass(data)
		if err != nil {
			return nil, nil, nil, err
		}
		i, m, ok := p.RelevantAt(berlinLat, berlinLon)
		if !ok {
			return p, nil, nil, nil
		}
		r := pos.PassRelevance{Pass: &p, PlaceID: "berlin-mitte", Time: arrival, Meters: m, Index: i}
		ev, eerr := r.Event(opts)
		if eerr != nil {
			return p, nil, eerr, nil
		}
		return p, []connected.Event{ev}, nil, nil
	}
	t.Fatalf("no decoder for sample %s", name)
	return nil, nil, nil, nil
}

func samples(t testing.TB) []string {
	t.Helper()
	entries, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if n := e.Name(); !e.IsDir() && (strings.HasSuffix(n, ".json") || strings.HasSuffix(n, ".http")) {
			names = append(names, n)
		}
	}
	if len(names) < 10 {
		t.Fatalf("only %d samples in testdata", len(names))
	}
	return names
}

func marshal(t testing.TB, v any) string {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
