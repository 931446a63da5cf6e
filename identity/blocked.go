package identity

import (
	"regexp"
	"strings"
)

// defaultBlockedValues returns the built-in placeholder values: the union of
// the anchors' lists (Segment's suggestions, RudderStack's examples,
// Mixpanel's rejected ids, PostHog's illegal distinct ids, Adobe's rejected
// values) and common form-filler junk. They are compared case-insensitively
// with the trimmed raw value and with the normalized value, for every type.
func defaultBlockedValues() []string {
	return []string{
		// Segment, Adobe, Mixpanel, PostHog, RudderStack
		"null", "nil", "none", "undefined", "anonymous", "anon", "invalid", "unknown",
		"n/a", "na", "nan", "guest", "true", "false", "-1", "0", "[object object]",
		"00000000-0000-0000-0000-000000000000", "abc123",
		// common placeholders
		"test", "user", "default", "not set", "(not set)", "not_set", "empty", "blank",
		"none@none.com", "test@test.com", "test@example.com", "email@email.com",
		"example@example.com", "user@example.com", "noemail@noemail.com", "no@email.com",
		"noemail@example.com", "a@a.com", "abc@abc.com", "null@null.com", "x@x.com",
		"asdf@asdf.com", "foo@bar.com", "name@domain.com", "email@example.com",
		"noreply@noreply.com", "donotreply@donotreply.com",
	}
}

// blocklist decides whether a value is a placeholder that must never link.
type blocklist struct {
	values   map[string]struct{}
	patterns []typedPattern
}

type typedPattern struct {
	t  Type // "" = every type
	re *regexp.Regexp
}

func newBlocklist(extra []string, patterns []typedPattern) *blocklist {
	b := &blocklist{values: make(map[string]struct{}), patterns: patterns}
	for _, v := range defaultBlockedValues() {
		b.values[v] = struct{}{}
	}
	for _, v := range extra {
		b.values[strings.ToLower(strings.TrimSpace(v))] = struct{}{}
	}
	return b
}

// blocked reports whether the raw or normalized value of type t is
// blocked. Built-in structural rules: values made only of '0' and '-'
// (Segment's ^[0-]*$), phone numbers whose national part repeats one digit
// (+10000000000, +449999999999), and email addresses whose local part is a
// blocked value at a blocked-looking domain are caught by the list; user
// patterns (WithBlockedPattern) match the normalized value.
func (b *blocklist) blocked(t Type, raw, normalized string) bool {
	if b.has(raw) || b.has(normalized) {
		return true
	}
	if onlyZerosAndDashes(strings.TrimSpace(raw)) || onlyZerosAndDashes(normalized) {
		return true
	}
	if t == TypePhone && repeatedDigits(normalized) {
		return true
	}
	for _, p := range b.patterns {
		if (p.t == "" || p.t == t) && p.re.MatchString(normalized) {
			return true
		}
	}
	return false
}

func (b *blocklist) has(v string) bool {
	v = strings.TrimSpace(v)
	if len(v) > 64 {
		return false
	}
	if _, ok := b.values[v]; ok {
		return true
	}
	if !hasUpper(v) {
		return false
	}
	_, ok := b.values[strings.ToLower(v)]
	return ok
}

// hasUpper reports whether s may change under strings.ToLower.
func hasUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' || c >= 0x80 {
			return true
		}
	}
	return false
}

func onlyZerosAndDashes(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != '0' && s[i] != '-' {
			return false
		}
	}
	return true // including "": an empty value is a placeholder too
}

// repeatedDigits reports whether an E.164 number's last 7 digits are all
// one digit (+10000000000, +15555555555).
func repeatedDigits(e164 string) bool {
	if len(e164) < 8 {
		return false
	}
	tail := e164[len(e164)-7:]
	for i := 1; i < len(tail); i++ {
		if tail[i] != tail[0] {
			return false
		}
	}
	return true
}
