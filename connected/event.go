package connected

import "time"

// Type is the Segment-spec call type of an event.
type Type string

// The six Segment-spec call types.
const (
	TypeTrack    Type = "track"
	TypeIdentify Type = "identify"
	TypePage     Type = "page"
	TypeScreen   Type = "screen"
	TypeGroup    Type = "group"
	TypeAlias    Type = "alias"
)

// Valid reports whether t is one of the six Segment-spec types.
func (t Type) Valid() bool {
	switch t {
	case TypeTrack, TypeIdentify, TypePage, TypeScreen, TypeGroup, TypeAlias:
		return true
	}
	return false
}

// Channel says where a touchpoint happened. It is encoded as
// context.channel. The empty Channel is allowed and omitted on the wire.
//
// The set of channels is a registry (Channels): the built-in channels
// below plus the ones a program registers at start with WithChannels
// (service, field, contact_center, email, social, ...). Any other value is
// rejected by validation, with the nearest registered name suggested, so
// that a typo does not silently create a new channel in downstream
// reports.
type Channel string

// The built-in channels: every registry holds them.
const (
	ChannelWeb      Channel = "web"
	ChannelMobile   Channel = "mobile"
	ChannelStore    Channel = "store"
	ChannelPOS      Channel = "pos"
	ChannelKiosk    Channel = "kiosk"
	ChannelWearable Channel = "wearable"
	ChannelVehicle  Channel = "vehicle"
	ChannelHome     Channel = "home"
	ChannelServer   Channel = "server"
)

// Valid reports whether c is empty or one of the built-in channels. A
// channel registered with WithChannels is not Valid by this test: ask the
// registry (Client.Channels, Channels.Has).
func (c Channel) Valid() bool {
	switch c {
	case "", ChannelWeb, ChannelMobile, ChannelStore, ChannelPOS, ChannelKiosk,
		ChannelWearable, ChannelVehicle, ChannelHome, ChannelServer:
		return true
	}
	return false
}

// Category is the data category of an event. Routing decides by category
// which destinations may receive an event: health data, for instance, never
// reaches a marketing or advertising destination. It is encoded as
// context.dataCategory.
type Category string

// The data categories. The empty Category means CategoryBehavioral.
const (
	CategoryBehavioral  Category = "behavioral"  // clicks, views, purchases: the default
	CategoryLocation    Category = "location"    // where a person is: zones, coordinates
	CategoryHealth      Category = "health"      // heart rate, weight, workouts, body measurements
	CategoryIdentity    Category = "identity"    // identifiers and traits of a person
	CategoryTransaction Category = "transaction" // orders, payments, refunds
	CategoryDevice      Category = "device"      // device state that says nothing about a person
	// CategoryBiometric: signals derived from a person's body as they use a
	// device (attention aggregated from eye tracking, dwell measured by
	// gaze). Like health, it never reaches a marketing or advertising
	// destination, needs the subject's attention consent, and expires: the
	// consent router refuses records older than its biometric retention.
	CategoryBiometric Category = "biometric"
	// CategoryPresence: whether people are at home (home/away, occupancy,
	// presence sensors). It reveals when a household is empty, so like
	// health it never reaches a marketing or advertising destination and
	// needs the subject's location consent.
	CategoryPresence Category = "presence"
)

// Valid reports whether c is empty or a known category.
func (c Category) Valid() bool {
	switch c {
	case "", CategoryBehavioral, CategoryLocation, CategoryHealth, CategoryIdentity,
		CategoryTransaction, CategoryDevice, CategoryBiometric, CategoryPresence:
		return true
	}
	return false
}

// OrDefault returns c, or CategoryBehavioral when c is empty.
func (c Category) OrDefault() Category {
	if c == "" {
		return CategoryBehavioral
	}
	return c
}

// Properties holds the free-form properties of a track, page or screen event.
// Values may be nil, string, bool, any Go integer or float type (finite),
// json.Number, time.Time (RFC 3339 UTC, milliseconds), []byte (base64),
// structs with exported fields (as encoding/json writes them), and slices,
// arrays, pointers and string-keyed maps of those. A value with a method
// that says how to write it is written that way, in this order:
// json.Marshaler; encoding.TextMarshaler as a JSON string (uuid.UUID,
// net.IP, netip.Addr, netip.Prefix); error as its Error text; fmt.Stringer
// as its String text (a time.Duration as "1m30s"; pass d.Seconds() for a
// number). Methods count as in the Go method set: a pointer-receiver
// method is used when the value is given as a pointer. Anything else
// (channels, funcs, complex numbers, cyclic maps, a struct with no exported
// field that encoding/json would write as {}) is rejected by validation
// with a *ValidationError that names the key.
type Properties map[string]any

// Traits holds the traits of an identify or group event. It accepts the same
// values as Properties.
type Traits map[string]any

// Event is the one canonical event of Touchpoint, shaped like a Segment-spec
// message. The zero value is not valid: Type and an identity (UserID or
// AnonymousID) are required; the client fills MessageID and
// OriginalTimestamp when they are empty.
//
// An Event is a value, and the Client keeps nothing it points to: the
// Record's strings are copies, and the Event a Record carries for
// middleware has copies of the top-level maps (Properties, Traits,
// Integrations, the Extra maps, consent preferences), of Geo and of
// ExternalIDs. Values inside the maps are shared, not copied: do not change
// them after handing the event to Client methods. This is also what lets an
// Event and its Properties literal, written in the call, stay on the
// caller's stack.
type Event struct {
	Type        Type
	MessageID   string // dedupe key; fixed at creation, never changed on retry
	UserID      string
	AnonymousID string
	PreviousID  string // alias only
	GroupID     string // group only

	Event string // track: the event name, e.g. "Order Completed"
	Name  string // page and screen: the page or screen name

	Properties   Properties
	Traits       Traits
	Integrations map[string]any

	// OriginalTimestamp is when the touchpoint happened on the device.
	OriginalTimestamp time.Time
	// Timestamp is an optional caller-corrected time; usually left zero.
	Timestamp time.Time

	Context Context

	// Category is the data category used by routing; empty means behavioral.
	Category Category
}

// Context is the Segment-spec context object with Touchpoint's physical-world
// additions (channel, place and zone).
type Context struct {
	Channel     Channel
	Library     Library
	Device      Device
	Location    Location
	IP          string
	UserAgent   string
	Locale      string
	Timezone    string
	Consent     Consent
	ExternalIDs []ExternalID

	// Extra holds additional context keys (app, os, campaign, ...). Keys that
	// collide with the fields above are rejected by validation.
	Extra map[string]any
}

// Library names the library that produced the event.
type Library struct {
	Name    string
	Version string
}

// Device describes the device involved: a phone, a gateway, a beacon, a
// wearable or a car.
type Device struct {
	ID           string
	Type         string
	Manufacturer string
	Model        string
	// Extra holds other device keys of the Segment spec (advertisingId,
	// name, version, ...). Keys that collide with the fields above are
	// rejected by validation.
	Extra map[string]any
}

// Location is where the event happened. PlaceID is a store or site id, Zone a
// department or area inside it. Coordinates are optional.
type Location struct {
	PlaceID string
	Zone    string
	Geo     *Geo
	// Extra holds other location keys of the Segment spec (city, country,
	// region, speed). Keys that collide with the fields above are rejected.
	Extra map[string]any
}

// Geo is a WGS-84 position with its accuracy radius in metres.
type Geo struct {
	Latitude  float64
	Longitude float64
	Accuracy  float64 // metres; 0 means unknown
}

// Consent is the consent state the event was collected under, encoded as
// Segment's context.consent.categoryPreferences.
type Consent struct {
	CategoryPreferences map[string]bool
}

// ExternalID is an identifier in another system, as Segment's
// context.externalIds.
type ExternalID struct {
	ID         string
	Type       string
	Collection string
	Encoding   string
}
