package identity

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// Destination names an advertising destination whose match keys the graph
// can derive.
type Destination string

// The destinations.
const (
	// DestinationMeta is the Meta Conversions API: em = SHA-256 of the
	// trimmed, lower-case email; ph = SHA-256 of the E.164 digits without
	// '+'; external_id = SHA-256 of the user id.
	DestinationMeta Destination = "meta"
	// DestinationGoogle is Google Ads Enhanced Conversions: hashed email =
	// SHA-256 of the trimmed, lower-case email with the dots before the
	// domain removed for gmail.com and googlemail.com; hashed phone number
	// = SHA-256 of E.164 with '+'.
	DestinationGoogle Destination = "google"
)

// MatchKey is one destination match key: a destination field and its
// value, SHA-256 in lower-case hex.
type MatchKey struct {
	Destination Destination // the destination the key is for
	Field       string      // "em", "ph", "external_id"; "hashed_email", "hashed_phone_number"
	Value       string      // SHA-256 of the destination's normal form, lower-case hex
}

// MatchKey derives the match key of identifier id for destination dest,
// following that destination's documented normalization, from the
// identifier's identity form. Keys are derived on the way out, from the
// identifier an event carries; the graph stores none of them. A blocked
// placeholder (Normalizer.Blocked) is never hashed: a destination would
// match it against everyone who typed it. It returns an *IdentifierError
// for an invalid identifier, one wrapping ErrBlockedValue for a
// placeholder, or ErrNoMatchKey when the destination has no key for the
// type.
func (n *Normalizer) MatchKey(dest Destination, id Identifier) (MatchKey, error) {
	_, v, err := n.normalize(id)
	if err != nil {
		return MatchKey{}, err
	}
	mk := MatchKey{Destination: dest}
	var form string
	switch {
	case dest == DestinationMeta && id.Type == TypeEmail:
		mk.Field, form = "em", v
	case dest == DestinationMeta && id.Type == TypePhone:
		mk.Field, form = "ph", strings.TrimPrefix(v, "+")
	case dest == DestinationMeta && id.Type == TypeUserID:
		mk.Field, form = "external_id", v
	case dest == DestinationGoogle && id.Type == TypeEmail:
		mk.Field, form = "hashed_email", gmailDotless(v)
	case dest == DestinationGoogle && id.Type == TypePhone:
		mk.Field, form = "hashed_phone_number", v
	default:
		return MatchKey{}, ErrNoMatchKey
	}
	if n.blocked.blocked(id.Type, id.Value, v) {
		return MatchKey{}, &IdentifierError{Type: id.Type, Index: -1, Reason: "a blocked placeholder has no match key", Err: ErrBlockedValue}
	}
	mk.Value = sha256Hex(form)
	return mk, nil
}

// MatchKeys derives id's match keys for every destination that has one
// for its type (Meta first, then Google). It returns an *IdentifierError
// for an invalid identifier or a blocked placeholder (ErrBlockedValue, see
// MatchKey); a type no destination knows gives none.
func (n *Normalizer) MatchKeys(id Identifier) ([]MatchKey, error) {
	var out []MatchKey
	for _, d := range []Destination{DestinationMeta, DestinationGoogle} {
		mk, err := n.MatchKey(d, id)
		if err == ErrNoMatchKey {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, mk)
	}
	return out, nil
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
