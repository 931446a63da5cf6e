package defs

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// FormatVersion is the version of the definition file format this package
// reads and writes (the "version" member of a Set).
const FormatVersion = 1

// Set is one definition file: computed traits, audiences and journeys.
// Keys are unique within their kind; audiences and journeys refer to
// traits and audiences by key.
type Set struct {
	Version   int        `json:"version"`
	Traits    []Trait    `json:"traits,omitempty"`
	Audiences []Audience `json:"audiences,omitempty"`
	Journeys  []Journey  `json:"journeys,omitempty"`
}

// Duration is a time.Duration written in JSON as a string: Go syntax
// ("90s", "2h30m") or whole days ("7d").
type Duration time.Duration

// D returns d as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// String writes d as the file does: "<n>d" when it is a whole number of
// days, else in Go syntax.
func (d Duration) String() string {
	td := time.Duration(d)
	if td != 0 && td%(24*time.Hour) == 0 && td/(24*time.Hour) <= maxDays {
		return strconv.FormatInt(int64(td/(24*time.Hour)), 10) + "d"
	}
	return td.String()
}

// MarshalJSON writes d as a string (see String).
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads "7d", "2h", "90s" or "1h30m". Negative durations are
// refused.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("a duration is a string such as \"90s\", \"2h\" or \"7d\"")
	}
	v, err := ParseDuration(s)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// maxDays is the most days the "<n>d" form takes (about ten years).
const maxDays = 3660

// ParseDuration parses Go duration syntax or "<n>d" (n whole days in
// decimal digits, at most 3660).
func ParseDuration(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || !digits(n) || days > maxDays {
			return 0, fmt.Errorf("duration %q: days must be a whole number from 0 to 3660", s)
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	v, err := time.ParseDuration(s)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("duration %q: want Go syntax (\"90s\", \"2h\") or days (\"7d\"), not negative", s)
	}
	return v, nil
}

// Predicate compares one field of an event with a value.
//
// Path names the field: "event", "category", "properties.<key>" (dots go
// into nested objects), "traits.<key>", "context.channel",
// "context.location.zone", "context.location.place_id",
// "context.device.type". Op is one of eq, ne, lt, lte, gt, gte, contains,
// prefix, suffix, exists, not_exists, in. Value is a string, number or
// bool (a list of them for in; absent for exists and not_exists).
type Predicate struct {
	Path  string `json:"path"`
	Op    string `json:"op"`
	Value any    `json:"value,omitempty"`
}

// Filter is an event name with predicates, all of which must hold.
type Filter struct {
	Event string      `json:"event"`
	Where []Predicate `json:"where,omitempty"`
}

// Trait kinds of a computed trait.
const (
	KindCount        = "count"         // matching events
	KindSum          = "sum"           // of a numeric property
	KindMin          = "min"           // of a numeric property
	KindMax          = "max"           // of a numeric property
	KindAvg          = "avg"           // of a numeric property
	KindFirst        = "first"         // value of the earliest matching event
	KindLast         = "last"          // value of the latest matching event
	KindMostFrequent = "most_frequent" // ties: alphabetically first; needs 2 occurrences
	KindUniqueList   = "unique_list"   // sorted, at most Limit values
	KindUniqueCount  = "unique_count"  // distinct values
	KindSinceLast    = "since_last"    // seconds since the latest matching event
)

// Trait is a computed trait: an aggregate over a profile's matching events
// in a sliding event-time window.
type Trait struct {
	Key string `json:"key"`
	// Kind is one of the Kind constants.
	Kind string `json:"kind"`
	// Event and Where select the events.
	Event string      `json:"event"`
	Where []Predicate `json:"where,omitempty"`
	// Property is the path aggregated (every kind but count and since_last).
	Property string `json:"property,omitempty"`
	// Within is the window; zero means all retained history.
	Within Duration `json:"within,omitempty"`
	// Limit bounds unique_list (default 10, at most 100).
	Limit int `json:"limit,omitempty"`
	// Purpose is the consent purpose the trait is computed for (default
	// personalization): only events collected under it count.
	Purpose string `json:"purpose,omitempty"`
}

// Compare is a numeric comparison: Op (eq, ne, lt, lte, gt, gte) and Value.
type Compare struct {
	Op    string  `json:"op"`
	Value float64 `json:"value"`
}

// Cond is one node of an audience condition. Exactly one member is set.
type Cond struct {
	All      []Cond     `json:"all,omitempty"`
	Any      []Cond     `json:"any,omitempty"`
	Not      *Cond      `json:"not,omitempty"`
	Event    *EventCond `json:"event,omitempty"`
	Presence *Presence  `json:"presence,omitempty"`
	Trait    *TraitCond `json:"trait,omitempty"`
	Audience string     `json:"audience,omitempty"`
}

// EventCond holds when the profile's matching events within the window
// satisfy Count (default: at least 1), or, with Aggregate, when the
// aggregate of a property does.
type EventCond struct {
	Event     string      `json:"event"`
	Where     []Predicate `json:"where,omitempty"`
	Within    Duration    `json:"within,omitempty"`
	Count     *Compare    `json:"count,omitempty"`
	Aggregate *Aggregate  `json:"aggregate,omitempty"`
}

// Aggregate compares sum, min, max or avg of Property with a value.
type Aggregate struct {
	Kind     string  `json:"kind"`
	Property string  `json:"property"`
	Op       string  `json:"op"`
	Value    float64 `json:"value"`
}

// Presence holds when the profile stayed in Zone at least MinDwell in one
// visit within the window (from the dwell_seconds of Zone Dwelled and Zone
// Exited events, package beacon).
type Presence struct {
	Zone     string   `json:"zone"`
	MinDwell Duration `json:"min_dwell"`
	Within   Duration `json:"within,omitempty"`
}

// TraitCond compares a trait (an identify trait or a computed trait, by
// key) with a value: Op is eq, ne, lt, lte, gt, gte, contains, exists or
// not_exists.
type TraitCond struct {
	Key   string `json:"key"`
	Op    string `json:"op"`
	Value any    `json:"value,omitempty"`
}

// Audience is a named condition over a profile, evaluated for one consent
// purpose (default marketing): only events collected under it count.
type Audience struct {
	Key     string `json:"key"`
	Purpose string `json:"purpose,omitempty"`
	Where   Cond   `json:"where"`
}

// Journey is an event-triggered flow. See the package documentation of
// activation for the order of its checks.
type Journey struct {
	Key     string `json:"key"`
	Purpose string `json:"purpose,omitempty"`
	// Trigger is the event that starts the journey.
	Trigger Filter `json:"trigger"`
	// When must hold at the trigger's time (audiences, traits, events).
	When *Cond `json:"when,omitempty"`
	// Related, when set, requires an earlier event of the profile that
	// matches the trigger (e.g. a wished product of the zone entered).
	Related *Related `json:"related,omitempty"`
	// Wait delays the action; Unless cancels it.
	Wait *Wait `json:"wait,omitempty"`
	// Action is what the journey does.
	Action Action `json:"action"`
	// Cap limits actions per profile.
	Cap *Cap `json:"cap,omitempty"`
	// QuietHours refuses (or defers) actions inside a daily window.
	QuietHours *QuietHours `json:"quiet_hours,omitempty"`
	// Reentry says when a profile may start the journey again.
	Reentry *Reentry `json:"reentry,omitempty"`
	// Exit events cancel pending waits.
	Exit []Filter `json:"exit,omitempty"`
	// Holdout is the percentage (0-100) of profiles kept out, for measurement.
	Holdout float64 `json:"holdout,omitempty"`
}

// Related selects an earlier event of the profile within a window whose
// properties match the trigger's.
type Related struct {
	Event  string      `json:"event"`
	Where  []Predicate `json:"where,omitempty"`
	Within Duration    `json:"within"`
	Match  []Correlate `json:"match,omitempty"`
}

// Correlate requires the related event's Path to equal the trigger's
// Trigger path.
type Correlate struct {
	Path    string `json:"path"`
	Trigger string `json:"trigger"`
}

// Wait delays the action by For; an Unless event in that time cancels it.
type Wait struct {
	For    Duration `json:"for"`
	Unless *Filter  `json:"unless,omitempty"`
}

// Action is what a journey does: emit a track event (Emit), call a Go
// handler registered with the engine (Handler), or both.
type Action struct {
	Emit string `json:"emit,omitempty"`
	// Properties of the emitted event: a value "$trigger.<path>" or
	// "$related.<path>" is copied from that event; anything else is literal.
	Properties  map[string]string `json:"properties,omitempty"`
	Destination string            `json:"destination,omitempty"`
	Handler     string            `json:"handler,omitempty"`
}

// Cap allows at most Max actions per profile in any Per window.
type Cap struct {
	Max int      `json:"max"`
	Per Duration `json:"per"`
}

// QuietHours is a daily window "HH:MM"-"HH:MM" in Timezone (IANA; default
// UTC). Mode "skip" (default) refuses an action inside it; "defer" holds it
// to the window's end.
type QuietHours struct {
	Start    string `json:"start"`
	End      string `json:"end"`
	Timezone string `json:"timezone,omitempty"`
	Mode     string `json:"mode,omitempty"`
}

// Reentry modes.
const (
	ReentryOnce   = "once"   // once per instance key, ever
	ReentryAlways = "always" // every trigger
	ReentryAfter  = "after"  // again once After has passed since the last entry
)

// Reentry says when a profile may enter again. Key chooses the instance
// key: "profile" (default), "trigger" (each trigger event) or "related"
// (each related event: one offer per wish).
type Reentry struct {
	Mode  string   `json:"mode"`
	After Duration `json:"after,omitempty"`
	Key   string   `json:"key,omitempty"`
}
