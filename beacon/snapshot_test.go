package beacon_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/beacon"
)

func TestSnapshotRestoreDoesNotReEnter(t *testing.T) {
	zones := []beacon.Zone{{Name: "shoes", Place: "s1", Gateways: []string{"g1"},
		Config: beacon.ZoneConfig{MinHold: time.Second, ExitTimeout: 10 * time.Second, Dwell: 30 * time.Second}}}
	dev := beacon.AddressID(beacon.Address{9, 9, 9, 9, 9, 9})
	feed := func(tr *beacon.Tracker, evs []beacon.ZoneEvent, from, to int) []beacon.ZoneEvent {
		for i := from; i < to; i++ {
			var err error
			evs, err = tr.Observe(evs, beacon.Sighting{Time: at(float64(i)), Beacon: dev, Gateway: "g1", RSSI: -60})
			if err != nil {
				t.Fatal(err)
			}
		}
		return evs
	}
	// Uninterrupted run.
	ref := newTracker(t, zones)
	want := ref.Advance(feed(ref, nil, 0, 60), at(120))

	// Interrupted run: snapshot at 20 s, "restart", restore, continue.
	a := newTracker(t, zones)
	got := feed(a, nil, 0, 20)
	blob, err := json.Marshal(a.Snapshot())
	if err != nil {
		t.Fatal(err)
	}
	var snap beacon.Snapshot
	if err := json.Unmarshal(blob, &snap); err != nil {
		t.Fatal(err)
	}
	b := newTracker(t, zones)
	if err := b.Restore(snap); err != nil {
		t.Fatal(err)
	}
	got = b.Advance(feed(b, got, 20, 60), at(120))
	if lines(got) != lines(want) {
		t.Fatalf("after restore:\n%s\nwant:\n%s\nsnapshot %s", lines(got), lines(want), blob)
	}

	// A snapshot for a zone the new Tracker does not have is refused.
	other := newTracker(t, []beacon.Zone{{Name: "bags", Gateways: []string{"g1"}}})
	if err := other.Restore(snap); err == nil {
		t.Fatal("restore into different zones succeeded")
	}
}

func TestRestoredExitFiresAtExactTime(t *testing.T) {
	zones := []beacon.Zone{{Name: "z", Gateways: []string{"g"}, Config: beacon.ZoneConfig{ExitTimeout: 10 * time.Second}}}
	a := newTracker(t, zones)
	dev := beacon.AddressID(beacon.Address{1})
	a.Observe(nil, beacon.Sighting{Time: at(0), Beacon: dev, Gateway: "g", RSSI: -60})
	b := newTracker(t, zones)
	if err := b.Restore(a.Snapshot()); err != nil {
		t.Fatal(err)
	}
	evs := b.Advance(nil, at(3600)) // the gateway was down for an hour
	if got := lines(evs); got != "10s exited address:01:00:00:00:00:00 z dwell=10s\n" {
		t.Fatalf("got %q", got)
	}
}
