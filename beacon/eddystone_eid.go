package beacon

const eidLen = 10

// EddystoneEID is an Eddystone-EID frame: an ephemeral identifier that
// rotates every 2^K seconds. Resolving it to a stable identity requires the
// beacon's identity key, which only a resolver service holds; this package
// passes it through unchanged (see TrackerConfig.ResolveEID).
type EddystoneEID struct {
	TxPower  int8    // calibrated power at 0 m in dBm
	EID      [8]byte // the ephemeral identifier
	Warnings Warnings
}

// ParseEddystoneEID decodes Eddystone-EID service data: 30 TX EID[8],
// exactly 10 bytes. Short input is ErrTruncated, long input ErrLength, a
// different frame type ErrUnknownFormat, each as a *ParseError. It does not
// allocate on success.
func ParseEddystoneEID(data []byte) (EddystoneEID, error) {
	if len(data) > 0 && data[0] != EddystoneTypeEID {
		return EddystoneEID{}, perr(FormatEddystoneEID, 0, ErrUnknownFormat)
	}
	return parseEID(data, 0)
}

func parseEID(p []byte, base int) (EddystoneEID, error) {
	var f EddystoneEID
	err := f.parse(p, base)
	return f, err
}

// parse decodes p into f, which must be zero; on error f is left zero.
func (f *EddystoneEID) parse(p []byte, base int) error {
	if len(p) < eidLen {
		return perr(FormatEddystoneEID, base+len(p), ErrTruncated)
	}
	if len(p) > eidLen {
		return perr(FormatEddystoneEID, base+eidLen, ErrLength)
	}
	*f = EddystoneEID{TxPower: int8(p[1]), EID: [8]byte(p[2:10])}
	f.Warnings = eddystoneTxWarn(f.TxPower)
	return nil
}

// AppendServiceData appends the 10-byte service data ParseEddystoneEID
// accepts.
func (f EddystoneEID) AppendServiceData(dst []byte) []byte {
	dst = append(dst, EddystoneTypeEID, byte(f.TxPower))
	return append(dst, f.EID[:]...)
}

// AppendAD appends a complete advertising payload.
func (f EddystoneEID) AppendAD(dst []byte) []byte {
	return f.AppendServiceData(appendEddystoneAD(dst, eidLen))
}

// ID returns the ephemeral identifier as a BeaconID of kind
// FormatEddystoneEID; it changes whenever the beacon rotates it.
func (f EddystoneEID) ID() BeaconID {
	id := BeaconID{Kind: FormatEddystoneEID, n: 8}
	copy(id.b[:], f.EID[:])
	return id
}
