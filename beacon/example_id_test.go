package beacon_test

import (
	"errors"
	"fmt"

	"github.com/touchpoint-sdk/touchpoint/beacon"
)

// AddressID names a device that gateways know only by its Bluetooth
// address, such as a staff badge. The BeaconID is a comparable map key and
// round-trips through its text form.
func ExampleAddressID() {
	badge := beacon.AddressID(beacon.Address{0xc0, 0xff, 0xee, 0x00, 0x00, 0x01})
	back, err := beacon.ParseBeaconID(badge.String())
	fmt.Println(badge.Kind, badge, back == badge, err)

	lastSeen := map[beacon.BeaconID]string{badge: "gw-till"}
	fmt.Printf("%q %q\n", lastSeen[beacon.AddressID(beacon.Address{0xc0, 0xff, 0xee, 0x00, 0x00, 0x01})],
		lastSeen[beacon.AddressID(beacon.Address{0xc0, 0xff, 0xee, 0x00, 0x00, 0x02})])
	// Output:
	// address address:C0:FF:EE:00:00:01 true <nil>
	// "gw-till" ""
}

// AppendADStructure builds advertising data one structure at a time: here
// the Flags, the Eddystone service UUID and an Eddystone-UID frame, which
// ParseAD reads back. Data longer than one length byte can describe is
// refused.
func ExampleAppendADStructure() {
	ad, err := beacon.AppendADStructure(nil, beacon.ADFlags, []byte{0x06})
	if err != nil {
		panic(err)
	}
	ad, err = beacon.AppendADStructure(ad, beacon.ADCompleteUUID16, []byte{0xaa, 0xfe}) // 0xFEAA, little-endian
	if err != nil {
		panic(err)
	}
	ad, err = beacon.AppendADStructure(ad, beacon.ADServiceData16, mustHex("aafe00e7000102030405060708090a0b0c0d0e0f0000"))
	if err != nil {
		panic(err)
	}
	fmt.Printf("%x\n", ad)
	f, err := beacon.ParseAD(ad)
	id, _ := f.ID()
	fmt.Println(f.Format, id, err)

	_, err = beacon.AppendADStructure(nil, beacon.ADManufacturerData, make([]byte, 254))
	fmt.Println(err)
	_, err = beacon.AppendADStructure(nil, beacon.ADManufacturerData, make([]byte, 255))
	fmt.Println(errors.Is(err, beacon.ErrLength), err)
	// Output:
	// 0201060303aafe1716aafe00e7000102030405060708090a0b0c0d0e0f0000
	// eddystone-uid eddystone-uid:000102030405060708090a0b0c0d0e0f <nil>
	// <nil>
	// true beacon: ad at offset 254: wrong length
}

// MatchEddystoneNamespace matches every Eddystone-UID beacon of one
// deployment (its namespace), whatever its instance.
func ExampleMatchEddystoneNamespace() {
	shelf, err := beacon.ParseEddystoneUID(mustHex("00e700010203040506070809010203040506"))
	if err != nil {
		panic(err)
	}
	door, err := beacon.ParseEddystoneUID(mustHex("00e70001020304050607080900000000000a"))
	if err != nil {
		panic(err)
	}
	neighbour, err := beacon.ParseEddystoneUID(mustHex("00e7ffeeddccbbaa99887766010203040506"))
	if err != nil {
		panic(err)
	}
	p := beacon.MatchEddystoneNamespace(shelf.Namespace)
	fmt.Println(p.Matches(shelf.ID()), p.Matches(door.ID()), p.Matches(neighbour.ID()))
	// Output:
	// true true false
}

// MatchID matches exactly one transmitter: the beacon with the same major
// but another minor, or another kind of id, does not match.
func ExampleMatchID() {
	u, err := beacon.ParseUUID("b9407f30-f5f8-466e-aff9-25556b57fe6d")
	if err != nil {
		panic(err)
	}
	till := beacon.IBeacon{UUID: u, Major: 1, Minor: 7}.ID()
	p := beacon.MatchID(till)
	fmt.Println(p.Matches(till), p.Matches(beacon.IBeacon{UUID: u, Major: 1, Minor: 8}.ID()))

	badge := beacon.AddressID(beacon.Address{0xc0, 0xff, 0xee, 0x00, 0x00, 0x01})
	fmt.Println(beacon.MatchID(badge).Matches(badge), p.Matches(badge))
	// Output:
	// true false
	// true false
}

// UUID16 expands a 16-bit Bluetooth UUID on the base UUID, the form
// ParseUUID and the service-data parsers use.
func ExampleUUID16() {
	u := beacon.UUID16(beacon.EddystoneServiceUUID)
	v, short := u.Short()
	parsed, err := beacon.ParseUUID("feaa")
	fmt.Printf("%v %#04x %v %v %v\n", u, v, short, u == parsed, err)
	// Output:
	// 0000feaa-0000-1000-8000-00805f9b34fb 0xfeaa true true <nil>
}

// UUID32 expands a 32-bit Bluetooth UUID (AD type 0x20 service data). A
// value that fits 16 bits gives the same UUID as UUID16; a wider one is not
// a 16-bit UUID.
func ExampleUUID32() {
	u := beacon.UUID32(0x0001feaa) // beyond the 16-bit range
	_, short := u.Short()
	fmt.Println(u, short)
	fmt.Println(beacon.UUID32(0xfeaa) == beacon.UUID16(0xfeaa))
	// Output:
	// 0001feaa-0000-1000-8000-00805f9b34fb false
	// true
}

// UUIDFromLE turns the little-endian bytes of a 128-bit UUID, as AD
// structures carry them, into the canonical UUID.
func ExampleUUIDFromLE() {
	// Nordic UART Service, as it appears in a Complete List of 128-bit
	// Service UUIDs (AD type 0x07).
	le := [16]byte(mustHex("9ecadc240ee5a9e093f3a3b50100406e"))
	fmt.Println(beacon.UUIDFromLE(le))
	// The base-UUID form of 0xFEAA, reversed, is the 16-bit UUID.
	fmt.Println(beacon.UUIDFromLE([16]byte(mustHex("fb349b5f8000008000100000aafe0000"))) == beacon.UUID16(0xfeaa))
	// Output:
	// 6e400001-b5a3-f393-e0a9-e50e24dcca9e
	// true
}
