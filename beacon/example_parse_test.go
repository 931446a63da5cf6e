package beacon_test

import (
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/touchpoint-sdk/touchpoint/beacon"
)

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

func ExampleParseManufacturerData() {
	// go-ble and noble keep the company id in front.
	f, err := beacon.ParseManufacturerData(mustHex("1801beac2f234454cf6d4a0fadf2f4911ba9ffa600010002c509"))
	fmt.Println(f.Format, f.AltBeacon.ID1(), f.AltBeacon.ID2(), f.AltBeacon.ID3(), f.AltBeacon.Reserved, err)
	// Apple's other payloads are not beacons, and not errors either.
	_, err = beacon.ParseManufacturerData(mustHex("4c0010050118807b4d"))
	fmt.Println(errors.Is(err, beacon.ErrNotBeacon))
	// Output:
	// altbeacon 2f234454-cf6d-4a0f-adf2-f4911ba9ffa6 1 2 9 <nil>
	// true
}

func ExampleParseManufacturerDataKeyed() {
	// tinygo, BlueZ and Android key manufacturer data by company id.
	f, err := beacon.ParseManufacturerDataKeyed(beacon.AppleCompanyID, mustHex("0215b9407f30f5f8466eaff925556b57fe6d01020304c5"))
	fmt.Println(f.IBeacon.Major, f.IBeacon.Minor, f.IBeacon.MeasuredPower, err)
	// Output:
	// 258 772 -59 <nil>
}

func ExampleParseServiceData() {
	f, err := beacon.ParseServiceData(beacon.UUID16(beacon.EddystoneServiceUUID), mustHex("10eb02676f6f676c652e636f"))
	fmt.Println(f.Format, f.URL, err)
	// Output:
	// eddystone-url http://google.co <nil>
}

func ExampleParseEddystone() {
	// A Blue Charm / KKM "KSensor" frame under the Eddystone UUID is a
	// sensor reading, not a beacon frame, and not malformed.
	_, err := beacon.ParseEddystone(mustHex("21010b0c1c1a800000fff00100"))
	fmt.Println(err == beacon.ErrNotBeacon)
	_, err = beacon.ParseEddystone(nil)
	var pe *beacon.ParseError
	fmt.Println(errors.As(err, &pe), pe.Format, pe.Offset, errors.Is(err, beacon.ErrTruncated))
	// Output:
	// true
	// true eddystone 0 true
}

func ExampleParseIBeacon() {
	_, err := beacon.ParseIBeacon(mustHex("4c000215b9407f30f5f8466eaff925556b57fe6d0102"))
	fmt.Println(err)
	// Output:
	// beacon: ibeacon at offset 22: truncated data
}

func ExampleParseAltBeacon() {
	// Without MFG_RESERVED (AD length 0x1A): accepted, with a warning.
	f, err := beacon.ParseAltBeacon(mustHex("1801beac2f234454cf6d4a0fadf2f4911ba9ffa600010002c5"))
	fmt.Println(f.HasReserved, f.Warnings, err)
	// Output:
	// false missing-reserved <nil>
}

func ExampleParseEddystoneUID() {
	f, err := beacon.ParseEddystoneUID(mustHex("00e700010203040506070809010203040506"))
	fmt.Printf("%x %x %d %v %v\n", f.Namespace, f.Instance, f.TxPower, f.Warnings, err)
	// Output:
	// 00010203040506070809 010203040506 -25 missing-reserved <nil>
}

func ExampleParseEddystoneURL() {
	_, err := beacon.ParseEddystoneURL(mustHex("10eb02617f"))
	fmt.Println(err, errors.Is(err, beacon.ErrReserved))
	// Output:
	// beacon: eddystone-url at offset 4: reserved value true
}

func ExampleParseEddystoneTLM() {
	f, _ := beacon.ParseEddystoneTLM(mustHex("20000b1813000000146700002ac4"))
	mv, _ := f.Battery()
	c, _ := f.Temperature()
	fmt.Println(mv, c, f.AdvCount, f.Uptime())
	nt, _ := beacon.ParseEddystoneTLM(mustHex("2000000080000000000100000002"))
	_, hasBattery := nt.Battery()
	_, hasTemp := nt.Temperature()
	fmt.Println(hasBattery, hasTemp)
	// Output:
	// 2840 19 5223 18m14.8s
	// false false
}

func ExampleParseEddystoneETLM() {
	f, err := beacon.ParseEddystoneETLM(mustHex("2001000102030405060708090a0b1234abcd"))
	fmt.Printf("%x %#04x %#04x %v\n", f.ETLM, f.Salt, f.MIC, err)
	// Output:
	// 000102030405060708090a0b 0x1234 0xabcd <nil>
}

func ExampleParseEddystoneEID() {
	f, err := beacon.ParseEddystoneEID(mustHex("30e70011223344556677"))
	fmt.Println(f.ID(), err)
	// Output:
	// eddystone-eid:0011223344556677 <nil>
}

func ExampleParseUUID() {
	for _, s := range []string{"feaa", "0000FEAA-0000-1000-8000-00805F9B34FB"} {
		u, _ := beacon.ParseUUID(s)
		v, short := u.Short()
		fmt.Printf("%v %#04x %v\n", u, v, short)
	}
	// Output:
	// 0000feaa-0000-1000-8000-00805f9b34fb 0xfeaa true
	// 0000feaa-0000-1000-8000-00805f9b34fb 0xfeaa true
}

func ExampleParseAddress() {
	a, err := beacon.ParseAddress("c0-ff-ee-00-00-01")
	fmt.Println(a, beacon.AddressID(a), err)
	// Output:
	// C0:FF:EE:00:00:01 address:C0:FF:EE:00:00:01 <nil>
}

func ExampleParseBeaconID() {
	id, err := beacon.ParseBeaconID("ibeacon:b9407f30-f5f8-466e-aff9-25556b57fe6d:1:7")
	fmt.Println(id.Kind, id, err)
	// Output:
	// ibeacon ibeacon:b9407f30-f5f8-466e-aff9-25556b57fe6d:1:7 <nil>
}

func ExampleMatchIBeacon() {
	u, _ := beacon.ParseUUID("b9407f30-f5f8-466e-aff9-25556b57fe6d")
	p := beacon.MatchIBeacon(u, beacon.Any, 7) // one UUID, any major, minor 7
	fmt.Println(p.Matches(beacon.IBeacon{UUID: u, Major: 12, Minor: 7}.ID()), p.Matches(beacon.IBeacon{UUID: u, Major: 12, Minor: 8}.ID()))
	// Output:
	// true false
}

func ExampleSplitScanRecord() {
	rec := make([]byte, 62) // Android ScanRecord.getBytes(): adv data padded to 31, then scan response
	copy(rec, mustHex("020106"))
	copy(rec[31:], mustHex("0509414243"))
	adv, sr := beacon.SplitScanRecord(rec)
	fmt.Println(len(adv), len(sr))
	// Output:
	// 31 31
}

func ExampleAdvertisement_AddManufacturerData() {
	var a beacon.Advertisement
	err := a.AddManufacturerData([]byte{0x4c})
	fmt.Println(err, errors.Is(err, beacon.ErrTruncated))
	// Output:
	// beacon: manufacturer-data at offset 1: truncated data true
}

func ExampleNewSighting() {
	adv := beacon.Advertisement{Data: mustHex("0201060303aafe1716aafe00e7000102030405060708090102030405060000"), RSSI: -70,
		Time: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC), Observer: "gw-1"}
	f, _ := beacon.Parse(&adv)
	s := beacon.NewSighting(&adv, &f, "")
	fmt.Println(s.Beacon, s.Gateway, s.RSSI, s.TxPower1m, s.HasTxPower)
	// Output:
	// eddystone-uid:00010203040506070809010203040506 gw-1 -70 -66 true
}

func ExampleHashID() {
	id := beacon.AddressID(beacon.Address{0xc0, 0xff, 0xee, 0, 0, 1})
	h := beacon.HashID([]byte("per-deployment secret"), id)
	fmt.Println(len(h), h[:4], h == beacon.HashID([]byte("per-deployment secret"), id))
	// Output:
	// 36 ps1_ true
}

func ExampleCurveModels() {
	for _, m := range beacon.CurveModels()[:3] {
		d, _ := m.Distance(-70, -59)
		fmt.Printf("%s: %.2f m\n", m.Model, d)
	}
	// Output:
	// Nexus 5 (4.4.2 LPV79 LGE): 1.93 m
	// Nexus 4 (4.4.2 KOT49H LGE): 1.93 m
	// Moto X Pro (5.0.2 LXG22.67-7.1 Motorola): 2.70 m
}

func ExamplePathLoss_Distance() {
	d, ok := beacon.PathLoss{Exponent: 2.5}.Distance(-80, -59)
	_, unknown := beacon.PathLoss{}.Distance(127, -59)
	fmt.Printf("%.2f %v %v\n", d, ok, unknown)
	// Output:
	// 6.92 true false
}

func ExampleProximityClassifier_Classify() {
	c := beacon.ProximityClassifier{Near: 3, DeadBand: 1}
	p := beacon.ProximityUnknown
	for _, d := range []float64{2.5, 3.5, 4.5} {
		p = c.Classify(p, d, true)
		fmt.Print(p, " ")
	}
	fmt.Println()
	// Output:
	// near near far
}

func ExampleEWMA() {
	e := beacon.EWMA{Tau: 2 * time.Second}
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	e.Update(t0, -70)
	a, _ := e.Update(t0.Add(200*time.Millisecond), -60) // short gap: small step
	b, _ := e.Update(t0.Add(10*time.Second), -60)       // long gap: nearly all the way
	fmt.Printf("%.2f %.2f\n", a, b)
	// Output:
	// -69.05 -60.07
}

func ExampleNewTracker() {
	u, _ := beacon.ParseUUID("b9407f30-f5f8-466e-aff9-25556b57fe6d")
	_, err := beacon.NewTracker([]beacon.Zone{
		{Name: "shoes", Place: "store-1", Beacons: []beacon.Pattern{beacon.MatchIBeacon(u, beacon.Any, 7)}},
		{Name: "till", Place: "store-1", Gateways: []string{"gw-till"}, Config: beacon.ZoneConfig{MinHold: 5 * time.Second}},
	}, beacon.WithAssignment(beacon.AssignStrongest), beacon.WithMaxSkew(2*time.Second),
		beacon.WithCalibration("gw-till", beacon.Calibration{Offset: 4}))
	fmt.Println(err)
	_, err = beacon.NewTracker([]beacon.Zone{{Name: "empty"}})
	fmt.Println(errors.Is(err, beacon.ErrConfig))
	// Output:
	// <nil>
	// true
}

func ExampleTracker_Advance() {
	tr, _ := beacon.NewTracker([]beacon.Zone{{Name: "z", Gateways: []string{"g"}, Config: beacon.ZoneConfig{ExitTimeout: 30 * time.Second}}})
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	tr.Observe(nil, beacon.Sighting{Time: t0, Beacon: beacon.AddressID(beacon.Address{1}), Gateway: "g", RSSI: -60})
	fmt.Println(len(tr.Advance(nil, t0.Add(29*time.Second)))) // not yet
	for _, e := range tr.Advance(nil, t0.Add(31*time.Second)) {
		fmt.Println(e.Kind, e.Time.Format("15:04:05")) // exactly last seen + timeout
	}
	// Output:
	// 0
	// exited 10:00:30
}
