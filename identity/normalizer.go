package identity

import (
	"errors"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// ErrInvisibleIdentifier is wrapped by the *IdentifierError of a value made
// only of characters that show nothing: white space, control and format
// characters (zero-width space and joiners, word joiner, byte-order mark,
// soft hyphen, bidirectional marks), variation selectors, Hangul fillers,
// the braille blank. Such a value looks empty but would key a profile of
// its own.
var ErrInvisibleIdentifier = errors.New("identity: identifier has only invisible characters")

// Normalizer normalizes identifiers per type and derives destination match
// keys. Its configuration is immutable and it is safe for concurrent use.
// Get one with NewNormalizer, or from a graph with Graph.Normalizer.
type Normalizer struct {
	rules    *ruleSet
	region   string
	phone    PhoneNormalizer
	blocked  *blocklist
	unicode  UnicodeNormalizer
	onWarn   func(Warning)
	warnings atomic.Uint64
}

// NewNormalizer returns a Normalizer configured by the options that concern
// normalization (WithDefaultRegion, WithPhoneNormalizer,
// WithUnicodeNormalizer, WithWarningHandler, WithRule, WithBlockedValues,
// WithBlockedPattern); other options are ignored when valid, so one option
// list can configure a graph and its normalizer. It returns a *ConfigError
// for an invalid option of either kind (WithMaxFanout(-1) as much as an
// invalid WithRule), as New would.
func NewNormalizer(opts ...Option) (*Normalizer, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	return cfg.normalizer()
}

// Normalize returns the identifier with its value in identity form for its
// type. Every value is first checked for visible content (a value made
// only of invisible characters is refused with ErrInvisibleIdentifier) and,
// when it is not pure ASCII and WithUnicodeNormalizer set one, put in that
// Unicode form (NFC with identity/intl). Then, per type:
//
//   - email: NormalizeEmail (trimmed, lower case, syntax-checked);
//   - phone: E.164 by the PhoneNormalizer and the default region;
//   - user_id and custom types: trimmed, case kept (user ids are
//     case-sensitive), no control characters, at most 1,024 bytes; custom
//     types use their rule's Normalize when set;
//   - anonymous_id, device_id: as user_id, and lower case when the value is
//     a UUID (UUIDs are case-insensitive);
//   - advertising_id: a UUID, lower case;
//   - loyalty_id, wearable_serial: upper case, without spaces and '-'
//     (and ':' for wearable BLE addresses); letters and digits only;
//   - asset_serial: upper case, without spaces and '-'; letters, digits
//     and ':', '.', '/', '_' (a product and its serial,
//     "HEATPUMP9KW:HP9X22811");
//   - loyalty_id, wearable_serial, asset_serial and vin given as a
//     connected.Pseudonymizer pseudonym ("ps1_" and 32 lower-case hex
//     characters, what the pos, service and vehicle packages send): kept
//     as is, trimmed;
//   - vin: upper case without separators, 17 characters of A-Z and 0-9
//     except I, O and Q (the check digit is not verified: it is only
//     mandatory in North America);
//   - household_id, home_device_id: as user_id (the home package sends
//     pseudonyms, which pass unchanged);
//   - beacon_id, gateway_id: trimmed, lower case.
//
// It returns an *IdentifierError (ErrInvalidIdentifier; wrapping
// ErrUnknownType for a type without a rule, ErrInvisibleIdentifier for an
// invisible value). Blocked placeholder values normalize fine; Blocked
// reports them. A phone number accepted without its extension or tel: URI
// parameters counts a warning (Warnings) and is passed to the
// WithWarningHandler callback, before Normalize returns.
func (n *Normalizer) Normalize(id Identifier) (Identifier, error) {
	_, v, err := n.normalize(id)
	if err != nil {
		return Identifier{}, err
	}
	return Identifier{Type: id.Type, Value: v}, nil
}

// Blocked reports whether id's value is a blocked placeholder (built-in
// list, WithBlockedValues, WithBlockedPattern), checked on the raw and the
// normalized value. Invalid identifiers are not blocked: they are invalid.
// It reports no warnings (see WithWarningHandler): it only asks.
func (n *Normalizer) Blocked(id Identifier) bool {
	r, ok := n.rules.lookup(id.Type)
	if !ok {
		return false
	}
	v, err := n.valueReport(r, id.Value, false)
	return err == nil && n.blocked.blocked(id.Type, id.Value, v)
}

func (n *Normalizer) normalize(id Identifier) (*rule, string, error) {
	r, ok := n.rules.lookup(id.Type)
	if !ok {
		return nil, "", &IdentifierError{Type: id.Type, Index: -1, Reason: "no rule for this type", Err: ErrUnknownType}
	}
	v, err := n.value(r, id.Value)
	return r, v, err
}

// value normalizes raw by r and reports warnings.
func (n *Normalizer) value(r *rule, raw string) (string, error) { return n.valueReport(r, raw, true) }

func (n *Normalizer) valueReport(r *rule, raw string, report bool) (string, error) {
	t := r.Type
	if raw != "" && invisible(raw) {
		return "", &IdentifierError{Type: t, Index: -1, Reason: "only invisible characters", Err: ErrInvisibleIdentifier}
	}
	if n.unicode != nil && !isASCII(raw) {
		raw = n.unicode.String(raw)
	}
	switch t {
	case TypeEmail:
		return NormalizeEmail(raw)
	case TypePhone:
		var v string
		var warn PhoneWarnings
		var err error
		if pw, ok := n.phone.(PhoneWarner); ok {
			v, warn, err = pw.NormalizePhoneWarn(raw, n.region)
		} else {
			v, err = n.phone.NormalizePhone(raw, n.region)
		}
		if report && err == nil && warn != 0 && validE164(v) {
			n.warn(Warning{Type: t, Phone: warn, Reason: "phone: " + warn.String()})
		}
		if err != nil {
			if _, ok := err.(*IdentifierError); ok {
				return "", err
			}
			return "", &IdentifierError{Type: t, Index: -1, Reason: "phone normalizer failed", Err: err}
		}
		if !validE164(v) {
			return "", invalid(t, "phone normalizer returned a value that is not E.164")
		}
		return v, nil
	case TypeUserID:
		return normalizeCustom(t, raw)
	case TypeAnonymousID, TypeDeviceID:
		v, err := normalizeCustom(t, raw)
		if err == nil && isUUID(v) {
			v = strings.ToLower(v)
		}
		return v, err
	case TypeAdvertisingID:
		v := strings.TrimSpace(raw)
		if !isUUID(v) {
			return "", invalid(t, "advertising ids are UUIDs")
		}
		return strings.ToLower(v), nil
	case TypeLoyaltyID, TypeWearableSerial:
		if p, ok := pseudonym(raw); ok {
			return p, nil
		}
		return compactUpper(t, raw, t == TypeWearableSerial)
	case TypeAssetSerial:
		if p, ok := pseudonym(raw); ok {
			return p, nil
		}
		return compactUpperKeep(t, raw, ":./_")
	case TypeVIN:
		if p, ok := pseudonym(raw); ok {
			return p, nil
		}
		v, err := compactUpper(t, raw, false)
		if err != nil {
			return "", err
		}
		if len(v) != 17 || strings.ContainsAny(v, "IOQ") {
			return "", invalid(t, "a VIN has 17 characters from A-Z (not I, O, Q) and 0-9")
		}
		return v, nil
	case TypeBeaconID, TypeGatewayID:
		v, err := normalizeCustom(t, raw)
		return strings.ToLower(v), err
	}
	if r.Normalize != nil {
		v, err := r.Normalize(raw)
		if err != nil {
			if _, ok := err.(*IdentifierError); ok {
				return "", err
			}
			return "", &IdentifierError{Type: t, Index: -1, Reason: "custom normalizer failed", Err: err}
		}
		switch {
		case v == "":
			return "", invalid(t, "custom normalizer returned an empty value")
		case len(v) > 1024:
			return "", invalid(t, "custom normalizer returned more than 1024 bytes")
		case !utf8.ValidString(v):
			return "", invalid(t, "custom normalizer returned invalid UTF-8")
		}
		return v, nil
	}
	return normalizeCustom(t, raw)
}

// compactUpper upper-cases raw and removes spaces and '-' (and ':' when
// colons is set); what is left must be ASCII letters and digits.
func compactUpper(t Type, raw string, colons bool) (string, error) {
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c == ' ' || c == '-' || c == '\t' || (colons && c == ':'):
		case c >= 'a' && c <= 'z':
			b.WriteByte(c - 'a' + 'A')
		case c >= 'A' && c <= 'Z' || c >= '0' && c <= '9':
			b.WriteByte(c)
		default:
			return "", invalid(t, "only letters, digits and separators are allowed")
		}
	}
	if b.Len() == 0 {
		return "", invalid(t, "empty")
	}
	if b.Len() > 128 {
		return "", invalid(t, "longer than 128 characters")
	}
	return b.String(), nil
}

// pseudonym returns raw, trimmed, when it is a connected pseudonym.
func pseudonym(raw string) (string, bool) {
	s := strings.TrimSpace(raw)
	if len(s) != connected.PseudonymLen || !strings.HasPrefix(s, connected.PseudonymPrefix) {
		return "", false
	}
	for i := len(connected.PseudonymPrefix); i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return "", false
		}
	}
	return s, true
}

// compactUpperKeep is compactUpper that also keeps the bytes of keep.
func compactUpperKeep(t Type, raw, keep string) (string, error) {
	b := []byte(raw)[:0:0]
	for i := 0; i < len(raw); i++ {
		switch c := raw[i]; {
		case c == ' ' || c == '-' || c == '\t':
		case c >= 'a' && c <= 'z':
			b = append(b, c-'a'+'A')
		case c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(keep, c) >= 0:
			b = append(b, c)
		default:
			return "", invalid(t, "only letters, digits, separators and "+keep+" are allowed")
		}
	}
	switch {
	case len(b) == 0:
		return "", invalid(t, "empty")
	case len(b) > 128:
		return "", invalid(t, "longer than 128 characters")
	}
	return string(b), nil
}

// isUUID reports whether s has the 8-4-4-4-12 hex shape (any case).
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// prepare normalizes id for the graph. A value blocked in raw form is
// reported blocked even when it does not normalize ("000-000-0000"); its
// value is then the trimmed, lower-cased raw value, which only serves to key
// the placeholder for explanations.
func (n *Normalizer) prepare(id Identifier) (r *rule, value string, blocked bool, err error) {
	r, ok := n.rules.lookup(id.Type)
	if !ok {
		return nil, "", false, &IdentifierError{Type: id.Type, Index: -1, Reason: "no rule for this type", Err: ErrUnknownType}
	}
	if n.blocked.has(id.Value) || onlyZerosAndDashes(strings.TrimSpace(id.Value)) {
		return r, "\x00blocked:" + strings.ToLower(strings.TrimSpace(id.Value)), true, nil
	}
	v, err := n.value(r, id.Value)
	if err != nil {
		return r, "", false, err
	}
	return r, v, n.blocked.blocked(id.Type, id.Value, v), nil
}
