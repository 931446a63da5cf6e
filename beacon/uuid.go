package beacon

// UUID is a 128-bit UUID in canonical (big-endian, as printed) byte order.
// Bluetooth 16- and 32-bit UUIDs are UUIDs built on the Bluetooth base UUID
// 0000xxxx-0000-1000-8000-00805f9b34fb. Note that AD structures carry UUIDs
// little-endian; the AD walker and Advertisement helpers convert.
type UUID [16]byte

// EddystoneServiceUUID is the 16-bit service UUID 0xFEAA of Eddystone.
const EddystoneServiceUUID uint16 = 0xFEAA

var baseUUID = UUID{0, 0, 0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0x80, 0x5f, 0x9b, 0x34, 0xfb}

// UUID16 returns the 128-bit form of a 16-bit Bluetooth UUID.
func UUID16(v uint16) UUID { return UUID32(uint32(v)) }

// UUID32 returns the 128-bit form of a 32-bit Bluetooth UUID.
func UUID32(v uint32) UUID {
	u := baseUUID
	u[0], u[1], u[2], u[3] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v)
	return u
}

// Short returns the 16-bit value of u and true if u is a 16-bit Bluetooth
// UUID (built on the base UUID).
func (u UUID) Short() (uint16, bool) {
	if u[0] != 0 || u[1] != 0 || [12]byte(u[4:]) != [12]byte(baseUUID[4:]) {
		return 0, false
	}
	return uint16(u[2])<<8 | uint16(u[3]), true
}

// IsZero reports whether every byte is zero.
func (u UUID) IsZero() bool { return u == UUID{} }

// UUIDFromLE returns the UUID whose little-endian (AD-structure) encoding
// is b: b reversed.
func UUIDFromLE(b [16]byte) UUID {
	var u UUID
	for i := range b {
		u[i] = b[15-i]
	}
	return u
}

const hexdigits = "0123456789abcdef"

// String returns the canonical lower-case 8-4-4-4-12 form.
func (u UUID) String() string {
	b, _ := u.AppendText(make([]byte, 0, 36))
	return string(b)
}

// AppendText appends the canonical form to dst. It never fails; the error
// result satisfies encoding.TextAppender.
func (u UUID) AppendText(dst []byte) ([]byte, error) {
	for i, c := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			dst = append(dst, '-')
		}
		dst = append(dst, hexdigits[c>>4], hexdigits[c&15])
	}
	return dst, nil
}

// MarshalText implements encoding.TextMarshaler (canonical form).
func (u UUID) MarshalText() ([]byte, error) { return u.AppendText(nil) }

// UnmarshalText implements encoding.TextUnmarshaler with ParseUUID.
func (u *UUID) UnmarshalText(b []byte) error {
	v, err := parseUUID(b)
	if err != nil {
		return err
	}
	*u = v
	return nil
}

// ParseUUID parses a UUID as BLE stacks print them: 4 hex digits (16-bit,
// "feaa"), 8 hex digits (32-bit), 32 hex digits, or the 36-character
// dashed form ("0000feaa-0000-1000-8000-00805f9b34fb", as BlueZ keys
// service data). An optional "0x" prefix is accepted for the short forms.
// Case is ignored. Malformed input gets a *ParseError with ErrInvalid whose
// Offset is the first bad character.
func ParseUUID(s string) (UUID, error) { return parseUUID([]byte(s)) }

func parseUUID(s []byte) (UUID, error) {
	base := 0
	if len(s) == 6 || len(s) == 10 {
		if s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
			s, base = s[2:], 2
		}
	}
	switch len(s) {
	case 4, 8:
		var v uint32
		for i, c := range s {
			d, ok := unhex(c)
			if !ok {
				return UUID{}, perr(FormatText, base+i, ErrInvalid)
			}
			v = v<<4 | uint32(d)
		}
		return UUID32(v), nil
	case 32, 36:
		var u UUID
		n := 0
		for i := 0; i < len(s); i++ {
			if len(s) == 36 && (i == 8 || i == 13 || i == 18 || i == 23) {
				if s[i] != '-' {
					return UUID{}, perr(FormatText, base+i, ErrInvalid)
				}
				continue
			}
			d, ok := unhex(s[i])
			if !ok {
				return UUID{}, perr(FormatText, base+i, ErrInvalid)
			}
			u[n/2] |= d << (4 * (1 - n%2))
			n++
		}
		return u, nil
	}
	return UUID{}, perr(FormatText, base+len(s), ErrLength)
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
