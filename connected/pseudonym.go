package connected

import (
	"errors"
	"strconv"
)

// MinPseudonymKeyLen is the shortest key NewPseudonymizer and Pseudonym
// accept: 16 bytes (128 bits), the HMAC key size below which a brute force
// of the key becomes cheaper than one of the pseudonym itself.
const MinPseudonymKeyLen = 16

// PseudonymPrefix starts every pseudonym. The "1" is the version of the
// construction: a future change of domain, length or encoding gets a new
// prefix, so pseudonyms of different versions never collide.
const PseudonymPrefix = "ps1_"

// PseudonymLen is the length in bytes of every pseudonym: the prefix and
// 32 lowercase hex characters.
const PseudonymLen = len(PseudonymPrefix) + 32

// pseudonymDomain separates pseudonyms from partition keys and other
// HMACs a user might compute with the same key over the same identifiers.
const pseudonymDomain = "touchpoint/pseudonym/v1\x00"

// ErrPseudonymKey is matched (errors.Is) by the *PseudonymKeyError that
// NewPseudonymizer and Pseudonym return for a missing or short key.
var ErrPseudonymKey = errors.New("connected: pseudonym key missing or shorter than 16 bytes")

// PseudonymKeyError reports a pseudonym key that was refused: absent or
// shorter than MinPseudonymKeyLen. It matches ErrPseudonymKey.
type PseudonymKeyError struct {
	Len int // length of the key given, in bytes
}

// Error says how long the key was and how long it must be.
func (e *PseudonymKeyError) Error() string {
	if e.Len == 0 {
		return "connected: pseudonym key missing (need at least " + strconv.Itoa(MinPseudonymKeyLen) + " bytes)"
	}
	return "connected: pseudonym key has " + strconv.Itoa(e.Len) + " bytes, need at least " + strconv.Itoa(MinPseudonymKeyLen)
}

// Is reports whether target is ErrPseudonymKey.
func (e *PseudonymKeyError) Is(target error) bool { return target == ErrPseudonymKey }

// Pseudonymizer turns identifiers of people and devices (a MAC address, a
// BLE IRK, a serial number, a firmware's device id) into keyed pseudonyms
// that can leave the process in their place, typically as anonymousId.
//
// The pseudonym of id is PseudonymPrefix followed by the lowercase hex of
// the first 16 bytes of HMAC-SHA256(key, "touchpoint/pseudonym/v1" 0x00
// id): 36 ASCII characters, deterministic for a key and an identifier,
// stable across releases (the construction is versioned by the prefix),
// and unlinkable to the identifier without the key. Rotating the key
// changes every pseudonym. The mechanism (pooled HMACs, a small cache of
// recent identifiers) is the one the Client uses for partition keys; the
// domain string keeps the two from ever coinciding.
//
// A Pseudonymizer is safe for concurrent use. It keeps its own copy of the
// key.
type Pseudonymizer struct {
	k *keyer
}

// NewPseudonymizer returns a Pseudonymizer for key, or a
// *PseudonymKeyError (matching ErrPseudonymKey) when key is shorter than
// MinPseudonymKeyLen bytes.
func NewPseudonymizer(key []byte) (*Pseudonymizer, error) {
	if len(key) < MinPseudonymKeyLen {
		return nil, &PseudonymKeyError{Len: len(key)}
	}
	return &Pseudonymizer{k: newKeyer(append([]byte(nil), key...))}, nil
}

// Pseudonym returns the pseudonym of id (see Pseudonymizer). The empty
// identifier has a pseudonym like any other; callers decide whether "no
// identifier" should be sent at all. It allocates the returned string
// only.
func (p *Pseudonymizer) Pseudonym(id string) string {
	var buf [PseudonymLen]byte
	return string(p.AppendPseudonym(buf[:0], id))
}

// AppendPseudonym appends the pseudonym of id to dst. It does not allocate
// when dst has room for PseudonymLen more bytes and id was pseudonymised
// recently (or is short enough to be hashed from a stack buffer).
func (p *Pseudonymizer) AppendPseudonym(dst []byte, id string) []byte {
	dst = append(dst, PseudonymPrefix...)
	n := len(dst)
	dst = append(dst, make([]byte, 32)...) // no allocation when cap allows
	out := dst[n:]
	if p.k.lookup(out, id) {
		return dst
	}
	var stack [256]byte
	in := stack[:0]
	if len(pseudonymDomain)+len(id)+32 > len(stack) {
		in = make([]byte, 0, len(pseudonymDomain)+len(id)+32)
	}
	in = append(in, pseudonymDomain...)
	in = append(in, id...)
	p.k.sum(out, in)
	p.k.remember(out, id)
	return dst
}

// Pseudonym returns the pseudonym of id under key, as a Pseudonymizer for
// key would. It builds the HMAC state on every call: use a Pseudonymizer
// for more than a few identifiers. A key shorter than MinPseudonymKeyLen
// gets a *PseudonymKeyError (matching ErrPseudonymKey) and no pseudonym.
func Pseudonym(key []byte, id string) (string, error) {
	p, err := NewPseudonymizer(key)
	if err != nil {
		return "", err
	}
	return p.Pseudonym(id), nil
}
