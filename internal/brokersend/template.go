package brokersend

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// The placeholders a subject or topic template may use. Each expands to
// all or part of one token (NATS) or level (MQTT).
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

// Grammar is a broker's rules for the names a template may produce.
type Grammar struct {
	// Sep separates tokens or levels: '.' for NATS, '/' for MQTT.
	Sep byte
	// Level names a token or level in messages: "token", "level".
	Level string
	// Wildcards are the bytes that make a name a subscription filter and
	// so cannot be published to: "*>" for NATS, "+#" for MQTT.
	Wildcards string
	// Control forbids space and control bytes (NATS); without it only NUL
	// is forbidden (MQTT).
	Control bool
	// EmptyLevels admits empty tokens or levels ("a//b" in MQTT).
	EmptyLevels bool
	// Reserved, when not 0, is a first byte templates may not start with
	// ('$' in MQTT), and ReservedWhy says why.
	Reserved    byte
	ReservedWhy string
	// MaxBytes, when positive, bounds the template's length.
	MaxBytes int
}

// SyntaxError is a template the grammar refuses: where (Offset, a byte
// offset into the template) and what (Msg). Placeholder says whether the
// problem is an unknown or unterminated placeholder rather than the name
// itself. The senders wrap it into their own *TemplateError, matching
// their ErrUnknownPlaceholder or ErrInvalidSubject / ErrInvalidTopic.
type SyntaxError struct {
	Offset      int
	Placeholder bool
	Msg         string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("offset %d: %s", e.Offset, e.Msg) }

// Template is a parsed subject or topic template: literal parts and
// placeholders. The zero value is not usable; get one from Parse.
type Template struct {
	parts []part
	fixed string // the whole name when there is no placeholder
	g     *Grammar
}

type part struct {
	lit string // a literal, when ph == 0
	ph  byte   // 'c', 't', 'p' for the placeholders
}

// value is what p stands for in r's name: the literal, the category (its
// default when empty), the type, or the partition key ("_" when empty).
func (p part) value(r *connected.Record) string {
	switch p.ph {
	case 'c':
		return string(r.Category.OrDefault())
	case 't':
		return string(r.Type)
	case 'p':
		if r.PartitionKey == "" {
			return "_"
		}
		return r.PartitionKey
	}
	return p.lit
}

// Parse parses template under g: a name for publishing in which the
// placeholders may stand for all or part of a token or level. A
// placeholder counts as a non-empty token. Errors are *SyntaxError.
func (g *Grammar) Parse(template string) (*Template, error) {
	t := template
	bad := func(off int, ph bool, format string, args ...any) error {
		return &SyntaxError{Offset: off, Placeholder: ph, Msg: fmt.Sprintf(format, args...)}
	}
	switch {
	case t == "":
		return nil, bad(0, false, "empty")
	case g.Reserved != 0 && t[0] == g.Reserved:
		return nil, bad(0, false, "%s", g.ReservedWhy)
	case g.MaxBytes > 0 && len(t) > g.MaxBytes:
		return nil, bad(g.MaxBytes, false, "longer than %d bytes", g.MaxBytes)
	}
	tp := &Template{g: g}
	lit := 0 // start of the pending literal
	tokenStart, tokenLen := 0, 0
	for i := 0; i < len(t); {
		c := t[i]
		switch {
		case c == '{':
			end := strings.IndexByte(t[i:], '}')
			if end < 0 {
				return nil, bad(i, true, "'{' without '}'")
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
				return nil, bad(i, true, "%q (known: %s %s %s)", t[i:i+end+1], PlaceholderCategory, PlaceholderType, PlaceholderPartitionKey)
			}
			if lit < i {
				tp.parts = append(tp.parts, part{lit: t[lit:i]})
			}
			tp.parts = append(tp.parts, part{ph: ph})
			tokenLen++
			i += end + 1
			lit = i
			continue
		case c == '}':
			return nil, bad(i, true, "'}' without '{'")
		case c == g.Sep:
			if tokenLen == 0 && !g.EmptyLevels {
				return nil, bad(tokenStart, false, "empty %s", g.Level)
			}
			tokenStart, tokenLen = i+1, 0
			i++
			continue
		case strings.IndexByte(g.Wildcards, c) >= 0:
			return nil, bad(i, false, "wildcard %q cannot be published to", c)
		case c == 0 && !g.Control:
			return nil, bad(i, false, "NUL byte")
		case g.Control && (c <= ' ' || c == 0x7f):
			return nil, bad(i, false, "whitespace or control byte 0x%02x", c)
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRuneInString(t[i:])
			if r == utf8.RuneError && n <= 1 {
				return nil, bad(i, false, "invalid UTF-8")
			}
			tokenLen++
			i += n
			continue
		}
		tokenLen++
		i++
	}
	if tokenLen == 0 && !g.EmptyLevels {
		return nil, bad(tokenStart, false, "empty %s", g.Level)
	}
	if lit < len(t) {
		tp.parts = append(tp.parts, part{lit: t[lit:]})
	}
	if len(tp.parts) == 1 && tp.parts[0].ph == 0 {
		tp.fixed = tp.parts[0].lit
	}
	return tp, nil
}

// ValueOK reports whether v can stand inside one token or level: valid
// UTF-8 without the separator, a wildcard or a forbidden byte.
func (g *Grammar) ValueOK(v string) bool {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == g.Sep || strings.IndexByte(g.Wildcards, c) >= 0 || c == 0 || g.Control && (c <= ' ' || c == 0x7f) {
			return false
		}
	}
	return utf8.ValidString(v)
}

// Fits reports whether r's category, type and partition key can each
// stand inside a token or level, so that Expand yields a name the grammar
// accepts: each a valid value (ValueOK), the type not empty where the
// template puts it (a placeholder is a non-empty token), and a name that
// does not start with the grammar's reserved byte (an MQTT topic "{type}"
// for a record of type "$SYS"). Senders refuse, permanently, a record
// that does not fit. Records a connected.Client produces always fit
// (lower-case words, hex).
func (tp *Template) Fits(r *connected.Record) bool {
	if !tp.g.ValueOK(string(r.Category)) || !tp.g.ValueOK(string(r.Type)) || !tp.g.ValueOK(r.PartitionKey) {
		return false
	}
	first := true // no byte of the name yet
	for _, p := range tp.parts {
		v := p.value(r)
		if p.ph == 't' && v == "" {
			return false
		}
		if first && v != "" {
			if tp.g.Reserved != 0 && v[0] == tp.g.Reserved {
				return false
			}
			first = false
		}
	}
	return true
}

// Expand returns the name for r. r must fit (Fits).
func (tp *Template) Expand(r *connected.Record) string {
	if tp.fixed != "" {
		return tp.fixed
	}
	var b strings.Builder
	n := len(r.PartitionKey)
	for _, p := range tp.parts {
		n += len(p.lit) + 16
	}
	b.Grow(n)
	for _, p := range tp.parts {
		b.WriteString(p.value(r))
	}
	return b.String()
}
