package identity

import (
	"unicode"
	"unicode/utf8"
)

// UnicodeNormalizer puts a string in one Unicode normalization form. The
// Normalizer applies it to every identifier value that is not pure ASCII
// (ASCII text is already in every form) before the type's rules, so that
// "é" typed as one code point and as "e" plus a combining accent key the
// same profile. Implementations must be safe for concurrent use and
// return valid UTF-8 for valid UTF-8 input. golang.org/x/text's norm.NFC
// has this method set; identity/intl.WithNFC plugs it in.
type UnicodeNormalizer interface {
	String(s string) string
}

// UnicodeNormalizerFunc adapts a function to a UnicodeNormalizer.
type UnicodeNormalizerFunc func(s string) string

// String returns f(s).
func (f UnicodeNormalizerFunc) String(s string) string { return f(s) }

// WithUnicodeNormalizer makes the Normalizer put every non-ASCII
// identifier value in u's form before the type's rules. Default: none;
// values are then compared code point by code point, so canonically
// equivalent spellings of a non-ASCII value are different identifiers. The
// core module carries no Unicode tables; identity/intl.WithNFC is this
// option with NFC.
func WithUnicodeNormalizer(u UnicodeNormalizer) Option {
	return optionFunc(func(c *config) {
		if u == nil {
			c.errs = append(c.errs, &ConfigError{Option: "WithUnicodeNormalizer", Reason: "nil UnicodeNormalizer"})
			return
		}
		c.unicode = u
	})
}

// Warning reports that the Normalizer accepted an identifier after
// removing part of it. It never holds the identifier's value.
type Warning struct {
	Type   Type          // the identifier's type
	Phone  PhoneWarnings // for phone numbers: what was removed
	Reason string        // in words, e.g. "phone: extension removed"
}

// WithWarningHandler sets a callback for every Warning: a phone number
// accepted without its extension or tel: URI parameters. It is called
// synchronously by Normalize, MatchKey and the Graph methods that
// normalize, from their callers' goroutines and outside any graph lock; it
// must be fast and safe for concurrent use. Whether or not it is set,
// Normalizer.Warnings counts the warnings. Default: none.
func WithWarningHandler(f func(Warning)) Option {
	return optionFunc(func(c *config) {
		if f == nil {
			c.errs = append(c.errs, &ConfigError{Option: "WithWarningHandler", Reason: "nil func"})
			return
		}
		c.onWarn = f
	})
}

// Warnings returns how many warnings the Normalizer has reported since it
// was made (see WithWarningHandler).
func (n *Normalizer) Warnings() uint64 { return n.warnings.Load() }

func (n *Normalizer) warn(w Warning) {
	n.warnings.Add(1)
	if n.onWarn != nil {
		n.onWarn(w)
	}
}

// isASCII reports whether s has only bytes below 0x80.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// invisible reports whether every rune of s shows nothing (see
// ErrInvisibleIdentifier). Invalid UTF-8 is not invisible.
func invisible(s string) bool {
	for _, r := range s {
		if !invisibleRune(r) {
			return false
		}
	}
	return true
}

func invisibleRune(r rune) bool {
	switch {
	case r < utf8.RuneSelf:
		return r <= ' ' || r == 0x7f
	case unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zs, unicode.Zl, unicode.Zp), unicode.IsSpace(r):
		return true
	case r >= 0xFE00 && r <= 0xFE0F, r >= 0xE0100 && r <= 0xE01EF: // variation selectors
		return true
	case r >= 0x180B && r <= 0x180F: // Mongolian free variation selectors and vowel separator
		return true
	case r == 0x034F: // combining grapheme joiner
		return true
	case r == 0x115F, r == 0x1160, r == 0x3164, r == 0xFFA0: // Hangul fillers
		return true
	case r == 0x2800: // braille pattern blank
		return true
	}
	return false
}
