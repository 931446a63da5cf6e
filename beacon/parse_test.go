package beacon_test

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/beacon"
)

func hx(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

// wantErr checks err is a *ParseError with the sentinel, format and offset.
func wantErr(t *testing.T, err error, sentinel error, format beacon.Format, off int) {
	t.Helper()
	var pe *beacon.ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v (%T), want *ParseError", err, err)
	}
	if !errors.Is(err, sentinel) || pe.Format != format || pe.Offset != off {
		t.Fatalf("err = %v {Format %v, Offset %d}, want %v {Format %v, Offset %d}",
			err, pe.Format, pe.Offset, sentinel, format, off)
	}
}

func TestParseADRealFrames(t *testing.T) {
	cases := []struct {
		name   string
		ad     string
		format beacon.Format
		check  func(t *testing.T, f beacon.Frame)
	}{
		{"ibeacon estimote", "020106 1aff4c000215 b9407f30f5f8466eaff925556b57fe6d 0102 0304 c5", beacon.FormatIBeacon,
			func(t *testing.T, f beacon.Frame) {
				b := f.IBeacon
				// kontakt-beacon-parser reads these little-endian (513/1027): wrong.
				if b.UUID.String() != "b9407f30-f5f8-466e-aff9-25556b57fe6d" || b.Major != 258 || b.Minor != 772 || b.MeasuredPower != -59 {
					t.Fatalf("got %+v", b)
				}
				if p, ok := f.TxPower1m(); !ok || p != -59 {
					t.Fatalf("TxPower1m = %d %v", p, ok)
				}
			}},
		{"altbeacon abl test", "02011a 1bff1801beac 2f234454cf6d4a0fadf2f4911ba9ffa6 0001 0002 c5 09", beacon.FormatAltBeacon,
			func(t *testing.T, f beacon.Frame) {
				a := f.AltBeacon
				if a.CompanyID != 0x0118 || a.ID1().String() != "2f234454-cf6d-4a0f-adf2-f4911ba9ffa6" || a.ID2() != 1 || a.ID3() != 2 ||
					a.RefRSSI != -59 || !a.HasReserved || a.Reserved != 9 || a.Warnings != 0 {
					t.Fatalf("got %+v", a)
				}
			}},
		{"altbeacon missing reserved (AD len 0x1a)", "02011a 1aff1801beac 2f234454cf6d4a0fadf2f4911ba9ffa6 0001 0002 c5", beacon.FormatAltBeacon,
			func(t *testing.T, f beacon.Frame) {
				if f.AltBeacon.HasReserved || !f.Warnings().Has(beacon.WarnMissingReserved) {
					t.Fatalf("got %+v", f.AltBeacon)
				}
			}},
		{"eddystone uid 18 bytes (abl)", "020106 0303aafe 1516aafe 00e7 00010203040506070809 010203040506", beacon.FormatEddystoneUID,
			func(t *testing.T, f beacon.Frame) {
				u := f.UID
				if u.TxPower != -25 || u.HasRFU || u.Namespace[9] != 9 || u.Instance[5] != 6 || u.Warnings != beacon.WarnMissingReserved {
					t.Fatalf("got %+v", u)
				}
				if p, _ := f.TxPower1m(); p != -66 {
					t.Fatalf("TxPower1m = %d, want -66 (0 m -> 1 m correction)", p)
				}
			}},
		{"eddystone uid 20 bytes", "020106 0303aafe 1716aafe 00e7 8b0ca750095477cb3e77 000000000001 0000", beacon.FormatEddystoneUID,
			func(t *testing.T, f beacon.Frame) {
				if !f.UID.HasRFU || f.UID.Warnings != 0 || f.UID.Instance[5] != 1 {
					t.Fatalf("got %+v", f.UID)
				}
			}},
		{"eddystone url google.co stays literal", "020106 0303aafe 0f16aafe 10eb 02 676f6f676c65 2e636f", beacon.FormatEddystoneURL,
			func(t *testing.T, f beacon.Frame) {
				if s := f.URL.String(); s != "http://google.co" {
					t.Fatalf("url = %q", s)
				}
			}},
		{"eddystone url expansion, case kept", "0303aafe 1316aafe 10eb 03 676f6f2e676c 2f 43324843 3438", beacon.FormatEddystoneURL,
			func(t *testing.T, f beacon.Frame) {
				if s := f.URL.String(); s != "https://goo.gl/C2HC48" {
					t.Fatalf("url = %q", s)
				}
			}},
		{"eddystone url .com/ code", "0e16aafe 10f8 01 6578616d706c65 00", beacon.FormatEddystoneURL,
			func(t *testing.T, f beacon.Frame) {
				if s := f.URL.String(); s != "https://www.example.com/" {
					t.Fatalf("url = %q", s)
				}
			}},
		{"eddystone tlm", "0303aafe 1116aafe 2000 0b18 1300 00001467 00002ac4", beacon.FormatEddystoneTLM,
			func(t *testing.T, f beacon.Frame) {
				tl := f.TLM
				mv, ok := tl.Battery()
				c, tok := tl.Temperature()
				if mv != 2840 || !ok || c != 19.0 || !tok || tl.AdvCount != 5223 || tl.Uptime().Seconds() != 1094.8 {
					t.Fatalf("got %+v", tl)
				}
				if _, ok := f.ID(); ok {
					t.Fatal("TLM has no identity")
				}
			}},
		{"eddystone tlm negative temp, no battery", "1116aafe 2000 0000 ff00 00000001 00000002", beacon.FormatEddystoneTLM,
			func(t *testing.T, f beacon.Frame) {
				// beacontools reads TEMP unsigned (+255): wrong.
				if c, ok := f.TLM.Temperature(); !ok || c != -1 {
					t.Fatalf("temp = %v %v", c, ok)
				}
				if _, ok := f.TLM.Battery(); ok {
					t.Fatal("VBATT 0 must be 'not supported'")
				}
			}},
		{"eddystone tlm temp not supported", "1116aafe 2000 0bb8 8000 00000001 00000002", beacon.FormatEddystoneTLM,
			func(t *testing.T, f beacon.Frame) {
				if _, ok := f.TLM.Temperature(); ok {
					t.Fatal("0x8000 must be 'not supported', not -128 C")
				}
			}},
		{"eddystone etlm big-endian salt and mic", "1516aafe 2001 000102030405060708090a0b 1234 abcd", beacon.FormatEddystoneETLM,
			func(t *testing.T, f beacon.Frame) {
				// beacontools reads salt and MIC little-endian: wrong.
				if f.ETLM.Salt != 0x1234 || f.ETLM.MIC != 0xabcd || f.ETLM.ETLM[11] != 0x0b {
					t.Fatalf("got %+v", f.ETLM)
				}
			}},
		{"eddystone eid", "020106 0303aafe 0d16aafe 30e7 0011223344556677", beacon.FormatEddystoneEID,
			func(t *testing.T, f beacon.Frame) {
				if f.EID.EID[7] != 0x77 || f.EID.TxPower != -25 {
					t.Fatalf("got %+v", f.EID)
				}
			}},
		{"zero padding after len 0", "020106 1aff4c000215 b9407f30f5f8466eaff925556b57fe6d 0001 0002 c5 00", beacon.FormatIBeacon, nil},
		{"128-bit service data for feaa", "0303aafe 2321 fb349b5f8000008000100000aafe0000 00e7 00010203040506070809 010203040506", beacon.FormatEddystoneUID, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := beacon.ParseAD(hx(t, c.ad))
			if err != nil {
				t.Fatalf("ParseAD: %v", err)
			}
			if f.Format != c.format {
				t.Fatalf("format = %v, want %v", f.Format, c.format)
			}
			if c.check != nil {
				c.check(t, f)
			}
			// The encoder rebuilds a payload that parses to the same frame.
			g, err := beacon.ParseAD(f.AppendAD(nil))
			if err != nil || g != f {
				t.Fatalf("round trip: %+v, %v", g, err)
			}
		})
	}
}

func TestParseADBadFrames(t *testing.T) {
	cases := []struct {
		name     string
		ad       string
		sentinel error
		format   beacon.Format
		off      int
	}{
		{"AD length runs past buffer (kontakt TooShortIBeacon)", "020106 1aff4c000215 b9407f30", beacon.ErrTruncated, beacon.FormatAD, 13},
		{"blank advertisement 0xff (kontakt)", "ffffffffffffffff", beacon.ErrTruncated, beacon.FormatAD, 8},
		{"AD length short for layout (abl RunsOverPduLength)", "020106 15ff4c000215 b9407f30f5f8466eaff925556b57fe6d 00", beacon.ErrTruncated, beacon.FormatIBeacon, 25},
		{"ibeacon inner length != 0x15 (PebbleOS too_short)", "1aff4c000214 b9407f30f5f8466eaff925556b57fe6d 00010002c5", beacon.ErrLength, beacon.FormatIBeacon, 5},
		{"altbeacon too long", "1cff1801beac 2f234454cf6d4a0fadf2f4911ba9ffa6 0001 0002 c5 09 00", beacon.ErrLength, beacon.FormatAltBeacon, 28},
		{"AD structure one byte short", "0603aafe 40e7", beacon.ErrTruncated, beacon.FormatAD, 6},
		{"uid 19 bytes", "1616aafe 00e7 00010203040506070809 010203040506 00", beacon.ErrTruncated, beacon.FormatEddystoneUID, 23},
		{"uid 21 bytes", "1816aafe 00e7 00010203040506070809 010203040506 000000", beacon.ErrLength, beacon.FormatEddystoneUID, 24},
		{"url only frame byte (abl malformed)", "0416aafe 10", beacon.ErrTruncated, beacon.FormatEddystoneURL, 5},
		{"url scheme 0x04 (urn:uuid: is UriBeacon)", "0816aafe 10eb 04 6162", beacon.ErrReserved, beacon.FormatEddystoneURL, 6},
		{"url reserved byte 0x0e", "0816aafe 10eb 02 610e", beacon.ErrReserved, beacon.FormatEddystoneURL, 8},
		{"url reserved byte 0x7f", "0816aafe 10eb 02 617f", beacon.ErrReserved, beacon.FormatEddystoneURL, 8},
		{"url too long", "1816aafe 10eb 02 6161616161616161616161616161616161 61", beacon.ErrLength, beacon.FormatEddystoneURL, 24},
		{"tlm bad version (validator failsBadVersion)", "1116aafe 2002 0b18 1300 00001467 00002ac4", beacon.ErrUnknownFormat, beacon.FormatEddystoneTLM, 5},
		{"tlm version 1 with 14 bytes (abl accepts)", "1116aafe 2001 0b18 1300 00001467 00002ac4", beacon.ErrTruncated, beacon.FormatEddystoneETLM, 18},
		{"tlm 13 bytes", "1016aafe 2000 0b18 1300 00001467 00002a", beacon.ErrTruncated, beacon.FormatEddystoneTLM, 17},
		{"eid 9 bytes", "0c16aafe 30e7 00112233445566", beacon.ErrTruncated, beacon.FormatEddystoneEID, 13},
		{"service data 16 without uuid", "0216aa", beacon.ErrTruncated, beacon.FormatServiceData, 3},
		{"manufacturer data without company", "02ff4c", beacon.ErrTruncated, beacon.FormatManufacturerData, 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := beacon.ParseAD(hx(t, c.ad))
			wantErr(t, err, c.sentinel, c.format, c.off)
			if f != (beacon.Frame{}) {
				t.Fatalf("partial value returned: %+v", f)
			}
		})
	}
}

func TestParseNotBeacon(t *testing.T) {
	for _, ad := range []string{
		"020106 0aff4c0010050118807b4d", // Apple Nearby (muka TestParseInvalidIBeacon)
		"020106 0aff590001020304050607", // Nordic company, no 0xBEAC
		"020106 05160d18aabb",           // heart-rate service data
		"020106 080954686572657361",     // name only
		"",
		"0000000000",
	} {
		_, err := beacon.ParseAD(hx(t, ad))
		if !errors.Is(err, beacon.ErrNotBeacon) {
			t.Errorf("%s: err = %v, want ErrNotBeacon", ad, err)
		}
	}
}

func TestADReaderWarnsTrailingData(t *testing.T) {
	r := beacon.NewADReader(hx(t, "020106 00 0102"))
	n := 0
	for r.Next() {
		n++
	}
	if n != 1 || r.Err() != nil || !r.Warnings().Has(beacon.WarnTrailingData) || r.Offset() != 6 {
		t.Fatalf("n=%d err=%v warn=%v off=%d", n, r.Err(), r.Warnings(), r.Offset())
	}
}

func TestParseAdvertisementShapes(t *testing.T) {
	ib := hx(t, "4c000215 b9407f30f5f8466eaff925556b57fe6d 0001 0007 c5")
	uid := hx(t, "00e7 00010203040506070809 010203040506 0000")
	want := beacon.IBeacon{UUID: beacon.UUID(ib[4:20]), Major: 1, Minor: 7, MeasuredPower: -59}

	var a beacon.Advertisement
	if err := a.AddManufacturerData(ib); err != nil { // go-ble / noble shape
		t.Fatal(err)
	}
	if f, err := beacon.Parse(&a); err != nil || f.IBeacon != want {
		t.Fatalf("prefixed: %+v %v", f, err)
	}
	a.Reset()
	a.AddManufacturerDataKeyed(0x004c, ib[2:]) // tinygo / BlueZ / Android shape
	if f, err := beacon.Parse(&a); err != nil || f.IBeacon != want {
		t.Fatalf("keyed: %+v %v", f, err)
	}
	a.Reset()
	if err := a.AddServiceDataString("0000feaa-0000-1000-8000-00805f9b34fb", uid); err != nil { // BlueZ
		t.Fatal(err)
	}
	if f, err := beacon.Parse(&a); err != nil || f.Format != beacon.FormatEddystoneUID {
		t.Fatalf("service 128: %+v %v", f, err)
	}
	a.Reset()
	if err := a.AddServiceDataString("FEAA", uid); err != nil { // noble
		t.Fatal(err)
	}
	if f, err := beacon.Parse(&a); err != nil || f.Format != beacon.FormatEddystoneUID {
		t.Fatalf("service 16: %+v %v", f, err)
	}
	// Android getBytes(): adv data padded to 31, then the scan response.
	var rec []byte
	rec = append(rec, hx(t, "020106 0303aafe 1716aafe")...)
	rec = append(rec, uid...)
	rec = append(rec, make([]byte, 31-len(rec))...)
	rec = append(rec, hx(t, "0809 4b6f6e74616b74")...)
	adv, sr := beacon.SplitScanRecord(rec)
	a.Reset()
	a.Data, a.ScanResponse = adv, sr
	if f, err := beacon.Parse(&a); err != nil || f.Format != beacon.FormatEddystoneUID {
		t.Fatalf("scan record: %+v %v", f, err)
	}
	// A malformed scan response is reported with an offset past Data.
	a.ScanResponse = hx(t, "0509 4b6f")
	_, err := beacon.Parse(&a)
	wantErr(t, err, beacon.ErrTruncated, beacon.FormatAD, 31+4)
	// Nothing at all.
	a.Reset()
	if _, err := beacon.Parse(&a); !errors.Is(err, beacon.ErrNotBeacon) {
		t.Fatalf("empty: %v", err)
	}
}

func TestPerFrameParsersRejectOtherTypes(t *testing.T) {
	uid := hx(t, "00e7 00010203040506070809 010203040506 0000")
	_, err := beacon.ParseEddystoneURL(uid)
	wantErr(t, err, beacon.ErrUnknownFormat, beacon.FormatEddystoneURL, 0)
	_, err = beacon.ParseEddystoneTLM(uid)
	wantErr(t, err, beacon.ErrUnknownFormat, beacon.FormatEddystoneTLM, 0)
	_, err = beacon.ParseEddystoneEID(uid)
	wantErr(t, err, beacon.ErrUnknownFormat, beacon.FormatEddystoneEID, 0)
	_, err = beacon.ParseEddystoneETLM(uid)
	wantErr(t, err, beacon.ErrUnknownFormat, beacon.FormatEddystoneETLM, 0)
	_, err = beacon.ParseEddystoneUID(hx(t, "10eb0261"))
	wantErr(t, err, beacon.ErrUnknownFormat, beacon.FormatEddystoneUID, 0)
	_, err = beacon.ParseIBeacon(hx(t, "590002150000"))
	wantErr(t, err, beacon.ErrUnknownFormat, beacon.FormatIBeacon, 0)
	_, err = beacon.ParseAltBeacon(hx(t, "1801beef"))
	wantErr(t, err, beacon.ErrUnknownFormat, beacon.FormatAltBeacon, 2)
}

func TestWarnings(t *testing.T) {
	f, err := beacon.ParseEddystoneUID(hx(t, "00 7f 00000000000000000000 000000000000 0100"))
	if err != nil {
		t.Fatal(err)
	}
	want := beacon.WarnTxPowerRange | beacon.WarnZeroID | beacon.WarnReservedNonZero
	if f.Warnings != want {
		t.Fatalf("warnings = %v, want %v", f.Warnings, want)
	}
	if s := f.Warnings.String(); s != "reserved-nonzero|tx-power-range|zero-id" {
		t.Fatalf("String = %q", s)
	}
	ib, err := beacon.ParseIBeacon(hx(t, "4c000215 00000000000000000000000000000000 0000 0000 05"))
	if err != nil || ib.Warnings != beacon.WarnZeroID|beacon.WarnTxPowerRange {
		t.Fatalf("ibeacon warnings %v %v", ib.Warnings, err)
	}
}

func TestAdvertisementTxPower(t *testing.T) {
	a := beacon.Advertisement{Data: hx(t, "020106"), ScanResponse: hx(t, "020af4")}
	if p, ok := a.TxPower(); !ok || p != -12 {
		t.Fatalf("%d %v", p, ok)
	}
	a.TxPowerLevel, a.HasTxPowerLevel = 4, true
	if p, ok := a.TxPower(); !ok || p != 4 {
		t.Fatalf("%d %v", p, ok)
	}
	if _, ok := (&beacon.Advertisement{Data: hx(t, "020106")}).TxPower(); ok {
		t.Fatal("no TX power structure")
	}
	if n := testing.AllocsPerRun(100, func() { a.HasTxPowerLevel = false; a.TxPower() }); n != 0 {
		t.Fatalf("%v allocs", n)
	}
}

func TestAppendADStructure(t *testing.T) {
	ad, err := beacon.AppendADStructure(nil, beacon.ADCompleteName, []byte("shoes"))
	if err != nil {
		t.Fatal(err)
	}
	ad, _ = beacon.AppendADStructure(ad, beacon.ADTxPowerLevel, []byte{0xf4})
	r := beacon.NewADReader(ad)
	var got []string
	for r.Next() {
		s := r.Structure()
		got = append(got, fmt.Sprintf("%02x@%d:%x", s.Type, s.Offset, s.Data))
	}
	if strings.Join(got, " ") != "09@0:73686f6573 0a@7:f4" || r.Err() != nil {
		t.Fatalf("%v %v", got, r.Err())
	}
	out, err := beacon.AppendADStructure(ad, 0xff, make([]byte, 255))
	wantErr(t, err, beacon.ErrLength, beacon.FormatAD, 254)
	if len(out) != len(ad) {
		t.Fatal("bytes appended on error")
	}
}
