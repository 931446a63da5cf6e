package natstransport

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// The placeholders a subject template may use. Each expands to one subject
// token or to part of one.
const (
	// PlaceholderCategory expands to the record's data category
	// (behavioral when empty), e.g. "location".
	PlaceholderCategory = "{category}"
	// PlaceholderType expands to the record's call type, e.g. "track".
	PlaceholderType = "{type}"
	// PlaceholderPartitionKey expands to the record's hashed partition key,
	// or to "_" when it has none.
	PlaceholderPartitionKey = "{partitionkey}"
)

// DefaultSubject is the subject template the examples use:
// "touchpoint.events.<category>.<type>", so that a stream or a consumer can
// filter by data category.
const DefaultSubject = "touchpoint.events." + PlaceholderCategory + "." + PlaceholderType

// subject is a parsed subject template: literal parts and placeholders
// alternate.
type subject struct {
	parts []part
	fixed string // the whole subject when there is no placeholder
}

type part struct {
	lit string // a literal, when ph == 0
	ph  byte   // 'c', 't', 'p' for the placeholders
}

// ParseSubject parses a subject template: a NATS subject for publishing
// (tokens separated by '.', none empty, no wildcard '*' or '>', no
// whitespace or control character, valid UTF-8) in which the placeholders
// {category}, {type} and {partitionkey} may stand for all or part of a
// token. Errors are *TemplateError with the byte offset of the problem;
// they match ErrUnknownPlaceholder or ErrInvalidSubject.
func ParseSubject(template string) error {
	_, err := parseSubject(template)
	return err
}

func parseSubject(t string) (*subject, error) {
	if t == "" {
		return nil, &TemplateError{Template: t, Offset: 0, Err: fmt.Errorf("%w: empty", ErrInvalidSubject)}
	}
	s := &subject{}
	tokenStart, tokenLen := 0, 0
	lit := strings.Builder{}
	flush := func() {
		if lit.Len() > 0 {
			s.parts = append(s.parts, part{lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(t); {
		c := t[i]
		switch {
		case c == '{':
			end := strings.IndexByte(t[i:], '}')
			if end < 0 {
				return nil, &TemplateError{Template: t, Offset: i, Err: fmt.Errorf("%w: '{' without '}'", ErrUnknownPlaceholder)}
			}
			var ph byte
			switch t[i : i+end+1] {
			case PlaceholderCategory:
				ph = 'c'
			case PlaceholderType:
				ph = 't'
			case PlaceholderPartitionKey:
				ph = 'p'
			default:
				return nil, &TemplateError{Template: t, Offset: i, Err: fmt.Errorf("%w: %q (known: %s %s %s)",
					ErrUnknownPlaceholder, t[i:i+end+1], PlaceholderCategory, PlaceholderType, PlaceholderPartitionKey)}
			}
			flush()
			s.parts = append(s.parts, part{ph: ph})
			tokenLen++
			i += end + 1
			continue
		case c == '}':
			return nil, &TemplateError{Template: t, Offset: i, Err: fmt.Errorf("%w: '}' without '{'", ErrUnknownPlaceholder)}
		case c == '.':
			if tokenLen == 0 {
				return nil, &TemplateError{Template: t, Offset: tokenStart, Err: fmt.Errorf("%w: empty token", ErrInvalidSubject)}
			}
			tokenStart, tokenLen = i+1, 0
		case c == '*' || c == '>':
			return nil, &TemplateError{Template: t, Offset: i, Err: fmt.Errorf("%w: wildcard %q cannot be published to", ErrInvalidSubject, c)}
		case c <= ' ' || c == 0x7f:
			return nil, &TemplateError{Template: t, Offset: i, Err: fmt.Errorf("%w: whitespace or control byte 0x%02x", ErrInvalidSubject, c)}
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRuneInString(t[i:])
			if r == utf8.RuneError && n <= 1 {
				return nil, &TemplateError{Template: t, Offset: i, Err: fmt.Errorf("%w: invalid UTF-8", ErrInvalidSubject)}
			}
			lit.WriteString(t[i : i+n])
			tokenLen++
			i += n
			continue
		default:
			tokenLen++
		}
		lit.WriteByte(c)
		i++
	}
	if tokenLen == 0 {
		return nil, &TemplateError{Template: t, Offset: tokenStart, Err: fmt.Errorf("%w: empty token", ErrInvalidSubject)}
	}
	flush()
	if len(s.parts) == 1 && s.parts[0].ph == 0 {
		s.fixed = s.parts[0].lit
	}
	return s, nil
}

// expand returns the subject of r. Placeholder values are valid tokens for
// every record a Client produces (categories and types are lower-case
// words, partition keys hex); a record whose values would break the subject
// is refused by check before.
func (s *subject) expand(r *connected.Record) string {
	if s.fixed != "" {
		return s.fixed
	}
	var b strings.Builder
	n := 0
	for _, p := range s.parts {
		n += len(p.lit) + 16
	}
	b.Grow(n + len(r.PartitionKey))
	for _, p := range s.parts {
		switch p.ph {
		case 0:
			b.WriteString(p.lit)
		case 'c':
			b.WriteString(string(r.Category.OrDefault()))
		case 't':
			b.WriteString(string(r.Type))
		case 'p':
			if r.PartitionKey == "" {
				b.WriteByte('_')
			} else {
				b.WriteString(r.PartitionKey)
			}
		}
	}
	return b.String()
}

// checkToken reports whether v can stand inside a subject token.
func checkToken(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c <= ' ' || c == 0x7f || c == '.' || c == '*' || c == '>' {
			return false
		}
	}
	return utf8.ValidString(v)
}
