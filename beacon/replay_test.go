package beacon_test

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/beacon"
)

var update = flag.Bool("update", false, "rewrite the golden zone timelines in testdata/")

// readStream loads a recorded sighting stream (see testdata/gen_streams.py
// for the columns).
func readStream(t *testing.T, name string) []beacon.Sighting {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []beacon.Sighting
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		c := strings.Split(line, ",")
		if len(c) != 6 {
			t.Fatalf("%s:%d: %d columns", name, n, len(c))
		}
		sec, err1 := strconv.ParseFloat(c[0], 64)
		id, err2 := beacon.ParseBeaconID(c[2])
		rssi, err3 := strconv.Atoi(c[4])
		dist, err4 := strconv.ParseFloat(c[5], 64)
		if err := errors.Join(err1, err2, err3, err4); err != nil {
			t.Fatalf("%s:%d: %v", name, n, err)
		}
		out = append(out, beacon.Sighting{Time: at(sec), Subject: c[1], Beacon: id, Gateway: c[3], RSSI: beacon.RSSI(rssi), Distance: dist})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// replay feeds a stream, advancing once a second as a gateway would, and
// renders the timeline with the counters.
func replay(t *testing.T, tr *beacon.Tracker, stream []beacon.Sighting, end time.Time) ([]beacon.ZoneEvent, string) {
	t.Helper()
	var evs []beacon.ZoneEvent
	late := 0
	next := stream[0].Time
	for _, s := range stream {
		for !next.After(s.Time) {
			evs = tr.Advance(evs, next)
			next = next.Add(time.Second)
		}
		var err error
		evs, err = tr.Observe(evs, s)
		switch {
		case errors.Is(err, beacon.ErrLate):
			late++
		case err != nil:
			t.Fatal(err)
		}
	}
	evs = tr.Advance(evs, end)
	st := tr.Stats()
	var b strings.Builder
	for _, e := range evs {
		fmt.Fprintf(&b, "%s rssi=%.1f conf=%.2f dist=%.1fm gw=%s\n", line(e), e.RSSI, e.Confidence, e.Distance.Meters, e.Gateway)
	}
	fmt.Fprintf(&b, "sightings=%d duplicates=%d late=%d outliers=%d\n", st.Sightings, st.Duplicates, late, st.Outliers)
	return evs, b.String()
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
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Fatalf("timeline differs from %s:\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

func edgeZone(cfg beacon.ZoneConfig) []beacon.Zone {
	return []beacon.Zone{{Name: "shoes", Place: "store-1", Beacons: []beacon.Pattern{beacon.MatchIBeacon(storeUUID, beacon.Any, 7)}, Config: cfg}}
}

func count(evs []beacon.ZoneEvent, k beacon.ZoneEventKind) int {
	n := 0
	for _, e := range evs {
		if e.Kind == k {
			n++
		}
	}
	return n
}

// TestReplayNoisyEdgeDoesNotFlap: a customer walks up to the edge of a
// zone, lingers there with a noisy, irregular, spiky signal, and leaves.
func TestReplayNoisyEdgeDoesNotFlap(t *testing.T) {
	stream := readStream(t, "noisy_edge.csv")
	cfg := beacon.ZoneConfig{EnterRSSI: -75, ExitRSSI: -85, MinHold: 3 * time.Second, ExitTimeout: 15 * time.Second, Dwell: time.Minute}
	evs, got := replay(t, newTracker(t, edgeZone(cfg)), stream, at(400))
	golden(t, "noisy_edge.golden", got)
	if count(evs, beacon.ZoneEntered) != 1 || count(evs, beacon.ZoneExited) != 1 {
		t.Fatalf("flapping:\n%s", got)
	}
	// Exit is exactly last seen in band + timeout.
	exit := evs[len(evs)-1]
	if exit.Kind != beacon.ZoneExited || exit.Time.Sub(exit.EnteredAt) != exit.Dwell {
		t.Fatalf("exit %+v", exit)
	}

	// The same stream through a naive tracker (no band, no hold, short
	// timeout, no smoothing) flaps: the test above could fail.
	naive := newTracker(t, edgeZone(beacon.ZoneConfig{EnterRSSI: -75, ExitRSSI: -75, ExitTimeout: 2 * time.Second}),
		beacon.WithSmoother(beacon.Kalman{MeasurementNoise: 0.001, ProcessNoise: 1e6, OutlierSigma: 1e9}))
	nevs, _ := replay(t, naive, stream, at(400))
	if count(nevs, beacon.ZoneEntered) < 5 {
		t.Fatalf("naive tracker did not flap (%d enters): the stream is not noisy enough to test anything", count(nevs, beacon.ZoneEntered))
	}
}

// TestReplayStoreWalk: a tag heard by three gateways with skewed clocks,
// out-of-order arrival and redelivered duplicates walks through three zones.
func TestReplayStoreWalk(t *testing.T) {
	zones := []beacon.Zone{
		{Name: "shoes", Place: "store-1", Gateways: []string{"gw-shoes"}},
		{Name: "bags", Place: "store-1", Gateways: []string{"gw-bags"}},
		{Name: "till", Place: "store-1", Gateways: []string{"gw-till"}},
	}
	tr := newTracker(t, zones, beacon.WithAssignment(beacon.AssignStrongest), beacon.WithMaxSkew(time.Second),
		beacon.WithDefaults(beacon.ZoneConfig{EnterRSSI: -75, ExitRSSI: -85, MinHold: 3 * time.Second,
			ExitTimeout: 15 * time.Second, Dwell: 30 * time.Second}))
	evs, got := replay(t, tr, readStream(t, "store_walk.csv"), at(400))
	golden(t, "store_walk.golden", got)
	var order []string
	for _, e := range evs {
		if e.Kind == beacon.ZoneEntered {
			order = append(order, e.Zone)
		}
	}
	if strings.Join(order, ",") != "shoes,bags,till" {
		t.Fatalf("zones entered %v, want shoes,bags,till:\n%s", order, got)
	}
}
