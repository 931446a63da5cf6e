package beacon

import "strings"

// Warnings is a set of oddities found in a frame that was accepted anyway:
// values the specifications forbid or discourage but that real beacons send
// and the ecosystem tolerates. A parser never drops them silently: they are
// reported here, and a strict caller can reject any frame whose Warnings are
// not zero. Warnings is a bit set; the zero value means none.
type Warnings uint16

// The warnings.
const (
	// WarnMissingReserved: a trailing reserved byte is absent (AltBeacon
	// with AD length 0x1A, Eddystone-UID without its two RFU bytes).
	WarnMissingReserved Warnings = 1 << iota
	// WarnReservedNonZero: a reserved byte that must be 0x00 is not.
	WarnReservedNonZero
	// WarnTxPowerRange: the calibrated power is outside the range the
	// format allows (Eddystone -100..+20 dBm at 0 m, iBeacon/AltBeacon
	// -127..-1 dBm at 1 m).
	WarnTxPowerRange
	// WarnZeroID: the identifier is all zeros (Apple forbids a zero UUID).
	WarnZeroID
	// WarnTrailingData: non-zero bytes follow an AD length of zero, which
	// marks the end of significant data.
	WarnTrailingData
	// WarnVendorByte: one byte follows the frame's defined end (an iBeacon
	// of 26 bytes): some vendors append a battery or flag byte there. The
	// identity is unaffected; the byte is kept (IBeacon.VendorByte).
	WarnVendorByte
)

var warningNames = []string{"missing-reserved", "reserved-nonzero", "tx-power-range", "zero-id", "trailing-data", "vendor-byte"}

// Has reports whether all warnings in x are set in w.
func (w Warnings) Has(x Warnings) bool { return w&x == x }

// String lists the set warnings separated by "|", or "none".
func (w Warnings) String() string {
	if w == 0 {
		return "none"
	}
	var parts []string
	for i, n := range warningNames {
		if w&(1<<i) != 0 {
			parts = append(parts, n)
		}
	}
	return strings.Join(parts, "|")
}
