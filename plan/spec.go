package plan

import (
	"strings"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// Type is a set of JSON types a value may have, as JSON Schema's "type"
// keyword lists them. The zero Type allows any value.
type Type uint8

// The JSON types. TypeInteger is a number with no fractional part; a Type
// that has TypeNumber also accepts integers.
const (
	TypeString Type = 1 << iota
	TypeNumber
	TypeInteger
	TypeBoolean
	TypeObject
	TypeArray
	TypeNull
)

// TypeAny allows any value; it is the zero Type.
const TypeAny Type = 0

var typeNames = [...]string{"string", "number", "integer", "boolean", "object", "array", "null"}

// String names the types, "string|null" say, or "any".
func (t Type) String() string {
	if t == TypeAny {
		return "any"
	}
	var parts []string
	for i, n := range typeNames {
		if t&(1<<i) != 0 {
			parts = append(parts, n)
		}
	}
	return strings.Join(parts, "|")
}

// Has reports whether a value of JSON type u is allowed by t (TypeAny
// allows all; TypeNumber allows integers).
func (t Type) Has(u Type) bool {
	if t == TypeAny {
		return true
	}
	if u == TypeInteger && t&TypeNumber != 0 {
		return true
	}
	return t&u != 0
}

// Format is a JSON Schema "format" a string property must have.
type Format string

// The formats a plan may use. Others are refused at Compile with an
// *UnsupportedError, so that a plan never silently checks less than it says.
const (
	FormatDateTime Format = "date-time" // RFC 3339, as Segment requires for dates
	FormatDate     Format = "date"      // 2006-01-02
	FormatEmail    Format = "email"     // local@domain, no spaces
	FormatURI      Format = "uri"       // scheme:rest
	FormatUUID     Format = "uuid"      // 8-4-4-4-12 hex digits
	FormatIPv4     Format = "ipv4"
	FormatIPv6     Format = "ipv6"
)

// Spec is a tracking plan as data: the events it plans and the rules for
// their properties and traits. Define one in Go, or load one with
// FromSegment, FromRudderStack or FromIglu; then Compile it. A Spec is a
// plain value; Compile copies what it needs, so changing a Spec afterwards
// does not change a compiled Plan.
type Spec struct {
	// Name names the plan in violations and errors.
	Name string
	// Events are the planned events. A track event is matched by name; an
	// identify, group, page or screen event by type and name, where an
	// Event with an empty Name applies to every event of its type that has
	// no rule of its own.
	Events []Event
	// Common, if set, applies to every event besides its own rule (Segment's
	// common JSON schema): its Properties, Traits and Context are checked on
	// every event.
	Common *Event
	// AllowUnplannedEvents, when true, lets track events the plan does not
	// name pass without a violation. By default an unplanned track event is a
	// KindUnplannedEvent violation. Events of other types without a rule are
	// never violations: there is nothing to check.
	AllowUnplannedEvents bool
}

// Event is one planned event.
type Event struct {
	// Name is the track event name ("Order Completed"), or the page or
	// screen name; empty for identify and group rules and for a type-wide
	// page or screen rule.
	Name string
	// Type is the event type; empty means track. Alias events are never
	// validated.
	Type connected.Type
	// Description documents the event (the generator copies it).
	Description string
	// Version is the Segment event version (context.protocols.event_version
	// selects it); 0 and 1 are the first version. Several Events may share a
	// name and type if their versions differ.
	Version int
	// Schema is where the event came from when it was imported, such as an
	// Iglu URI (iglu:com.acme/checkout/jsonschema/1-0-0); informational.
	Schema string
	// Properties are the rules for properties (track, page and screen
	// events).
	Properties Object
	// Traits are the rules for traits (identify and group events).
	Traits Object
	// Context are the rules for context keys, by their wire names
	// (context.traits, context.app, context.device.advertisingId, ...).
	Context Object
}

// Object is the rule for a JSON object: its planned keys and whether
// other keys are allowed.
type Object struct {
	// Properties are the planned keys, each with its rule.
	Properties []Property
	// Strict forbids keys that are not planned (JSON Schema
	// additionalProperties: false): each one is a
	// KindUnplannedProperty violation.
	Strict bool
}

// Property is the rule for one key of an object: its type and constraints.
// Every constraint is optional; a nil pointer means "no such constraint".
type Property struct {
	Name        string
	Description string
	// Type is the set of JSON types allowed; TypeAny allows all.
	Type Type
	// Required makes the key's absence a KindRequired violation.
	Required bool
	// Enum lists the allowed values: strings, numbers (any Go number
	// type), booleans and nil. Empty means any value.
	Enum []any
	// Pattern is a regular expression (RE2 syntax, unanchored, as JSON
	// Schema's pattern) that string values must match.
	Pattern string
	// Format is a string format; "" means none.
	Format Format
	// Minimum, Maximum, ExclusiveMinimum and ExclusiveMaximum bound
	// numbers.
	Minimum, Maximum, ExclusiveMinimum, ExclusiveMaximum *float64
	// MinLength and MaxLength bound strings, in Unicode code points.
	MinLength, MaxLength *int
	// MinItems and MaxItems bound arrays.
	MinItems, MaxItems *int
	// Object is the rule for an object value's keys, or nil.
	Object *Object
	// Items is the rule for each element of an array value, or nil.
	Items *Property
}

// Float returns a pointer to f, for Property bounds.
func Float(f float64) *float64 { return &f }

// Int returns a pointer to n, for Property lengths.
func Int(n int) *int { return &n }
