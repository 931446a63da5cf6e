package connected

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"time"
)

// DecodeSegment decodes one Segment-spec message (as AppendSegment writes it,
// or as Segment and RudderStack libraries send it) into an Event, and
// validates it. Numbers in properties, traits and extra keys decode as
// json.Number, so integers of any size survive. Context keys Touchpoint has
// no field for go to Context.Extra (or Device.Extra, Location.Extra).
// Transport-level keys (sentAt, receivedAt, version, writeKey, channel at
// the top level) are accepted and dropped; any other unknown top-level key is
// an error, so that nothing is silently lost.
//
// A message with a timestamp but no originalTimestamp (what Segment's own
// libraries and AppendSegmentBatch send) decodes with that time as
// OriginalTimestamp, the event time, and Timestamp zero.
//
// Errors are a *DecodeError (ErrMalformed) naming the field, or the
// *ValidationError (ErrInvalidEvent) of the decoded event. Channels are
// checked against the built-in ones: decode events of a Client configured
// WithChannels with its registry's DecodeSegment (Client.Channels). Encoding a decoded
// event gives the canonical bytes; decoding those gives the same event.
func DecodeSegment(data []byte) (Event, error) { return decodeSegment(data, nil) }

// decodeSegment is DecodeSegment validating channels against chans (nil:
// the built-in channels).
func decodeSegment(data []byte, chans *Channels) (Event, error) {
	var top map[string]json.RawMessage
	if err := strictUnmarshal(data, &top); err != nil {
		return Event{}, &DecodeError{Err: err}
	}
	if top == nil {
		return Event{}, &DecodeError{Err: errors.New("message is null, not an object")}
	}
	var e Event
	d := decoder{}
	for k, raw := range top {
		switch k {
		case "type":
			var t string
			d.into(k, raw, &t)
			e.Type = Type(t)
		case "messageId":
			d.into(k, raw, &e.MessageID)
		case "userId":
			d.into(k, raw, &e.UserID)
		case "anonymousId":
			d.into(k, raw, &e.AnonymousID)
		case "previousId":
			d.into(k, raw, &e.PreviousID)
		case "groupId":
			d.into(k, raw, &e.GroupID)
		case "event":
			d.into(k, raw, &e.Event)
		case "name":
			d.into(k, raw, &e.Name)
		case "properties":
			e.Properties = d.object(k, raw)
		case "traits":
			e.Traits = d.object(k, raw)
		case "integrations":
			e.Integrations = d.object(k, raw)
		case "originalTimestamp":
			e.OriginalTimestamp = d.time(k, raw)
		case "timestamp":
			e.Timestamp = d.time(k, raw)
		case "context":
			d.context(raw, &e)
		case "sentAt", "receivedAt", "version", "writeKey", "channel":
			// transport-level keys: stamped per request, not part of the event
		default:
			d.fail(k, errors.New("unknown top-level key"))
		}
	}
	if d.err != nil {
		return Event{}, d.err
	}
	if _, ok := top["originalTimestamp"]; !ok && !e.Timestamp.IsZero() {
		// A message from a Segment library, or a Segment /v1/batch message
		// from AppendSegmentBatch, carries the caller's event time as
		// timestamp alone: the time Segment itself records as
		// originalTimestamp.
		e.OriginalTimestamp, e.Timestamp = e.Timestamp, time.Time{}
	}
	if err := chans.Validate(&e); err != nil {
		return Event{}, err
	}
	return e, nil
}

// strictUnmarshal decodes exactly one JSON value with UseNumber.
func strictUnmarshal(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("trailing data after the JSON value")
	}
	return nil
}

// decoder keeps the first error, like writer.
type decoder struct{ err error }

func (d *decoder) fail(field string, err error) {
	if d.err == nil {
		d.err = &DecodeError{Field: field, Err: err}
	}
}

func (d *decoder) into(field string, raw json.RawMessage, v any) {
	if d.err != nil || len(raw) == 0 || string(raw) == "null" {
		return
	}
	var err error
	switch v.(type) {
	case *string, **float64, *map[string]json.RawMessage, *[]json.RawMessage, *map[string]bool:
		// No numbers to keep exact: the plain decoder is enough (raw is one
		// complete value cut out by an outer decode).
		err = json.Unmarshal(raw, v)
	default:
		err = strictUnmarshal(raw, v)
	}
	if err != nil {
		d.fail(field, err)
	}
}

func (d *decoder) object(field string, raw json.RawMessage) map[string]any {
	var m map[string]any
	d.into(field, raw, &m)
	return m
}

func (d *decoder) time(field string, raw json.RawMessage) time.Time {
	var s string
	d.into(field, raw, &s)
	if s == "" || d.err != nil {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		d.fail(field, err)
	}
	return t
}

func (d *decoder) context(raw json.RawMessage, e *Event) {
	var m map[string]json.RawMessage
	d.into("context", raw, &m)
	c := &e.Context
	for k, v := range m {
		field := "context." + k
		switch k {
		case "channel":
			var s string
			d.into(field, v, &s)
			c.Channel = Channel(s)
		case "dataCategory":
			var s string
			d.into(field, v, &s)
			e.Category = Category(s)
		case "library":
			f := d.fields(field, v, nil, "name", "version")
			d.into(field+".name", f["name"], &c.Library.Name)
			d.into(field+".version", f["version"], &c.Library.Version)
		case "device":
			f := d.fields(field, v, &c.Device.Extra, "id", "type", "manufacturer", "model")
			d.into(field+".id", f["id"], &c.Device.ID)
			d.into(field+".type", f["type"], &c.Device.Type)
			d.into(field+".manufacturer", f["manufacturer"], &c.Device.Manufacturer)
			d.into(field+".model", f["model"], &c.Device.Model)
		case "location":
			d.location(field, v, &c.Location)
		case "ip":
			d.into(field, v, &c.IP)
		case "userAgent":
			d.into(field, v, &c.UserAgent)
		case "locale":
			d.into(field, v, &c.Locale)
		case "timezone":
			d.into(field, v, &c.Timezone)
		case "consent":
			f := d.fields(field, v, nil, "categoryPreferences")
			d.into(field+".categoryPreferences", f["categoryPreferences"], &c.Consent.CategoryPreferences)
		case "externalIds":
			var list []json.RawMessage
			d.into(field, v, &list)
			for i, item := range list {
				f := d.fields(field+"["+itoa(i)+"]", item, nil, "id", "type", "collection", "encoding")
				var x ExternalID
				d.into(field+".id", f["id"], &x.ID)
				d.into(field+".type", f["type"], &x.Type)
				d.into(field+".collection", f["collection"], &x.Collection)
				d.into(field+".encoding", f["encoding"], &x.Encoding)
				c.ExternalIDs = append(c.ExternalIDs, x)
			}
		default:
			var x any
			d.into(field, v, &x)
			if c.Extra == nil {
				c.Extra = map[string]any{}
			}
			c.Extra[k] = x
		}
	}
}

func (d *decoder) location(field string, raw json.RawMessage, l *Location) {
	f := d.fields(field, raw, &l.Extra, "placeId", "zone", "latitude", "longitude", "accuracy")
	d.into(field+".placeId", f["placeId"], &l.PlaceID)
	d.into(field+".zone", f["zone"], &l.Zone)
	var lat, lon, acc *float64
	d.into(field+".latitude", f["latitude"], &lat)
	d.into(field+".longitude", f["longitude"], &lon)
	d.into(field+".accuracy", f["accuracy"], &acc)
	if lat == nil && lon == nil && acc == nil {
		return
	}
	if lat == nil || lon == nil {
		d.fail(field, errors.New("latitude and longitude come together"))
		return
	}
	l.Geo = &Geo{Latitude: *lat, Longitude: *lon}
	if acc != nil {
		l.Geo.Accuracy = *acc
	}
}

// fields decodes a JSON object into its members by exact key. Keys not in
// known go to *extra (decoded as values) when extra is non-nil, and are an
// error otherwise. Absent keys are nil, which into treats as "not set".
func (d *decoder) fields(field string, raw json.RawMessage, extra *map[string]any, known ...string) map[string]json.RawMessage {
	var all map[string]json.RawMessage
	d.into(field, raw, &all)
	for k, v := range all {
		if slices.Contains(known, k) {
			continue
		}
		if extra == nil {
			d.fail(field+"."+k, errors.New("unknown key"))
			continue
		}
		var x any
		d.into(field+"."+k, v, &x)
		if *extra == nil {
			*extra = map[string]any{}
		}
		(*extra)[k] = x
	}
	return all
}
