package mqtttransport

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// The placeholders a topic template may use. Each expands to all or part of
// one topic level.
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

// DefaultTopic is the topic template the examples use:
// "touchpoint/<category>/<type>", so that subscribers can filter by data
// category ("touchpoint/location/#").
const DefaultTopic = "touchpoint/" + PlaceholderCategory + "/" + PlaceholderType

// maxTopicBytes is MQTT's limit on a topic name or filter (a two-byte
// length prefix).
const maxTopicBytes = 65535

// topic is a parsed topic template: literal parts and placeholders.
type topic struct {
	parts []part
	fixed string // the whole topic when there is no placeholder
}

type part struct {
	lit string // a literal, when ph == 0
	ph  byte   // 'c', 't', 'p' for the placeholders
}

// ParseTopic parses a topic template: an MQTT topic name for publishing
// (valid UTF-8, no NUL, no wildcard '+' or '#', not starting with '$',
// which brokers reserve, at most 65,535 bytes) in which the placeholders
// {category}, {type} and {partitionkey} may stand for all or part of a
// level. Errors are *TemplateError with the byte offset of the problem;
// they match ErrUnknownPlaceholder or ErrInvalidTopic.
func ParseTopic(template string) error {
	_, err := parseTopic(template)
	return err
}

func parseTopic(t string) (*topic, error) {
	switch {
	case t == "":
		return nil, &TemplateError{Template: t, Offset: 0, Err: fmt.Errorf("%w: empty", ErrInvalidTopic)}
	case t[0] == '$':
		return nil, &TemplateError{Template: t, Offset: 0, Err: fmt.Errorf("%w: topics starting with '$' are reserved for the broker", ErrInvalidTopic)}
	case len(t) > maxTopicBytes:
		return nil, &TemplateError{Template: t, Offset: maxTopicBytes, Err: fmt.Errorf("%w: longer than %d bytes", ErrInvalidTopic, maxTopicBytes)}
	}
	tp := &topic{}
	lit := 0 // start of the pending literal
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
			if lit < i {
				tp.parts = append(tp.parts, part{lit: t[lit:i]})
			}
			tp.parts = append(tp.parts, part{ph: ph})
			i += end + 1
			lit = i
			continue
		case c == '}':
			return nil, &TemplateError{Template: t, Offset: i, Err: fmt.Errorf("%w: '}' without '{'", ErrUnknownPlaceholder)}
		case c == '+' || c == '#':
			return nil, &TemplateError{Template: t, Offset: i, Err: fmt.Errorf("%w: wildcard %q cannot be published to", ErrInvalidTopic, c)}
		case c == 0:
			return nil, &TemplateError{Template: t, Offset: i, Err: fmt.Errorf("%w: NUL byte", ErrInvalidTopic)}
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRuneInString(t[i:])
			if r == utf8.RuneError && n <= 1 {
				return nil, &TemplateError{Template: t, Offset: i, Err: fmt.Errorf("%w: invalid UTF-8", ErrInvalidTopic)}
			}
			i += n
			continue
		}
		i++
	}
	if lit < len(t) {
		tp.parts = append(tp.parts, part{lit: t[lit:]})
	}
	if len(tp.parts) == 1 && tp.parts[0].ph == 0 {
		tp.fixed = tp.parts[0].lit
	}
	return tp, nil
}

// expand returns the topic of r. Records whose values cannot stand in a
// topic level are refused by levelOK before.
func (tp *topic) expand(r *connected.Record) string {
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

// levelOK reports whether v can stand inside one topic level.
func levelOK(v string) bool {
	return !strings.ContainsAny(v, "/+#\x00") && utf8.ValidString(v)
}

// ValidateFilter reports whether filter is a valid MQTT topic filter for
// subscribing: valid UTF-8, no NUL, at most 65,535 bytes, '+' only as a
// whole level, '#' only as the whole last level; a shared subscription
// "$share/<group>/<filter>" is accepted when group is a non-empty level
// without wildcards. Errors are *FilterError, matching ErrInvalidFilter.
func ValidateFilter(filter string) error {
	fail := func(off int, why string) error {
		return &FilterError{Filter: filter, Offset: off, Err: fmt.Errorf("%w: %s", ErrInvalidFilter, why)}
	}
	switch {
	case filter == "":
		return fail(0, "empty")
	case len(filter) > maxTopicBytes:
		return fail(maxTopicBytes, fmt.Sprintf("longer than %d bytes", maxTopicBytes))
	case !utf8.ValidString(filter):
		for i := 0; i < len(filter); {
			r, n := utf8.DecodeRuneInString(filter[i:])
			if r == utf8.RuneError && n <= 1 {
				return fail(i, "invalid UTF-8")
			}
			i += n
		}
	}
	f, base := filter, 0
	if strings.HasPrefix(f, "$share/") {
		rest := f[len("$share/"):]
		slash := strings.IndexByte(rest, '/')
		if slash <= 0 {
			return fail(len("$share/"), "a shared subscription needs $share/<group>/<filter>")
		}
		if g := rest[:slash]; strings.ContainsAny(g, "+#") {
			return fail(len("$share/")+strings.IndexAny(g, "+#"), "wildcard in a share group name")
		}
		base = len("$share/") + slash + 1
		f = rest[slash+1:]
		if f == "" {
			return fail(base, "empty filter after the share group")
		}
	}
	levelStart := 0
	for i := 0; i < len(f); i++ {
		switch f[i] {
		case 0:
			return fail(base+i, "NUL byte")
		case '/':
			levelStart = i + 1
		case '+':
			if i != levelStart || (i+1 < len(f) && f[i+1] != '/') {
				return fail(base+i, "'+' must be a whole level")
			}
		case '#':
			if i != levelStart || i != len(f)-1 {
				return fail(base+i, "'#' must be the whole last level")
			}
		}
	}
	return nil
}

// matchFilter reports whether the topic name matches a valid filter. A
// shared subscription's filter is matched without its "$share/<group>/"
// prefix. Per MQTT, wildcards at the first level do not match topics that
// start with '$'.
func matchFilter(filter, topic string) bool {
	if strings.HasPrefix(filter, "$share/") {
		rest := filter[len("$share/"):]
		filter = rest[strings.IndexByte(rest, '/')+1:]
	}
	if topic != "" && topic[0] == '$' && filter != "" && (filter[0] == '+' || filter[0] == '#') {
		return false
	}
	for {
		fl, frest, fmore := strings.Cut(filter, "/")
		if fl == "#" {
			return true
		}
		tl, trest, tmore := strings.Cut(topic, "/")
		if fl != "+" && fl != tl {
			return false
		}
		switch {
		case !fmore && !tmore:
			return true
		case !tmore:
			// "a/#" matches "a": the parent level.
			return frest == "#"
		case !fmore:
			return false
		}
		filter, topic = frest, trest
	}
}
