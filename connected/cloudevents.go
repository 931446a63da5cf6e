package connected

import (
	"errors"
	"fmt"
	"net/url"
	"unicode"
	"unicode/utf8"
)

// CloudEvents 1.0: the envelope for brokers and webhooks. The data of every
// CloudEvent is the record's Segment JSON payload, framed as-is: nothing is
// re-marshalled. Attributes never carry a plaintext identifier; the
// partitionkey extension is the record's hashed PartitionKey.

// Media types of the CloudEvents JSON formats.
const (
	CloudEventsContentType      = "application/cloudevents+json"
	CloudEventsBatchContentType = "application/cloudevents-batch+json"
)

// DefaultCloudEventsTypePrefix is the reverse-DNS prefix of CloudEvents type
// attributes: a track record becomes "dev.touchpoint.track".
const DefaultCloudEventsTypePrefix = "dev.touchpoint"

// CloudEventsOptions are the attributes a producer adds to every CloudEvent.
type CloudEventsOptions struct {
	// Source is the CloudEvents source: a URI-reference naming the emitter,
	// e.g. "urn:touchpoint:store:12:gateway:3". Required; no white space or
	// control characters.
	Source string
	// TypePrefix prefixes the record's call type; empty means
	// DefaultCloudEventsTypePrefix. No control characters.
	TypePrefix string
	// DataSchema is an optional URI of the data's schema. When set it must
	// be an absolute URI (a scheme, then no white space or control
	// characters), as CloudEvents requires.
	DataSchema string
}

// ErrInvalidCloudEventsOptions is matched by every *CloudEventsOptionsError.
var ErrInvalidCloudEventsOptions = errors.New("connected: invalid CloudEventsOptions")

// CloudEventsOptionsError says which CloudEventsOptions field cannot be a
// CloudEvents attribute and why. It matches ErrInvalidCloudEventsOptions
// with errors.Is.
type CloudEventsOptionsError struct {
	Field  string // "Source", "TypePrefix" or "DataSchema"
	Reason string // what is wrong, and at which byte
}

func (e *CloudEventsOptionsError) Error() string {
	return "connected: invalid CloudEventsOptions." + e.Field + ": " + e.Reason
}

// Is reports whether target is ErrInvalidCloudEventsOptions.
func (e *CloudEventsOptionsError) Is(target error) bool {
	return target == ErrInvalidCloudEventsOptions
}

// Validate reports whether the options can produce valid CloudEvents, as a
// *CloudEventsOptionsError (ErrInvalidCloudEventsOptions): Source must be a
// non-empty URI-reference and DataSchema, when set, an absolute URI (CloudEvents
// 1.0, section 3.1), so neither may hold white space; no attribute may hold
// invalid UTF-8 or a control character (U+0000-U+001F, U+007F-U+009F), which
// the CloudEvents type system forbids in every string.
func (o CloudEventsOptions) Validate() error {
	if o.Source == "" {
		return &CloudEventsOptionsError{Field: "Source", Reason: "is empty (CloudEvents requires a source)"}
	}
	if err := checkAttribute("Source", o.Source, true); err != nil {
		return err
	}
	if err := checkAttribute("TypePrefix", o.TypePrefix, false); err != nil {
		return err
	}
	if o.DataSchema != "" {
		if err := checkAttribute("DataSchema", o.DataSchema, true); err != nil {
			return err
		}
		if !hasScheme(o.DataSchema) {
			return &CloudEventsOptionsError{Field: "DataSchema", Reason: "\"" + sanitize(o.DataSchema) + "\" is not an absolute URI (no scheme)"}
		}
		if _, err := url.Parse(o.DataSchema); err != nil {
			return &CloudEventsOptionsError{Field: "DataSchema", Reason: "is not a URI: " + err.Error()}
		}
	}
	return nil
}

// checkAttribute rejects invalid UTF-8 and control characters in v and,
// when uri, white space (a URI never holds a literal space).
func checkAttribute(field, v string, uri bool) error {
	for i, r := range v {
		switch {
		case r == utf8.RuneError && isInvalidAt(v, i):
			return &CloudEventsOptionsError{Field: field, Reason: "is not valid UTF-8 (byte " + itoa(i) + ")"}
		case r < 0x20 || r >= 0x7f && r <= 0x9f:
			return &CloudEventsOptionsError{Field: field, Reason: "contains control character " + runeName(r) + " at byte " + itoa(i)}
		case uri && unicode.IsSpace(r):
			return &CloudEventsOptionsError{Field: field, Reason: "contains white space at byte " + itoa(i) + " (a URI cannot; percent-encode it)"}
		}
	}
	return nil
}

// hasScheme reports whether s starts with an RFC 3986 scheme and a colon:
// ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":".
func hasScheme(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		case i > 0 && c == ':':
			return true
		default:
			return false
		}
	}
	return false
}

func (o CloudEventsOptions) typePrefix() string {
	if o.TypePrefix == "" {
		return DefaultCloudEventsTypePrefix
	}
	return o.TypePrefix
}

// AppendCloudEvent appends r as one CloudEvents 1.0 structured-mode JSON
// object. Key order follows the cloudevents Go SDK: specversion, id, source,
// type, datacontenttype, dataschema, time, data, then the extensions
// (datacategory, partitionkey) in sorted order.
func AppendCloudEvent(dst []byte, r *Record, o CloudEventsOptions) ([]byte, error) {
	if err := o.Validate(); err != nil {
		return dst, err
	}
	if err := checkRecord(r); err != nil {
		return dst, err
	}
	return appendCloudEvent(dst, r, o), nil
}

func appendCloudEvent(dst []byte, r *Record, o CloudEventsOptions) []byte {
	dst = append(dst, `{"specversion":"1.0","id":`...)
	dst = appendValidString(dst, r.ID)
	dst = append(dst, `,"source":`...)
	dst = appendValidString(dst, o.Source)
	dst = append(dst, `,"type":`...)
	dst = appendValidString(dst, o.typePrefix()+"."+string(r.Type))
	dst = append(dst, `,"datacontenttype":"application/json"`...)
	if o.DataSchema != "" {
		dst = append(dst, `,"dataschema":`...)
		dst = appendValidString(dst, o.DataSchema)
	}
	dst = append(dst, `,"time":`...)
	dst = appendTime(dst, r.Time)
	dst = append(dst, `,"data":`...)
	dst = append(dst, r.Payload...)
	dst = append(dst, `,"datacategory":`...)
	dst = appendValidString(dst, string(r.Category.OrDefault()))
	if r.PartitionKey != "" {
		dst = append(dst, `,"partitionkey":`...)
		dst = appendValidString(dst, r.PartitionKey)
	}
	return append(dst, '}')
}

// AppendCloudEventsBatch appends records as a CloudEvents JSON batch (a JSON
// array of structured events; media type CloudEventsBatchContentType).
func AppendCloudEventsBatch(dst []byte, recs []*Record, o CloudEventsOptions) ([]byte, error) {
	if err := o.Validate(); err != nil {
		return dst, err
	}
	for i, r := range recs {
		if err := checkRecord(r); err != nil {
			return dst, fmt.Errorf("record %d: %w", i, err)
		}
	}
	dst = append(dst, '[')
	for i, r := range recs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendCloudEvent(dst, r, o)
	}
	return append(dst, ']'), nil
}

// CloudEventAttributes calls set for each CloudEvents context attribute of r
// in binary mode, with unprefixed names (specversion, id, source, type,
// datacontenttype, dataschema, time, datacategory, partitionkey), values
// unencoded. Bindings add their own prefix and rules: "ce_" for Kafka
// headers, with datacontenttype as content-type; "ce-" for HTTP, with
// datacontenttype as Content-Type; "ce-" for NATS, datacontenttype included
// (ce-datacontenttype); none for MQTT 5 user properties. The HTTP and NATS
// bindings percent-encode header values (space, '"', '%' and non-ASCII).
// The message body is r.Payload. Errors are those of Validate and, for an
// id that is not a valid message id, a *ValidationError (ErrInvalidEvent).
func CloudEventAttributes(r *Record, o CloudEventsOptions, set func(name, value string)) error {
	if err := o.Validate(); err != nil {
		return err
	}
	if err := checkRecord(r); err != nil {
		return err
	}
	set("specversion", "1.0")
	set("id", r.ID)
	set("source", o.Source)
	set("type", o.typePrefix()+"."+string(r.Type))
	set("datacontenttype", "application/json")
	if o.DataSchema != "" {
		set("dataschema", o.DataSchema)
	}
	set("time", r.Time.UTC().Format(TimeLayout))
	set("datacategory", string(r.Category.OrDefault()))
	if r.PartitionKey != "" {
		set("partitionkey", r.PartitionKey)
	}
	return nil
}

// checkRecord rejects records that cannot be framed: an id that is not a
// valid message id (checkMessageID), no payload, a zero time, or strings
// that are not valid UTF-8.
func checkRecord(r *Record) error {
	if r == nil {
		return errors.New("connected: nil record")
	}
	if err := checkMessageID(r.ID); err != nil {
		return fmt.Errorf("connected: record %q: %w", sanitize(r.ID), err)
	}
	switch {
	case len(r.Payload) == 0:
		return fmt.Errorf("connected: record %s has no payload", r.ID)
	case r.Time.IsZero():
		return fmt.Errorf("connected: record %s has a zero time", r.ID)
	case !r.Type.Valid():
		return fmt.Errorf("connected: record %s has invalid type %q", r.ID, sanitize(string(r.Type)))
	case !r.Category.Valid() || !utf8.ValidString(r.PartitionKey):
		return fmt.Errorf("connected: record %s has an invalid category or partition key", r.ID)
	}
	return nil
}
