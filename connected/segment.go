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
	w := writer{b: dst, chans: chans, lib: lib}
	w.raw(`{"type":"`)
	w.raw(string(e.Type))
	w.raw(`","messageId":`)
	if id != nil {
		w.b = append(w.b, '"')
		offs.id = len(w.b) - start
		w.b = append(w.b, id...)
		w.b = append(w.b, '"')
	} else {
		w.str("messageId", "", e.MessageID)
	}
	w.opt("userId", `,"userId":`, e.UserID)
	w.opt("anonymousId", `,"anonymousId":`, e.AnonymousID)
	w.opt("previousId", `,"previousId":`, e.PreviousID)
	w.opt("groupId", `,"groupId":`, e.GroupID)
	w.opt("event", `,"event":`, e.Event)
	w.opt("name", `,"name":`, e.Name)
	if fields != nil {
		w.fieldProps(fields)
	} else {
		w.object("properties", `,"properties":`, e.Properties)
	}
	w.object("traits", `,"traits":`, e.Traits)
	w.object("integrations", `,"integrations":`, e.Integrations)
	offs.ot = len(w.b) - start + 1
	w.raw(`,"originalTimestamp":`)
	w.b = appendTime(w.b, e.OriginalTimestamp)
	if !e.Timestamp.IsZero() {
		offs.ts = len(w.b) - start + 1
		w.raw(`,"timestamp":`)
		w.b = appendTime(w.b, e.Timestamp)
	}
	w.raw(`,"context":`)
	w.context(&e.Context, e.Category.OrDefault())
	w.raw("}")
	if w.err != nil {
		return dst[:start], segOffsets{ts: -1}, w.err
	}
	return w.b, offs, nil
}

// writer appends JSON and keeps the first validation error; after an error
// every method does nothing.
type writer struct {
	b     []byte
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
		w.library(lib)
		if w.err == nil {
			l.json = w.b
		}
	}
	return l
}

// library appends context.library.
func (w *writer) library(l Library) {
	w.raw(`,"library":{`)
	w.fields("context.library", "name", l.Name, "version", l.Version, "", "", "", "")
	w.raw("}")
}

func (w *writer) raw(s string) {
	if w.err == nil {
		w.b = append(w.b, s...)
	}
}

// str appends key (raw, may be empty) and v as a JSON string, validating v.
func (w *writer) str(field, key, v string) {
	if w.err != nil {
		return
	}
	w.b = append(w.b, key...)
	var ok bool
	if w.b, ok = appendString(w.b, v); !ok {
		w.err = fieldError(field, "is not valid UTF-8")
	}
}

// opt is str for optional fields: empty values are omitted.
func (w *writer) opt(field, key, v string) {
	if v != "" {
		w.str(field, key, v)
	}
}

func (w *writer) object(field, key string, m map[string]any) {
	if w.err != nil || len(m) == 0 {
		return
	}
	w.b = append(w.b, key...)
	w.b, w.err = appendObject(w.b, m, 0)
	if w.err != nil {
		w.err = under(field, w.err)
	}
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

func (w *writer) context(c *Context, cat Category) {
	if w.err != nil {
		return
	}
	if c.Channel != "" && !w.chans.Has(c.Channel) {
		w.err = w.chans.Check(c.Channel)
		return
	}
	w.raw("{")
	if c.Channel != "" {
		w.raw(`"channel":"`)
		w.raw(string(c.Channel))
		w.raw(`",`)
	}
	w.raw(`"dataCategory":"`)
	w.raw(string(cat))
	w.raw(`"`)
	if c.Library != (Library{}) {
		if w.lib != nil && w.lib.json != nil && c.Library == w.lib.lib {
			w.b = append(w.b, w.lib.json...)
		} else {
			w.library(c.Library)
		}
	}
	if d := &c.Device; d.ID != "" || d.Type != "" || d.Manufacturer != "" || d.Model != "" || len(d.Extra) > 0 {
		w.raw(`,"device":{`)
		w.fields("context.device", "id", d.ID, "type", d.Type, "manufacturer", d.Manufacturer, "model", d.Model)
		w.extra("context.device", d.Extra, deviceKeys)
		w.raw("}")
	}
	if l := &c.Location; l.PlaceID != "" || l.Zone != "" || l.Geo != nil || len(l.Extra) > 0 {
		w.location(&c.Location)
	}
	w.opt("context.ip", `,"ip":`, c.IP)
	w.opt("context.userAgent", `,"userAgent":`, c.UserAgent)
	w.opt("context.locale", `,"locale":`, c.Locale)
	w.opt("context.timezone", `,"timezone":`, c.Timezone)
	if len(c.Consent.CategoryPreferences) > 0 {
		w.consent(c.Consent.CategoryPreferences)
	}
	if len(c.ExternalIDs) > 0 {
		w.externalIDs(c.ExternalIDs)
	}
	w.extra("context", c.Extra, contextKeys)
	w.raw("}")
}

func (w *writer) consent(prefs map[string]bool) {
	w.raw(`,"consent":{"categoryPreferences":{`)
	var stack [32]string
	keys := stack[:0]
	for k := range prefs {
		keys = append(keys, k)
	}
	sortStrings(keys)
	for i, k := range keys {
		if i > 0 {
			w.raw(",")
		}
		w.str("context.consent.categoryPreferences", "", k)
		if prefs[k] {
			w.raw(":true")
		} else {
			w.raw(":false")
		}
	}
	w.raw("}}")
}

func (w *writer) externalIDs(ids []ExternalID) {
	w.raw(`,"externalIds":[`)
	for i := range ids {
		x := &ids[i]
		field := "context.externalIds[" + itoa(i) + "]"
		if blank(x.ID) || blank(x.Type) {
			if w.err == nil {
				w.err = fieldError(field, "needs both id and type")
			}
			return
		}
		if i > 0 {
			w.raw(",")
		}
		w.raw("{")
		w.fields(field, "id", x.ID, "type", x.Type, "collection", x.Collection, "encoding", x.Encoding)
		w.raw("}")
	}
	w.raw("]")
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
func (w *writer) extra(field string, extra map[string]any, reserved map[string]bool) {
	if w.err != nil || len(extra) == 0 {
		return
	}
	var stack [32]string
	keys := stack[:0]
	for k := range extra {
		if reserved[k] || k == "" {
			w.err = fieldError(field+"."+sanitize(k), "Extra may not set an empty key or a key that has its own field")
			return
		}
		keys = append(keys, k)
	}
	sortStrings(keys)
	for _, k := range keys {
		if w.b[len(w.b)-1] != '{' {
			w.raw(",")
		}
		w.str(field, "", k)
		w.raw(":")
		if w.err != nil {
			return
		}
		w.b, w.err = appendValue(w.b, extra[k], 1)
		if w.err != nil {
			w.err = under(field+"."+k, w.err)
		}
	}
}

func (w *writer) location(l *Location) {
	w.raw(`,"location":{`)
	w.fields("context.location", "placeId", l.PlaceID, "zone", l.Zone, "", "", "", "")
	if g := l.Geo; g != nil && w.err == nil {
		switch {
		case !finite(g.Latitude) || g.Latitude < -90 || g.Latitude > 90:
			w.err = fieldError("context.location.latitude", "must be a finite number in [-90, 90]")
			return
		case !finite(g.Longitude) || g.Longitude < -180 || g.Longitude > 180:
			w.err = fieldError("context.location.longitude", "must be a finite number in [-180, 180]")
			return
		case !finite(g.Accuracy) || g.Accuracy < 0:
			w.err = fieldError("context.location.accuracy", "must be a finite number >= 0")
			return
		}
		if w.b[len(w.b)-1] != '{' {
			w.raw(",")
		}
		w.raw(`"latitude":`)
		w.b = appendFloat(w.b, g.Latitude, 64)
		w.raw(`,"longitude":`)
		w.b = appendFloat(w.b, g.Longitude, 64)
		if g.Accuracy != 0 {
			w.raw(`,"accuracy":`)
			w.b = appendFloat(w.b, g.Accuracy, 64)
		}
	}
	w.extra("context.location", l.Extra, locationKeys)
	w.raw("}")
}

// fields appends up to four "key":"value" pairs, skipping empty values.
func (w *writer) fields(field, k1, v1, k2, v2, k3, v3, k4, v4 string) {
	sep := ""
	for _, kv := range [...][2]string{{k1, v1}, {k2, v2}, {k3, v3}, {k4, v4}} {
		if kv[1] == "" {
			continue
		}
		w.raw(sep)
		sep = ","
		w.raw(`"`)
		w.raw(kv[0])
		w.raw(`":`)
		if w.err != nil {
			return
		}
		var ok bool
		if w.b, ok = appendString(w.b, kv[1]); !ok {
			w.err = fieldError(field+"."+kv[0], "is not valid UTF-8")
		}
	}
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }
