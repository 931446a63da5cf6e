package touchpoint

import (
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// Event is the canonical event, shaped like the Segment spec
// (connected.Event): the map path of Track, Identify, Page, Screen, Group
// and Alias.
type Event = connected.Event

// Properties are a track event's properties (connected.Properties).
type Properties = connected.Properties

// Traits are a customer's traits on identify and group events
// (connected.Traits).
type Traits = connected.Traits

// Field is one typed piece of an event for the fast path,
// Client.TrackFields (connected.Field): a property or one of the event's own
// fields. Building one allocates nothing (except Any); the zero Field is
// refused. The functions below return the connected package's Fields.
type Field = connected.Field

// String is a string property. Invalid UTF-8 is refused when the event is
// encoded.
func String(key, value string) Field { return connected.String(key, value) }

// Int is an integer property.
func Int(key string, value int) Field { return connected.Int(key, value) }

// Int64 is an integer property.
func Int64(key string, value int64) Field { return connected.Int64(key, value) }

// Uint64 is an unsigned integer property.
func Uint64(key string, value uint64) Field { return connected.Uint64(key, value) }

// Float is a floating-point property. NaN and infinities are refused when
// the event is encoded.
func Float(key string, value float64) Field { return connected.Float(key, value) }

// Float32 is a floating-point property written with float32 precision.
func Float32(key string, value float32) Field { return connected.Float32(key, value) }

// Bool is a boolean property.
func Bool(key string, value bool) Field { return connected.Bool(key, value) }

// Time is a time property, written as RFC 3339 UTC with milliseconds. The
// zero time is refused when the event is encoded.
func Time(key string, value time.Time) Field { return connected.Time(key, value) }

// Any is a property of any type Properties accepts. Boxing value may
// allocate: prefer the typed constructors on the fast path.
func Any(key string, value any) Field { return connected.Any(key, value) }

// UserID sets the event's userId.
func UserID(id string) Field { return connected.UserID(id) }

// AnonymousID sets the event's anonymousId.
func AnonymousID(id string) Field { return connected.AnonymousID(id) }

// MessageID sets the event's messageId instead of a generated UUIDv7.
func MessageID(id string) Field { return connected.MessageID(id) }

// OccurredAt sets when the event happened (originalTimestamp) instead of
// the client's clock. The zero time is refused.
func OccurredAt(t time.Time) Field { return connected.OccurredAt(t) }

// FromChannel sets context.channel (where it happened: connected.ChannelWeb,
// connected.ChannelStore, ...).
func FromChannel(ch connected.Channel) Field { return connected.FromChannel(ch) }

// DataCategory sets the event's data category, which consent routing
// decides by (connected.CategoryLocation, ...). Default behavioral.
func DataCategory(c connected.Category) Field { return connected.DataCategory(c) }

// PlaceID sets context.location.placeId (a store, say).
func PlaceID(id string) Field { return connected.PlaceID(id) }

// Zone sets context.location.zone (a department within the place).
func Zone(zone string) Field { return connected.Zone(zone) }

// DeviceID sets context.device.id.
func DeviceID(id string) Field { return connected.DeviceID(id) }
