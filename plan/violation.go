package plan

// Kind classifies a Violation.
type Kind uint8

// The kinds of violation. Their String forms are what Forward mode writes
// into context.protocols.violations[].type.
const (
	KindRequired          Kind = iota + 1 // a required key is missing
	KindType                              // a value has a type the rule does not allow
	KindEnum                              // a value is not one of the allowed values
	KindPattern                           // a string does not match the pattern
	KindFormat                            // a string does not have the format
	KindRange                             // a number is out of its bounds
	KindLength                            // a string's length or an array's size is out of bounds
	KindUnplannedProperty                 // a key a strict object does not plan
	KindUnplannedEvent                    // a track event the plan does not name
)

var kindNames = [...]string{"", "Required", "Type", "Enum", "Pattern", "Format", "Range", "Length", "Unplanned Property", "Unplanned Event"}

// String returns the kind's name, e.g. "Required" or "Unplanned Property".
func (k Kind) String() string {
	if int(k) < len(kindNames) && k != 0 {
		return kindNames[k]
	}
	return "Unknown"
}

// Violation is one way an event breaks the plan.
type Violation struct {
	Kind Kind
	// Field is the JSON path of the offending value in the Segment
	// message, e.g. "properties.price" or "properties.products[2].sku";
	// "event" for an unplanned event.
	Field string
	// Reason says what was expected, in words. It never quotes the
	// offending value (which may identify a person), only the rule, so
	// violations may be logged and forwarded.
	Reason string
}

// String formats the violation as "field: Kind: reason".
func (v Violation) String() string {
	return v.Field + ": " + v.Kind.String() + ": " + v.Reason
}
