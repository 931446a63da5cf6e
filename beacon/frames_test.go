package beacon_test

import "testing"

// sampleAD holds one complete advertising payload per frame type, from the
// specifications and public captures used in parse_test.go.
func sampleAD(t testing.TB) []struct {
	name string
	ad   []byte
} {
	return []struct {
		name string
		ad   []byte
	}{
		{"ibeacon", hx(t, "0201061aff4c000215b9407f30f5f8466eaff925556b57fe6d01020304c5")},
		{"altbeacon", hx(t, "02011a1bff1801beac2f234454cf6d4a0fadf2f4911ba9ffa600010002c509")},
		{"eddystone-uid", hx(t, "0201060303aafe1716aafe00e7000102030405060708090102030405060000")},
		{"eddystone-url", hx(t, "0201060303aafe0f16aafe10eb02676f6f676c652e636f")},
		{"eddystone-tlm", hx(t, "0201060303aafe1116aafe20000b1813000000146700002ac4")},
		{"eddystone-etlm", hx(t, "0201060303aafe1516aafe2001000102030405060708090a0b1234abcd")},
		{"eddystone-eid", hx(t, "0201060303aafe0d16aafe30e70011223344556677")},
	}
}
