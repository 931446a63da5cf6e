package beacon

import (
	"time"
)

const (
	tlmVersionPlain     = 0x00
	tlmVersionEncrypted = 0x01
	tlmLen              = 14
	etlmLen             = 18
	// TLMTempNotSupported is the TEMP value meaning "not supported".
	TLMTempNotSupported int16 = -0x8000
)

// EddystoneTLM is an unencrypted Eddystone-TLM frame (version 0). It has no
// identity of its own: pair it with the UID or URL frame sent from the same
// address (see TelemetryJoiner).
type EddystoneTLM struct {
	// VBatt is the battery voltage in mV; 0 means "not supported" (mains
	// or USB powered). Use Battery.
	VBatt uint16
	// Temp is the temperature in signed 8.8 fixed point degrees Celsius;
	// TLMTempNotSupported (0x8000) means "not supported". Use Temperature.
	Temp int16
	// AdvCount counts advertising PDUs since power-up or reboot.
	AdvCount uint32
	// SecCount is the time since power-up or reboot in 0.1 s units. Use
	// Uptime.
	SecCount uint32
	Warnings Warnings
}

// Battery returns the battery voltage in millivolts, and false when the
// beacon does not report one (VBatt 0).
func (t EddystoneTLM) Battery() (millivolts int, ok bool) { return int(t.VBatt), t.VBatt != 0 }

// Temperature returns the temperature in degrees Celsius, and false when
// the beacon does not report one (0x8000).
func (t EddystoneTLM) Temperature() (celsius float64, ok bool) {
	if t.Temp == TLMTempNotSupported {
		return 0, false
	}
	return float64(t.Temp) / 256, true
}

// Uptime returns SecCount as a duration (SecCount counts 0.1 s).
func (t EddystoneTLM) Uptime() time.Duration {
	return time.Duration(t.SecCount) * 100 * time.Millisecond
}

// ParseEddystoneTLM decodes unencrypted Eddystone-TLM service data:
// 20 00 VBATT[2] TEMP[2] ADV_CNT[4] SEC_CNT[4], exactly 14 bytes, all
// big-endian. Version 0x01 (encrypted TLM) gets ErrUnknownFormat here (use
// ParseEddystoneETLM or ParseEddystone); other versions get ErrUnknownFormat;
// short input ErrTruncated, long input ErrLength; all as *ParseError. It
// does not allocate on success.
func ParseEddystoneTLM(data []byte) (EddystoneTLM, error) {
	if len(data) > 0 && data[0] != EddystoneTypeTLM {
		return EddystoneTLM{}, perr(FormatEddystoneTLM, 0, ErrUnknownFormat)
	}
	return parseTLM(data, 0)
}

func parseTLM(p []byte, base int) (EddystoneTLM, error) {
	var f EddystoneTLM
	err := f.parse(p, base)
	return f, err
}

// parse decodes p into f, which must be zero; on error f is left zero.
func (f *EddystoneTLM) parse(p []byte, base int) error {
	switch {
	case len(p) < 2:
		return perr(FormatEddystoneTLM, base+len(p), ErrTruncated)
	case p[1] != tlmVersionPlain:
		return perr(FormatEddystoneTLM, base+1, ErrUnknownFormat)
	case len(p) < tlmLen:
		return perr(FormatEddystoneTLM, base+len(p), ErrTruncated)
	case len(p) > tlmLen:
		return perr(FormatEddystoneTLM, base+tlmLen, ErrLength)
	}
	*f = EddystoneTLM{
		VBatt:    be16(p[2:]),
		Temp:     int16(be16(p[4:])),
		AdvCount: be32(p[6:]),
		SecCount: be32(p[10:]),
	}
	return nil
}

// AppendServiceData appends the 14-byte service data ParseEddystoneTLM
// accepts.
func (t EddystoneTLM) AppendServiceData(dst []byte) []byte {
	dst = append(dst, EddystoneTypeTLM, tlmVersionPlain, byte(t.VBatt>>8), byte(t.VBatt),
		byte(uint16(t.Temp)>>8), byte(t.Temp))
	dst = append(dst, byte(t.AdvCount>>24), byte(t.AdvCount>>16), byte(t.AdvCount>>8), byte(t.AdvCount))
	return append(dst, byte(t.SecCount>>24), byte(t.SecCount>>16), byte(t.SecCount>>8), byte(t.SecCount))
}

// AppendAD appends a complete advertising payload.
func (t EddystoneTLM) AppendAD(dst []byte) []byte {
	return t.AppendServiceData(appendEddystoneAD(dst, tlmLen))
}

// EncryptedTLM is an encrypted Eddystone-TLM frame (version 1), the
// companion of EID. Decrypting it (AES-EAX with the beacon's identity key)
// is a resolver's job; this package surfaces the parts unchanged.
type EncryptedTLM struct {
	ETLM     [12]byte // the encrypted telemetry
	Salt     uint16   // big-endian per spec
	MIC      uint16   // 16-bit message integrity check, big-endian per spec
	Warnings Warnings
}

// ParseEddystoneETLM decodes encrypted Eddystone-TLM service data:
// 20 01 ETLM[12] SALT[2] MIC[2], exactly 18 bytes. A version other than
// 0x01 gets ErrUnknownFormat, short input ErrTruncated, long input
// ErrLength, as *ParseError. It does not allocate on success.
func ParseEddystoneETLM(data []byte) (EncryptedTLM, error) {
	if len(data) > 0 && data[0] != EddystoneTypeTLM {
		return EncryptedTLM{}, perr(FormatEddystoneETLM, 0, ErrUnknownFormat)
	}
	return parseETLM(data, 0)
}

func parseETLM(p []byte, base int) (EncryptedTLM, error) {
	var f EncryptedTLM
	err := f.parse(p, base)
	return f, err
}

// parse decodes p into f, which must be zero; on error f is left zero.
func (f *EncryptedTLM) parse(p []byte, base int) error {
	switch {
	case len(p) < 2:
		return perr(FormatEddystoneETLM, base+len(p), ErrTruncated)
	case p[1] != tlmVersionEncrypted:
		return perr(FormatEddystoneETLM, base+1, ErrUnknownFormat)
	case len(p) < etlmLen:
		return perr(FormatEddystoneETLM, base+len(p), ErrTruncated)
	case len(p) > etlmLen:
		return perr(FormatEddystoneETLM, base+etlmLen, ErrLength)
	}
	*f = EncryptedTLM{ETLM: [12]byte(p[2:14]), Salt: be16(p[14:]), MIC: be16(p[16:])}
	return nil
}

// AppendServiceData appends the 18-byte service data ParseEddystoneETLM
// accepts.
func (t EncryptedTLM) AppendServiceData(dst []byte) []byte {
	dst = append(dst, EddystoneTypeTLM, tlmVersionEncrypted)
	dst = append(dst, t.ETLM[:]...)
	return append(dst, byte(t.Salt>>8), byte(t.Salt), byte(t.MIC>>8), byte(t.MIC))
}

// AppendAD appends a complete advertising payload.
func (t EncryptedTLM) AppendAD(dst []byte) []byte {
	return t.AppendServiceData(appendEddystoneAD(dst, etlmLen))
}
