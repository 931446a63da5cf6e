package identity

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
)

// Type names a kind of identifier: "email", "phone", "device_id", or a custom
// type declared with WithRule. Names are lower case ASCII letters, digits,
// '_' and '.', starting with a letter, at most 64 bytes.
type Type string

// The built-in identifier types. Their rules (scope, limit, priority,
// supernode threshold, ownership gap) are listed in the package
// documentation and can be overridden with WithRule.
const (
	TypeUserID         Type = "user_id"         // the customer's account id (Segment userId)
	TypeEmail          Type = "email"           // an email address
	TypePhone          Type = "phone"           // a phone number, normalized to E.164
	TypeLoyaltyID      Type = "loyalty_id"      // a loyalty card or membership number
	TypeAnonymousID    Type = "anonymous_id"    // a browser or app install id (Segment anonymousId)
	TypeDeviceID       Type = "device_id"       // a phone, tablet or kiosk device id
	TypeAdvertisingID  Type = "advertising_id"  // IDFA / GAID
	TypeWearableSerial Type = "wearable_serial" // a wearable's serial number or BLE address
	TypeAssetSerial    Type = "asset_serial"    // an installed product: "<product or maker>:<serial>", or its pseudonym
	TypeVIN            Type = "vin"             // a vehicle identification number, or its pseudonym (household scope)
	TypeHouseholdID    Type = "household_id"    // a household: a smart-home instance or account (household scope)
	TypeHomeDeviceID   Type = "home_device_id"  // a household's shared device: a smart TV, a thermostat (household scope)
	TypeBeaconID       Type = "beacon_id"       // a BLE beacon (place scope)
	TypeGatewayID      Type = "gateway_id"      // a store gateway (place scope)
)

// Identifier is one identifier as it arrives: a type and a raw value. The
// graph normalizes the value per type (see Normalizer.Normalize) before it
// keys or stores anything.
type Identifier struct {
	Type  Type   // the identifier's type; it must have a rule
	Value string // the raw value, normalized by the graph
}

// Key is the stored form of a normalized identifier: the first 16 bytes of
// HMAC-SHA256(secret, "touchpoint/identity/v1" 0x00 type 0x00 value). The
// graph, its store, its tombstones and the link facts it emits hold keys,
// never values (unless WithPlaintext is set).
type Key [16]byte

// String returns the key as 32 lower-case hex characters.
func (k Key) String() string { return hex.EncodeToString(k[:]) }

// ParseKey parses 32 hex characters into a Key. It returns an
// *IdentifierError matching ErrInvalidIdentifier otherwise.
func ParseKey(s string) (Key, error) {
	var k Key
	if len(s) != 2*len(k) {
		return k, &IdentifierError{Index: -1, Reason: "key must be 32 hex characters"}
	}
	if _, err := hex.Decode(k[:], []byte(s)); err != nil {
		return Key{}, &IdentifierError{Index: -1, Reason: "key is not hex"}
	}
	return k, nil
}

// Ref names a stored identifier without its value: its type and key. Value
// is the normalized value when the graph keeps plaintext (WithPlaintext),
// and empty otherwise.
type Ref struct {
	Type  Type   // the identifier's type
	Key   Key    // the keyed hash of its normalized value
	Value string // its normalized value, only with WithPlaintext
}

// String returns "type:key" (or "type:value" when Value is set).
func (r Ref) String() string {
	if r.Value != "" {
		return string(r.Type) + ":" + r.Value
	}
	return string(r.Type) + ":" + r.Key.String()
}

const keyDomain = "touchpoint/identity/v1\x00"

// keyer computes keys with one reusable HMAC state. It is not safe for
// concurrent use; the graph keeps one per lock holder.
type keyer struct {
	mac hash.Hash
	buf []byte
	sum []byte
}

func newKeyer(secret []byte) *keyer {
	return &keyer{mac: hmac.New(sha256.New, secret), buf: make([]byte, 0, 128), sum: make([]byte, 0, 32)}
}

// key returns the key of a normalized value of type t.
func (k *keyer) key(t Type, normalized string) Key {
	k.buf = append(k.buf[:0], keyDomain...)
	k.buf = append(k.buf, t...)
	k.buf = append(k.buf, 0)
	k.buf = append(k.buf, normalized...)
	k.mac.Reset()
	k.mac.Write(k.buf)
	k.sum = k.mac.Sum(k.sum[:0])
	var out Key
	copy(out[:], k.sum)
	return out
}

// validTypeName reports whether s is a valid Type name.
func validTypeName(s string) bool {
	if len(s) == 0 || len(s) > 64 || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}
