package connected

import (
	"errors"
	"fmt"
	"time"
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
	// e.g. "urn:touchpoint:store:12:gateway:3". Required.
	Source string
	// TypePrefix prefixes the record's call type; empty means
	// DefaultCloudEventsTypePrefix.
	TypePrefix string
	// DataSchema is an optional URI of the data's schema.
	DataSchema string
}

// Validate reports whether the options can produce valid CloudEvents.
func (o CloudEventsOptions) Validate() error {
	switch {
	case o.Source == "":
		return errors.New("connected: CloudEventsOptions.Source is empty (CloudEvents requires a source)")
	case !utf8.ValidString(o.Source) || !utf8.ValidString(o.TypePrefix) || !utf8.ValidString(o.DataSchema):
		return errors.New("connected: CloudEventsOptions: attribute is not valid UTF-8")
	}
	return nil
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
// datacontenttype, dataschema, time, datacategory, partitionkey). Bindings
// add their own prefix: "ce_" for Kafka headers, "ce-" for HTTP and NATS,
// none for MQTT 5 user properties. The message body is r.Payload.
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

// checkRecord rejects records that cannot be framed: no id, no payload, a
// zero time, or strings that are not valid UTF-8.
func checkRecord(r *Record) error {
	switch {
	case r == nil:
		return errors.New("connected: nil record")
	case r.ID == "" || !utf8.ValidString(r.ID):
		return errors.New("connected: record has an empty or invalid id")
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

// AppendSegmentBatch appends the body of a Segment /v1/batch request:
// {"batch":[payload,...],"sentAt":"..."}. sentAt is the time of sending,
// stamped per request so the receiver can correct device clock skew.
func AppendSegmentBatch(dst []byte, recs []*Record, sentAt time.Time) []byte {
	dst = append(dst, `{"batch":[`...)
	for i, r := range recs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, r.Payload...)
	}
	dst = append(dst, `],"sentAt":`...)
	dst = appendTime(dst, sentAt)
	return append(dst, '}')
}
