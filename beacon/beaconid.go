package beacon

import (
	"strconv"
	"strings"
)

// BeaconID is a compact, comparable identity of a transmitter: an iBeacon
// (UUID, major, minor), an AltBeacon id, an Eddystone namespace+instance,
// an Eddystone URL, an Eddystone EID, or a bare device address. It can be
// used as a map key and costs no allocation to build or compare. The zero
// BeaconID (Kind FormatUnknown) means "none".
type BeaconID struct {
	Kind Format
	n    uint8
	b    [20]byte
}

// AddressID returns the BeaconID of a device known only by its address
// (a phone, tag or wearable heard by gateways).
func AddressID(a Address) BeaconID {
	id := BeaconID{Kind: FormatAddress, n: 6}
	copy(id.b[:], a[:])
	return id
}

// IsZero reports whether id is the zero BeaconID.
func (id BeaconID) IsZero() bool { return id.Kind == FormatUnknown }

// Bytes returns a copy of the identifier bytes (layout depends on Kind:
// UUID|major|minor for iBeacon, namespace|instance for Eddystone-UID,
// scheme|compressed URL for Eddystone-URL, the address for FormatAddress).
func (id BeaconID) Bytes() []byte { return append([]byte(nil), id.b[:id.n]...) }

// String returns the textual form ParseBeaconID accepts:
// "ibeacon:<uuid>:<major>:<minor>", "address:<AA:BB:..>", or "<kind>:<hex>"
// (the kind as Kind.String writes it).
func (id BeaconID) String() string {
	b, _ := id.AppendText(nil)
	return string(b)
}

// AppendText appends the String form; it never fails.
func (id BeaconID) AppendText(dst []byte) ([]byte, error) {
	dst = append(dst, id.Kind.String()...)
	dst = append(dst, ':')
	switch id.Kind {
	case FormatIBeacon:
		dst, _ = UUID(id.b[:16]).AppendText(dst)
		dst = append(dst, ':')
		dst = strconv.AppendUint(dst, uint64(be16(id.b[16:])), 10)
		dst = append(dst, ':')
		return strconv.AppendUint(dst, uint64(be16(id.b[18:])), 10), nil
	case FormatAddress:
		return append(dst, Address(id.b[:6]).String()...), nil
	}
	for _, c := range id.b[:id.n] {
		dst = append(dst, hexdigits[c>>4], hexdigits[c&15])
	}
	return dst, nil
}

// MarshalText implements encoding.TextMarshaler.
func (id BeaconID) MarshalText() ([]byte, error) { return id.AppendText(nil) }

// UnmarshalText implements encoding.TextUnmarshaler with ParseBeaconID.
func (id *BeaconID) UnmarshalText(b []byte) error {
	v, err := ParseBeaconID(string(b))
	if err != nil {
		return err
	}
	*id = v
	return nil
}

var idLengths = map[Format][2]int{ // min, max byte length per kind
	FormatAltBeacon: {20, 20}, FormatEddystoneUID: {16, 16}, FormatEddystoneURL: {2, 18},
	FormatEddystoneEID: {8, 8},
}

// ParseBeaconID parses the String form of a BeaconID. Malformed text gets
// a *ParseError{Format: FormatText} with ErrInvalid or ErrLength.
func ParseBeaconID(s string) (BeaconID, error) {
	kindStr, rest, ok := strings.Cut(s, ":")
	if !ok {
		return BeaconID{}, perr(FormatText, len(s), ErrInvalid)
	}
	kind := FormatUnknown
	for f := FormatIBeacon; f < formatCount; f++ {
		if f.String() == kindStr {
			kind = f
		}
	}
	off := len(kindStr) + 1
	switch kind {
	case FormatIBeacon:
		parts := strings.Split(rest, ":")
		if len(parts) != 3 {
			return BeaconID{}, perr(FormatText, off, ErrInvalid)
		}
		u, err := ParseUUID(parts[0])
		if err != nil {
			return BeaconID{}, perr(FormatText, off, ErrInvalid)
		}
		major, err1 := strconv.ParseUint(parts[1], 10, 16)
		minor, err2 := strconv.ParseUint(parts[2], 10, 16)
		if err1 != nil || err2 != nil {
			return BeaconID{}, perr(FormatText, off+len(parts[0])+1, ErrInvalid)
		}
		return IBeacon{UUID: u, Major: uint16(major), Minor: uint16(minor)}.ID(), nil
	case FormatAddress:
		a, err := ParseAddress(rest)
		if err != nil {
			return BeaconID{}, perr(FormatText, off, ErrInvalid)
		}
		return AddressID(a), nil
	}
	lim, ok := idLengths[kind]
	if !ok {
		return BeaconID{}, perr(FormatText, 0, ErrUnknownFormat)
	}
	if len(rest)%2 != 0 || len(rest)/2 < lim[0] || len(rest)/2 > lim[1] {
		return BeaconID{}, perr(FormatText, off, ErrLength)
	}
	id := BeaconID{Kind: kind, n: uint8(len(rest) / 2)}
	for i := 0; i < len(rest); i += 2 {
		hi, ok1 := unhex(rest[i])
		lo, ok2 := unhex(rest[i+1])
		if !ok1 || !ok2 {
			return BeaconID{}, perr(FormatText, off+i, ErrInvalid)
		}
		id.b[i/2] = hi<<4 | lo
	}
	return id, nil
}

// Pattern matches BeaconIDs, with wildcards: for example one iBeacon UUID
// with any major and minor 7. Build it with the Match* functions; the zero
// Pattern matches nothing.
type Pattern struct {
	kind Format
	n    uint8
	val  [20]byte
	mask [20]byte
}

// Any is the wildcard for the integer parts of MatchIBeacon.
const Any = -1

// MatchIBeacon matches iBeacons with the given UUID; major and minor are
// matched when they are in 0..65535 and ignored when they are Any (or any
// other negative value).
func MatchIBeacon(uuid UUID, major, minor int) Pattern {
	p := Pattern{kind: FormatIBeacon, n: 20}
	copy(p.val[:], uuid[:])
	for i := range 16 {
		p.mask[i] = 0xFF
	}
	if major >= 0 {
		p.val[16], p.val[17], p.mask[16], p.mask[17] = byte(major>>8), byte(major), 0xFF, 0xFF
	}
	if minor >= 0 {
		p.val[18], p.val[19], p.mask[18], p.mask[19] = byte(minor>>8), byte(minor), 0xFF, 0xFF
	}
	return p
}

// MatchEddystoneNamespace matches Eddystone-UID beacons of one namespace,
// any instance.
func MatchEddystoneNamespace(namespace [10]byte) Pattern {
	p := Pattern{kind: FormatEddystoneUID, n: 16}
	copy(p.val[:], namespace[:])
	for i := range 10 {
		p.mask[i] = 0xFF
	}
	return p
}

// MatchID matches exactly one BeaconID.
func MatchID(id BeaconID) Pattern {
	p := Pattern{kind: id.Kind, n: id.n, val: id.b}
	for i := range int(id.n) {
		p.mask[i] = 0xFF
	}
	return p
}

// Matches reports whether id matches p.
func (p Pattern) Matches(id BeaconID) bool {
	if p.kind == FormatUnknown || id.Kind != p.kind || id.n != p.n {
		return false
	}
	for i := range p.val {
		if (id.b[i]^p.val[i])&p.mask[i] != 0 {
			return false
		}
	}
	return true
}
