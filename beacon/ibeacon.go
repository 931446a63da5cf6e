package beacon

// AppleCompanyID is Apple's Bluetooth SIG company identifier.
const AppleCompanyID uint16 = 0x004C

const (
	iBeaconType    = 0x02
	iBeaconLen     = 0x15 // bytes after the length byte
	iBeaconPayload = 2 + iBeaconLen
	// IBeaconLength is the length of iBeacon manufacturer data including
	// the company id.
	IBeaconLength = 2 + iBeaconPayload
)

// IBeacon is an Apple iBeacon frame.
type IBeacon struct {
	UUID  UUID   // proximity UUID; Apple forbids all zeros (WarnZeroID)
	Major uint16 // 0 means "unset" by Apple's rules
	Minor uint16 // 0 means "unset" by Apple's rules
	// MeasuredPower is the calibrated RSSI at 1 m in dBm (signed).
	MeasuredPower int8
	// VendorByte is the one byte some vendors append after the 25 bytes
	// of the frame (a battery level or a firmware flag), valid when
	// HasVendorByte is set; the frame then carries WarnVendorByte.
	VendorByte    byte
	HasVendorByte bool
	Warnings      Warnings
}

// ParseIBeacon decodes iBeacon manufacturer data including the company id
// (IBeaconLength = 25 bytes: 4C 00 02 15 UUID[16] MAJOR[2] MINOR[2]
// POWER). Major and minor are big-endian. One further byte, which some
// vendors' beacons append, is kept in VendorByte and flagged with
// WarnVendorByte: the identity is intact. A company other than Apple, an
// Apple payload type other than 0x02 (ErrUnknownFormat), an inner length
// other than 0x15 (ErrLength) and short or long input (ErrTruncated,
// ErrLength) are rejected with a *ParseError. It does not allocate on
// success.
func ParseIBeacon(data []byte) (IBeacon, error) {
	if len(data) < 2 {
		return IBeacon{}, perr(FormatIBeacon, len(data), ErrTruncated)
	}
	if c := le16(data); c != AppleCompanyID {
		return IBeacon{}, perr(FormatIBeacon, 0, ErrUnknownFormat)
	}
	return parseIBeacon(data[2:], 2)
}

func parseIBeacon(p []byte, base int) (IBeacon, error) {
	var f IBeacon
	err := f.parse(p, base)
	return f, err
}

// parse decodes the payload after the company id into f, which must be
// zero; on error f is left zero.
func (f *IBeacon) parse(p []byte, base int) error {
	switch {
	case len(p) < 1:
		return perr(FormatIBeacon, base, ErrTruncated)
	case p[0] != iBeaconType:
		return perr(FormatIBeacon, base, ErrUnknownFormat)
	case len(p) < 2:
		return perr(FormatIBeacon, base+1, ErrTruncated)
	case p[1] != iBeaconLen:
		return perr(FormatIBeacon, base+1, ErrLength)
	case len(p) < iBeaconPayload:
		return perr(FormatIBeacon, base+len(p), ErrTruncated)
	case len(p) > iBeaconPayload+1:
		return perr(FormatIBeacon, base+iBeaconPayload+1, ErrLength)
	}
	if len(p) == iBeaconPayload+1 {
		f.VendorByte, f.HasVendorByte = p[iBeaconPayload], true
		f.Warnings |= WarnVendorByte
	}
	f.UUID = UUID(p[2:18])
	f.Major, f.Minor, f.MeasuredPower = be16(p[18:]), be16(p[20:]), int8(p[22])
	if f.UUID == (UUID{}) {
		f.Warnings |= WarnZeroID
	}
	if f.MeasuredPower >= 0 || f.MeasuredPower == -128 {
		f.Warnings |= WarnTxPowerRange
	}
	return nil
}

// AppendManufacturerData appends the 25-byte manufacturer data (company id
// first) that ParseIBeacon accepts, and VendorByte when HasVendorByte is
// set. Warnings is not encoded.
func (f IBeacon) AppendManufacturerData(dst []byte) []byte {
	dst = append(dst, byte(AppleCompanyID), byte(AppleCompanyID>>8), iBeaconType, iBeaconLen)
	dst = append(dst, f.UUID[:]...)
	dst = append(dst, byte(f.Major>>8), byte(f.Major), byte(f.Minor>>8), byte(f.Minor), byte(f.MeasuredPower))
	if f.HasVendorByte {
		dst = append(dst, f.VendorByte)
	}
	return dst
}

// AppendAD appends a complete 30-byte advertising payload (31 with a
// vendor byte): the Flags structure (0x06) and the manufacturer-data
// structure (length 0x1A, or 0x1B).
func (f IBeacon) AppendAD(dst []byte) []byte {
	dst = append(dst, flagsAD[:]...)
	n := byte(IBeaconLength + 1)
	if f.HasVendorByte {
		n++
	}
	dst = append(dst, n, ADManufacturerData)
	return f.AppendManufacturerData(dst)
}

// ID returns the identity of the beacon (UUID, major, minor).
func (f IBeacon) ID() BeaconID {
	id := BeaconID{Kind: FormatIBeacon, n: 20}
	copy(id.b[:], f.UUID[:])
	id.b[16], id.b[17], id.b[18], id.b[19] = byte(f.Major>>8), byte(f.Major), byte(f.Minor>>8), byte(f.Minor)
	return id
}

func le16(b []byte) uint16 { return uint16(b[0]) | uint16(b[1])<<8 }
func be16(b []byte) uint16 { return uint16(b[0])<<8 | uint16(b[1]) }
func be32(b []byte) uint32 {
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}
