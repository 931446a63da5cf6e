package intl

import (
	"strings"

	"github.com/nyaruka/phonenumbers"
	"github.com/touchpoint-sdk/touchpoint/identity"
)

// PhoneNormalizer is an identity.PhoneNormalizer (and identity.PhoneWarner)
// backed by libphonenumber's metadata through github.com/nyaruka/phonenumbers.
// It accepts what libphonenumber parses and judges valid for its region's
// numbering plan, national numbers of every region included, and returns
// the E.164 form. An extension, a tel: URI's scheme and its parameters are
// removed and reported as identity.PhoneWarnings. The zero value is ready
// to use; it is safe for concurrent use.
type PhoneNormalizer struct {
	// AllowPossible also accepts numbers that libphonenumber finds possible
	// (a length its region allows) but not valid (not in an assigned
	// range): numbers from new ranges the metadata does not know yet.
	AllowPossible bool
}

var _ identity.PhoneWarner = PhoneNormalizer{}

// NormalizePhone returns the E.164 form of raw; see NormalizePhoneWarn.
func (p PhoneNormalizer) NormalizePhone(raw, defaultRegion string) (string, error) {
	v, _, err := p.NormalizePhoneWarn(raw, defaultRegion)
	return v, err
}

// NormalizePhoneWarn returns the E.164 form of raw, read in defaultRegion
// (ISO 3166-1 alpha-2, any case; "" for numbers in international form
// only), and what it removed from it. It returns an
// *identity.IdentifierError (identity.ErrInvalidIdentifier), wrapping
// libphonenumber's error when it could not parse the number; errors never
// contain the number.
func (p PhoneNormalizer) NormalizePhoneWarn(raw, defaultRegion string) (string, identity.PhoneWarnings, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", 0, invalid("empty", nil)
	}
	n, err := phonenumbers.Parse(s, strings.ToUpper(strings.TrimSpace(defaultRegion)))
	if err != nil {
		return "", 0, invalid("libphonenumber cannot parse it", err)
	}
	if !phonenumbers.IsValidNumber(n) && !(p.AllowPossible && phonenumbers.IsPossibleNumber(n)) {
		return "", 0, invalid("not a valid number of its region's numbering plan", nil)
	}
	var warn identity.PhoneWarnings
	if n.GetExtension() != "" {
		warn |= identity.PhoneExtensionRemoved
	}
	if len(s) >= 4 && strings.EqualFold(s[:4], "tel:") || hasURIParameter(s) {
		warn |= identity.PhoneURIRemoved
	}
	return phonenumbers.Format(n, phonenumbers.E164), warn, nil
}

// hasURIParameter reports whether s carries an RFC 3966 parameter other
// than ext.
func hasURIParameter(s string) bool {
	_, params, found := strings.Cut(s, ";")
	if !found {
		return false
	}
	for p := range strings.SplitSeq(params, ";") {
		name, _, _ := strings.Cut(p, "=")
		if !strings.EqualFold(strings.TrimSpace(name), "ext") {
			return true
		}
	}
	return false
}

func invalid(reason string, err error) *identity.IdentifierError {
	return &identity.IdentifierError{Type: identity.TypePhone, Index: -1, Reason: reason, Err: err}
}

// WithPhoneNumbers is identity.WithPhoneNormalizer(PhoneNormalizer{}).
func WithPhoneNumbers() identity.Option {
	return identity.WithPhoneNormalizer(PhoneNormalizer{})
}
