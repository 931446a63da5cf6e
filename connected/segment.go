package connected

import (
	"math"
	"strings"
	"time"
)

// Segment JSON: the canonical encoding of an Event. Keys come in a fixed
// order (type, messageId, identities, name, properties, traits,
// integrations, timestamps, context; map keys sorted), so equal events
// encode to equal bytes and golden files diff cleanly.

// Timestamps outside [minTime, maxTime) are rejected as absurd: a gateway
// whose clock was never set reports 1970, and that must not pass for data.
var (
	minTime = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	maxTime = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
)

// AppendSegment validates e and appends its Segment-spec JSON (one message
// object) to dst. On error it returns dst unchanged and a *ValidationError
// naming the field. It does not fill MessageID or OriginalTimestamp: the
// Client does that. It accepts the built-in channels only; a registry's
// AppendSegment (Channels) accepts its registered channels too.
func AppendSegment(dst []byte, e *Event) ([]byte, error) {
	out, _, err := appendSegment(dst, e, nil, nil)
	if err != nil {
		return dst, err
	}
	return out, nil
}

// Validate reports whether e is a valid event, as a *ValidationError that
// matches ErrInvalidEvent. It checks everything AppendSegment checks,
// channels against the built-in ones (Channels.Validate checks against a
// registry).
func (e *Event) Validate() error {
	var scratch [512]byte
	_, _, err := appendSegment(scratch[:0], e, nil, nil)
	return err
}

// appendSegment is AppendSegment with an optional id that replaces
// e.MessageID (the client's generated id, as bytes) and returns the offset of
// the messageId value's first byte inside the output. Channels are checked
// against chans (nil: the built-in channels).
func appendSegment(dst []byte, e *Event, id []byte, chans *Channels) (out []byte, idOff int, err error) {
	out, offs, err := encodeSegment(dst, e, id, chans, nil, nil)
	return out, offs.id, err
}

// segOffsets are offsets inside one encoded message: of the messageId
// value's first byte (when generated), and of the opening quotes of the
// "originalTimestamp" and "timestamp" keys (-1 when absent).
type segOffsets struct{ id, ot, ts int }

// encodeSegment is appendSegment that also reports where the time keys
// went, that takes the properties from fields (typed fields, see Field)
// instead of e.Properties when fields is not nil, and that copies the
// Client's encoded default library (lib, may be nil) when the event's
// library is that one.
func encodeSegment(dst []byte, e *Event, id []byte, chans *Channels, fields []Field, lib *libBlock) (out []byte, offs segOffsets, err error) {
	offs.ts = -1
	if err := checkHeader(e, id != nil); err != nil {
		return dst, offs, err
	}
	start := len(dst)
	w := writer{chans: chans, lib: lib}
	b := dst
	b = w.raw(b, `{"type":"`)
	b = w.raw(b, string(e.Type))
	b = w.raw(b, `","messageId":`)
	if id != nil {
		b = append(b, '"')
		offs.id = len(b) - start
		b = append(b, id...)
		b = append(b, '"')
	} else {
		b = w.str(b, "messageId", "", e.MessageID)
	}
	b = w.opt(b, "userId", `,"userId":`, e.UserID)
	b = w.opt(b, "anonymousId", `,"anonymousId":`, e.AnonymousID)
	b = w.opt(b, "previousId", `,"previousId":`, e.PreviousID)
	b = w.opt(b, "groupId", `,"groupId":`, e.GroupID)
	b = w.opt(b, "event", `,"event":`, e.Event)
	b = w.opt(b, "name", `,"name":`, e.Name)
	if fields != nil {
		b = w.fieldProps(b, fields)
	} else {
		b = w.object(b, "properties", `,"properties":`, e.Properties)
	}
	b = w.object(b, "traits", `,"traits":`, e.Traits)
	b = w.object(b, "integrations", `,"integrations":`, e.Integrations)
	offs.ot = len(b) - start + 1
	b = w.raw(b, `,"originalTimestamp":`)
	b = appendTime(b, e.OriginalTimestamp)
	if !e.Timestamp.IsZero() {
		offs.ts = len(b) - start + 1
		b = w.raw(b, `,"timestamp":`)
		b = appendTime(b, e.Timestamp)
	}
	b = w.raw(b, `,"context":`)
	b = w.context(b, &e.Context, e.Category.OrDefault())
	b = w.raw(b, "}")
	if w.err != nil {
		return dst[:start], segOffsets{ts: -1}, w.err
	}
	return b, offs, nil
}

// writer appends JSON and keeps the first validation error; after an error
// every method does nothing. Each method takes the buffer and returns it
// (instead of keeping it in the writer) so that appending stores the
// slice in a local variable, not through a pointer: no write barrier
// while the garbage collector marks.
type writer struct {
	err   error
	chans *Channels // registry of valid channels; nil: the built-in ones
	lib   *libBlock // the Client's default library, encoded; may be nil
}

// libBlock is a Client's default context.library, encoded once by New:
// most events carry it, and copying its bytes is cheaper than escaping
// the same two strings again for every event.
type libBlock struct {
	lib  Library
	json []byte // `,"library":{...}` as context writes it; nil when lib is empty or not valid UTF-8
}

// newLibBlock encodes lib as writer.context would.
func newLibBlock(lib Library) *libBlock {
	l := &libBlock{lib: lib}
	if lib != (Library{}) {
		w := writer{}
		b := w.library(nil, lib)
		if w.err == nil {
			l.json = b
		}
	}
	return l
}

// library appends context.library.
func (w *writer) library(b []byte, l Library) []byte {
	b = w.raw(b, `,"library":{`)
	b = w.fields(b, "context.library", "name", l.Name, "version", l.Version, "", "", "", "")
	return w.raw(b, "}")
}

func (w *writer) raw(b []byte, s string) []byte {
	if w.err == nil {
		b = append(b, s...)
	}
	return b
}

// str appends key (raw, may be empty) and v as a JSON string, validating v.
func (w *writer) str(b []byte, field, key, v string) []byte {
	if w.err != nil {
		return b
	}
	b = append(b, key...)
	b, ok := appendString(b, v)
	if !ok {
		w.err = fieldError(field, "is not valid UTF-8")
	}
	return b
}

// opt is str for optional fields: empty values are omitted.
func (w *writer) opt(b []byte, field, key, v string) []byte {
	if v != "" {
		b = w.str(b, field, key, v)
	}
	return b
}

func (w *writer) object(b []byte, field, key string, m map[string]any) []byte {
	if w.err != nil || len(m) == 0 {
		return b
	}
	b = append(b, key...)
	b, err := appendObject(b, m, 0)
	if err != nil {
		w.err = under(field, err)
	}
	return b
}

// checkHeader validates the scalar fields of e.
func checkHeader(e *Event, generatedID bool) error {
	if !e.Type.Valid() {
		return fieldError("type", "must be one of track, identify, page, screen, group, alias; got \""+sanitize(string(e.Type))+"\"")
	}
	if !generatedID {
		if err := checkMessageID(e.MessageID); err != nil {
			return err
		}
	}
	if blank(e.UserID) && blank(e.AnonymousID) {
		return fieldError("userId", "neither userId nor anonymousId is set")
	}
	switch e.Type {
	case TypeTrack:
		if blank(e.Event) {
			return fieldError("event", "a track event needs a name")
		}
	case TypeAlias:
		if blank(e.PreviousID) {
			return fieldError("previousId", "an alias event needs previousId")
		}
		if blank(e.UserID) {
			return fieldError("userId", "an alias event needs userId")
		}
	case TypeGroup:
		if blank(e.GroupID) {
			return fieldError("groupId", "a group event needs groupId")
		}
	}
	if e.Type != TypeTrack && e.Event != "" {
		return fieldError("event", "only track events have an event name; use name for page and screen")
	}
	if !e.Category.Valid() {
		return fieldError("context.dataCategory", "unknown data category \""+sanitize(string(e.Category))+"\"")
	}
	if err := checkTime("originalTimestamp", e.OriginalTimestamp); err != nil {
		return err
	}
	if !e.Timestamp.IsZero() {
		return checkTime("timestamp", e.Timestamp)
	}
	return nil
}

func checkTime(field string, t time.Time) error {
	if t.IsZero() {
		return fieldError(field, "is zero")
	}
	if t.Before(minTime) || !t.Before(maxTime) {
		return fieldError(field, "is outside 2000-01-01..2100-01-01 (clock not set?): "+t.UTC().Format(time.RFC3339))
	}
	return nil
}

func blank(s string) bool { return strings.TrimSpace(s) == "" }

// sanitize makes an invalid value printable in an error message.
func sanitize(s string) string {
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// contextKeys are the context keys Touchpoint writes itself; Context.Extra
// may not use them.
var contextKeys = map[string]bool{
	"channel": true, "dataCategory": true, "library": true, "device": true, "location": true,
	"ip": true, "userAgent": true, "locale": true, "timezone": true, "consent": true, "externalIds": true,
}

func (w *writer) context(b []byte, c *Context, cat Category) []byte {
	if w.err != nil {
		return b
	}
	if c.Channel != "" && !w.chans.Has(c.Channel) {
		w.err = w.chans.Check(c.Channel)
		return b
	}
	b = append(b, '{')
	if c.Channel != "" {
		b = append(b, `"channel":"`...)
		b = append(b, c.Channel...)
		b = append(b, `",`...)
	}
	b = append(b, `"dataCategory":"`...)
	b = append(b, cat...)
	b = append(b, '"')
	if c.Library != (Library{}) {
		if w.lib != nil && w.lib.json != nil && c.Library == w.lib.lib {
			b = append(b, w.lib.json...)
		} else {
			b = w.library(b, c.Library)
		}
	}
	if d := &c.Device; d.ID != "" || d.Type != "" || d.Manufacturer != "" || d.Model != "" || len(d.Extra) > 0 {
		b = w.raw(b, `,"device":{`)
		b = w.fields(b, "context.device", "id", d.ID, "type", d.Type, "manufacturer", d.Manufacturer, "model", d.Model)
		b = w.extra(b, "context.device", d.Extra, deviceKeys)
		b = w.raw(b, "}")
	}
	if l := &c.Location; l.PlaceID != "" || l.Zone != "" || l.Geo != nil || len(l.Extra) > 0 {
		b = w.location(b, &c.Location)
	}
	b = w.opt(b, "context.ip", `,"ip":`, c.IP)
	b = w.opt(b, "context.userAgent", `,"userAgent":`, c.UserAgent)
	b = w.opt(b, "context.locale", `,"locale":`, c.Locale)
	b = w.opt(b, "context.timezone", `,"timezone":`, c.Timezone)
	if len(c.Consent.CategoryPreferences) > 0 {
		b = w.consent(b, c.Consent.CategoryPreferences)
	}
	if len(c.ExternalIDs) > 0 {
		b = w.externalIDs(b, c.ExternalIDs)
	}
	b = w.extra(b, "context", c.Extra, contextKeys)
	return w.raw(b, "}")
}

func (w *writer) consent(b []byte, prefs map[string]bool) []byte {
	b = w.raw(b, `,"consent":{"categoryPreferences":{`)
	var stack [32]string
	keys := stack[:0]
	for k := range prefs {
		keys = append(keys, k)
	}
	sortStrings(keys)
	for i, k := range keys {
		if i > 0 {
			b = w.raw(b, ",")
		}
		b = w.str(b, "context.consent.categoryPreferences", "", k)
		if prefs[k] {
			b = w.raw(b, ":true")
		} else {
			b = w.raw(b, ":false")
		}
	}
	return w.raw(b, "}}")
}

func (w *writer) externalIDs(b []byte, ids []ExternalID) []byte {
	b = w.raw(b, `,"externalIds":[`)
	for i := range ids {
		x := &ids[i]
		field := "context.externalIds[" + itoa(i) + "]"
		if blank(x.ID) || blank(x.Type) {
			if w.err == nil {
				w.err = fieldError(field, "needs both id and type")
			}
			return b
		}
		if i > 0 {
			b = w.raw(b, ",")
		}
		b = w.raw(b, "{")
		b = w.fields(b, field, "id", x.ID, "type", x.Type, "collection", x.Collection, "encoding", x.Encoding)
		b = w.raw(b, "}")
	}
	return w.raw(b, "]")
}

// deviceKeys and locationKeys are the keys Device and Location write from
// their fields; their Extra maps may not use them.
var (
	deviceKeys   = map[string]bool{"id": true, "type": true, "manufacturer": true, "model": true}
	locationKeys = map[string]bool{"placeId": true, "zone": true, "latitude": true, "longitude": true, "accuracy": true}
)

// extra appends the keys of an Extra map after an object's own fields, in
// sorted order, rejecting keys the object writes itself. The object must
// already have one field written (extra always writes a leading comma).
func (w *writer) extra(b []byte, field string, extra map[string]any, reserved map[string]bool) []byte {
	if w.err != nil || len(extra) == 0 {
		return b
	}
	var stack [32]string
	keys := stack[:0]
	for k := range extra {
		if reserved[k] || k == "" {
			w.err = fieldError(field+"."+sanitize(k), "Extra may not set an empty key or a key that has its own field")
			return b
		}
		keys = append(keys, k)
	}
	sortStrings(keys)
	for _, k := range keys {
		if b[len(b)-1] != '{' {
			b = w.raw(b, ",")
		}
		b = w.str(b, field, "", k)
		b = w.raw(b, ":")
		if w.err != nil {
			return b
		}
		var err error
		if b, err = appendValue(b, extra[k], 1); err != nil {
			w.err = under(field+"."+k, err)
		}
	}
	return b
}

func (w *writer) location(b []byte, l *Location) []byte {
	b = w.raw(b, `,"location":{`)
	b = w.fields(b, "context.location", "placeId", l.PlaceID, "zone", l.Zone, "", "", "", "")
	if g := l.Geo; g != nil && w.err == nil {
		switch {
		case !finite(g.Latitude) || g.Latitude < -90 || g.Latitude > 90:
			w.err = fieldError("context.location.latitude", "must be a finite number in [-90, 90]")
			return b
		case !finite(g.Longitude) || g.Longitude < -180 || g.Longitude > 180:
			w.err = fieldError("context.location.longitude", "must be a finite number in [-180, 180]")
			return b
		case !finite(g.Accuracy) || g.Accuracy < 0:
			w.err = fieldError("context.location.accuracy", "must be a finite number >= 0")
			return b
		}
		if b[len(b)-1] != '{' {
			b = append(b, ',')
		}
		b = append(b, `"latitude":`...)
		b = appendFloat(b, g.Latitude, 64)
		b = append(b, `,"longitude":`...)
		b = appendFloat(b, g.Longitude, 64)
		if g.Accuracy != 0 {
			b = append(b, `,"accuracy":`...)
			b = appendFloat(b, g.Accuracy, 64)
		}
	}
	b = w.extra(b, "context.location", l.Extra, locationKeys)
	return w.raw(b, "}")
}

// fields appends up to four "key":"value" pairs, skipping empty values.
func (w *writer) fields(b []byte, field, k1, v1, k2, v2, k3, v3, k4, v4 string) []byte {
	sep := ""
	for _, kv := range [...][2]string{{k1, v1}, {k2, v2}, {k3, v3}, {k4, v4}} {
		if kv[1] == "" {
			continue
		}
		b = w.raw(b, sep)
		sep = ","
		b = w.raw(b, `"`)
		b = w.raw(b, kv[0])
		b = w.raw(b, `":`)
		if w.err != nil {
			return b
		}
		var ok bool
		if b, ok = appendString(b, kv[1]); !ok {
			w.err = fieldError(field+"."+kv[0], "is not valid UTF-8")
		}
	}
	return b
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }
