package natstransport

import (
	"fmt"

	"github.com/touchpoint-sdk/touchpoint/internal/brokersend"
)

// The placeholders a subject template may use. Each expands to one subject
// token or to part of one.
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

// DefaultSubject is the subject template the examples use:
// "touchpoint.events.<category>.<type>", so that a stream or a consumer can
// filter by data category.
const DefaultSubject = "touchpoint.events." + PlaceholderCategory + "." + PlaceholderType

// subjects is the grammar of a NATS subject for publishing.
var subjects = brokersend.Grammar{Sep: '.', Level: "token", Wildcards: "*>", Control: true}

// subject is a parsed subject template.
type subject = brokersend.Template

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
	s, err := subjects.Parse(t)
	if err != nil {
		se := err.(*brokersend.SyntaxError)
		kind := ErrInvalidSubject
		if se.Placeholder {
			kind = ErrUnknownPlaceholder
		}
		return nil, &TemplateError{Template: t, Offset: se.Offset, Err: fmt.Errorf("%w: %s", kind, se.Msg)}
	}
	return s, nil
}
