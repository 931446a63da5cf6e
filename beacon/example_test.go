package beacon_test

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/touchpoint-sdk/touchpoint/beacon"
	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/connectedtest"
)

func ExampleParseAD() {
	ad, _ := hex.DecodeString("0201061aff4c000215b9407f30f5f8466eaff925556b57fe6d00010007c5")
	f, err := beacon.ParseAD(ad)
	if err != nil {
		fmt.Println(err)
		return
	}
	p, _ := f.TxPower1m()
	fmt.Println(f.Format, f.IBeacon.UUID, f.IBeacon.Major, f.IBeacon.Minor, p)

	// A truncated advertisement gets a typed error saying where.
	_, err = beacon.ParseAD(ad[:20])
	fmt.Println(err, errors.Is(err, beacon.ErrTruncated))
	// Output:
	// ibeacon b9407f30-f5f8-466e-aff9-25556b57fe6d 1 7 -59
	// beacon: ad at offset 20: truncated data true
}

func ExampleParse() {
	// A BlueZ-style stack hands over service data keyed by a UUID string.
	var adv beacon.Advertisement
	uid, _ := hex.DecodeString("00e7000102030405060708090a0b0c0d0e0f0000")
	if err := adv.AddServiceDataString("0000feaa-0000-1000-8000-00805f9b34fb", uid); err != nil {
		fmt.Println(err)
		return
	}
	f, err := beacon.Parse(&adv)
	id, _ := f.ID()
	p, _ := f.TxPower1m()
	fmt.Println(f.Format, id, p, err)
	// Output:
	// eddystone-uid eddystone-uid:000102030405060708090a0b0c0d0e0f -66 <nil>
}

func ExampleNewEddystoneURL() {
	f, err := beacon.NewEddystoneURL("https://www.example.com/shoes", -20)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("% x\n", f.AppendServiceData(nil))
	fmt.Println(f)
	// Output:
	// 10 ec 01 65 78 61 6d 70 6c 65 00 73 68 6f 65 73
	// https://www.example.com/shoes
}

func ExampleIBeacon_AppendAD() {
	u, _ := beacon.ParseUUID("b9407f30-f5f8-466e-aff9-25556b57fe6d")
	ad := beacon.IBeacon{UUID: u, Major: 1, Minor: 7, MeasuredPower: -59}.AppendAD(nil)
	fmt.Printf("%x\n", ad)
	// Output:
	// 0201061aff4c000215b9407f30f5f8466eaff925556b57fe6d00010007c5
}

func ExampleNewADReader() {
	ad, _ := hex.DecodeString("0201060909546865726573610000")
	r := beacon.NewADReader(ad)
	for r.Next() {
		s := r.Structure()
		fmt.Printf("type %#02x at %d: %x\n", s.Type, s.Offset, s.Data)
	}
	fmt.Println(r.Err(), r.Warnings())
	// Output:
	// type 0x01 at 0: 06
	// type 0x09 at 3: 5468657265736100
	// <nil> none
}

// Example goes from raw advertisements to connected events: a customer's
// phone app reports the store beacon it hears, the Tracker turns the
// sightings into zone events, and each event becomes a connected track
// event with the location data category.
func Example() {
	shoes, _ := beacon.ParseUUID("b9407f30-f5f8-466e-aff9-25556b57fe6d")
	tr, err := beacon.NewTracker([]beacon.Zone{{
		Name: "shoes", Place: "store-berlin-1",
		Beacons: []beacon.Pattern{beacon.MatchIBeacon(shoes, beacon.Any, 7)}, // any major, minor 7
		Config: beacon.ZoneConfig{EnterRSSI: -75, ExitRSSI: -85, MinHold: 2 * time.Second,
			ExitTimeout: 20 * time.Second, Dwell: time.Minute},
	}})
	if err != nil {
		fmt.Println(err)
		return
	}
	rec := &connectedtest.Recorder{}
	client, _ := connected.New(rec, connected.WithIDGenerator(connectedtest.IDs("msg")),
		connected.WithClock(connectedtest.Clock(time.Date(2026, 3, 1, 11, 0, 0, 0, time.UTC), time.Second)))
	defer client.Shutdown(context.Background())

	// The firmware team's encoder builds the advertisement the phone hears.
	ad := beacon.IBeacon{UUID: shoes, Major: 2, Minor: 7, MeasuredPower: -59}.AppendAD(nil)
	start := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	var events []beacon.ZoneEvent
	for i := range 90 { // 90 s in the department, one report a second
		adv := beacon.Advertisement{Data: ad, RSSI: -68, Time: start.Add(time.Duration(i) * time.Second), Observer: "phone-42"}
		f, err := beacon.Parse(&adv)
		if err != nil {
			fmt.Println(err)
			return
		}
		events, _ = tr.Observe(events, beacon.NewSighting(&adv, &f, "user-42"))
	}
	events = tr.Advance(events, start.Add(5*time.Minute))

	for _, ze := range events {
		ev, err := ze.Event(beacon.EventOptions{})
		if err != nil {
			fmt.Println(err)
			return
		}
		if err := client.Track(context.Background(), ev); err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%s %s %s/%s dwell=%vs\n", ze.Time.Format("15:04:05"), ev.Event, ev.Context.Location.PlaceID,
			ev.Context.Location.Zone, ev.Properties["dwell_seconds"])
	}
	fmt.Println(rec.Len(), "records, category", rec.Records()[0].Category)
	// Output:
	// 10:00:02 Zone Entered store-berlin-1/shoes dwell=<nil>s
	// 10:01:02 Zone Dwelled store-berlin-1/shoes dwell=60s
	// 10:01:49 Zone Exited store-berlin-1/shoes dwell=107s
	// 3 records, category location
}

func ExampleTracker_Observe() {
	tr, _ := beacon.NewTracker([]beacon.Zone{{Name: "till", Gateways: []string{"gw-till"}}},
		beacon.WithDefaults(beacon.ZoneConfig{ExitTimeout: 10 * time.Second}))
	tag := beacon.AddressID(beacon.Address{0xc0, 0xff, 0xee, 0, 0, 1})
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	evs, _ := tr.Observe(nil, beacon.Sighting{Time: t0, Beacon: tag, Gateway: "gw-till", RSSI: -60})
	evs, _ = tr.Observe(evs, beacon.Sighting{Time: t0.Add(4 * time.Second), Beacon: tag, Gateway: "gw-till", RSSI: -62})
	_, err := tr.Observe(evs, beacon.Sighting{Time: t0.Add(5 * time.Second), Beacon: tag, Gateway: "gw-till", RSSI: beacon.RSSIUnknown})
	evs = tr.Advance(evs, t0.Add(time.Minute))
	for _, e := range evs {
		fmt.Println(e.Time.Format("15:04:05"), e.Kind, e.Zone, e.Dwell)
	}
	fmt.Println(err)
	// Output:
	// 10:00:00 entered till 0s
	// 10:00:14 exited till 14s
	// beacon: sighting without valid RSSI or distance
}

func ExampleSnapshot() {
	zones := []beacon.Zone{{Name: "shoes", Gateways: []string{"gw-1"}}}
	tr, _ := beacon.NewTracker(zones)
	tag := beacon.AddressID(beacon.Address{1, 2, 3, 4, 5, 6})
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	tr.Observe(nil, beacon.Sighting{Time: t0, Beacon: tag, Gateway: "gw-1", RSSI: -60})

	snap := tr.Snapshot() // save on shutdown (it marshals to JSON)
	restarted, _ := beacon.NewTracker(zones)
	if err := restarted.Restore(snap); err != nil {
		fmt.Println(err)
		return
	}
	evs, _ := restarted.Observe(nil, beacon.Sighting{Time: t0.Add(5 * time.Second), Beacon: tag, Gateway: "gw-1", RSSI: -60})
	fmt.Println(len(snap.States), snap.States[0].Zone, snap.States[0].Inside, len(evs), "events: no second enter")
	// Output:
	// 1 shoes true 0 events: no second enter
}

func ExampleZoneEvent_Event() {
	e := beacon.ZoneEvent{Kind: beacon.ZoneEntered, Time: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC),
		Beacon: beacon.AddressID(beacon.Address{0xc0, 0xff, 0xee, 0, 0, 1}), Zone: "shoes", Place: "store-1"}
	ev, err := e.Event(beacon.EventOptions{HashKey: []byte("per-deployment secret")})
	fmt.Println(ev.Event, ev.Category, ev.Context.Channel, strings.HasPrefix(ev.AnonymousID, connected.PseudonymPrefix), err)
	// A device named by its gateway (an ESPresense IRK id) leaves as a
	// pseudonym too; its raw id only when RawDeviceIDs is set.
	e.Subject, e.SubjectIsDevice, e.Beacon = "irk:1a2b3c4d5e6f708192a3b4c5d6e7f809", true, beacon.BeaconID{}
	ev, _ = e.Event(beacon.EventOptions{HashKey: []byte("per-deployment secret")})
	fmt.Println(ev.UserID == "", strings.HasPrefix(ev.AnonymousID, connected.PseudonymPrefix))
	ev, _ = e.Event(beacon.EventOptions{RawDeviceIDs: true})
	fmt.Println(ev.AnonymousID)
	// Output:
	// Zone Entered location store true <nil>
	// true true
	// irk:1a2b3c4d5e6f708192a3b4c5d6e7f809
}

func ExampleEstimateDistance() {
	e := beacon.EstimateDistance(beacon.PathLoss{Exponent: 2}, -79, 3, -59)
	p := beacon.ProximityClassifier{}.Classify(beacon.ProximityUnknown, e.Meters, e.OK)
	fmt.Printf("%.1f m (%.1f-%.1f) %s\n", e.Meters, e.Min, e.Max, p)
	// Output:
	// 10.0 m (7.1-14.1) far
}

func ExampleKalman() {
	var k beacon.Kalman
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	for i, r := range []float64{-70, -71, -69, -40, -70} { // -40 is a reflection spike
		v, ok := k.Update(t0.Add(time.Duration(i)*time.Second), r)
		fmt.Printf("%.1f %v\n", v, ok)
	}
	// Output:
	// -70.0 true
	// -70.5 true
	// -69.9 true
	// -69.9 false
	// -70.0 true
}

func ExampleTelemetryJoiner() {
	var j beacon.TelemetryJoiner
	addr := beacon.Address{0xc0, 1, 2, 3, 4, 5}
	uid := beacon.Frame{Format: beacon.FormatEddystoneUID, UID: beacon.EddystoneUID{Namespace: [10]byte{1}, Instance: [6]byte{2}}}
	tlm := beacon.Frame{Format: beacon.FormatEddystoneTLM, TLM: beacon.EddystoneTLM{VBatt: 2900, Temp: 0x1780}}
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	j.Observe(addr, &uid, t0)
	tel, ok := j.Observe(addr, &tlm, t0.Add(time.Second))
	c, _ := tel.TLM.Temperature()
	fmt.Println(ok, tel.Beacon, tel.TLM.VBatt, c)
	// Output:
	// true eddystone-uid:01000000000000000000020000000000 2900 23.5
}

// CheckTime says whether the Tracker accepts a time: the zero time is an
// unset field, and a time past 2262 would wrap int64 nanoseconds.
func ExampleCheckTime() {
	fmt.Println(beacon.CheckTime(time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)))
	err := beacon.CheckTime(time.Time{})
	fmt.Println(errors.Is(err, beacon.ErrInvalidTime), err)
	tr, _ := beacon.NewTracker([]beacon.Zone{{Name: "door", Gateways: []string{"gw"}}})
	_, err = tr.Observe(nil, beacon.Sighting{Time: time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC), Gateway: "gw", RSSI: -60})
	fmt.Println(err, tr.Stats().BadTimes)
	// Output:
	// <nil>
	// true beacon: zero time
	// beacon: Observe: time 2300-01-01T00:00:00Z outside 1970-01-01..2200-01-01 1
}
