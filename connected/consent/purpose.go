package consent

import "github.com/touchpoint-sdk/touchpoint/connected"

// Purpose is what a subject's data is used for. Consent is granted or denied
// per purpose, and every destination declares one purpose.
//
// The eight built-in purposes are constants; any other value is a custom
// purpose: 1 to 64 characters from a-z, 0-9, '_', '-', '.' and ':'
// ("loyalty", "acme:surveys").
type Purpose string

// The built-in purposes.
const (
	// PurposeAnalytics: measuring use of products, sites and stores.
	PurposeAnalytics Purpose = "analytics"
	// PurposePersonalization: tailoring content, offers and experiences.
	PurposePersonalization Purpose = "personalization"
	// PurposeMarketing: messages and campaigns to the subject (email, push,
	// SMS, retargeting lists).
	PurposeMarketing Purpose = "marketing"
	// PurposeAdvertising: sharing data with advertising platforms.
	PurposeAdvertising Purpose = "advertising"
	// PurposeHealth: health features (workouts, measurements). Events of
	// connected.CategoryHealth also need this consent, whatever their
	// destination.
	PurposeHealth Purpose = "health"
	// PurposeLocation: use of where the subject is. Events of
	// connected.CategoryLocation also need this consent, whatever their
	// destination.
	PurposeLocation Purpose = "location"
	// PurposeLinking: linking the subject's identifiers and devices into one
	// profile (cross-device linking). The identity package reads it.
	PurposeLinking Purpose = "linking"
	// PurposeAttention: use of what the subject looked at or interacted
	// with in AR and on headsets (products viewed in AR, try-ons, dwell
	// aggregated on the device). Events of connected.CategoryBiometric
	// also need this consent, whatever their destination, and never reach
	// a marketing or advertising destination.
	PurposeAttention Purpose = "attention"
)

// numBuiltin is the number of built-in purposes; their indexes are 0..7.
const numBuiltin = 8

// builtin returns the index of a built-in purpose, or -1.
func (p Purpose) builtin() int {
	switch p {
	case PurposeAnalytics:
		return 0
	case PurposePersonalization:
		return 1
	case PurposeMarketing:
		return 2
	case PurposeAdvertising:
		return 3
	case PurposeHealth:
		return 4
	case PurposeLocation:
		return 5
	case PurposeLinking:
		return 6
	case PurposeAttention:
		return 7
	}
	return -1
}

// Builtin reports whether p is one of the eight built-in purposes.
func (p Purpose) Builtin() bool { return p.builtin() >= 0 }

// Valid reports whether p is a built-in purpose or a well-formed custom one.
func (p Purpose) Valid() bool {
	if p.builtin() >= 0 {
		return true
	}
	if len(p) == 0 || len(p) > 64 {
		return false
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.' || c == ':') {
			return false
		}
	}
	return true
}

// adTech reports whether p is a purpose that health, biometric and
// presence data must never reach.
func (p Purpose) adTech() bool { return p == PurposeMarketing || p == PurposeAdvertising }

// sensitive reports whether records of category c may never reach a
// marketing or advertising destination: health, biometric and presence
// data.
func sensitive(c connected.Category) bool {
	return c == connected.CategoryHealth || c == connected.CategoryBiometric || c == connected.CategoryPresence
}

// requiredPurpose returns the purpose whose consent records of category c
// need whatever their destination, or "" when none.
func requiredPurpose(c connected.Category) Purpose {
	switch c {
	case connected.CategoryHealth:
		return PurposeHealth
	case connected.CategoryLocation, connected.CategoryPresence:
		return PurposeLocation
	case connected.CategoryBiometric:
		return PurposeAttention
	}
	return ""
}
