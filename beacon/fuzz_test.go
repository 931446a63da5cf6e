package beacon_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/beacon"
)

var sentinels = []error{beacon.ErrTruncated, beacon.ErrLength, beacon.ErrUnknownFormat, beacon.ErrReserved, beacon.ErrInvalid}

// checkErr asserts the error properties every decoder promises.
func checkErr(t *testing.T, err error, inputLen int, notBeaconOK bool) {
	t.Helper()
	if notBeaconOK && err == beacon.ErrNotBeacon {
		return
	}
	var pe *beacon.ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T) is not a *ParseError", err, err)
	}
	if pe.Offset < 0 || pe.Offset > inputLen {
		t.Fatalf("offset %d outside input of %d bytes (%v)", pe.Offset, inputLen, err)
	}
	known := false
	for _, s := range sentinels {
		known = known || errors.Is(err, s)
	}
	if !known || pe.Error() == "" {
		t.Fatalf("error %v matches no sentinel", err)
	}
}

// fuzzFrame runs the shared properties for one per-frame parser: typed
// errors with offsets in range, zero value on error, and byte-exact
// re-encoding on success.
func fuzzFrame[T comparable](f *testing.F, seeds []string, parse func([]byte) (T, error), enc func(T) []byte) {
	for _, s := range seeds {
		f.Add(hx(f, s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := parse(data)
		var zero T
		if err != nil {
			checkErr(t, err, len(data), false)
			if v != zero {
				t.Fatalf("partial value %+v with error %v", v, err)
			}
			return
		}
		if out := enc(v); !bytes.Equal(out, data) {
			t.Fatalf("re-encode % x != input % x", out, data)
		}
		v2, err := parse(enc(v))
		if err != nil || v2 != v {
			t.Fatalf("round trip %+v != %+v (%v)", v2, v, err)
		}
	})
}

func FuzzIBeacon(f *testing.F) {
	fuzzFrame(f, []string{"4c000215b9407f30f5f8466eaff925556b57fe6d01020304c5", "4c000214", "4c0010050118807b4d"},
		beacon.ParseIBeacon, func(v beacon.IBeacon) []byte { return v.AppendManufacturerData(nil) })
}

func FuzzAltBeacon(f *testing.F) {
	fuzzFrame(f, []string{"1801beac2f234454cf6d4a0fadf2f4911ba9ffa600010002c509", "1801beac2f234454cf6d4a0fadf2f4911ba9ffa600010002c5"},
		beacon.ParseAltBeacon, func(v beacon.AltBeacon) []byte { return v.AppendManufacturerData(nil) })
}

func FuzzEddystoneUID(f *testing.F) {
	fuzzFrame(f, []string{"00e700010203040506070809010203040506", "00e7000102030405060708090102030405060000"},
		beacon.ParseEddystoneUID, func(v beacon.EddystoneUID) []byte { return v.AppendServiceData(nil) })
}

func FuzzEddystoneURL(f *testing.F) {
	fuzzFrame(f, []string{"10eb02676f6f676c652e636f", "10eb03676f6f2e676c2f433248433438", "10", "10eb04"},
		beacon.ParseEddystoneURL, func(v beacon.EddystoneURL) []byte { return v.AppendServiceData(nil) })
}

func FuzzEddystoneTLM(f *testing.F) {
	fuzzFrame(f, []string{"20000b1813000000146700002ac4", "20008000ff000000000100000002"},
		beacon.ParseEddystoneTLM, func(v beacon.EddystoneTLM) []byte { return v.AppendServiceData(nil) })
}

func FuzzEddystoneETLM(f *testing.F) {
	fuzzFrame(f, []string{"2001000102030405060708090a0b1234abcd", "20010b18130000001467000002ac4"[:28]},
		beacon.ParseEddystoneETLM, func(v beacon.EncryptedTLM) []byte { return v.AppendServiceData(nil) })
}

func FuzzEddystoneEID(f *testing.F) {
	fuzzFrame(f, []string{"30e70011223344556677", "30e7001122"},
		beacon.ParseEddystoneEID, func(v beacon.EddystoneEID) []byte { return v.AppendServiceData(nil) })
}

// FuzzParseAD covers the AD-structure walker and the dispatch into every
// frame parser.
func FuzzParseAD(f *testing.F) {
	for _, s := range []string{
		"0201061aff4c000215b9407f30f5f8466eaff925556b57fe6d01020304c5",
		"02011a1bff1801beac2f234454cf6d4a0fadf2f4911ba9ffa600010002c509",
		"0201060303aafe1516aafe00e700010203040506070809010203040506",
		"0303aafe0f16aafe10eb02676f6f676c652e636f",
		"0303aafe1116aafe20000b18130000001467000002ac4"[:44],
		"0201060303aafe0d16aafe30e70011223344556677",
		"ffffffff", "020106000102", "",
	} {
		f.Add(hx(f, s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := beacon.NewADReader(data)
		for r.Next() {
			s := r.Structure()
			if s.Offset < 0 || s.Offset+2+len(s.Data) > len(data) || !bytes.Equal(data[s.Offset+2:s.Offset+2+len(s.Data)], s.Data) {
				t.Fatalf("structure at %d (%d bytes) outside input of %d", s.Offset, len(s.Data), len(data))
			}
		}
		if r.Offset() > len(data) {
			t.Fatalf("consumed %d of %d", r.Offset(), len(data))
		}
		if err := r.Err(); err != nil {
			checkErr(t, err, len(data), false)
		}
		fr, err := beacon.ParseAD(data)
		if err != nil {
			checkErr(t, err, len(data), true)
			if fr != (beacon.Frame{}) {
				t.Fatalf("partial frame with error %v", err)
			}
			return
		}
		if fr.Format == beacon.FormatUnknown {
			t.Fatal("success without a format")
		}
		g, err := beacon.ParseAD(fr.AppendAD(nil))
		g.Container = fr.Container // the encoder writes no trailing padding
		if err != nil || g != fr {
			t.Fatalf("re-encoded AD parses to %+v, %v; want %+v", g, err, fr)
		}
		// The same bytes through the Advertisement path agree.
		a := beacon.Advertisement{Data: data}
		if h, err := beacon.Parse(&a); err != nil || h != fr {
			t.Fatalf("Parse disagrees with ParseAD: %+v %v", h, err)
		}
	})
}

// FuzzServiceAndManufacturer covers the keyed shapes.
func FuzzServiceAndManufacturer(f *testing.F) {
	f.Add(uint16(0x004c), hx(f, "0215b9407f30f5f8466eaff925556b57fe6d01020304c5"))
	f.Add(uint16(0xfeaa), hx(f, "00e700010203040506070809010203040506"))
	f.Fuzz(func(t *testing.T, key uint16, data []byte) {
		if fr, err := beacon.ParseManufacturerDataKeyed(key, data); err != nil {
			checkErr(t, err, len(data), true)
		} else if _, ok := fr.ID(); !ok {
			t.Fatal("manufacturer frames always have an identity")
		}
		if fr, err := beacon.ParseServiceData(beacon.UUID16(key), data); err != nil {
			checkErr(t, err, len(data), true)
		} else if key != beacon.EddystoneServiceUUID || fr.Format == beacon.FormatUnknown {
			t.Fatalf("service data for %04x parsed as %v", key, fr.Format)
		}
	})
}
