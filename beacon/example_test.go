package beacon_test

import (
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/touchpoint-sdk/touchpoint/beacon"
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
