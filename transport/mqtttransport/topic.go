package mqtttransport

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/touchpoint-sdk/touchpoint/internal/brokersend"
)

// The placeholders a topic template may use. Each expands to all or part of
// one topic level.
const (
	// PlaceholderCategory expands to the record's data category
	// (behavioral when empty), e.g. "location".
	PlaceholderCategory = brokersend.PlaceholderCategory
	// PlaceholderType expands to the record's call type, e.g. "track".
	PlaceholderType = brokersend.PlaceholderType
	// PlaceholderPartitionKey expands to the record's hashed partition key,
	// or to "_" when it has none.
	PlaceholderPartitionKey = brokersend.PlaceholderPartitionKey
)

// DefaultTopic is the topic template the examples use:
// "touchpoint/<category>/<type>", so that subscribers can filter by data
// category ("touchpoint/location/#").
const DefaultTopic = "touchpoint/" + PlaceholderCategory + "/" + PlaceholderType

// maxTopicBytes is MQTT's limit on a topic name or filter (a two-byte
// length prefix).
const maxTopicBytes = 65535

// topics is the grammar of an MQTT topic name for publishing.
var topics = brokersend.Grammar{Sep: '/', Level: "level", Wildcards: "+#", EmptyLevels: true,
	Reserved: '$', ReservedWhy: "topics starting with '$' are reserved for the broker", MaxBytes: maxTopicBytes}

// topic is a parsed topic template.
type topic = brokersend.Template

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
	tp, err := topics.Parse(t)
	if err != nil {
		se := err.(*brokersend.SyntaxError)
		kind := ErrInvalidTopic
		if se.Placeholder {
			kind = ErrUnknownPlaceholder
		}
		return nil, &TemplateError{Template: t, Offset: se.Offset, Err: fmt.Errorf("%w: %s", kind, se.Msg)}
	}
	return tp, nil
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
