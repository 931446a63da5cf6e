package identity

import "strings"

// PhoneWarnings says what a phone normalizer removed from a number that it
// still accepted. The zero value means nothing was removed.
type PhoneWarnings uint8

// The phone warnings.
const (
	// PhoneExtensionRemoved: the number carried an extension ("ext. 12",
	// "x12", "#12", ",,12", ";ext=12"), which E.164 cannot hold. The
	// normalized number reaches the line, not the extension.
	PhoneExtensionRemoved PhoneWarnings = 1 << iota
	// PhoneURIRemoved: the number was a tel: URI (RFC 3966) or carried URI
	// parameters (";phone-context=...", ";isub=..."); the scheme and the
	// parameters were removed (a global phone-context completed a local
	// number).
	PhoneURIRemoved
)

// String lists the warnings in words, e.g. "extension removed, tel: URI
// removed"; "" for none.
func (w PhoneWarnings) String() string {
	var parts []string
	if w&PhoneExtensionRemoved != 0 {
		parts = append(parts, "extension removed")
	}
	if w&PhoneURIRemoved != 0 {
		parts = append(parts, "tel: URI removed")
	}
	if rest := w &^ (PhoneExtensionRemoved | PhoneURIRemoved); rest != 0 {
		parts = append(parts, "PhoneWarnings("+itoa(int(rest))+")")
	}
	return strings.Join(parts, ", ")
}

// PhoneWarner is a PhoneNormalizer that also reports what it removed from a
// number it accepted. The Normalizer prefers NormalizePhoneWarn when its
// PhoneNormalizer has it, and passes the warnings to the WithWarningHandler
// callback. The built-in normalizer and identity/intl's implement it.
type PhoneWarner interface {
	PhoneNormalizer
	NormalizePhoneWarn(raw, defaultRegion string) (string, PhoneWarnings, error)
}

// builtinPhone is the default PhoneNormalizer of a Normalizer.
type builtinPhone struct{}

func (builtinPhone) NormalizePhone(raw, region string) (string, error) {
	return NormalizePhone(raw, region)
}

func (builtinPhone) NormalizePhoneWarn(raw, region string) (string, PhoneWarnings, error) {
	return NormalizePhoneWarn(raw, region)
}

var _ PhoneWarner = builtinPhone{}

// stripPhoneExtras removes a tel: scheme, URI parameters and an extension
// from a trimmed number, and says what it removed.
func stripPhoneExtras(s string) (string, PhoneWarnings, error) {
	var warn PhoneWarnings
	if len(s) >= 4 && strings.EqualFold(s[:4], "tel:") {
		s, warn = strings.TrimSpace(s[4:]), PhoneURIRemoved
	}
	if number, params, found := strings.Cut(s, ";"); found {
		s = number
		context := ""
		for p := range strings.SplitSeq(params, ";") {
			name, value, _ := strings.Cut(p, "=")
			switch strings.ToLower(strings.TrimSpace(name)) {
			case "ext":
				if !digitsAndSeparators(value) {
					return "", 0, invalid(TypePhone, "tel: extension parameter is not digits")
				}
				warn |= PhoneExtensionRemoved
			case "phone-context":
				context = strings.TrimSpace(value)
				warn |= PhoneURIRemoved
			default:
				warn |= PhoneURIRemoved
			}
		}
		// RFC 3966 §5.1.5: a local number's phone-context is a domain name
		// or a global number prefix; only the prefix places the number.
		if strings.HasPrefix(context, "+") && !strings.HasPrefix(strings.TrimSpace(s), "+") {
			s = context + s
		}
	}
	if head, ok := cutExtension(s); ok {
		s, warn = head, warn|PhoneExtensionRemoved
	}
	return s, warn, nil
}

// cutExtension returns s without a trailing written extension: a marker
// (extension, extn, ext, x, #, or commas, any case) after at least one
// digit, then optional '.', ':', '=' and spaces, then 1 to 10 digits and an
// optional closing '#'. Anything else is left for the caller to reject.
func cutExtension(s string) (string, bool) {
	i := strings.IndexFunc(s, func(r rune) bool {
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '#' || r == ','
	})
	if i <= 0 || strings.IndexFunc(s[:i], func(r rune) bool { return r >= '0' && r <= '9' }) < 0 {
		return s, false
	}
	tail := strings.ToLower(s[i:])
	switch {
	case strings.HasPrefix(tail, "extension"):
		tail = tail[len("extension"):]
	case strings.HasPrefix(tail, "extn"):
		tail = tail[len("extn"):]
	case strings.HasPrefix(tail, "ext"):
		tail = tail[len("ext"):]
	case strings.HasPrefix(tail, "x"), strings.HasPrefix(tail, "#"):
		tail = tail[1:]
	case strings.HasPrefix(tail, ","):
		tail = strings.TrimLeft(tail, ",")
	default:
		return s, false
	}
	tail = strings.TrimLeft(tail, ".:= \t")
	n := 0
	for n < len(tail) && tail[n] >= '0' && tail[n] <= '9' {
		n++
	}
	if n == 0 || n > 10 {
		return s, false
	}
	if rest := strings.TrimSpace(strings.TrimPrefix(tail[n:], "#")); rest != "" {
		return s, false
	}
	return strings.TrimSpace(s[:i]), true
}

// digitsAndSeparators reports whether v holds at least one digit and
// otherwise only the visual separators of RFC 3966 ('-', '.', '(', ')').
func digitsAndSeparators(v string) bool {
	digits := 0
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '-' || c == '.' || c == '(' || c == ')':
		default:
			return false
		}
	}
	return digits > 0
}
