package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport"
	"github.com/touchpoint-sdk/touchpoint/transport/spool"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testKey is the pseudonym key of every test run, so pseudonyms in golden
// files are stable.
const testKey = "touchpoint-cli-test-pseudonym-key"

func keyFile(t *testing.T) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "pseudonym.key")
	if err := os.WriteFile(f, []byte(testKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

// cli runs the command line with the test pseudonym key and returns what
// it wrote and its exit code.
func cli(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	if len(args) > 0 && args[0] != "help" && !slices.Contains(args, "--pseudonym-key") {
		args = append(args, "--pseudonym-key", keyFile(t))
	}
	code = run(args, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), code
}

// golden compares got with testdata/name.golden (rewritten with -update).
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// event returns the i-th test event: zone and order events of two
// customers, as a store gateway produces them.
func event(i int) *connected.Record {
	e := connected.Event{
		Type: connected.TypeTrack, MessageID: fmt.Sprintf("msg-%04d", i), OriginalTimestamp: t0.Add(time.Duration(i) * time.Second),
		UserID: fmt.Sprintf("user-%d@example.com", i%2), Event: "Zone Entered",
		Properties: connected.Properties{"zone": "shoes", "dwell_s": i},
		Context: connected.Context{Channel: connected.ChannelStore, Device: connected.Device{ID: "AA:BB:CC:DD:EE:0" + fmt.Sprint(i%3)},
			Location: connected.Location{PlaceID: "store-12", Zone: "shoes"}},
		Category: connected.CategoryLocation,
	}
	if i%4 == 3 {
		e.Event, e.Properties, e.Category = "Order Completed", connected.Properties{"order_id": fmt.Sprintf("ord_%08x", i), "total": 19.5}, connected.CategoryBehavioral
		e.Context.Location.Zone = ""
		e.Context.Device = connected.Device{}
	}
	payload, err := connected.AppendSegment(nil, &e)
	if err != nil {
		panic(err)
	}
	return &connected.Record{ID: e.MessageID, Type: e.Type, Time: e.OriginalTimestamp, Category: e.Category,
		PartitionKey: fmt.Sprintf("%016x", i%2), Payload: payload}
}

// writeSpool writes n test events, in batches of per, to a spool in a new
// directory whose destination is down, and leaves them on disk.
func writeSpool(t *testing.T, n, per int, opts ...spool.Option) string {
	t.Helper()
	dir := t.TempDir()
	down := transport.SenderFunc(func(context.Context, []*connected.Record) error {
		return &transport.HTTPError{StatusCode: 503}
	})
	opts = append([]spool.Option{spool.WithDrainOnShutdown(false), spool.WithDrainBackoff(time.Hour, time.Hour)}, opts...)
	sp, err := spool.Open(dir, down, opts...)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i += per {
		batch := make([]*connected.Record, 0, per)
		for k := i; k < min(i+per, n); k++ {
			batch = append(batch, event(k))
		}
		if err := sp.Send(context.Background(), batch); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := sp.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	return dir
}

// corrupt flips bytes inside the frame of the record with messageId id, as
// a bad sector or a torn copy would.
func corrupt(t *testing.T, dir, id string) (segment string, offset int64) {
	t.Helper()
	in, err := spool.Inspect(dir)
	if err != nil {
		t.Fatal(err)
	}
	err = in.Walk(func(e spool.Entry) error {
		if e.Record.ID == id {
			segment, offset = e.Segment, e.Offset
		}
		return nil
	})
	if err != nil || segment == "" {
		t.Fatalf("record %s not found: %v", id, err)
	}
	path := filepath.Join(dir, segment)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for k := int64(40); k < 44; k++ {
		b[offset+k] ^= 0xA5
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return segment, offset
}

// scrub replaces a temporary directory in output with $DIR.
func scrub(s, dir string) string { return strings.ReplaceAll(s, dir, "$DIR") }
