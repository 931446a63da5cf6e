package beacon

// Eddystone frame types (high nibble of the first service-data byte; the
// low nibble is reserved and must be zero).
const (
	EddystoneTypeUID byte = 0x00
	EddystoneTypeURL byte = 0x10
	EddystoneTypeTLM byte = 0x20
	EddystoneTypeEID byte = 0x30
)

// ParseEddystone decodes Eddystone service data (the bytes after the 0xFEAA
// UUID, frame type first) into a Frame. Empty input is ErrTruncated (a
// *ParseError at offset 0). A frame type other than the four Eddystone
// ones (0x00 UID, 0x10 URL, 0x20 TLM, 0x30 EID) is not a malformation:
// vendors put their own sensor frames under 0xFEAA (KKM and Blue Charm
// "KSensor" frames start 0x21 0x01), so it gets the bare ErrNotBeacon like
// any other non-beacon payload. The per-type rules are those of
// ParseEddystoneUID, ParseEddystoneURL, ParseEddystoneTLM and
// ParseEddystoneEID. It does not allocate on success.
func ParseEddystone(data []byte) (Frame, error) {
	var f Frame
	err := f.parseEddystone(data, 0)
	return f, err
}

// parseEddystone decodes into f, which must be zero; on error the caller
// zeroes f.
func (f *Frame) parseEddystone(p []byte, base int) error {
	var err error
	if len(p) == 0 {
		return perr(FormatEddystone, base, ErrTruncated)
	}
	switch p[0] {
	case EddystoneTypeUID:
		if err = f.UID.parse(p, base); err == nil {
			f.Format = FormatEddystoneUID
		}
	case EddystoneTypeURL:
		if err = f.URL.parse(p, base); err == nil {
			f.Format = FormatEddystoneURL
		}
	case EddystoneTypeTLM:
		if len(p) >= 2 && p[1] == tlmVersionEncrypted {
			if err = f.ETLM.parse(p, base); err == nil {
				f.Format = FormatEddystoneETLM
			}
		} else if err = f.TLM.parse(p, base); err == nil {
			f.Format = FormatEddystoneTLM
		}
	case EddystoneTypeEID:
		if err = f.EID.parse(p, base); err == nil {
			f.Format = FormatEddystoneEID
		}
	default:
		return ErrNotBeacon // a vendor frame under the Eddystone UUID
	}
	return err
}

// eddystoneTxWarn flags a 0 m power outside the spec's -100..+20 dBm.
func eddystoneTxWarn(tx int8) Warnings {
	if tx < -100 || tx > 20 {
		return WarnTxPowerRange
	}
	return 0
}

// appendEddystoneAD appends Flags, the complete 16-bit UUID list with
// 0xFEAA, and the service-data header; the caller appends the frame.
func appendEddystoneAD(dst []byte, frameLen int) []byte {
	dst = append(dst, flagsAD[:]...)
	dst = append(dst, 0x03, ADCompleteUUID16, 0xAA, 0xFE)
	return append(dst, byte(frameLen+3), ADServiceData16, 0xAA, 0xFE)
}

// EddystoneCorrection is the loss in dB over the first metre at 2.4 GHz
// that the Eddystone spec uses to turn its 0 m calibrated power into the
// 1 m reference power of iBeacon and AltBeacon: p1m = tx0m - 41.
const EddystoneCorrection = 41
