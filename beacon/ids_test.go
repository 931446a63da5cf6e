package beacon_test

import (
	"encoding/hex"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/beacon"
)

func TestNewEddystoneURL(t *testing.T) {
	for _, c := range []struct{ in, out, enc string }{
		{"https://www.Example.com/", "https://www.example.com/", "10f8016578616d706c6500"},
		{"http://google.co", "http://google.co", "10f802676f6f676c652e636f"},
		{"HTTPS://Goo.gl/C2HC48", "https://goo.gl/C2HC48", "10f803676f6f2e676c2f433248433438"},
		{"http://a.info/x.org", "http://a.info/x.org", "10f80261047808"},
	} {
		f, err := beacon.NewEddystoneURL(c.in, -8)
		if err != nil {
			t.Fatalf("%s: %v", c.in, err)
		}
		if got := hex.EncodeToString(f.AppendServiceData(nil)); got != c.enc || f.String() != c.out {
			t.Fatalf("%s: enc %s url %s, want %s %s", c.in, got, f.String(), c.enc, c.out)
		}
	}
	for _, c := range []struct {
		in       string
		sentinel error
		off      int
	}{
		{"ftp://x.com", beacon.ErrInvalid, 0},
		{"http://a b.com", beacon.ErrInvalid, 8},
		{"https://abcdefghijklmnopqr.com", beacon.ErrLength, 25},
		{"http://", beacon.ErrInvalid, 7},
		{"http://ä.com", beacon.ErrInvalid, 7},
	} {
		_, err := beacon.NewEddystoneURL(c.in, 0)
		wantErr(t, err, c.sentinel, beacon.FormatEddystoneURL, c.off)
	}
}

func TestUUIDAndAddressText(t *testing.T) {
	u, err := beacon.ParseUUID("0xFEAA")
	if v, ok := u.Short(); err != nil || !ok || v != 0xfeaa {
		t.Fatalf("%v %v %v", v, ok, err)
	}
	if _, err := beacon.ParseUUID("feag"); err == nil {
		t.Fatal("want error")
	}
	_, err = beacon.ParseUUID("0000feaa-0000-1000-8000x00805f9b34fb")
	wantErr(t, err, beacon.ErrInvalid, beacon.FormatText, 23)
	a, err := beacon.ParseAddress("c0:11:22:33:44:ee")
	if err != nil || a.String() != "C0:11:22:33:44:EE" {
		t.Fatalf("%v %v", a, err)
	}
	_, err = beacon.ParseAddress("c0:11:22:33:44")
	wantErr(t, err, beacon.ErrLength, beacon.FormatText, 14)
	ids := []beacon.BeaconID{
		beacon.IBeacon{UUID: u, Major: 1, Minor: 65535}.ID(),
		beacon.AddressID(a),
		beacon.EddystoneUID{Namespace: [10]byte{1}, Instance: [6]byte{5: 9}}.ID(),
		beacon.EddystoneEID{EID: [8]byte{1, 2}}.ID(),
		beacon.AltBeacon{Identifier: [20]byte{19: 1}}.ID(),
	}
	if f, err := beacon.NewEddystoneURL("https://x.com", 0); err == nil {
		ids = append(ids, f.ID())
	}
	for _, id := range ids {
		got, err := beacon.ParseBeaconID(id.String())
		if err != nil || got != id {
			t.Fatalf("%s: %v %v", id, got, err)
		}
	}
	if ids[0].String() != "ibeacon:0000feaa-0000-1000-8000-00805f9b34fb:1:65535" {
		t.Fatal(ids[0].String())
	}
}

func TestPatternWildcards(t *testing.T) {
	u, _ := beacon.ParseUUID("b9407f30-f5f8-466e-aff9-25556b57fe6d")
	p := beacon.MatchIBeacon(u, beacon.Any, 7)
	if !p.Matches(beacon.IBeacon{UUID: u, Major: 99, Minor: 7}.ID()) {
		t.Fatal("any major, minor 7 should match")
	}
	if p.Matches(beacon.IBeacon{UUID: u, Major: 99, Minor: 8}.ID()) {
		t.Fatal("minor 8 should not match")
	}
	if p.Matches(beacon.IBeacon{UUID: beacon.UUID{1}, Major: 99, Minor: 7}.ID()) {
		t.Fatal("other uuid should not match")
	}
	ns := beacon.MatchEddystoneNamespace([10]byte{1, 2})
	if !ns.Matches(beacon.EddystoneUID{Namespace: [10]byte{1, 2}, Instance: [6]byte{3}}.ID()) ||
		ns.Matches(beacon.EddystoneUID{Namespace: [10]byte{1, 3}}.ID()) {
		t.Fatal("namespace pattern")
	}
	if (beacon.Pattern{}).Matches(beacon.BeaconID{}) {
		t.Fatal("zero pattern must match nothing")
	}
}
