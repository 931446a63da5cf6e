package identity

import (
	"strings"
	"unicode/utf8"
)

// NormalizeEmail returns the identity form of an email address: surrounding
// white space trimmed and every letter lower-cased (Meta's and Google's
// rule), after a syntax check: exactly one '@', a local part of 1 to 64
// bytes, a domain of 1 to 253 bytes with at least two labels of letters,
// digits and '-' (non-ASCII letters are allowed for internationalized
// domains), and no white space or control characters anywhere. Quoted local
// parts are rejected.
//
// Provider-specific variants (Gmail ignores dots in the local part) are not
// applied here: they are match keys, derived by Normalizer.MatchKeys, never
// identity. Two spellings of one Gmail address are two identifiers, and a
// profile that holds both is the work of other evidence.
func NormalizeEmail(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", invalid(TypeEmail, "empty")
	}
	if !utf8.ValidString(s) {
		return "", invalid(TypeEmail, "not valid UTF-8")
	}
	s = strings.ToLower(s)
	at := strings.IndexByte(s, '@')
	if at < 0 {
		return "", invalid(TypeEmail, "no '@'")
	}
	if strings.IndexByte(s[at+1:], '@') >= 0 {
		return "", invalid(TypeEmail, "more than one '@'")
	}
	local, domain := s[:at], s[at+1:]
	switch {
	case local == "":
		return "", invalid(TypeEmail, "empty local part")
	case len(local) > 64:
		return "", invalid(TypeEmail, "local part longer than 64 bytes")
	case domain == "":
		return "", invalid(TypeEmail, "empty domain")
	case len(domain) > 253:
		return "", invalid(TypeEmail, "domain longer than 253 bytes")
	case local[0] == '"':
		return "", invalid(TypeEmail, "quoted local parts are not supported")
	case local[0] == '.' || local[len(local)-1] == '.' || strings.Contains(local, ".."):
		return "", invalid(TypeEmail, "misplaced '.' in local part")
	}
	for _, r := range local {
		if r <= ' ' || r == 0x7f || r == '(' || r == ')' || r == ',' || r == ':' || r == ';' || r == '<' || r == '>' || r == '[' || r == ']' || r == '\\' {
			return "", invalid(TypeEmail, "forbidden character in local part")
		}
	}
	labels := 0
	for label := range strings.SplitSeq(domain, ".") {
		labels++
		if label == "" || len(label) > 63 {
			return "", invalid(TypeEmail, "empty or over-long domain label")
		}
		if label[0] == '-' || label[len(label)-1] == '-' {
			return "", invalid(TypeEmail, "domain label starts or ends with '-'")
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r >= 0x80 && r != utf8.RuneError) {
				return "", invalid(TypeEmail, "forbidden character in domain")
			}
		}
	}
	if labels < 2 {
		return "", invalid(TypeEmail, "domain has no '.'")
	}
	return s, nil
}

// gmailDotless returns a normalized email with the dots of the local part
// removed when the domain is gmail.com or googlemail.com (Google Enhanced
// Conversions' rule), and the email unchanged otherwise. "+tags" are kept:
// Google does not ask for them to be removed.
func gmailDotless(normalized string) string {
	at := strings.LastIndexByte(normalized, '@')
	if at < 0 {
		return normalized
	}
	domain := normalized[at+1:]
	if domain != "gmail.com" && domain != "googlemail.com" {
		return normalized
	}
	return strings.ReplaceAll(normalized[:at], ".", "") + normalized[at:]
}
