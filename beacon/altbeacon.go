package beacon

const (
	altBeaconCode0 = 0xBE
	altBeaconCode1 = 0xAC
	// AltBeaconLength is the length of AltBeacon manufacturer data
	// including the company id (AD length 0x1B).
	AltBeaconLength = 26
)

// AltBeacon is an AltBeacon v1.0 frame. It is recognised by its beacon code
// 0xBEAC, whatever the company id.
type AltBeacon struct {
	CompanyID  uint16   // MFG ID, any company (0x0118 is Radius Networks)
	Identifier [20]byte // beacon id, big-endian
	// RefRSSI is the average RSSI at 1 m in dBm; the spec allows 0..-127.
	RefRSSI int8
	// Reserved is the MFG_RESERVED byte (meaning defined per company,
	// often battery level) when HasReserved is true.
	Reserved    byte
	HasReserved bool
	Warnings    Warnings
}

// ParseAltBeacon decodes AltBeacon manufacturer data including the company
// id: MFG_ID[2] BE AC ID[20] REF_RSSI MFG_RESERVED (26 bytes). The spec
// allows only that length; 25 bytes (no MFG_RESERVED, AD length 0x1A,
// which android-beacon-library accepts) are accepted with
// WarnMissingReserved and HasReserved false. Anything else gets a
// *ParseError: ErrUnknownFormat without the 0xBEAC code, ErrTruncated when
// short, ErrLength when long. It does not allocate on success.
func ParseAltBeacon(data []byte) (AltBeacon, error) {
	if len(data) < 2 {
		return AltBeacon{}, perr(FormatAltBeacon, len(data), ErrTruncated)
	}
	return parseAltBeacon(le16(data), data[2:], 2)
}

func parseAltBeacon(company uint16, p []byte, base int) (AltBeacon, error) {
	var f AltBeacon
	err := f.parse(company, p, base)
	return f, err
}

// parse decodes the payload after the company id into f, which must be
// zero; on error f is left zero.
func (f *AltBeacon) parse(company uint16, p []byte, base int) error {
	switch {
	case len(p) < 2:
		return perr(FormatAltBeacon, base+len(p), ErrTruncated)
	case p[0] != altBeaconCode0 || p[1] != altBeaconCode1:
		return perr(FormatAltBeacon, base, ErrUnknownFormat)
	case len(p) < AltBeaconLength-3:
		return perr(FormatAltBeacon, base+len(p), ErrTruncated)
	case len(p) > AltBeaconLength-2:
		return perr(FormatAltBeacon, base+AltBeaconLength-2, ErrLength)
	}
	f.CompanyID, f.Identifier, f.RefRSSI = company, [20]byte(p[2:22]), int8(p[22])
	if len(p) == AltBeaconLength-2 {
		f.Reserved, f.HasReserved = p[23], true
	} else {
		f.Warnings |= WarnMissingReserved
	}
	if f.Identifier == [20]byte{} {
		f.Warnings |= WarnZeroID
	}
	if f.RefRSSI > 0 || f.RefRSSI == -128 {
		f.Warnings |= WarnTxPowerRange
	}
	return nil
}

// ID1 returns the first 16 bytes of the beacon id, as libraries print it.
func (f AltBeacon) ID1() UUID { return UUID(f.Identifier[:16]) }

// ID2 returns bytes 16-17 of the beacon id.
func (f AltBeacon) ID2() uint16 { return be16(f.Identifier[16:]) }

// ID3 returns bytes 18-19 of the beacon id.
func (f AltBeacon) ID3() uint16 { return be16(f.Identifier[18:]) }

// AppendManufacturerData appends the manufacturer data (company id first)
// that ParseAltBeacon accepts: 26 bytes, or 25 when HasReserved is false.
func (f AltBeacon) AppendManufacturerData(dst []byte) []byte {
	dst = append(dst, byte(f.CompanyID), byte(f.CompanyID>>8), altBeaconCode0, altBeaconCode1)
	dst = append(dst, f.Identifier[:]...)
	dst = append(dst, byte(f.RefRSSI))
	if f.HasReserved {
		dst = append(dst, f.Reserved)
	}
	return dst
}

// AppendAD appends the Flags structure and the manufacturer-data structure
// (AD length 0x1B, or 0x1A without the reserved byte).
func (f AltBeacon) AppendAD(dst []byte) []byte {
	dst = append(dst, flagsAD[:]...)
	n := AltBeaconLength
	if !f.HasReserved {
		n--
	}
	dst = append(dst, byte(n+1), ADManufacturerData)
	return f.AppendManufacturerData(dst)
}

// ID returns the identity of the beacon (its 20-byte id).
func (f AltBeacon) ID() BeaconID {
	return BeaconID{Kind: FormatAltBeacon, n: 20, b: f.Identifier}
}
