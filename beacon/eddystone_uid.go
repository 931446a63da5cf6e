package beacon

const (
	uidLen      = 20
	uidLenNoRFU = 18
)

// EddystoneUID is an Eddystone-UID frame.
type EddystoneUID struct {
	TxPower   int8     // calibrated power at 0 m in dBm; the spec allows -100..+20
	Namespace [10]byte // namespace id
	Instance  [6]byte  // instance id
	// RFU holds the two reserved bytes when HasRFU is true; the spec
	// requires zeros (WarnReservedNonZero otherwise).
	RFU      [2]byte
	HasRFU   bool
	Warnings Warnings
}

// ParseEddystoneUID decodes Eddystone-UID service data (frame type 0x00
// first): 00 TX NID[10] BID[6] RFU[2]. 20 bytes is the spec length; the
// 18-byte form without RFU that existing beacons send (AD length 0x15) is
// accepted with WarnMissingReserved. Other lengths get a *ParseError
// (ErrTruncated when short, ErrLength when long); a different frame type
// gets ErrUnknownFormat. It does not allocate on success.
func ParseEddystoneUID(data []byte) (EddystoneUID, error) {
	if len(data) > 0 && data[0] != EddystoneTypeUID {
		return EddystoneUID{}, perr(FormatEddystoneUID, 0, ErrUnknownFormat)
	}
	return parseUID(data, 0)
}

func parseUID(p []byte, base int) (EddystoneUID, error) {
	var f EddystoneUID
	err := f.parse(p, base)
	return f, err
}

// parse decodes p into f, which must be zero; on error f is left zero.
func (f *EddystoneUID) parse(p []byte, base int) error {
	switch {
	case len(p) < uidLenNoRFU:
		return perr(FormatEddystoneUID, base+len(p), ErrTruncated)
	case len(p) == uidLenNoRFU+1:
		return perr(FormatEddystoneUID, base+len(p), ErrTruncated)
	case len(p) > uidLen:
		return perr(FormatEddystoneUID, base+uidLen, ErrLength)
	}
	*f = EddystoneUID{TxPower: int8(p[1]), Namespace: [10]byte(p[2:12]), Instance: [6]byte(p[12:18])}
	f.Warnings = eddystoneTxWarn(f.TxPower)
	if len(p) == uidLen {
		f.RFU, f.HasRFU = [2]byte(p[18:20]), true
		if f.RFU != [2]byte{} {
			f.Warnings |= WarnReservedNonZero
		}
	} else {
		f.Warnings |= WarnMissingReserved
	}
	if f.Namespace == [10]byte{} && f.Instance == [6]byte{} {
		f.Warnings |= WarnZeroID
	}
	return nil
}

// AppendServiceData appends the service data (frame type first) that
// ParseEddystoneUID accepts: 20 bytes, or 18 when HasRFU is false.
func (f EddystoneUID) AppendServiceData(dst []byte) []byte {
	dst = append(dst, EddystoneTypeUID, byte(f.TxPower))
	dst = append(dst, f.Namespace[:]...)
	dst = append(dst, f.Instance[:]...)
	if f.HasRFU {
		dst = append(dst, f.RFU[:]...)
	}
	return dst
}

func (f EddystoneUID) frameLen() int {
	if f.HasRFU {
		return uidLen
	}
	return uidLenNoRFU
}

// AppendAD appends a complete advertising payload: Flags, the 0xFEAA UUID
// list and the service-data structure.
func (f EddystoneUID) AppendAD(dst []byte) []byte {
	return f.AppendServiceData(appendEddystoneAD(dst, f.frameLen()))
}

// ID returns the identity of the beacon (namespace and instance).
func (f EddystoneUID) ID() BeaconID {
	id := BeaconID{Kind: FormatEddystoneUID, n: 16}
	copy(id.b[:10], f.Namespace[:])
	copy(id.b[10:16], f.Instance[:])
	return id
}
