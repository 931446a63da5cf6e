package connected

import (
	"math"
	"strconv"
	"time"
)

// Field is one typed piece of an event for the fast path,
// Client.TrackFields: a property (String, Int, Float, Bool, Time, ...) or
// one of the event's own fields (UserID, AnonymousID, MessageID,
// OccurredAt, FromChannel, DataCategory, PlaceID, Zone, DeviceID). It is
// a small value in the manner of slog.Attr: building one allocates nothing
// (except Any, which boxes its value), and the Client writes it straight
// into the event's JSON without a Properties map.
//
// The zero Field is invalid: TrackFields refuses it with a
// *ValidationError. A Field holds no reference to mutable data except
// what Any was given; it may be reused and shared between goroutines.
type Field struct {
	key  string // property key; "" for the event's own fields
	str  string // string value (String, header fields)
	num  uint64 // Int, Uint, Float and Float32 bits, Bool, Time (Unix ms)
	val  any    // Any
	kind fieldKind
}

type fieldKind uint8

const (
	kindInvalid fieldKind = iota
	// properties
	kindString
	kindInt
	kindUint
	kindFloat
	kindFloat32
	kindBool
	kindTime
	kindTimeZero
	kindAny
	// the event's own fields
	kindUserID
	kindAnonymousID
	kindMessageID
	kindOccurredAt
	kindChannel
	kindCategory
	kindPlaceID
	kindZone
	kindDeviceID
)

// String is a string property. Invalid UTF-8 is refused when the event is
// encoded.
func String(key, value string) Field { return Field{key: key, str: value, kind: kindString} }

// Int is an integer property.
func Int(key string, value int) Field { return Field{key: key, num: uint64(value), kind: kindInt} }

// Int64 is an integer property.
func Int64(key string, value int64) Field {
	return Field{key: key, num: uint64(value), kind: kindInt}
}

// Uint64 is an unsigned integer property.
func Uint64(key string, value uint64) Field { return Field{key: key, num: value, kind: kindUint} }

// Float is a floating-point property, written as encoding/json writes a
// float64. NaN and infinities are refused when the event is encoded.
func Float(key string, value float64) Field {
	return Field{key: key, num: math.Float64bits(value), kind: kindFloat}
}

// Float32 is a floating-point property written with float32 precision, as
// a float32 in Properties is.
func Float32(key string, value float32) Field {
	return Field{key: key, num: math.Float64bits(float64(value)), kind: kindFloat32}
}

// Bool is a boolean property.
func Bool(key string, value bool) Field {
	var n uint64
	if value {
		n = 1
	}
	return Field{key: key, num: n, kind: kindBool}
}

// Time is a time property, written like every Touchpoint timestamp (RFC
// 3339 UTC with milliseconds; finer digits are dropped). The zero time is
// refused when the event is encoded.
func Time(key string, value time.Time) Field {
	if value.IsZero() {
		return Field{key: key, kind: kindTimeZero}
	}
	return Field{key: key, num: uint64(value.UnixMilli()), kind: kindTime}
}

// Any is a property of any type that Properties accepts, encoded the same
// way (see Properties). Boxing value in an interface may allocate: prefer
// the typed constructors on the fast path.
func Any(key string, value any) Field { return Field{key: key, val: value, kind: kindAny} }

// UserID sets the event's userId.
func UserID(id string) Field { return Field{str: id, kind: kindUserID} }

// AnonymousID sets the event's anonymousId.
func AnonymousID(id string) Field { return Field{str: id, kind: kindAnonymousID} }

// MessageID sets the event's messageId instead of a generated UUIDv7. It is
// validated as Event.MessageID is.
func MessageID(id string) Field { return Field{str: id, kind: kindMessageID} }

// OccurredAt sets the event's originalTimestamp (when it happened, to the
// millisecond) instead of the client's clock. The zero time is refused.
func OccurredAt(t time.Time) Field {
	if t.IsZero() {
		return Field{kind: kindOccurredAt} // str "" marks the zero time
	}
	return Field{str: "t", num: uint64(t.UnixMilli()), kind: kindOccurredAt}
}

// FromChannel sets context.channel (where it happened) instead of the
// client's default channel.
func FromChannel(ch Channel) Field { return Field{str: string(ch), kind: kindChannel} }

// DataCategory sets the event's data category (context.dataCategory).
func DataCategory(c Category) Field { return Field{str: string(c), kind: kindCategory} }

// PlaceID sets context.location.placeId (a store, say).
func PlaceID(id string) Field { return Field{str: id, kind: kindPlaceID} }

// Zone sets context.location.zone (a department within the place).
func Zone(zone string) Field { return Field{str: zone, kind: kindZone} }

// DeviceID sets context.device.id.
func DeviceID(id string) Field { return Field{str: id, kind: kindDeviceID} }

// Key returns the property key of a property field, "" for the event's own
// fields.
func (f Field) Key() string { return f.key }

// isProp reports whether f is a property.
func (f *Field) isProp() bool { return f.kind >= kindString && f.kind <= kindAny }

// headerName is the JSON path of an event field, for errors.
var headerName = [...]string{
	kindUserID: "userId", kindAnonymousID: "anonymousId", kindMessageID: "messageId",
	kindOccurredAt: "originalTimestamp", kindChannel: "context.channel",
	kindCategory: "context.dataCategory", kindPlaceID: "context.location.placeId",
	kindZone: "context.location.zone", kindDeviceID: "context.device.id",
}

// applyFields copies the event's own fields from fields into e and counts
// the properties. Each event field may be given once; the zero Field is
// refused.
func applyFields(e *Event, fields []Field) (props int, err error) {
	var seen uint32
	for i := range fields {
		f := &fields[i]
		if f.isProp() {
			props++
			continue
		}
		if f.kind == kindInvalid || int(f.kind) >= len(headerName) {
			return 0, fieldError("fields["+itoa(i)+"]", "is the zero Field; build fields with String, Int, UserID, ...")
		}
		if seen&(1<<f.kind) != 0 {
			return 0, fieldError(headerName[f.kind], "is given twice")
		}
		seen |= 1 << f.kind
		switch f.kind {
		case kindUserID:
			e.UserID = f.str
		case kindAnonymousID:
			e.AnonymousID = f.str
		case kindMessageID:
			if f.str == "" {
				return 0, fieldError("messageId", "is empty")
			}
			e.MessageID = f.str
		case kindOccurredAt:
			if f.str == "" {
				return 0, fieldError("originalTimestamp", "is zero")
			}
			e.OriginalTimestamp = time.UnixMilli(int64(f.num)).UTC()
		case kindChannel:
			e.Context.Channel = Channel(f.str)
		case kindCategory:
			e.Category = Category(f.str)
		case kindPlaceID:
			e.Context.Location.PlaceID = f.str
		case kindZone:
			e.Context.Location.Zone = f.str
		case kindDeviceID:
			e.Context.Device.ID = f.str
		}
	}
	return props, nil
}

// fieldsProperties builds the Properties map the property fields describe,
// for records that carry their Event (middleware reads it). A key given
// twice is refused by the encoder before this is called.
func fieldsProperties(fields []Field, n int) Properties {
	if n == 0 {
		return nil
	}
	p := make(Properties, n)
	for i := range fields {
		f := &fields[i]
		if f.isProp() {
			p[f.key] = f.value()
		}
	}
	return p
}

// value returns a property field's value as a Properties value that
// encodes to the same bytes.
func (f *Field) value() any {
	switch f.kind {
	case kindString:
		return f.str
	case kindInt:
		return int64(f.num)
	case kindUint:
		return f.num
	case kindFloat:
		return math.Float64frombits(f.num)
	case kindFloat32:
		return float32(math.Float64frombits(f.num))
	case kindBool:
		return f.num != 0
	case kindTime:
		return time.UnixMilli(int64(f.num)).UTC()
	case kindTimeZero:
		return time.Time{}
	}
	return f.val
}

// maxStackProps is how many property fields are sorted without allocating.
const maxStackProps = 64

// fieldProps appends the property fields as the properties object (see
// appendFieldProps).
func (w *writer) fieldProps(b []byte, fields []Field) []byte {
	if w.err == nil {
		b, w.err = appendFieldProps(b, fields)
	}
	return b
}

// appendFieldProps appends the property fields as the properties object,
// keys sorted as appendObject sorts a map's, so that the bytes equal those
// of the same data given as Properties; nothing when there are none. A key
// given twice is refused. On error the returned slice is to be dropped.
func appendFieldProps(b []byte, fields []Field) ([]byte, error) {
	if len(fields) > math.MaxUint16 {
		return b, fieldError("properties", "more than 65535 fields")
	}
	var stack [maxStackProps]uint16
	idx := stack[:0]
	for i := range fields {
		if fields[i].isProp() {
			idx = append(idx, uint16(i)) // past maxStackProps, on the heap
		}
	}
	if len(idx) == 0 {
		return b, nil
	}
	// insertion sort: a handful of properties
	for i := 1; i < len(idx); i++ {
		for j := i; j > 0 && keyLess(fields[idx[j]].key, fields[idx[j-1]].key); j-- {
			idx[j], idx[j-1] = idx[j-1], idx[j]
		}
	}
	b = append(b, `,"properties":{`...)
	for n, i := range idx {
		f := &fields[i]
		if n > 0 {
			if f.key == fields[idx[n-1]].key {
				return b, fieldError("properties."+sanitize(f.key), "is given twice")
			}
			b = append(b, ',')
		}
		var ok bool
		if b, ok = appendString(b, f.key); !ok {
			return b, fieldError("properties."+strconv.Quote(f.key), "key is not valid UTF-8")
		}
		b = append(b, ':')
		var err error
		if b, err = appendProp(b, f); err != nil {
			return b, err
		}
	}
	return append(b, '}'), nil
}

// keyLess is a < b, deciding on the first bytes without a call when they
// differ, as property keys mostly do.
func keyLess(a, b string) bool {
	if a != "" && b != "" && a[0] != b[0] {
		return a[0] < b[0]
	}
	return a < b
}

// appendProp appends one property field's value, as appendValue would the
// same value in Properties, or returns the error that makes it invalid.
func appendProp(b []byte, f *Field) ([]byte, error) {
	switch f.kind {
	case kindString:
		var ok bool
		if b, ok = appendString(b, f.str); !ok {
			return b, fieldError("properties."+f.key, "string is not valid UTF-8")
		}
	case kindInt:
		b = appendInt(b, int64(f.num))
	case kindUint:
		b = appendUint(b, f.num)
	case kindFloat, kindFloat32:
		x := math.Float64frombits(f.num)
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return b, fieldError("properties."+f.key, "number is NaN or infinite")
		}
		bits := 64
		if f.kind == kindFloat32 {
			bits = 32
		}
		b = appendFloat(b, x, bits)
	case kindBool:
		b = strconv.AppendBool(b, f.num != 0)
	case kindTime:
		b = appendTime(b, time.UnixMilli(int64(f.num)))
	case kindTimeZero:
		return b, fieldError("properties."+f.key, "time is zero")
	case kindAny:
		var err error
		if b, err = appendValue(b, f.val, 1); err != nil {
			return b, under("properties", under(f.key, err))
		}
	}
	return b, nil
}
