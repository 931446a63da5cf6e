package beacon

import (
	"time"
)

// Address is a Bluetooth device address in display order (the first byte
// is the most significant, as in "AA:BB:CC:DD:EE:FF"). HCI carries it
// little-endian; reverse it when filling from raw HCI reports.
type Address [6]byte

// String returns the address as upper-case colon-separated hex.
func (a Address) String() string {
	b := make([]byte, 0, 17)
	for i, c := range a {
		if i > 0 {
			b = append(b, ':')
		}
		b = append(b, "0123456789ABCDEF"[c>>4], "0123456789ABCDEF"[c&15])
	}
	return string(b)
}

// ParseAddress parses "AA:BB:CC:DD:EE:FF" (also with '-' separators or
// none, any case). Malformed input gets a *ParseError with ErrInvalid.
func ParseAddress(s string) (Address, error) {
	var a Address
	step := 3
	if len(s) == 12 {
		step = 2
	} else if len(s) != 17 {
		return a, perr(FormatText, min(len(s), 17), ErrLength)
	}
	for i := range a {
		p := i * step
		hi, ok1 := unhex(s[p])
		lo, ok2 := unhex(s[p+1])
		if !ok1 || !ok2 {
			return Address{}, perr(FormatText, p, ErrInvalid)
		}
		if step == 3 && i < 5 && s[p+2] != ':' && s[p+2] != '-' {
			return Address{}, perr(FormatText, p+2, ErrInvalid)
		}
		a[i] = hi<<4 | lo
	}
	return a, nil
}

// RSSI is a received signal strength in dBm as a BLE stack reports it.
// Stacks use in-band sentinels: 127 means "not available" (HCI, Android),
// 0 means "unknown" (iOS) or "invalid" (Android distance code), and HCI
// defines the valid range as -127..+20 dBm. Always check Valid before
// using an RSSI as a number.
type RSSI int16

// RSSIUnknown is the HCI / Android "RSSI not available" value.
const RSSIUnknown RSSI = 127

// Valid reports whether r is a measurement: within -127..+20 dBm and not 0.
func (r RSSI) Valid() bool { return r >= -127 && r <= 20 && r != 0 }

// ManufacturerData is one Manufacturer Specific Data element with the
// company identifier split off (the form tinygo, BlueZ and Android use).
// Data excludes the two company-id bytes and aliases the caller's buffer.
type ManufacturerData struct {
	CompanyID uint16
	Data      []byte
}

// ServiceData is one Service Data element. Data excludes the UUID and
// aliases the caller's buffer.
type ServiceData struct {
	UUID UUID
	Data []byte
}

// Advertisement is one received advertisement, normalised from whatever
// shape the BLE stack or gateway delivered. Fill the fields that the source
// has: raw AD bytes (Data, ScanResponse) from HCI-level stacks, and/or the
// structured Manufacturer and Service lists from stacks that split them.
// Parse looks at all of them.
//
// Slices are not copied: an Advertisement aliases the caller's buffers and
// is valid only as long as they are (tinygo, for one, reuses its buffers
// after the scan callback returns). Reuse an Advertisement with Reset to
// avoid allocations. An Advertisement is a plain value, not safe for
// concurrent mutation.
type Advertisement struct {
	Address       Address
	AddressRandom bool // a random (private or static) address, which may rotate
	RSSI          RSSI
	// TxPowerLevel is the TX Power Level AD value (0x0A), the radiated
	// power, when HasTxPowerLevel is true. It is not the calibrated 1 m
	// power of a beacon frame.
	TxPowerLevel    int8
	HasTxPowerLevel bool
	Time            time.Time // when it was received, by the observer's clock
	Observer        string    // gateway or phone id that heard it; "" if unknown

	Data         []byte // raw advertising data (AD structures), if the stack gives it
	ScanResponse []byte // raw scan response data, if any

	Manufacturer []ManufacturerData
	Service      []ServiceData
}

// Reset clears a for reuse, keeping the capacity of its lists.
func (a *Advertisement) Reset() {
	m, s := a.Manufacturer[:0], a.Service[:0]
	*a = Advertisement{Manufacturer: m, Service: s}
}

// AddManufacturerData appends manufacturer data that still starts with the
// two-byte little-endian company id (the form go-ble, paypal/gatt and
// noble use). Shorter input gets a *ParseError with ErrTruncated.
func (a *Advertisement) AddManufacturerData(prefixed []byte) error {
	if len(prefixed) < 2 {
		return perr(FormatManufacturerData, len(prefixed), ErrTruncated)
	}
	a.Manufacturer = append(a.Manufacturer, ManufacturerData{
		CompanyID: uint16(prefixed[0]) | uint16(prefixed[1])<<8, Data: prefixed[2:]})
	return nil
}

// AddManufacturerDataKeyed appends manufacturer data keyed by company id
// (the form tinygo, BlueZ and Android use).
func (a *Advertisement) AddManufacturerDataKeyed(companyID uint16, data []byte) {
	a.Manufacturer = append(a.Manufacturer, ManufacturerData{CompanyID: companyID, Data: data})
}

// AddServiceData appends service data keyed by a 16-, 32- or 128-bit UUID
// (use UUID16(0xFEAA) for Eddystone).
func (a *Advertisement) AddServiceData(uuid UUID, data []byte) {
	a.Service = append(a.Service, ServiceData{UUID: uuid, Data: data})
}

// AddServiceDataString appends service data keyed by a UUID string as
// BlueZ ("0000feaa-0000-1000-8000-00805f9b34fb") or noble ("feaa") print
// it. A malformed UUID gets the *ParseError of ParseUUID.
func (a *Advertisement) AddServiceDataString(uuid string, data []byte) error {
	u, err := ParseUUID(uuid)
	if err != nil {
		return err
	}
	a.AddServiceData(u, data)
	return nil
}

// SplitScanRecord splits Android's ScanRecord.getBytes() layout (the
// advertising data zero-padded to 31 bytes, then the scan response) into
// its two halves. Records of 31 bytes or less are all advertising data.
func SplitScanRecord(rec []byte) (adv, scanResponse []byte) {
	if len(rec) <= 31 {
		return rec, nil
	}
	return rec[:31], rec[31:]
}

// TxPower returns the TX Power Level: the TxPowerLevel field when
// HasTxPowerLevel is set, else the first TX Power Level AD structure (0x0A)
// in Data or ScanResponse. ok is false when there is none (or the raw data
// is malformed before one is found). It does not allocate.
func (a *Advertisement) TxPower() (dBm int8, ok bool) {
	if a.HasTxPowerLevel {
		return a.TxPowerLevel, true
	}
	for _, raw := range [2][]byte{a.Data, a.ScanResponse} {
		r := NewADReader(raw)
		for r.Next() {
			if s := r.Structure(); s.Type == ADTxPowerLevel && len(s.Data) == 1 {
				return int8(s.Data[0]), true
			}
		}
	}
	return 0, false
}
