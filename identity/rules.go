package identity

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Scope says what an identifier identifies, and so how it may link.
type Scope uint8

// The scopes.
const (
	// ScopePerson: one person (user id, email, phone, loyalty id). Person
	// identifiers seen in one event are the same person, within the limits.
	ScopePerson Scope = iota + 1
	// ScopePersonalDevice: a device or install used by one person at a time
	// (anonymous id, device id, advertising id, wearable). It attaches to
	// its owner; it never merges two people who each hold an identifier of
	// the same type (the device-conflict rule), and its ownership can move
	// to a new owner after OwnershipGap (resale).
	ScopePersonalDevice
	// ScopeSharedDevice: a device many people use (a declared kiosk or POS
	// terminal type). It never links anything; an event that carries only
	// it resolves to the device's own profile.
	ScopeSharedDevice
	// ScopeHousehold: shared by a household (a car's VIN). It links the
	// people who use it into a household without merging them.
	ScopeHousehold
	// ScopePlace: a place (beacon, gateway). Never an identifier of a
	// person: it links nothing and resolves to no profile.
	ScopePlace
)

// String returns the scope's name ("person", "personal_device", ...).
func (s Scope) String() string {
	switch s {
	case ScopePerson:
		return "person"
	case ScopePersonalDevice:
		return "personal_device"
	case ScopeSharedDevice:
		return "shared_device"
	case ScopeHousehold:
		return "household"
	case ScopePlace:
		return "place"
	}
	return "scope(" + strconv.Itoa(int(s)) + ")"
}

// TypeRule declares how identifiers of one type link. It is a plain value:
// build it, pass it to WithRule, which validates it.
type TypeRule struct {
	// Type names the identifier type.
	Type Type
	// Scope says what the identifier identifies.
	Scope Scope
	// Priority orders identifiers: lower numbers are stronger. When linking
	// an event's identifiers would break a limit, identifiers are taken in
	// priority order and the weaker one loses. It also picks the canonical
	// identifier of a profile. Valid: 1 to 1000.
	Priority int
	// Limit is the most values of this type one profile may hold (person
	// scope only); 0 means no limit. user_id has 1: two user ids are two
	// people.
	Limit int
	// MaxPeople is the supernode threshold: when this identifier is seen
	// with more people than this, it is quarantined — it links nothing, and
	// what it had merged is split again. People are counted from the person
	// identifiers seen with it: for each limited person type, ceil(distinct
	// values / Limit), taking the largest; with OwnershipGap set only values
	// seen within OwnershipGap of each other count together. In a fact that
	// carries a value of a Limit-1 person type (user_id, loyalty_id: an
	// anchor, whose the fact is), only such anchors count: a customer's
	// sixth email seen with their user id is refused by the limit, not
	// counted as a second person. 0 disables the check. Not for household,
	// shared-device and place scopes.
	MaxPeople int
	// OwnershipGap, when positive, lets the identifier move to a new owner:
	// if it is claimed by someone else after its current owner has not used
	// it for at least this long, the new owner gets it from then on and the
	// old owner keeps its history (recycled phone numbers, resold
	// wearables). Claims closer together than this are concurrent use.
	OwnershipGap time.Duration
	// Normalize normalizes values of a custom type. It must be safe for
	// concurrent use and deterministic. nil means: trim white space, reject
	// empty values and control characters, keep case. Built-in types ignore
	// it.
	Normalize func(raw string) (string, error)
}

const (
	day = 24 * time.Hour
	// maxPersonTypes bounds the number of person-scope types (limit counters
	// are kept in a fixed array per profile).
	maxPersonTypes = 16
	maxTypes       = 250
)

// DefaultRules returns the built-in rules, one per built-in type:
//
//	type             scope            priority limit maxPeople ownershipGap
//	user_id          person                  1     1         1            -
//	email            person                  2     5         1            -
//	phone            person                  3     3         1          90d
//	loyalty_id       person                  4     1         1            -
//	advertising_id   personal_device        10     -         1          30d
//	device_id        personal_device        11     -         1          30d
//	wearable_serial  personal_device        12     -         1           7d
//	anonymous_id     personal_device        13     -         1          30d
//	asset_serial     personal_device        14     -         2         365d
//	vin              household              20     -         -            -
//	household_id     household              21     -         -            -
//	home_device_id   household              22     -         -            -
//	beacon_id        place                  30     -         -            -
//	gateway_id       place                  31     -         -            -
//
// The returned slice is a fresh copy.
func DefaultRules() []TypeRule {
	return []TypeRule{
		{Type: TypeUserID, Scope: ScopePerson, Priority: 1, Limit: 1, MaxPeople: 1},
		{Type: TypeEmail, Scope: ScopePerson, Priority: 2, Limit: 5, MaxPeople: 1},
		{Type: TypePhone, Scope: ScopePerson, Priority: 3, Limit: 3, MaxPeople: 1, OwnershipGap: 90 * day},
		{Type: TypeLoyaltyID, Scope: ScopePerson, Priority: 4, Limit: 1, MaxPeople: 1},
		{Type: TypeAdvertisingID, Scope: ScopePersonalDevice, Priority: 10, MaxPeople: 1, OwnershipGap: 30 * day},
		{Type: TypeDeviceID, Scope: ScopePersonalDevice, Priority: 11, MaxPeople: 1, OwnershipGap: 30 * day},
		{Type: TypeWearableSerial, Scope: ScopePersonalDevice, Priority: 12, MaxPeople: 1, OwnershipGap: 7 * day},
		{Type: TypeAnonymousID, Scope: ScopePersonalDevice, Priority: 13, MaxPeople: 1, OwnershipGap: 30 * day},
		// An installed product (a heat pump, a boiler) is serviced by
		// visits that carry only its serial: it attaches to its owner,
		// two members of a household may both call about it, and it
		// changes hands with the house after a year unused.
		{Type: TypeAssetSerial, Scope: ScopePersonalDevice, Priority: 14, MaxPeople: 2, OwnershipGap: 365 * day},
		{Type: TypeVIN, Scope: ScopeHousehold, Priority: 20},
		// A household (a smart-home instance) and its shared devices (the
		// living-room TV): the people of the house link to them without
		// becoming one person, as with the family car.
		{Type: TypeHouseholdID, Scope: ScopeHousehold, Priority: 21},
		{Type: TypeHomeDeviceID, Scope: ScopeHousehold, Priority: 22},
		{Type: TypeBeaconID, Scope: ScopePlace, Priority: 30},
		{Type: TypeGatewayID, Scope: ScopePlace, Priority: 31},
	}
}

// rule is a validated TypeRule with its precomputed indexes.
type rule struct {
	TypeRule
	idx    uint8 // index in ruleSet.rules
	person int8  // index among person-scope types (limit counters), or -1
	gapMs  int64
	order  int // rank in (priority, type name) order
}

// ruleSet is the immutable, validated rule table of a graph.
type ruleSet struct {
	rules   []rule
	byType  map[Type]uint8
	persons []uint8 // rule index per person slot
}

func newRuleSet(overrides []TypeRule) (*ruleSet, error) {
	all := DefaultRules()
	for _, o := range overrides {
		i := slices.IndexFunc(all, func(r TypeRule) bool { return r.Type == o.Type })
		if i >= 0 {
			all[i] = o
		} else {
			all = append(all, o)
		}
	}
	if len(all) > maxTypes {
		return nil, &ConfigError{Option: "WithRule", Reason: "more than 250 identifier types"}
	}
	rs := &ruleSet{byType: make(map[Type]uint8, len(all))}
	for _, r := range all {
		if err := checkRule(r); err != nil {
			return nil, err
		}
	}
	sorted := slices.Clone(all)
	slices.SortFunc(sorted, func(a, b TypeRule) int {
		return cmp.Or(cmp.Compare(a.Priority, b.Priority), strings.Compare(string(a.Type), string(b.Type)))
	})
	for i, r := range sorted {
		rr := rule{TypeRule: r, idx: uint8(i), person: -1, gapMs: r.OwnershipGap.Milliseconds(), order: i}
		if r.Scope == ScopePerson {
			if len(rs.persons) == maxPersonTypes {
				return nil, &ConfigError{Option: "WithRule(" + string(r.Type) + ")", Reason: "more than 16 person-scope types"}
			}
			rr.person = int8(len(rs.persons))
			rs.persons = append(rs.persons, uint8(i))
		}
		rs.rules = append(rs.rules, rr)
		rs.byType[r.Type] = uint8(i)
	}
	return rs, nil
}

func checkRule(r TypeRule) error {
	opt := "WithRule(" + strings.ToValidUTF8(string(r.Type), "?") + ")"
	switch {
	case !validTypeName(string(r.Type)):
		return &ConfigError{Option: opt, Reason: "type name must match [a-z][a-z0-9_.]{0,63}"}
	case r.Scope < ScopePerson || r.Scope > ScopePlace:
		return &ConfigError{Option: opt, Reason: "unknown scope"}
	case r.Priority < 1 || r.Priority > 1000:
		return &ConfigError{Option: opt, Reason: "priority must be in [1, 1000]"}
	case r.Limit < 0 || r.Limit > 255:
		return &ConfigError{Option: opt, Reason: "limit must be in [0, 255]"}
	case r.Limit > 0 && r.Scope != ScopePerson:
		return &ConfigError{Option: opt, Reason: "only person-scope types have a limit"}
	case r.MaxPeople < 0:
		return &ConfigError{Option: opt, Reason: "MaxPeople must be >= 0"}
	case r.MaxPeople > 0 && r.Scope != ScopePerson && r.Scope != ScopePersonalDevice:
		return &ConfigError{Option: opt, Reason: "MaxPeople applies to person and personal-device scopes only"}
	case r.OwnershipGap < 0:
		return &ConfigError{Option: opt, Reason: "OwnershipGap must be >= 0"}
	case r.OwnershipGap > 0 && r.OwnershipGap < time.Millisecond:
		return &ConfigError{Option: opt, Reason: "OwnershipGap below one millisecond"}
	case r.OwnershipGap > 0 && r.Scope != ScopePerson && r.Scope != ScopePersonalDevice:
		return &ConfigError{Option: opt, Reason: "OwnershipGap applies to person and personal-device scopes only"}
	}
	return nil
}

func (rs *ruleSet) lookup(t Type) (*rule, bool) {
	i, ok := rs.byType[t]
	if !ok {
		return nil, false
	}
	return &rs.rules[i], true
}

// linking reports whether identifiers of this rule join person profiles
// (person and personal-device scopes).
func (r *rule) linking() bool { return r.Scope == ScopePerson || r.Scope == ScopePersonalDevice }

// profiled reports whether identifiers of this rule have a profile: the
// linking scopes, and shared devices (a profile of their own).
func (r *rule) profiled() bool { return r.linking() || r.Scope == ScopeSharedDevice }

// normalizeCustom is the default normalization of custom types.
func normalizeCustom(t Type, raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", invalid(t, "empty")
	}
	if len(s) > 1024 {
		return "", invalid(t, "longer than 1024 bytes")
	}
	if !utf8.ValidString(s) {
		return "", invalid(t, "not valid UTF-8")
	}
	for _, r := range s {
		if r < ' ' || r == 0x7f {
			return "", invalid(t, "control character")
		}
	}
	return s, nil
}
