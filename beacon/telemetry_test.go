package beacon_test

import (
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/beacon"
)

func TestTelemetryJoinerByAddressAndWindow(t *testing.T) {
	var j beacon.TelemetryJoiner
	addr := beacon.Address{0xc0, 1, 2, 3, 4, 5}
	uid, _ := beacon.ParseAD(hx(t, "0201060303aafe1716aafe00e7000102030405060708090102030405060000"))
	tlm, _ := beacon.ParseAD(hx(t, "0201060303aafe1116aafe20000b1813000000146700002ac4"))
	if _, ok := j.Observe(addr, &tlm, at(0)); ok {
		t.Fatal("TLM joined before any identity frame")
	}
	tel, ok := j.Observe(addr, &uid, at(1)) // identity arrives: pending TLM joins
	if id, _ := uid.ID(); !ok || tel.Beacon != id || tel.TLM.VBatt != 2840 || !tel.Time.Equal(at(0)) {
		t.Fatalf("join: %+v %v", tel, ok)
	}
	// Same TLM from another address does not attach to this beacon.
	if _, ok := j.Observe(beacon.Address{9}, &tlm, at(2)); ok {
		t.Fatal("joined across addresses")
	}
	// Outside the window: no join.
	if _, ok := j.Observe(addr, &tlm, at(40)); ok {
		t.Fatal("joined outside the window")
	}
	// The address now advertises another identity: old telemetry is not its own.
	other := beacon.Frame{Format: beacon.FormatEddystoneUID, UID: beacon.EddystoneUID{Namespace: [10]byte{7}}}
	if _, ok := j.Observe(addr, &other, at(41)); ok {
		t.Fatal("stale telemetry attached to a new identity")
	}
	etlm, _ := beacon.ParseAD(hx(t, "0201060303aafe1516aafe2001000102030405060708090a0b1234abcd"))
	if tel, ok := j.Observe(addr, &etlm, at(42)); !ok || !tel.Encrypted || tel.ETLM.Salt != 0x1234 {
		t.Fatalf("encrypted TLM: %+v %v", tel, ok)
	}
	j.Forget(at(100))
	if _, ok := j.Observe(addr, &tlm, at(101)); ok {
		t.Fatal("Forget kept the entry")
	}
	_ = time.Second
}
