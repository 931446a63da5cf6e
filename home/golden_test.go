package home_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/home"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// golden compares got with testdata/golden/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s differs from the golden file:\nwant %s\ngot  %s", name, want, got)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSpace(b)
}

// recv is the receive time of the Zigbee2MQTT samples.
var recv = time.Date(2026, 1, 1, 9, 15, 0, 0, time.UTC)

func TestGoldenWebSocket(t *testing.T) {
	files, _ := filepath.Glob("testdata/ws/*.json")
	if len(files) < 6 {
		t.Fatalf("only %d samples", len(files))
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		t.Run(name, func(t *testing.T) {
			var c home.StateChange
			err := home.DecodeWebSocket(readFile(t, f), &c)
			if name == "result" {
				if !errorsIs(err, home.ErrNotStateChange) {
					t.Fatalf("result message: %v, want ErrNotStateChange", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			golden(t, "ws_"+name+".json", mustJSON(t, c))
		})
	}
}

func TestGoldenZigbee(t *testing.T) {
	files, _ := filepath.Glob("testdata/z2m/*.json")
	if len(files) < 4 {
		t.Fatalf("only %d samples", len(files))
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		t.Run(name, func(t *testing.T) {
			var c home.StateChange
			if err := home.DecodeZigbee("", "zigbee2mqtt/"+name, readFile(t, f), recv, &c); err != nil {
				t.Fatal(err)
			}
			golden(t, "z2m_"+name+".json", mustJSON(t, c))
		})
	}
}

// statestreamLine is one line of a .tsv capture: receive time, topic, payload.
type statestreamLine struct {
	at      time.Time
	topic   string
	payload []byte
}

func readStatestream(t testing.TB, path string) []statestreamLine {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []statestreamLine
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		parts := strings.SplitN(line, "\t", 3)
		if len(parts) != 3 {
			t.Fatalf("bad line %q", line)
		}
		at, err := time.Parse(time.RFC3339Nano, parts[0])
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, statestreamLine{at, parts[1], []byte(parts[2])})
	}
	return out
}

func TestGoldenStatestream(t *testing.T) {
	s, err := home.NewStatestream("homeassistant", 0)
	if err != nil {
		t.Fatal(err)
	}
	var changes []home.StateChange
	lines := readStatestream(t, "testdata/statestream/tv_and_washer.tsv")
	for _, l := range lines {
		changes, err = s.Decode(changes, l.topic, l.payload, l.at)
		if err != nil {
			t.Fatalf("%s: %v", l.topic, err)
		}
	}
	changes = s.Flush(changes, lines[len(lines)-1].at, true)
	if len(changes) != 3 || s.Pending() != 0 {
		t.Fatalf("%d changes, %d pending; want 3, 0", len(changes), s.Pending())
	}
	golden(t, "statestream_tv_and_washer.json", mustJSON(t, changes))
}

// TestGoldenTimeline runs every sample through one Tracker and writes the
// events, as Segment JSON, to a golden file.
func TestGoldenTimeline(t *testing.T) {
	events := timeline(t)
	var buf bytes.Buffer
	for i := range events {
		b, err := connected.AppendSegment(nil, &events[i])
		if err != nil {
			t.Fatal(err)
		}
		buf.Write(b)
		buf.WriteByte('\n')
	}
	golden(t, "timeline.jsonl", buf.Bytes())
}
